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
  private static final String SOURCE = "dev.ofsync.source.OracleSourceConnector";
  private static final String DB = "jdbc:h2:mem:packaged;MODE=Oracle;DB_CLOSE_DELAY=-1";
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
    assertThat(getClass().getClassLoader().getResource(SOURCE.replace('.', '/') + ".class")).isNull();
  }

  private static Map<String, String> sinkConfig(String topic) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", SINK);
    config.put("tasks.max", "1");
    config.put("topics", topic);
    config.put("feishu.app_id", APP_ID);
    config.put("feishu.app_secret", APP_SECRET);
    config.put("feishu.app_token", APP_TOKEN);
    config.put("feishu.base_url", feishu.url());
    config.put("sync.linger_ms", "100");
    return config;
  }

  /** Schemas on the wire, decimals as numbers: what both connectors are configured with. */
  private static void jsonWithSchemas(Map<String, String> config) {
    for (String side : new String[] {"key", "value"}) {
      config.put(side + ".converter", "org.apache.kafka.connect.json.JsonConverter");
      config.put(side + ".converter.schemas.enable", "true");
      config.put(side + ".converter.decimal.format", "NUMERIC");
    }
  }

  @Test
  void anOracleTableReachesFeishuThroughBothPackagedConnectors() throws Exception {
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(DB, "sa", "");
         java.sql.Statement st = db.createStatement()) {
      st.execute("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, ITEM VARCHAR2(50), AMOUNT NUMBER(10,2), "
          + "UPDATED_AT TIMESTAMP)");
      st.execute("INSERT INTO ORDERS SELECT X, 'item ' || X, X + 0.25, TIMESTAMP '2024-01-01 00:00:00' "
          + "FROM SYSTEM_RANGE(1, 300)");
    }
    Map<String, String> source = new HashMap<>();
    source.put("connector.class", SOURCE);
    source.put("tasks.max", "1");
    source.put("oracle.url", DB);
    source.put("oracle.username", "sa");
    source.put("oracle.password", "");
    source.put("oracle.table_name", "ORDERS");
    source.put("oracle.sync_column", "UPDATED_AT");
    source.put("topic.template", "pipeline.${table}");
    source.put("topic.creation.default.replication.factor", "1");
    source.put("topic.creation.default.partitions", "1");
    jsonWithSchemas(source);
    connect.configureConnector("packaged-source", source);
    Map<String, String> sink = sinkConfig("pipeline.ORDERS");
    sink.put("feishu.table_name_prefix", "Pipeline");
    jsonWithSchemas(sink);
    connect.configureConnector("packaged-pipeline-sink", sink);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("packaged-source", 1, "source did not start");
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("packaged-pipeline-sink", 1, "sink did not start");

    await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(feishu.table(APP_TOKEN, "Pipeline").map(TableSnapshot::rowCount).orElse(0)).isEqualTo(300));
    TableSnapshot table = feishu.table(APP_TOKEN, "Pipeline").orElseThrow();
    assertThat(table.records()).anySatisfy(r -> assertThat(r.fields()).containsEntry("ID", "42")
        .containsEntry("ITEM", "item 42").containsEntry("AMOUNT", 42.25));
    assertThat(table.field("AMOUNT").orElseThrow().property()).containsEntry("formatter", "0.00");
  }

  @Test
  void theWorkerListsBothConnectorsFromTheirZipsWithTheirVersion() throws Exception {
    String plugins = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(connect.endpointForResource("connector-plugins"))).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();

    assertThat(plugins).contains(SINK).contains(SOURCE).contains("0.1.0-SNAPSHOT");
    assertThat(Files.list(Path.of(System.getProperty("plugin.path", "target/plugins"))).map(Path::getFileName)
        .map(Path::toString).collect(Collectors.toList())).anyMatch(n -> n.startsWith("connector-sink-"));
  }

  @Test
  void aSmallSyncRunsThroughThePackagedSink() throws Exception {
    connect.kafka().createTopic("packaged-orders", 1);
    connect.configureConnector("packaged-sink", sinkConfig("packaged-orders"));
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("packaged-sink", 1, "sink did not start");

    for (int i = 1; i <= 50; i++) {
      connect.kafka().produce("packaged-orders", "{\"ID\":" + i + "}",
          "{\"ID\":" + i + ",\"ITEM\":\"item " + i + "\",\"QTY\":" + (i % 7) + "}");
    }

    // the base also holds the other test's "Pipeline" tables: this sink's are DataSync, DataSync_001, ...
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(feishu.tables(APP_TOKEN).stream().filter(t -> t.name().startsWith("DataSync"))
            .mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(50));
    TableSnapshot table = feishu.table(APP_TOKEN, "DataSync").orElseThrow();
    assertThat(table.records()).extracting(r -> r.fields().get("ID")).as("every key once")
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(String::valueOf)
            .collect(Collectors.toList()));
    assertThat(table.records()).anySatisfy(r -> assertThat(r.fields()).containsEntry("ITEM", "item 7")
        .containsEntry("QTY", 0.0).containsEntry("ID", "7"));
  }
}
