package dev.ofsync.it.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectDistributed;

/**
 * A Connect worker in a JVM of its own ({@code ConnectDistributed}, as {@code connect-distributed.sh}
 * starts it), joined to a {@link Pipeline}'s cluster, so that it can be stopped the way a machine
 * dies: {@link #kill()} sends SIGKILL. Nothing in the worker runs after that: no task is stopped,
 * no offset committed, no consumer or worker leaves its group; the others find out when its
 * session times out.
 */
final class WorkerProcess {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final int port;
  private final Process process;
  private final Path log;

  private WorkerProcess(String name, int port, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts a worker with {@code props} plus its own REST listener; answers once its REST API is up. */
  static WorkerProcess start(String name, Map<String, String> props, Path dir) throws IOException {
    Files.createDirectories(dir);
    int port = freePort();
    Properties p = new Properties();
    p.putAll(props);
    p.put("listeners", "http://localhost:" + port);
    p.put("rest.advertised.host.name", "localhost");
    p.put("rest.advertised.port", String.valueOf(port));
    Path config = dir.resolve(name + ".properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      p.store(out, "Connect worker " + name + " of an e2e test");
    }
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        ConnectDistributed.class.getName(), config.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new WorkerProcess(name, port, process, log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The id the cluster knows this worker by in connector and task states: its advertised REST address. */
  String workerId() {
    return "localhost:" + port;
  }

  boolean restAnswers() {
    if (!process.isAlive()) {
      throw new IllegalStateException("worker " + name + " exited with " + process.exitValue() + "; see " + log);
    }
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL: the worker's JVM ends at once. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker " + name + " did not die within 30 s of SIGKILL");
    }
  }

  Path log() {
    return log;
  }

  @Override
  public String toString() {
    return name + " (" + workerId() + ", pid " + process.pid() + ")";
  }
}
