package dev.ofsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTable;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordResp;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableResp;
import dev.ofsync.emulator.support.AdminClient;
import dev.ofsync.emulator.support.SdkCalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shaded jar as a user starts it: {@code java -jar target/feishu-emulator-<version>.jar ...}. */
class StandaloneJarIT {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");
  private static final String APP_TOKEN = "bascnJarIt0001";

  private Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void destroy() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static Path jar() throws IOException {
    Path target = Path.of(System.getProperty("basedir", ".")).resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      List<Path> jars = files
          .filter(p -> p.getFileName().toString().matches("feishu-emulator-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
          .toList();
      assertThat(jars).as("the runnable jar under %s (run mvn package first)", target.toAbsolutePath()).hasSize(1);
      return jars.get(0);
    }
  }

  /** Starts the jar; every line it prints (stdout and stderr) goes to {@link #output}. */
  private Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Process started = process;
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
        }
      } catch (IOException e) {
        if (started.isAlive()) {
          throw new UncheckedIOException(e);
        }
      }
    }, "emulator-jar-output");
    pump.setDaemon(true);
    pump.start();
    return started;
  }

  private String listeningUrl() {
    for (String line : output) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  @Test
  void theJarServesTheSdkAndTheAdminApi() throws Exception {
    Process p = start("--port", "0", "--latency", "none", "--app-id", "cli_it", "--app-secret", "s3cret",
        "--app-token", APP_TOKEN);

    await().atMost(Duration.ofSeconds(30))
        .until(() -> listeningUrl() != null || !p.isAlive());
    assertThat(listeningUrl()).as("the jar printed no listening line; it printed %s", output).isNotNull();
    String url = listeningUrl();
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+").doesNotEndWith(":0");
    assertThat(output).anySatisfy(line -> assertThat(line).contains("app_token:", APP_TOKEN));

    Client sdk = SdkCalls.client(url, "cli_it", "s3cret");
    ListAppTableResp listed = sdk.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build());
    assertThat(listed.success()).as("%s %s", listed.getCode(), listed.getMsg()).isTrue();
    AppTable[] tables = listed.getData().getItems();
    assertThat(tables).extracting(AppTable::getName).containsExactly("DataSync");
    String tableId = tables[0].getTableId();

    BatchCreateAppTableRecordResp written = SdkCalls.batchCreate(sdk, APP_TOKEN, tableId,
        List.of(Map.of("Text", "first"), Map.of("Text", "second"), Map.of("Text", "third")));
    assertThat(written.success()).as("%s %s", written.getCode(), written.getMsg()).isTrue();
    assertThat(written.getData().getRecords()).hasSize(3);

    AdminClient.Answer dump = new AdminClient(url).get("bases/" + APP_TOKEN);
    assertThat(dump.status()).isEqualTo(200);
    JsonNode table = dump.json().path("tables").path(0);
    assertThat(table.path("tableId").asText()).isEqualTo(tableId);
    assertThat(table.path("records")).hasSize(3);
    List<String> texts = new ArrayList<>();
    table.path("records").forEach(r -> texts.add(r.path("fields").path("Text").asText()));
    assertThat(texts).containsExactly("first", "second", "third");
  }

  @Test
  void aPortThatIsNotANumberStopsTheJarWithAMessageNamingTheOption() throws Exception {
    Process p = start("--port", "abc");

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the jar should exit").isTrue();
    assertThat(p.exitValue()).isNotZero();
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(output).anySatisfy(line -> assertThat(line).contains("--port", "abc")));
    assertThat(output).noneSatisfy(line -> assertThat(line).contains("listening on"));
  }
}
