package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.launcher.kafka.LocalConnect;
import dev.ofsync.launcher.kafka.LocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against an existing Connect cluster ({@code --connect-url}): it validates, creates
 * the connectors through the REST API and leaves them running there; {@code status} reports them.
 */
class ConnectClusterIT {
  private static final String APP_ID = "cli_cluster";
  private static final String APP_SECRET = "cluster-secret";
  private static final String APP_TOKEN = "bascnCluster";

  @TempDir
  static Path dir;
  static FeishuEmulator feishu;
  static LocalKafka kafka;
  static LocalConnect connect;

  @BeforeAll
  static void setUp() throws Exception {
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast()).app(APP_ID, APP_SECRET)
        .base(APP_TOKEN, "Cluster", APP_ID).start();
    kafka = LocalKafka.start(dir.resolve("cluster"));
    connect = LocalConnect.start(kafka.bootstrapServers());
    String dbUrl = "jdbc:h2:file:" + dir.resolve("db/items") + ";MODE=Oracle;AUTO_SERVER=TRUE";
    try (Connection c = DriverManager.getConnection(dbUrl, "sa", ""); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ITEMS (ID NUMBER(10) PRIMARY KEY, NAME VARCHAR2(50), UPDATED_AT TIMESTAMP)");
      st.execute("INSERT INTO ITEMS SELECT X, 'name ' || X, TIMESTAMP '2024-01-01 00:00:00' FROM SYSTEM_RANGE(1, 700)");
    }
    Files.writeString(dir.resolve("config.yaml"), String.join("\n",
        "oracle: {url: \"" + dbUrl + "\", username: sa, password: \"\", table_name: ITEMS, sync_column: UPDATED_AT}",
        "feishu: {app_id: " + APP_ID + ", app_secret: " + APP_SECRET + ", app_token: " + APP_TOKEN + ", base_url: \""
            + feishu.url() + "\", table_name_prefix: Cluster}",
        "sync: {linger_ms: 200}",
        "kafka: {bootstrap_servers: \"" + kafka.bootstrapServers() + "\"}",
        ""));
  }

  @AfterAll
  static void tearDown() {
    if (connect != null) {
      connect.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (feishu != null) {
      feishu.close();
    }
  }

  @Test
  void deploysThroughRestAndLeavesTheConnectorsRunningOnTheCluster() throws Exception {
    String url = connect.url().toString();

    LauncherProcess.Result deploy = LauncherProcess.run(dir, Map.of(), "run", "--config", "config.yaml", "--connect-url", url);

    assertThat(deploy.exit()).as(deploy.output()).isZero();
    assertThat(deploy.output()).contains("Deployed ofs-items-source")
        .contains("status --config config.yaml --connect-url " + url);
    await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
        assertThat(feishu.tables(APP_TOKEN).stream().mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(700));

    LauncherProcess.Result status = LauncherProcess.run(dir, Map.of(), "status", "--config", "config.yaml",
        "--connect-url", url);
    assertThat(status.exit()).as(status.output()).isZero();
    assertThat(status.output()).contains("ofs-items-source: RUNNING, task 0 RUNNING")
        .contains("ofs-items-sink: RUNNING, task 0 RUNNING")
        .contains("Feishu base " + APP_TOKEN + ": 700 rows");

    // stopped on the cluster (a reset interrupted, say): deploying again runs it again, and says so
    new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).stop("ofs-items-source");
    await().atMost(Duration.ofSeconds(60)).until(() -> "STOPPED".equals(dev.ofsync.launcher.kafka.ConnectRest.state(
        new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).status("ofs-items-source"))));
    LauncherProcess.Result again = LauncherProcess.run(dir, Map.of(), "run", "--config", "config.yaml", "--connect-url", url);
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).contains("Resumed ofs-items-source (it was STOPPED)");
    await().atMost(Duration.ofSeconds(60)).until(() -> "RUNNING".equals(dev.ofsync.launcher.kafka.ConnectRest.state(
        new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).status("ofs-items-source"))));

    // the cluster's workers check a config before it is deployed, each problem on its key
    Files.writeString(dir.resolve("wrong.yaml"), Files.readString(dir.resolve("config.yaml"))
        .replace("app_secret: " + APP_SECRET, "app_secret: not-the-secret")
        .replace("sync: {linger_ms: 200}", "sync: {linger_ms: 200, job_name: ofs-wrong}"));
    LauncherProcess.Result wrong = LauncherProcess.run(dir, Map.of(), "run", "--config", "wrong.yaml", "--connect-url", url);
    assertThat(wrong.exit()).as(wrong.output()).isEqualTo(2);
    assertThat(wrong.output()).contains("error: feishu.app_secret:");
    assertThat(new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).exists("ofs-wrong-sink")).isFalse();
    LauncherProcess.Result checked = LauncherProcess.run(dir, Map.of(), "validate", "--config", "config.yaml",
        "--connect-url", url);
    assertThat(checked.exit()).as(checked.output()).isZero();
    assertThat(checked.output()).contains(": OK (").contains("checked on " + url);

    // a pipeline of this config under another name was never deployed: said so, not an HTTP 404
    Files.writeString(dir.resolve("other.yaml"), Files.readString(dir.resolve("config.yaml"))
        .replace("sync: {linger_ms: 200}", "sync: {linger_ms: 200, job_name: ofs-other}"));
    LauncherProcess.Result other = LauncherProcess.run(dir, Map.of(), "status", "--config", "other.yaml",
        "--connect-url", url);
    assertThat(other.exit()).as(other.output()).isZero();
    assertThat(other.output()).contains("ofs-other-source: not deployed").contains("ofs-other-sink: not deployed")
        .doesNotContain("404");

    // the same tables under another job name (sync.job_name changed): refused, naming the sink that fills them
    LauncherProcess.Result renamed = LauncherProcess.run(dir, Map.of(), "run", "--config", "other.yaml",
        "--connect-url", url);
    assertThat(renamed.exit()).as(renamed.output()).isEqualTo(2);
    assertThat(renamed.output()).contains("connector ofs-items-sink on " + url)
        .contains("already fills the tables 'Cluster', 'Cluster_001', ... of Feishu base " + APP_TOKEN)
        .contains("curl -X DELETE " + url + "connectors/ofs-items-sink");
    assertThat(new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).exists("ofs-other-sink")).isFalse();
    assertThat(new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).exists("ofs-other-source")).isFalse();

    LauncherProcess.Result once = LauncherProcess.run(dir, Map.of(), "--config", "config.yaml", "--connect-url", url,
        "--once");
    assertThat(once.exit()).isEqualTo(2);
    assertThat(once.output()).contains("--once runs the pipeline here");

    // a table of the same name in another database: its connectors would take this sync's names and offsets
    String otherDb = "jdbc:h2:file:" + dir.resolve("db/elsewhere") + ";MODE=Oracle;AUTO_SERVER=TRUE";
    try (Connection c = DriverManager.getConnection(otherDb, "sa", ""); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ITEMS (ID NUMBER(10) PRIMARY KEY, NAME VARCHAR2(50), UPDATED_AT TIMESTAMP)");
    }
    Files.writeString(dir.resolve("elsewhere.yaml"), Files.readString(dir.resolve("config.yaml"))
        .replace(dir.resolve("db/items").toString(), dir.resolve("db/elsewhere").toString())
        .replace("table_name_prefix: Cluster", "table_name_prefix: Elsewhere"));
    LauncherProcess.Result elsewhere = LauncherProcess.run(dir, Map.of(), "run", "--config", "elsewhere.yaml",
        "--connect-url", url);
    assertThat(elsewhere.exit()).as(elsewhere.output()).isEqualTo(2);
    assertThat(elsewhere.output()).contains("connector ofs-items-source on " + url + " reads [ITEMS, oracle.url="
        + dbUrl() + "]").contains("sync.job_name of its own");
    assertThat(new dev.ofsync.launcher.kafka.ConnectRest(connect.url()).configs().get("ofs-items-source"))
        .as("left as it was").containsEntry("oracle.url", dbUrl());
  }

  private static String dbUrl() {
    return "jdbc:h2:file:" + dir.resolve("db/items") + ";MODE=Oracle;AUTO_SERVER=TRUE";
  }

  @Test
  void aFullSyncAfterTheConnectorsWereDeletedReadsTheTableAgainRatherThanResumingTheirOffsets() throws Exception {
    String url = connect.url().toString();
    Files.writeString(dir.resolve("again.yaml"), Files.readString(dir.resolve("config.yaml"))
        .replace("sync: {linger_ms: 200}", "sync: {linger_ms: 200, job_name: ofs-again}")
        .replace("table_name_prefix: Cluster", "table_name_prefix: Again"));
    dev.ofsync.launcher.kafka.ConnectRest rest = new dev.ofsync.launcher.kafka.ConnectRest(connect.url());
    assertThat(LauncherProcess.run(dir, Map.of(), "run", "--config", "again.yaml", "--connect-url", url).exit()).isZero();
    await().atMost(Duration.ofMinutes(2)).until(() -> rows("Again") == 700);
    long firstRead = topicEnd();
    await().atMost(Duration.ofSeconds(60)).until(() -> rest.offsets("ofs-again-source").path("offsets").size() > 0);

    rest.delete("ofs-again-source");
    rest.delete("ofs-again-sink");
    await().atMost(Duration.ofSeconds(60)).until(() -> !rest.exists("ofs-again-source") && !rest.exists("ofs-again-sink"));
    LauncherProcess.Result full = LauncherProcess.run(dir, Map.of(), "run", "--config", "again.yaml", "--connect-url",
        url, "--full-sync");

    assertThat(full.exit()).as(full.output()).isZero();
    assertThat(full.output()).contains("ofs-again-source: ");
    await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
        assertThat(topicEnd() - firstRead).as("the table read again from its start").isGreaterThanOrEqualTo(700));
    assertThat(rows("Again")).isEqualTo(700);
  }

  private static int rows(String prefix) {
    return feishu.tables(APP_TOKEN).stream().filter(t -> t.name().startsWith(prefix)).mapToInt(TableSnapshot::rowCount)
        .sum();
  }

  /** Records in the topic of job ofs-again so far: a job named by hand has a topic of its own. */
  private static long topicEnd() {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(props)) {
      var partitions = consumer.partitionsFor("oracle-feishu-sync.ofs-again.ITEMS").stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
