package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.StatsSnapshot;
import dev.ofsync.emulator.TableSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's user with a cron job: a seed-style {@code config.yaml} (secrets from an environment
 * variable and a file), a database and a Feishu base; {@code run --once} runs after run in their
 * own JVMs, the checkpoint carried between them by the state directory.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunOnceIT {
  private static final String APP_ID = "cli_cron";
  private static final String APP_SECRET = "cron-secret";
  private static final String APP_TOKEN = "bascnCron";
  private static final int ROWS = 1_200;

  @TempDir
  static Path dir;
  static FeishuEmulator feishu;
  static String dbUrl;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() throws Exception {
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast()).app(APP_ID, APP_SECRET)
        .base(APP_TOKEN, "Orders", APP_ID).start();
    // A file database that this JVM and the launcher's both open (H2's auto server), in Oracle mode.
    dbUrl = "jdbc:h2:file:" + dir.resolve("db/orders") + ";MODE=Oracle;AUTO_SERVER=TRUE";
    try (Connection c = DriverManager.getConnection(dbUrl, "app", "db-secret"); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, ITEM VARCHAR2(100), AMOUNT NUMBER(12,2), "
          + "ORDERED DATE, NOTE CLOB, UPDATED_AT TIMESTAMP NOT NULL)");
      st.execute("INSERT INTO ORDERS SELECT X, 'item ' || X, X * 1.25, DATE '2024-03-01', 'note ' || X, "
          + "TIMESTAMP '2024-03-01 10:00:00' FROM SYSTEM_RANGE(1, " + ROWS + ")");
    }
    Files.writeString(dir.resolve("secrets.properties"), "feishu.app_secret=" + APP_SECRET + "\n");
    String baseTable = feishu.tables(APP_TOKEN).get(0).tableId();
    Files.writeString(dir.resolve("config.yaml"), String.join("\n",
        "oracle:",
        "  url: \"" + dbUrl + "\"",
        "  username: \"app\"",
        "  password: \"${env:ORACLE_PASSWORD}\"",
        "  table_name: \"ORDERS\"",
        "  primary_key: \"ID\"",
        "  sync_column: \"UPDATED_AT\"",
        "feishu:",
        "  app_id: \"" + APP_ID + "\"",
        "  app_secret: \"${file:" + dir.resolve("secrets.properties") + ":feishu.app_secret}\"",
        "  app_token: \"" + APP_TOKEN + "\"",
        "  base_table_id: \"" + baseTable + "\"",
        "  table_name_prefix: \"Orders\"",
        "  max_rows_per_table: 500",
        "  base_url: \"" + feishu.url() + "\"",
        "sync:",
        "  read_batch_size: 1000",
        "  write_batch_size: 500",
        "  checkpoint_file: \"sync_checkpoint.json\"",
        "  max_requests_per_second: 50",
        "  linger_ms: 200",
        ""));
    env = Map.of("ORACLE_PASSWORD", "db-secret");
  }

  @AfterAll
  static void tearDown() {
    if (feishu != null) {
      feishu.close();
    }
  }

  private static long writes(StatsSnapshot stats) {
    return stats.calls("POST records/batch_create") + stats.calls("POST records/batch_update")
        + stats.calls("POST records/batch_delete");
  }

  private static int rowsInFeishu() {
    return feishu.tables(APP_TOKEN).stream().mapToInt(TableSnapshot::rowCount).sum();
  }

  private static Map<String, Object> row(int id) {
    for (TableSnapshot t : feishu.tables(APP_TOKEN, true)) {
      for (TableSnapshot.RecordInfo r : t.records()) {
        if (Objects.equals(String.valueOf(id), String.valueOf(r.fields().get("ID")))) {
          return r.fields();
        }
      }
    }
    return null;
  }

  @Test
  @Order(1)
  void aFirstRunCopiesTheTableIntoTablesOfAtMostTheMaxAndExitsZero() throws Exception {
    LauncherProcess.Result run = LauncherProcess.run(dir, env, "run", "--config", "config.yaml", "--once");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Caught up").contains("1,200 created")
        .contains("note: sync.checkpoint_file is not used");
    List<TableSnapshot> tables = feishu.tables(APP_TOKEN);
    assertThat(tables).extracting(TableSnapshot::name).containsExactly("Orders", "Orders_001", "Orders_002");
    assertThat(tables).extracting(TableSnapshot::rowCount).containsExactly(500, 500, 200);
    assertThat(row(7)).containsEntry("ITEM", "item 7");
    assertThat(topicBatchCompression()).as("the topic's record batches, as the broker keeps them").containsOnly("lz4");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("oracle-feishu-sync-state"))))
        .as("the state directory (Kafka's logs: configs and rows) is its owner's alone").isEqualTo("rwx------");
  }

  /** The compression of each record batch in the segments of the table's topic, under the state directory. */
  private static java.util.Set<String> topicBatchCompression() throws Exception {
    java.util.Set<String> found = new java.util.HashSet<>();
    List<Path> segments;
    try (var files = Files.walk(dir)) {
      segments = files.filter(f -> f.getParent().getFileName().toString().equals("oracle-feishu-sync.ORDERS-0")
          && f.getFileName().toString().endsWith(".log")).toList();
    }
    assertThat(segments).as("segments of the topic under " + dir).isNotEmpty();
    for (Path segment : segments) {
      try (var records = org.apache.kafka.common.record.internal.FileRecords.open(segment.toFile(), false)) {
        records.batches().forEach(b -> found.add(b.compressionType().name));
      }
    }
    return found;
  }

  @Test
  @Order(2)
  void aSecondRunWritesNothing() throws Exception {
    long before = writes(feishu.stats());

    // the seed's own command line, as its cron entry runs it: it ends once caught up
    LauncherProcess.Result run = LauncherProcess.run(dir, env, "--config", "config.yaml");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Caught up").contains("0 created, 0 updated, 0 deleted")
        .doesNotContain("Following new changes");
    assertThat(writes(feishu.stats())).as("write calls of a run with nothing new").isEqualTo(before);
    assertThat(rowsInFeishu()).isEqualTo(ROWS);
  }

  @Test
  @Order(3)
  void aFullSyncRereadsTheTableButWritesOnlyTheRowsThatChanged() throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, "app", "db-secret"); Statement st = c.createStatement()) {
      // changed without touching the sync column: only a full read finds them
      st.execute("UPDATE ORDERS SET ITEM = 'changed ' || ID WHERE ID IN (3, 600, 1100)");
    }
    long before = writes(feishu.stats());

    LauncherProcess.Result run = LauncherProcess.run(dir, env, "--config", "config.yaml", "--full-sync", "--once");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Rows read: 1,200").contains("0 created, 3 updated").contains("1,197 unchanged");
    assertThat(writes(feishu.stats()) - before).as("one batch_update call per table with a changed row").isEqualTo(3);
    assertThat(row(600)).containsEntry("ITEM", "changed 600");
    assertThat(rowsInFeishu()).isEqualTo(ROWS);
  }

  @Test
  @Order(4)
  void resetCheckpointStartsOverWithoutWritingAnyRowTwice() throws Exception {
    long creates = feishu.stats().calls("POST records/batch_create");
    long writesBefore = writes(feishu.stats());

    LauncherProcess.Result run = LauncherProcess.run(dir, env, "--config", "config.yaml", "--reset-checkpoint", "--once");

    assertThat(run.exit()).as(run.output()).isZero();
    // the replayed topic holds every read so far (the first load, the full sync, this one): all unchanged
    assertThat(run.output()).contains("Rows read: 1,200").contains("0 created, 0 updated, 0 deleted; ")
        .doesNotContain("Resumed");
    assertThat(feishu.stats().calls("POST records/batch_create")).isEqualTo(creates);
    assertThat(writes(feishu.stats())).as("the replayed topic holds the values Feishu has").isEqualTo(writesBefore);
    assertThat(rowsInFeishu()).isEqualTo(ROWS);
    assertThat(row(600)).as("the topic replayed in order ends with the latest value").containsEntry("ITEM", "changed 600");
  }

  @Test
  @Order(5)
  void statusShowsTheLastRunAndTheRowsPerTable() throws Exception {
    LauncherProcess.Result run = LauncherProcess.run(dir, env, "status", "--config", "config.yaml");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("Not running").contains("\"result\" : \"caught up\"")
        .contains("Orders_001").contains("1,200 rows in 3 tables");
  }

  @Test
  @Order(6)
  void aConfigWithMistakesIsRefusedWithOneLinePerProblemAndNoStackTrace() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), String.join("\n",
        "oracle:",
        "  url: \"" + dbUrl + "\"",
        "  username: \"app\"",
        "  password: \"${env:NOT_SET_ANYWHERE}\"",
        "  table_name: \"ORDERS\"",
        "  sync_colum: \"UPDATED_AT\"",
        "feishu:",
        "  app_id: \"" + APP_ID + "\"",
        "  app_secret: \"wrong\"",
        "  app_token: \"" + APP_TOKEN + "\"",
        "  base_url: \"" + feishu.url() + "\"",
        ""));

    LauncherProcess.Result unknownKey = LauncherProcess.run(dir, env, "validate", "--config", "bad.yaml");
    assertThat(unknownKey.exit()).isEqualTo(2);
    assertThat(unknownKey.output()).contains("error: oracle.sync_colum: unknown setting; did you mean oracle.sync_column?")
        .doesNotContain("Exception").doesNotContain("\tat ");

    Files.writeString(dir.resolve("bad.yaml"), Files.readString(dir.resolve("bad.yaml")).replace("sync_colum", "sync_column"));
    LauncherProcess.Result run = LauncherProcess.run(dir, env, "--config", "bad.yaml", "--once");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.output()).contains("error: oracle.password: environment variable NOT_SET_ANYWHERE is not set")
        .doesNotContain("\tat ");
    LauncherProcess.Result status = LauncherProcess.run(dir, env, "status", "--config", "bad.yaml");
    assertThat(status.exit()).as("a run refused at its checks is a failed run, for monitoring").isEqualTo(1);
    assertThat(status.output()).contains("\"result\" : \"failed\"").contains("NOT_SET_ANYWHERE is not set");

    LauncherProcess.Result wrongSecret = LauncherProcess.run(dir, Map.of("NOT_SET_ANYWHERE", "db-secret"), "validate",
        "--config", "bad.yaml");
    assertThat(wrongSecret.exit()).isEqualTo(2);
    assertThat(wrongSecret.output().lines().filter(l -> l.startsWith("error: ")))
        .singleElement().asString().startsWith("error: feishu.app_secret");
  }

  @Test
  @Order(7)
  void aSecondRunOnTheSameStateDirectoryExitsAtOnceNamingTheRunThatHoldsIt() throws Exception {
    LauncherProcess.Running following = LauncherProcess.start(dir, env, "run", "--config", "config.yaml", "--follow");
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2))
          .until(() -> following.output().contains("Following new changes") || !following.process().isAlive());
      assertThat(following.process().isAlive()).as(following.output()).isTrue();
      long tokenCalls = feishu.stats().calls("POST tenant_access_token");

      LauncherProcess.Result second = LauncherProcess.run(dir, env, "run", "--config", "config.yaml");

      assertThat(second.exit()).as("3: a later run may find the directory free").isEqualTo(3);
      assertThat(second.output()).contains("error: another oracle-feishu-sync run (pid " + following.process().pid())
          .contains("uses the state directory").doesNotContain("Starting Kafka");
      assertThat(feishu.stats().calls("POST tenant_access_token")).as("it left before logging in to Feishu")
          .isEqualTo(tokenCalls);
    } finally {
      LauncherProcess.Result stopped = following.stop();
      assertThat(stopped.output()).doesNotContain("Exception");
    }
    assertThat(LauncherProcess.run(dir, env, "run", "--config", "config.yaml", "--once").exit())
        .as("once the first run has stopped").isZero();
  }

  @Test
  @Order(8)
  void aNewJobNameOnTheSameStateDirectoryIsRefusedUntilAFullSyncMovesItThereWithoutAnyWrite() throws Exception {
    Files.writeString(dir.resolve("renamed.yaml"),
        Files.readString(dir.resolve("config.yaml")).replace("sync:\n", "sync:\n  job_name: \"orders-v2\"\n"));
    long writes = writes(feishu.stats());

    LauncherProcess.Result refused = LauncherProcess.run(dir, env, "--config", "renamed.yaml", "--once");

    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.output()).contains("holds the checkpoint of another sync (sync.job_name was 'ofs-orders', now "
        + "'orders-v2')").contains("--full-sync").doesNotContain("Starting Kafka");

    LauncherProcess.Result moved = LauncherProcess.run(dir, env, "--config", "renamed.yaml", "--full-sync", "--once");

    assertThat(moved.exit()).as(moved.output()).isZero();
    assertThat(moved.output()).contains("Deleted connector ofs-orders-source").contains("Deleted connector ofs-orders-sink")
        .contains("Deployed orders-v2-source").contains("0 created, 0 updated, 0 deleted");
    assertThat(writes(feishu.stats())).as("the rows were in Feishu already").isEqualTo(writes);
    assertThat(rowsInFeishu()).isEqualTo(ROWS);
  }

  @Test
  @Order(9)
  void rowsPassedOverUnderErrorsToleranceAllFailTheRunAndAreCounted() throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, "app", "db-secret"); Statement st = c.createStatement()) {
      st.execute("INSERT INTO ORDERS VALUES (5000, 'too long', 1, DATE '2024-03-01', REPEAT('x', 100001), "
          + "TIMESTAMP '2024-03-02 10:00:00')");
    }
    Files.writeString(dir.resolve("tolerant.yaml"), Files.readString(dir.resolve("renamed.yaml"))
        + "\nsink_connector:\n  errors.tolerance: all\n  errors.log.enable: true\n");

    LauncherProcess.Result run = LauncherProcess.run(dir, env, "--config", "tolerant.yaml");

    assertThat(run.exit()).as(run.output()).isEqualTo(1);
    assertThat(run.output()).contains("Sync FAILED").contains("1 row(s) could not be written to Feishu and were passed "
        + "over (errors.tolerance: all): they are only in the log (errors.log.enable)");
    assertThat(row(5000)).isNull();
    assertThat(rowsInFeishu()).isEqualTo(ROWS);
    LauncherProcess.Result status = LauncherProcess.run(dir, env, "status", "--config", "tolerant.yaml");
    assertThat(status.exit()).isEqualTo(1);
    assertThat(status.output()).contains("\"rows_not_written\" : 1");
  }
}
