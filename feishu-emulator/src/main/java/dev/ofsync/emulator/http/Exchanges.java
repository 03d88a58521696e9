package dev.ofsync.emulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.ofsync.emulator.store.BytePool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reading requests and writing answers on the JDK's HTTP server. */
final class Exchanges {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter STREAM_WRITER =
      MAPPER.writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private Exchanges() {}

  /** A request body: {@code bytes[0, length)}. */
  record Body(byte[] bytes, int length) {}

  /** The body, or null when it is longer than {@code limit} bytes. */
  static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
    Body body = read(exchange, limit, false);
    return body == null ? null : body.bytes();
  }

  /** The body in an array from {@link BytePool} (give it back), or null when it is longer than {@code limit} bytes. */
  static Body readPooledBody(HttpExchange exchange, int limit) throws IOException {
    return read(exchange, limit, true);
  }

  private static Body read(HttpExchange exchange, int limit, boolean pooled) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      long declared = contentLength(exchange);
      if (declared > limit) {
        // read what was sent (up to a bound) before refusing it: a server that closes a connection with
        // unread bytes resets it, and the client may then never see the answer
        byte[] scratch = new byte[16 * 1024];
        long left = Math.min(declared, 4L * limit); // not skip(): in JDK 17 that bypasses the body's length
        for (int n; left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0; ) {
          left -= n;
        }
        return null;
      }
      if (declared >= 0) {
        // the usual case: read straight into an array of the right size, with no copies
        byte[] body = pooled ? BytePool.take((int) declared) : new byte[(int) declared];
        int n = in.readNBytes(body, 0, (int) declared);
        if (!pooled && n < body.length) {
          body = java.util.Arrays.copyOf(body, n);
        }
        return new Body(body, n);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16 * 1024];
      int total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) {
          return null;
        }
        out.write(buf, 0, n);
      }
      byte[] body = out.toByteArray();
      return new Body(body, body.length);
    }
  }

  /** The Content-Length of the request, or -1 when it has none (a chunked body). */
  private static long contentLength(HttpExchange exchange) {
    String value = exchange.getRequestHeaders().getFirst("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1; // the server refuses such a request before it gets here
    }
  }

  static Map<String, String> query(HttpExchange exchange) {
    Map<String, String> out = new HashMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        out.put(key, value);
      }
    }
    return out;
  }

  static void sendJson(HttpExchange exchange, int status, Object body, Map<String, String> headers) throws IOException {
    send(exchange, status, MAPPER.writeValueAsBytes(body), "application/json; charset=utf-8", headers);
  }

  /**
   * Writes a large JSON answer: with a Content-Length in one write when it fits in {@link
   * ReplyStream#LIMIT} (the JDK server sends a chunked body in 4 kB chunks, a write each), chunked
   * beyond, so memory stays bounded.
   */
  static void streamJson(HttpExchange exchange, int status, Object body, Map<String, String> headers) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    ReplyStream out = new ReplyStream(exchange, status);
    STREAM_WRITER.writeValue(out, body); // on a failure nothing is sent, so the caller can still answer an error
    out.finish();
  }

  /** The body as JSON, or null when it is longer than {@code limit} bytes. */
  static com.fasterxml.jackson.databind.JsonNode readJson(HttpExchange exchange, int limit) throws IOException {
    try (InputStream in = new LimitedInputStream(exchange.getRequestBody(), limit)) {
      return MAPPER.readTree(in);
    } catch (LimitedInputStream.TooLong e) {
      return null;
    }
  }

  /** Fails once more than {@code limit} bytes were read. */
  private static final class LimitedInputStream extends java.io.FilterInputStream {
    static final class TooLong extends IOException {
      TooLong() {
        super("body too long", null);
      }
    }

    private long left;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && --left < 0) {
        throw new TooLong();
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0 && (left -= n) < 0) {
        throw new TooLong();
      }
      return n;
    }
  }

  static void send(HttpExchange exchange, int status, byte[] bytes, String contentType, Map<String, String> headers)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static ObjectNode error(int code, String msg, String logId) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("code", code);
    body.put("msg", msg);
    body.putObject("error").put("log_id", logId);
    return body;
  }
}
