package dev.ofsync.sink.client;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import com.lark.oapi.core.httpclient.IHttpTransport;
import com.lark.oapi.core.request.RawRequest;
import com.lark.oapi.core.response.RawResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Flow;

/**
 * The SDK's HTTP transport, on the JDK's HTTP client. It serializes bodies as the SDK does, except
 * that {@link CellValue#CLEAR} becomes JSON null (so a cell can be emptied), and it never resends a
 * call by itself: a retry is the caller's decision, with the same client_token. The request budget
 * is waited for here, once the body is ready ({@link #beforeSend}): serializing a 500-row body
 * takes milliseconds (much more when the CPU is busy), and time spent between the budget's release
 * and the send lets calls reach Feishu closer together than the budget spaced them.
 */
final class BodyTransport implements IHttpTransport {
  /** What the calling thread waits for before its request goes on the wire. */
  interface BeforeSend {
    /** Waits, on the calling thread, until the request may go. */
    void ready() throws InterruptedException;

    /** The HTTP client began writing the request (on one of its own threads), at {@code nanoTime}. */
    void sending(long nanoTime);
  }

  private static final Gson GSON = new GsonBuilder()
      .disableHtmlEscaping()
      .registerTypeAdapter(CellValue.class, new TypeAdapter<CellValue>() {
        @Override
        public void write(JsonWriter out, CellValue value) throws IOException {
          boolean serializeNulls = out.getSerializeNulls();
          out.setSerializeNulls(true);
          out.nullValue();
          out.setSerializeNulls(serializeNulls);
        }

        @Override
        public CellValue read(JsonReader in) {
          throw new UnsupportedOperationException("cell markers are never read");
        }
      })
      .create();

  private final HttpClient http;
  private final Duration timeout;
  private final ThreadLocal<BeforeSend> beforeSend = new ThreadLocal<>();

  BodyTransport(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Makes this thread's requests wait for {@code gate} until {@link #clearBeforeSend}. */
  void beforeSend(BeforeSend gate) {
    beforeSend.set(gate);
  }

  void clearBeforeSend() {
    beforeSend.remove();
  }

  @Override
  public RawResponse execute(RawRequest request) throws IOException, InterruptedException {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(request.getReqUrl())).timeout(timeout);
    for (Map.Entry<String, List<String>> h : request.getHeaders().entrySet()) {
      if (!isRestricted(h.getKey())) {
        for (String v : h.getValue()) {
          builder.header(h.getKey(), v);
        }
      }
    }
    Object body = request.getBody();
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    BeforeSend gate = beforeSend.get();
    builder.header("Content-Type", "application/json; charset=utf-8");
    builder.method(request.getHttpMethod(), gate == null ? publisher : new Sending(publisher, gate));
    HttpRequest ready = builder.build();
    if (gate != null) {
      gate.ready();
    }
    HttpResponse<byte[]> response = http.send(ready, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() >= 300 && !looksLikeJson(response.body())) {
      // a gateway's error page: the SDK would fail to parse it and lose the status and request id
      throw new ErrorPage(response.statusCode(), notJson(response));
    }
    RawResponse raw = new RawResponse();
    raw.setStatusCode(response.statusCode());
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(response.headers().map());
    raw.setHeaders(headers);
    raw.setContentType(response.headers().firstValue("Content-Type").orElse(""));
    boolean recordWrite = response.statusCode() == 200 && (request.getReqUrl().contains("/records/batch_create")
        || request.getReqUrl().contains("/records/batch_update"));
    raw.setBody(recordWrite ? withoutFields(response.body()) : response.body());
    return raw;
  }

  /**
   * A body that tells its gate when the HTTP client starts on it: the client subscribes to the body
   * once it writes the request (after the request line and headers are queued, on its own thread).
   */
  private static final class Sending implements HttpRequest.BodyPublisher {
    private final HttpRequest.BodyPublisher body;
    private final BeforeSend gate;

    Sending(HttpRequest.BodyPublisher body, BeforeSend gate) {
      this.body = body;
      this.gate = gate;
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      gate.sending(System.nanoTime());
      body.subscribe(subscriber);
    }
  }

  /**
   * The answer without the records' {@code fields}: Feishu repeats every cell written, and the sink
   * needs only the record ids. Read as a stream, this costs a fraction of the SDK's parsing of
   * every cell into objects (about 1.4 MB of garbage per 500-row write). An answer that is not
   * JSON is kept as it is, for the SDK to report.
   */
  static byte[] withoutFields(byte[] body) {
    try {
      JsonReader in = new JsonReader(new java.io.InputStreamReader(new java.io.ByteArrayInputStream(body),
          StandardCharsets.UTF_8));
      java.io.StringWriter text = new java.io.StringWriter(Math.min(body.length, 64 * 1024));
      JsonWriter out = new JsonWriter(text);
      copyWithoutFields(in, out);
      out.flush();
      return text.toString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return body;
    }
  }

  private static void copyWithoutFields(JsonReader in, JsonWriter out) throws IOException {
    switch (in.peek()) {
      case BEGIN_OBJECT:
        in.beginObject();
        out.beginObject();
        while (in.hasNext()) {
          String name = in.nextName();
          if (name.equals("fields")) {
            in.skipValue();
          } else {
            out.name(name);
            copyWithoutFields(in, out);
          }
        }
        in.endObject();
        out.endObject();
        break;
      case BEGIN_ARRAY:
        in.beginArray();
        out.beginArray();
        while (in.hasNext()) {
          copyWithoutFields(in, out);
        }
        in.endArray();
        out.endArray();
        break;
      case NUMBER:
        out.jsonValue(in.nextString()); // the number's own text
        break;
      case STRING:
        out.value(in.nextString());
        break;
      case BOOLEAN:
        out.value(in.nextBoolean());
        break;
      case NULL:
        in.nextNull();
        out.nullValue();
        break;
      default:
        throw new IOException("unexpected " + in.peek());
    }
  }

  private static boolean looksLikeJson(byte[] body) {
    for (byte b : body) {
      if (!Character.isWhitespace(b)) {
        return b == '{';
      }
    }
    return false;
  }

  /** A gateway's answer that is not JSON (an error page), with its HTTP status. */
  static final class ErrorPage extends IOException {
    private final int status;

    ErrorPage(int status, String message) {
      super(message);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  /** "HTTP 502: <the start of the body> (request id X)" for an answer that is not the Open API's JSON. */
  static String notJson(HttpResponse<byte[]> response) {
    String text = new String(response.body(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
    if (text.length() > 200) {
      text = text.substring(0, 200) + "...";
    }
    String requestId = response.headers().firstValue("X-Tt-Logid")
        .or(() -> response.headers().firstValue("X-Request-Id")).orElse(null);
    return "HTTP " + response.statusCode() + (text.isEmpty() ? "" : ": " + text)
        + (requestId == null ? "" : " (request id " + requestId + ")");
  }

  private static boolean isRestricted(String header) {
    String h = header.toLowerCase(java.util.Locale.ROOT);
    return h.equals("content-type") || h.equals("content-length") || h.equals("host") || h.equals("connection");
  }
}
