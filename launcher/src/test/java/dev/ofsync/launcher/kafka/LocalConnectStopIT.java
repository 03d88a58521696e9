package dev.ofsync.launcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SIGTERM two shutdown hooks run side by side: the one Kafka Connect registers for itself and
 * the launcher's, which stops the worker and then the broker. Connect's {@code stop()} returns at
 * once to the second caller, so the launcher could take the broker down while the worker was still
 * stopping (writing its last statuses and offsets), and the process could hang there.
 */
class LocalConnectStopIT {
  @TempDir
  Path dir;

  @Test
  void closeReturnsOnlyOnceTheWorkerHasStoppedWhenConnectsOwnShutdownHookBeganStoppingIt() throws Exception {
    try (LocalKafka kafka = LocalKafka.start(dir)) {
      LocalConnect connect = LocalConnect.start(kafka.bootstrapServers());
      // what Connect's shutdown hook does on SIGTERM; it stops the REST server first, then the herder
      Thread connectsOwnHook = new Thread(connect.worker()::stop, "connect-shutdown-hook");
      connectsOwnHook.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> !answers(connect));

      connect.close();

      assertThat(connect.worker().herderTask().isDone())
          .as("the worker's herder has stopped when close() returns, so the broker may go").isTrue();
      connectsOwnHook.join(Duration.ofSeconds(30).toMillis());
    }
  }

  private static boolean answers(LocalConnect connect) {
    try {
      HttpURLConnection http = (HttpURLConnection) connect.url().toURL().openConnection();
      http.setConnectTimeout(1_000);
      http.setReadTimeout(1_000);
      try {
        return http.getResponseCode() > 0;
      } finally {
        http.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void jettysOwnShutdownHookLeavesTheRestServerToConnectSoTheyDoNotStopItSideBySide() throws Exception {
    try (LocalKafka kafka = LocalKafka.start(dir)) {
      LocalConnect connect = LocalConnect.start(kafka.bootstrapServers());
      try {
        Object jetty = LocalConnect.jettyServerOf(connect.worker());
        Class<?> lifeCycle = Class.forName("org.eclipse.jetty.util.component.LifeCycle");
        boolean registered = (Boolean) Class.forName("org.eclipse.jetty.util.thread.ShutdownThread")
            .getMethod("isRegistered", lifeCycle).invoke(null, jetty);

        assertThat(registered).as("Connect's REST server on Jetty's shutdown hook (CI hung on SIGTERM with it)")
            .isFalse();
      } finally {
        connect.close();
      }
      assertThat(connect.worker().herderTask().isDone()).isTrue();
    }
  }
}
