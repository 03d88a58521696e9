package dev.ofsync.emulator.http;

import com.sun.net.httpserver.HttpExchange;
import dev.ofsync.emulator.store.BytePool;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * An answer body held in memory up to {@link #LIMIT}, then sent with its Content-Length in one
 * write by {@link #finish()}; a larger one goes out chunked as it is written. The buffer comes from
 * {@link BytePool}: a 500-record answer is about 170 kB.
 */
final class ReplyStream extends OutputStream {
  static final int LIMIT = 1 << 20;

  private final HttpExchange exchange;
  private final int status;
  private byte[] buf;
  private int count;
  private OutputStream chunked;
  private boolean finished;

  ReplyStream(HttpExchange exchange, int status) {
    this.exchange = exchange;
    this.status = status;
    this.buf = BytePool.take(0);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (chunked != null) {
      chunked.write(b, off, len);
      return;
    }
    if (count + len > LIMIT) {
      exchange.sendResponseHeaders(status, 0);
      chunked = exchange.getResponseBody();
      chunked.write(buf, 0, count);
      chunked.write(b, off, len);
      release();
      return;
    }
    if (count + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.min(LIMIT, Math.max(buf.length * 2, count + len)));
    }
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  /** Sends what was written and ends the answer. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    if (chunked == null) {
      exchange.sendResponseHeaders(status, count == 0 ? -1 : count);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(buf, 0, count);
      } finally {
        release();
      }
    } else {
      chunked.close();
    }
  }

  private void release() {
    if (buf != null) {
      BytePool.give(buf);
      buf = null;
    }
  }
}
