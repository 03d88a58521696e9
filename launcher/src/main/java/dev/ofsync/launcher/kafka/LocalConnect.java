package dev.ofsync.launcher.kafka;

import dev.ofsync.launcher.config.Validation;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Connect worker in distributed mode on the local Kafka: its configs, offsets and statuses sit
 * in Kafka topics (hence in the state directory), its REST API on a free local port. The
 * connectors come from the launcher's classpath.
 */
public final class LocalConnect implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalConnect.class);
  /** How long {@link #close} waits for a worker another thread is stopping (its tasks get 5 s each). */
  private static final long STOP_WAIT_SECONDS = 60;

  private final Connect<?> connect;
  private final URI url;

  private LocalConnect(Connect<?> connect, URI url) {
    this.connect = connect;
    this.url = url;
  }

  public static LocalConnect start(String bootstrap) throws Exception {
    Map<String, String> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("group.id", "oracle-feishu-sync");
    props.put("config.storage.topic", "oracle-feishu-sync-configs");
    props.put("offset.storage.topic", "oracle-feishu-sync-offsets");
    props.put("status.storage.topic", "oracle-feishu-sync-status");
    props.put("config.storage.replication.factor", "1");
    props.put("offset.storage.replication.factor", "1");
    props.put("status.storage.replication.factor", "1");
    props.put("offset.storage.partitions", "1");
    props.put("status.storage.partitions", "1");
    props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    props.put("listeners", "http://127.0.0.1:" + LocalKafka.freePort());
    props.put("offset.flush.interval.ms", "1000");
    // A single worker: after an abrupt end, take the tasks back at once instead of waiting for the old worker.
    props.put("scheduled.rebalance.max.delay.ms", "0");
    props.put("plugin.discovery", "service_load");
    props.put("connector.client.config.override.policy", "All");
    props.put("config.providers", String.join(",", Validation.PROVIDERS.keySet()));
    Validation.PROVIDERS.forEach((name, type) -> props.put("config.providers." + name + ".class", type));
    Connect<?> connect = new ConnectDistributed().startConnect(props);
    leaveTheRestServerToConnect(connect);
    return new LocalConnect(connect, connect.rest().advertisedUrl());
  }

  public URI url() {
    return url;
  }

  /** The worker itself (tests play its own shutdown hook with it). */
  Connect<?> worker() {
    return connect;
  }

  /**
   * Connect's REST server asks Jetty to stop it at JVM shutdown too ({@code setStopAtShutdown}), so on
   * SIGTERM Jetty's hook and Connect's stop ran side by side: seen in CI, Jetty's hook destroyed the
   * server while Connect's stop was joining its thread pool, which then never ended, and the
   * launcher hung. Connect stops its own server; Jetty's hook is told to leave it alone.
   */
  private static void leaveTheRestServerToConnect(Connect<?> connect) {
    try {
      Object jetty = jettyServerOf(connect);
      jetty.getClass().getMethod("setStopAtShutdown", boolean.class).invoke(jetty, false);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another Connect version: the bounded stop in close() still keeps the launcher from hanging
      LOG.debug("Could not take Connect's REST server off Jetty's shutdown hook: {}", e.toString());
    }
  }

  /** The REST server's Jetty server (a private field of Connect's RestServer). */
  static Object jettyServerOf(Connect<?> connect) throws ReflectiveOperationException {
    java.lang.reflect.Field field = org.apache.kafka.connect.runtime.rest.RestServer.class.getDeclaredField("jettyServer");
    field.setAccessible(true);
    return field.get(connect.rest());
  }

  /**
   * Stops the worker and returns once it has stopped, so that the broker may go next. On SIGTERM,
   * Connect's own shutdown hook may be stopping it already: {@code stop()} and {@code awaitStop()}
   * then return at once, so this waits for the herder's thread, which ends once the worker has
   * stopped its tasks and written its last statuses and offsets. Bounded: a worker that does not
   * stop does not keep the launcher from ending (what it had not committed is read again).
   */
  @Override
  public void close() {
    // bounded: a stop that hangs (a REST server that does not let go) must not keep the launcher
    // from ending; the herder's own end is waited for below
    Thread stopping = new Thread(() -> {
      connect.stop();
      connect.awaitStop();
    }, "connect-stop");
    stopping.setDaemon(true);
    stopping.start();
    try {
      stopping.join(TimeUnit.SECONDS.toMillis(STOP_WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (stopping.isAlive()) {
      warnNotStopped();
      return;
    }
    Future<?> herder = connect.herderTask();
    if (herder == null) {
      return; // never started
    }
    try {
      herder.get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      warnNotStopped();
    } catch (ExecutionException | CancellationException e) {
      LOG.debug("The Connect worker's herder ended with: {}", e.toString()); // it has stopped, which is all that counts here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void warnNotStopped() {
    LOG.warn("The Connect worker did not stop within {} s; stopping Kafka anyway (what was not committed is read "
        + "again by the next run)", STOP_WAIT_SECONDS);
  }
}
