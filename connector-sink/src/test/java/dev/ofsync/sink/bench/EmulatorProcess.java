package dev.ofsync.sink.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.EmulatorMain;
import dev.ofsync.emulator.StatsSnapshot;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The standalone emulator ({@link EmulatorMain}, realistic latency and quotas) in a JVM of its own,
 * so that the rows it holds are not in the heap the benchmark measures, and its collections do
 * not pause the worker. Stats come from its admin API.
 */
final class EmulatorProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Process process;
  private final String url;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private EmulatorProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  static EmulatorProcess start(String jvmOptions, String appId, String appSecret, String appToken) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmulatorMain.class.getName(),
        "--port", String.valueOf(port), "--app-id", appId, "--app-secret", appSecret, "--app-token", appToken,
        "--base-table-name", "Bench"));
    Path log = Files.createTempFile("sink-bench-emulator-", ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // a benchmark stopped midway (Ctrl-C) must not leave the emulator, with its gigabytes, running
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "stop-emulator"));
    EmulatorProcess e = new EmulatorProcess(p, "http://127.0.0.1:" + port, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        e.get("/_emulator/bases");
        break;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          e.close();
          throw new IllegalStateException("the emulator did not start; see " + log + ": " + Files.readString(log));
        }
        Thread.sleep(200); // waiting for a child process to listen
      }
    }
    System.out.printf("emulator: pid %d at %s, log %s%n", p.pid(), e.url, log);
    return e;
  }

  String url() {
    return url;
  }

  long pid() {
    return process.pid();
  }

  StatsSnapshot stats() throws IOException, InterruptedException {
    return JSON.readValue(get("/_emulator/stats"), StatsSnapshot.class);
  }

  void resetStats() throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(URI.create(url + "/_emulator/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()));
  }

  private String get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
  }

  private String send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("emulator answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
