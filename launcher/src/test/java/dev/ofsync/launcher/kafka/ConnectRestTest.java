package dev.ofsync.launcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.ofsync.launcher.UserError;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the launcher tells a Connect cluster's own trouble (exit 3) from a config it refuses (exit 2). */
class ConnectRestTest {
  @Test
  void aClusterThatCannotBeReachedIsTheEnvironmentsProblem() {
    UserError e = catchThrowableOfType(() -> new ConnectRest(URI.create("http://127.0.0.1:1")).status("orders-sink"),
        UserError.class);

    assertThat(e.inEnvironment()).isTrue();
    assertThat(e.getMessage()).contains("cannot reach the Kafka Connect REST API at http://127.0.0.1:1");
  }

  @Test
  void aWorkerThatFailsIsTheEnvironmentsProblemARefusedConfigIsTheUsers() throws Exception {
    HttpServer worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int[] status = {500};
    worker.createContext("/", exchange -> {
      byte[] body = ("{\"error_code\":" + status[0] + ",\"message\":\"answer " + status[0] + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status[0], body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    worker.start();
    try {
      ConnectRest rest = new ConnectRest(URI.create("http://127.0.0.1:" + worker.getAddress().getPort()));
      // (a 409, rebalancing, is asked again for a minute first, then counts as the environment's too)
      for (int s : new int[] {500, 503, 400}) {
        status[0] = s;
        UserError e = catchThrowableOfType(() -> rest.status("orders-sink"), UserError.class);
        assertThat(e.getMessage()).contains("HTTP " + s + ": answer " + s);
        assertThat(e.inEnvironment()).as("HTTP %d", s).isEqualTo(s >= 500);
      }
    } finally {
      worker.stop(0);
    }
  }
}
