package dev.ofsync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.TableSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connectors as users deploy them: plugin zips unpacked into the worker's {@code plugin.path},
 * found by {@code plugin.discovery=service_load} (so the {@code META-INF/services} entries must be
 * there), configured through the REST API. This module's classpath does not hold the connectors.
 */
class PackagedPluginsIT {
  private static final String SINK = "dev.ofsync.sink.FeishuSinkConnector";
  private static final String APP_ID = "cli_packaged";
  private static final String APP_SECRET = "packaged-secret";
  private static final String APP_TOKEN = "bascnPackaged001";

  private static FeishuEmulator feishu;
  private static EmbeddedConnectCluster connect;

  @BeforeAll
  static void start() {
    Path plugins = Path.of(System.getProperty("plugin.path", "target/plugins"));
    assertThat(plugins).as("unpacked plugin zips (mvn verify unpacks them)").isDirectory();
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast())
        .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID).start();
    Map<String, String> worker = new HashMap<>();
    worker.put("plugin.path", plugins.toAbsolutePath().toString());
    worker.put("plugin.discovery", "service_load");
    worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("key.converter.schemas.enable", "false");
    worker.put("value.converter.schemas.enable", "false");
    worker.put("offset.flush.interval.ms", "1000");
    connect = new EmbeddedConnectCluster.Builder().name("packaged").numWorkers(1).numBrokers(1)
        .workerProps(worker).build();
    connect.start();
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.stop();
    }
    if (feishu != null) {
      feishu.close();
    }
  }

  @Test
  void theConnectorsAreNotOnTheTestClasspath() {
    assertThat(getClass().getClassLoader().getResource(SINK.replace('.', '/') + ".class")).isNull();
  }

  @Test
  void theWorkerListsTheSinkFromItsZipWithItsVersion() throws Exception {
    String plugins = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(connect.endpointForResource("connector-plugins"))).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();

    assertThat(plugins).contains(SINK).contains("0.1.0-SNAPSHOT");
    assertThat(Files.list(Path.of(System.getProperty("plugin.path", "target/plugins"))).map(Path::getFileName)
        .map(Path::toString).collect(Collectors.toList())).anyMatch(n -> n.startsWith("connector-sink-"));
  }

  @Test
  void aSmallSyncRunsThroughThePackagedSink() throws Exception {
    connect.kafka().createTopic("packaged-orders", 1);
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SINK);
    config.put("tasks.max", "1");
    config.put("topics", "packaged-orders");
    config.put("feishu.app_id", APP_ID);
    config.put("feishu.app_secret", APP_SECRET);
    config.put("feishu.app_token", APP_TOKEN);
    config.put("feishu.base_url", feishu.url());
    config.put("sync.linger_ms", "100");
    connect.configureConnector("packaged-sink", config);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("packaged-sink", 1, "sink did not start");

    for (int i = 1; i <= 50; i++) {
      connect.kafka().produce("packaged-orders", "{\"ID\":" + i + "}",
          "{\"ID\":" + i + ",\"ITEM\":\"item " + i + "\",\"QTY\":" + (i % 7) + "}");
    }

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(feishu.tables(APP_TOKEN).stream().mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(50));
    TableSnapshot table = feishu.table(APP_TOKEN, "DataSync").orElseThrow();
    assertThat(table.records()).anySatisfy(r -> assertThat(r.fields()).containsEntry("ITEM", "item 7")
        .containsEntry("QTY", 0.0).containsEntry("ID", "7"));
  }
}
