package dev.ofsync.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.Latency;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.writer.IndexLog;
import dev.ofsync.sink.writer.KafkaIndexLog;
import dev.ofsync.sink.writer.RowIndex;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink in a real Connect worker (Kafka in KRaft mode, in-process), writing to the emulator
 * through the official SDK. Asserts what a user sees: rows in the Bitable, task states, offsets.
 */
class FeishuSinkIT {
  private static final String APP_ID = "cli_sink_it";
  private static final String APP_SECRET = "sink-it-secret";
  private static final String APP_TOKEN = "bascnSinkIt00001";

  private static final Schema KEY = SchemaBuilder.struct().name("orders.Key").field("ID", Schema.INT64_SCHEMA).build();
  private static final Schema VALUE = SchemaBuilder.struct().name("orders.Value")
      .field("ID", Schema.INT64_SCHEMA)
      .field("CUSTOMER", Schema.OPTIONAL_STRING_SCHEMA)
      .field("AMOUNT", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
      .field("CREATED_AT", Timestamp.builder().optional().build())
      .build();
  private static final Schema VALUE_V2 = SchemaBuilder.struct().name("orders.Value")
      .field("ID", Schema.INT64_SCHEMA)
      .field("CUSTOMER", Schema.OPTIONAL_STRING_SCHEMA)
      .field("AMOUNT", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
      .field("CREATED_AT", Timestamp.builder().optional().build())
      .field("STATUS", Schema.OPTIONAL_STRING_SCHEMA)
      .build();

  private static FeishuEmulator feishu;
  private static EmbeddedConnectCluster connect;
  private static KafkaProducer<byte[], byte[]> producer;
  private static final JsonConverter KEYS = converter(true);
  private static final JsonConverter VALUES = converter(false);
  private static int topicNo;
  /** How late a scripted slow write is carried out: after the 3 s timeout of {@link #task} and its retry. */
  private static final int LATE_TRY_MS = 8_000;

  private String topic;
  private String connector;

  private static JsonConverter converter(boolean isKey) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC"), isKey);
    return c;
  }

  @BeforeAll
  static void startAll() {
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast())
        .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID).start();
    Map<String, String> worker = new HashMap<>();
    worker.put("key.converter", JsonConverter.class.getName());
    worker.put("value.converter", JsonConverter.class.getName());
    worker.put("offset.flush.interval.ms", "1000");
    connect = new EmbeddedConnectCluster.Builder().name("sink-it").numWorkers(1).numBrokers(1)
        .workerProps(worker).build();
    connect.start();
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", connect.kafka().bootstrapServers(),
        "linger.ms", 20, "batch.size", 262_144), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopAll() {
    if (producer != null) {
      producer.close();
    }
    if (connect != null) {
      connect.stop();
    }
    if (feishu != null) {
      feishu.close();
    }
  }

  /** Each test's connector goes away with it: a sink left running would write into the next test's base. */
  @org.junit.jupiter.api.AfterEach
  void removeConnector() {
    if (connect.connectors().contains(connector)) {
      connect.deleteConnector(connector);
    }
  }

  @BeforeEach
  void fresh() {
    feishu.reset();
    topic = "orders" + (++topicNo);
    connector = "feishu-sink-" + topicNo;
  }

  private Map<String, String> sinkConfig(int tasks) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", FeishuSinkConnector.class.getName());
    c.put("tasks.max", String.valueOf(tasks));
    c.put("topics", topic);
    c.put("feishu.app_id", APP_ID);
    c.put("feishu.app_secret", APP_SECRET);
    c.put("feishu.app_token", APP_TOKEN);
    c.put("feishu.base_url", feishu.url());
    c.put("feishu.table_name_prefix", "Orders");
    c.put("feishu.retry_backoff_ms", "50");
    c.put("sync.linger_ms", "200");
    c.put("index.bootstrap.servers", connect.kafka().bootstrapServers());
    c.put("index.topic", "index-" + topic);
    return c;
  }

  private void send(long id, Struct value) {
    byte[] key = KEYS.fromConnectData(topic, KEY, new Struct(KEY).put("ID", id));
    byte[] bytes = value == null ? null : VALUES.fromConnectData(topic, value.schema(), value);
    producer.send(new ProducerRecord<>(topic, key, bytes));
  }

  private static Struct order(long id, String customer) {
    return new Struct(VALUE).put("ID", id).put("CUSTOMER", customer).put("AMOUNT", new BigDecimal(id + ".25"))
        .put("CREATED_AT", new java.util.Date(1_700_000_000_000L + id));
  }

  private void sendOrders(long from, long to) {
    for (long id = from; id <= to; id++) {
      send(id, order(id, "customer " + id));
    }
    producer.flush();
  }

  private static List<TableSnapshot> tables() {
    return feishu.tables(APP_TOKEN);
  }

  private static int totalRows() {
    return tables().stream().mapToInt(TableSnapshot::rowCount).sum();
  }

  /** Every row by key; fails on a key found twice. */
  private static Map<String, Map<String, Object>> rowsByKey() {
    return tables().stream().flatMap(t -> t.records().stream())
        .collect(Collectors.toMap(r -> String.valueOf(r.fields().get("ID")), TableSnapshot.RecordInfo::fields));
  }

  private void start(Map<String, String> config, int tasks) throws InterruptedException {
    connect.kafka().createTopic(topic, tasks);
    connect.configureConnector(connector, config);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, tasks, "sink did not start");
  }

  @Test
  void theKeyIndexTopicIsReadWholeOnceThenOnlyForWhatWasAppendedSince() {
    Map<String, Object> props = Map.of("bootstrap.servers", connect.kafka().bootstrapServers());
    String topic = "feishu-sink-index.incremental-test";
    try (KafkaIndexLog other = new KafkaIndexLog(topic, new HashMap<>(props));
         KafkaIndexLog mine = new KafkaIndexLog(topic, new HashMap<>(props))) {
      other.put("1", new RowIndex.Location("tblA", "rec1", 11));
      other.put("2", new RowIndex.Location("tblA", "rec2", 12));
      other.markOwner("tblA", 1);
      other.markDirty(java.util.Set.of("tblA"));
      other.markIntent("Orders_001", 1);
      other.markIntent("Orders_001", 2);
      long soon = System.currentTimeMillis() + 60_000;
      long past = System.currentTimeMillis() - 1;
      other.markQuiet("tblA", 1, soon);
      other.markQuiet("tblB", 1, past);
      other.flush();
      // a record of the connector's own that this version cannot read (a newer one's, or damaged): skipped
      producer.send(new ProducerRecord<>(topic, "\u0000future:tblA".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          new byte[] {7}));
      producer.send(new ProducerRecord<>(topic, "\u0000quiet:x:tblA".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "soon".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      producer.flush();

      IndexLog.Snapshot first = mine.load();
      assertThat(first.whole()).isTrue();
      assertThat(first.entries().size()).isEqualTo(2);
      assertThat(first.entries().get("2")).isEqualTo(new RowIndex.Location("tblA", "rec2", 12));
      assertThat(first.dirtyTables()).containsExactly("tblA");
      assertThat(first.tableOwners()).containsExactly(Map.entry("tblA", 1));
      assertThat(first.intents()).containsExactly(Map.entry("Orders_001", java.util.Set.of(1, 2)));
      assertThat(first.quiet()).containsOnly(Map.entry("tblA", Map.of(1, soon)), Map.entry("tblB", Map.of(1, past)));
      assertThat(first.entries().size()).as("no row key among the connector's own records").isEqualTo(2);

      other.remove("1");
      other.put("2", new RowIndex.Location("tblA", "rec2", 22));
      other.put("3", new RowIndex.Location("tblA", "rec3", 13));
      other.markClean(java.util.Set.of("tblA"));
      other.clearQuiet("tblB", 1);
      other.dropIntent("Orders_001", 2);
      other.markIntent("Orders_002", 1);
      other.flush();

      IndexLog.Snapshot next = mine.load();
      assertThat(next.whole()).as("a later load reads on from where the last stopped").isFalse();
      Map<String, RowIndex.Location> expected = new HashMap<>();
      expected.put("1", null);
      expected.put("2", new RowIndex.Location("tblA", "rec2", 22));
      expected.put("3", new RowIndex.Location("tblA", "rec3", 13));
      assertThat(next.changes()).isEqualTo(expected);
      assertThat(next.dirtyTables()).isEmpty();
      assertThat(next.tableOwners()).as("kept from the first load").containsExactly(Map.entry("tblA", 1));
      assertThat(next.quiet()).as("kept from the first load, less the one cleared").containsExactly(
          Map.entry("tblA", Map.of(1, soon)));
      assertThat(next.intents()).containsOnly(Map.entry("Orders_001", java.util.Set.of(1)),
          Map.entry("Orders_002", java.util.Set.of(1)));
      assertThat(mine.load().changes()).as("nothing appended since").isEmpty();
    }
  }

  @Test
  void theKeyIndexTopicIsReadWholeAgainWhenItWasDeletedAndMadeAnew() {
    Map<String, Object> props = Map.of("bootstrap.servers", connect.kafka().bootstrapServers());
    String topic = "feishu-sink-index.recreated-test";
    try (KafkaIndexLog mine = new KafkaIndexLog(topic, new HashMap<>(props))) {
      try (KafkaIndexLog other = new KafkaIndexLog(topic, new HashMap<>(props))) {
        other.put("1", new RowIndex.Location("tblA", "rec1", 11));
        other.put("2", new RowIndex.Location("tblA", "rec2", 12));
        other.flush();
      }
      assertThat(mine.load().entries().size()).isEqualTo(2);

      // deleted (by hand, say) and made anew, holding more records than the old topic had when last read
      connect.kafka().deleteTopic(topic);
      await().atMost(Duration.ofSeconds(60)).until(() -> connect.kafka().describeTopics(topic).get(topic).isEmpty());
      try (KafkaIndexLog other = new KafkaIndexLog(topic, new HashMap<>(props))) {
        other.put("7", new RowIndex.Location("tblB", "rec7", 17));
        other.put("8", new RowIndex.Location("tblB", "rec8", 18));
        other.put("9", new RowIndex.Location("tblB", "rec9", 19));
        other.flush();
      }

      IndexLog.Snapshot after = mine.load();
      assertThat(after.whole()).as("not read on from the old topic's position").isTrue();
      Map<String, RowIndex.Location> entries = new HashMap<>();
      after.entries().forEach(entries::put);
      assertThat(entries).containsOnlyKeys("7", "8", "9");
    }
  }

  @Test
  void aKeyIndexTopicIsReadWholeAgainOnceCompactionMayHaveDroppedARemovalSinceTheLastLoad() {
    Map<String, Object> props = Map.of("bootstrap.servers", connect.kafka().bootstrapServers());
    String brief = "feishu-sink-index.short-retention-test";
    connect.kafka().createTopic(brief, 1, 1, Map.of("cleanup.policy", "compact", "delete.retention.ms", "10000"));
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    try (KafkaIndexLog other = new KafkaIndexLog(brief, new HashMap<>(props));
         KafkaIndexLog mine = new KafkaIndexLog(brief, new HashMap<>(props), clock::get)) {
      other.put("1", new RowIndex.Location("tblA", "rec1", 11));
      other.flush();
      assertThat(mine.load().whole()).isTrue();
      other.remove("1");
      other.flush();
      clock.addAndGet(Duration.ofSeconds(4).toNanos());
      assertThat(mine.load().changes()).as("4 s later: a removal is kept 10 s after compaction").containsEntry("1", null);
      clock.addAndGet(Duration.ofSeconds(6).toNanos());
      assertThat(mine.load().whole()).as("6 s after the last load, past half of delete.retention.ms").isTrue();
    }

    String usual = "feishu-sink-index.default-retention-test"; // Kafka's default: a day
    try (KafkaIndexLog mine = new KafkaIndexLog(usual, new HashMap<>(props), clock::get)) {
      assertThat(mine.load().whole()).isTrue();
      clock.addAndGet(Duration.ofHours(5).toNanos());
      assertThat(mine.load().whole()).isFalse();
      clock.addAndGet(Duration.ofHours(7).toNanos());
      assertThat(mine.load().whole()).as("at most 6 hours between whole reads").isTrue();
    }
  }

  /** Task {@code taskId} of 2 on this class's emulator and broker (its key index in a real topic), given the partition. */
  private TaskHarness task(int taskId, java.util.concurrent.atomic.AtomicLong offsets) {
    return task(taskId, offsets, Map.of());
  }

  private TaskHarness task(int taskId, java.util.concurrent.atomic.AtomicLong offsets, Map<String, String> more) {
    Map<String, String> c = new HashMap<>(more);
    c.put("feishu.app_id", APP_ID);
    c.put("feishu.app_secret", APP_SECRET);
    c.put("feishu.app_token", APP_TOKEN);
    c.put("feishu.request_timeout_ms", "3000");
    c.put("index.bootstrap.servers", connect.kafka().bootstrapServers());
    c.put("index.topic", "index-" + topic);
    c.put(FeishuSinkConfig.TASK_ID_INTERNAL, String.valueOf(taskId));
    c.put(FeishuSinkConfig.TASKS_MAX_INTERNAL, "2");
    return new TaskHarness(feishu, c, false, offsets);
  }

  private static java.util.Optional<TableSnapshot.RecordInfo> row(long id) {
    return feishu.tables(APP_TOKEN).stream().flatMap(t -> t.records().stream())
        .filter(r -> String.valueOf(id).equals(String.valueOf(r.fields().get("ID")))).findFirst();
  }

  private Object customerOf(long id) {
    return row(id).map(r -> r.fields().get("CUSTOMER")).orElse(null);
  }

  /** Waits until the scripted slow fault has taken a write: it is carried out {@link #LATE_TRY_MS} after that. */
  private static void awaitLateTryTaken() {
    await().atMost(Duration.ofSeconds(30)).until(() -> feishu.faults().pendingScript().isEmpty());
  }

  /** Once the late try has been carried out, row 1 shows the newest value, not the late try's. */
  private void assertTheNewestValueOutlivesTheLateTry() {
    await().atMost(Duration.ofSeconds(30)).until(() -> feishu.stats().slowCallsCarriedOut() == 1);
    assertThat(customerOf(1)).as("the value of the newest change, not that of the late try").isEqualTo("third");
  }

  /**
   * Writes row 1, then updates it with its first try served {@link #LATE_TRY_MS} after it came: the
   * task gives up waiting after its 3 s timeout and tries again, unless its partition was given up
   * meanwhile. Answers where the replay of the update starts.
   */
  private static long updateServedLate(TaskHarness task, java.util.concurrent.atomic.AtomicLong offsets) {
    task.put(List.of(task.upsert(1, "first", "1.00")));
    task.commit();
    feishu.faults().script(FaultRule.slow(LATE_TRY_MS).on(CallClass.RECORD_WRITE));
    long replayFrom = offsets.get();
    task.put(List.of(task.upsert(1, "second", "2.00")));
    awaitLateTryTaken();
    return replayFrom;
  }

  /** The next owner of the partition replays the update from the committed offset, then writes a newer change. */
  private void replayWithANewerChange(int taskId, java.util.concurrent.atomic.AtomicLong offsets, long replayFrom) {
    try (TaskHarness next = task(taskId, offsets)) {
      offsets.set(replayFrom);
      next.put(List.of(next.upsert(1, "second", "2.00"), next.upsert(1, "third", "3.00")));
      next.commit();
    }
    assertTheNewestValueOutlivesTheLateTry();
  }

  @Test
  void anUpdateTheLastOwnerGotNoAnswerForHoldsBackTheNextOwnersWritesUntilItCanNoLongerLand() {
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    long replayFrom;
    try (TaskHarness task0 = task(0, offsets)) {
      // the try lands 8 s after it came, 5 s after the task stopped waiting for its answer: the next owner,
      // starting then, would write long before that
      replayFrom = updateServedLate(task0, offsets);
      // a rebalance gives the partition to task 1 meanwhile: task 0 lets go once its write is done
      task0.task.close(List.of(TaskHarness.TP));
    }
    replayWithANewerChange(1, offsets, replayFrom);
  }

  @Test
  void anUpdateATaskGotNoAnswerForHoldsBackTheWritesOfTheTaskThatTakesOverAfterItDies() {
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    TaskHarness task0 = task(0, offsets);
    long replayFrom;
    try {
      replayFrom = updateServedLate(task0, offsets);
      task0.commit(); // the retry is in Feishu
    } finally {
      // task 0 dies: only stop(), its partitions never given up (SinkTask.close(partitions) not called), so it
      // passes nothing on then
      task0.close();
    }
    replayWithANewerChange(1, offsets, replayFrom);
  }

  @Test
  void aWriteStillUnderWayWhenARevocationStopsWaitingHoldsBackTheNextOwnersWrites() {
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    Map<String, String> shortWait = Map.of(FeishuSinkConfig.REVOCATION_WAIT_MS_INTERNAL, "500");
    try (TaskHarness task0 = task(0, offsets, shortWait)) {
      long replayFrom = updateServedLate(task0, offsets);
      // a rebalance: giving up the partition waits 0.5 s for the write, which is still under way then
      task0.task.close(List.of(TaskHarness.TP));
      replayWithANewerChange(1, offsets, replayFrom);
    }
  }

  @Test
  void aPauseRecordedFarAheadHoldsATablesWritesNoLongerThanAnUpdateCanWait() throws Exception {
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    try (TaskHarness task0 = task(0, offsets)) {
      task0.put(List.of(task0.upsert(1, "first", "1.00")));
      task0.commit();
    }
    // as if task 0's worker clock were an hour ahead when it gave up its partitions
    String table = feishu.tables(APP_TOKEN).get(0).tableId();
    try (KafkaIndexLog index = new KafkaIndexLog("index-" + topic,
        new HashMap<>(Map.of("bootstrap.servers", connect.kafka().bootstrapServers())))) {
      index.markQuiet(table, 0, System.currentTimeMillis() + 3_600_000);
      index.flush();
    }
    long started = System.nanoTime();
    try (TaskHarness task1 = task(1, offsets)) {
      task1.put(List.of(task1.upsert(1, "second", "2.00")));
      // held, but at most three request timeouts and a second (10 s), not the hour the mark says
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        task1.put(List.of());
        return "second".equals(customerOf(1));
      });
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the pause was kept, up to its cap")
        .isGreaterThan(Duration.ofSeconds(8));
  }

  @Test
  void fiftyThousandRowsFillTheBaseTableThenNumberedTablesInOrder() throws Exception {
    start(sinkConfig(1), 1);
    sendOrders(1, 50_000);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> totalRows() == 50_000);

    assertThat(tables()).extracting(TableSnapshot::name, TableSnapshot::rowCount).containsExactly(
        org.assertj.core.groups.Tuple.tuple("Orders", 20_000),
        org.assertj.core.groups.Tuple.tuple("Orders_001", 20_000),
        org.assertj.core.groups.Tuple.tuple("Orders_002", 10_000));
    Map<String, Map<String, Object>> rows = rowsByKey();
    assertThat(rows).hasSize(50_000);
    assertThat(rows.get("31234")).containsEntry("CUSTOMER", "customer 31234").containsEntry("AMOUNT", 31234.25)
        .containsEntry("CREATED_AT", 1_700_000_031_234L);
    assertThat(feishu.stats().peak(CallClass.RECORD_WRITE)).as("calls in the busiest second").isLessThanOrEqualTo(50);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(committedOffset()).as("offsets committed up to the end").isEqualTo(50_000L));
    assertThat(taskMetric("rows-created-total")).isEqualTo(50_000L);
    assertThat(String.valueOf(taskMetric("tables"))).contains("Orders_002=10000");
  }

  @Test
  void withTablesSideBySideABacklogInTheTopicFillsTablesInSequenceEachToTheCap() throws Exception {
    Map<String, String> config = sinkConfig(1);
    config.put("feishu.tables_in_parallel", "20");
    connect.kafka().createTopic(topic, 1);
    sendOrders(1, 50_000); // the backlog is in the topic before the sink starts: it knows it from the end offsets
    connect.configureConnector(connector, config);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> totalRows() == 50_000);

    assertThat(tables()).extracting(TableSnapshot::name, TableSnapshot::rowCount).containsExactly(
        org.assertj.core.groups.Tuple.tuple("Orders", 20_000),
        org.assertj.core.groups.Tuple.tuple("Orders_001", 20_000),
        org.assertj.core.groups.Tuple.tuple("Orders_002", 10_000));
    assertThat(rowsByKey()).hasSize(50_000);
    assertThat(feishu.stats().peak(CallClass.RECORD_WRITE)).as("calls in the busiest second").isLessThanOrEqualTo(50);
    assertThat(feishu.stats().answers(99991400)).as("never refused for quota").isZero();
  }

  /** A metric of the connector's task, as JMX shows it. */
  private Object taskMetric(String name) throws Exception {
    var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    var names = server.queryNames(new javax.management.ObjectName("kafka.connect:type=plugins,connector=" + connector
        + ",task=0,*"), null);
    assertThat(names).as("the task's metrics bean").isNotEmpty();
    return server.getAttribute(names.iterator().next(), name);
  }

  @Test
  void updatesDeletesAndNewColumnsAreApplied() throws Exception {
    start(sinkConfig(1), 1);
    sendOrders(1, 100);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows() == 100);
    long createsBefore = feishu.stats().calls("POST records/batch_create");

    send(5, order(5, "changed"));
    send(6, null);
    send(7, new Struct(VALUE_V2).put("ID", 7L).put("CUSTOMER", "customer 7").put("AMOUNT", new BigDecimal("7.25"))
        .put("CREATED_AT", new java.util.Date(1_700_000_000_007L)).put("STATUS", "SHIPPED"));
    send(8, order(8, "customer 8"));
    producer.flush();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Map<String, Map<String, Object>> rows = rowsByKey();
      assertThat(rows).hasSize(99).doesNotContainKey("6");
      assertThat(rows.get("5")).containsEntry("CUSTOMER", "changed");
      assertThat(rows.get("7")).containsEntry("STATUS", "SHIPPED");
    });
    assertThat(feishu.stats().calls("POST records/batch_create")).as("no row written twice").isEqualTo(createsBefore);
    assertThat(tables().get(0).field("STATUS")).isPresent();
  }

  @Test
  void aBadValueGoesToTheDeadLetterQueue() throws Exception {
    Map<String, String> config = sinkConfig(1);
    config.put("errors.tolerance", "all");
    config.put("errors.deadletterqueue.topic.name", "dlq-" + topic);
    config.put("errors.deadletterqueue.topic.replication.factor", "1");
    config.put("errors.deadletterqueue.context.headers.enable", "true");
    start(config, 1);

    sendOrders(1, 10);
    send(11, order(11, "x".repeat(100_001)));
    sendOrders(12, 20);

    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows() == 19);
    // the bad record's offset is committed only once it is stored in the queue
    await().atMost(Duration.ofSeconds(30)).until(() -> committedOffset() == 20L);
    List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> dead = new java.util.ArrayList<>();
    connect.kafka().consumeAll(10_000, "dlq-" + topic).forEach(dead::add);
    assertThat(dead).as("the one bad record, once").singleElement().satisfies(r -> {
      assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).contains("11");
      assertThat(new String(r.headers().lastHeader("__connect.errors.exception.message").value(),
          java.nio.charset.StandardCharsets.UTF_8)).contains("CUSTOMER").contains("100000");
    });
    assertThat(rowsByKey()).doesNotContainKey("11");
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "the task keeps running");
  }

  @Test
  void faultsAndTokenExpiryLoseNothingAndDoubleNothing() throws Exception {
    feishu.faults().random(7,
        FaultRule.code(99991400).on(CallClass.RECORD_WRITE).probability(0.05),
        FaultRule.code(1254291).on(CallClass.RECORD_WRITE).probability(0.05),
        FaultRule.code(1254290).on(CallClass.RECORD_WRITE).probability(0.05),
        FaultRule.httpError(502).on(CallClass.RECORD_WRITE).probability(0.05),
        FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE).probability(0.05));
    Map<String, String> config = sinkConfig(1);
    config.put("sync.write_batch_size", "100");
    start(config, 1);

    sendOrders(1, 10_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows() > 3_000);
    feishu.expireTokens();
    sendOrders(10_001, 12_000);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> totalRows() >= 12_000);
    assertThat(rowsByKey()).hasSize(12_000);
    assertThat(totalRows()).isEqualTo(12_000);
    assertThat(feishu.stats().faultsInjected().values().stream().mapToLong(Long::longValue).sum()).isPositive();
    assertThat(feishu.stats().answers(99991663)).as("the expired token was met and renewed").isPositive();
    assertThat(feishu.stats().peak(CallClass.RECORD_WRITE)).isLessThanOrEqualTo(50);
  }

  @Test
  void twoTasksShareTheQuota() throws Exception {
    feishu.settings().latency(CallClass.RECORD_WRITE, new Latency(20, 0, 10));
    Map<String, String> config = sinkConfig(2);
    config.put("sync.write_batch_size", "50");
    config.put("feishu.tables_in_parallel", "4");
    start(config, 2);

    sendOrders(1, 20_000);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> totalRows() == 20_000);
    assertThat(rowsByKey()).hasSize(20_000);
    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).isLessThanOrEqualTo(20_000));
    assertThat(feishu.stats().peak(CallClass.RECORD_WRITE)).as("both tasks together").isLessThanOrEqualTo(50)
        // 8 tables at 20-30 ms a write could make over 250 writes a second: the shared limit held them
        .as("the quota, not a slow sink, kept them under it").isGreaterThanOrEqualTo(40);
    assertThat(feishu.stats().answers(99991400)).as("never refused for quota").isZero();
  }

  @Test
  void aTaskRestartedMidLoadEndsWithEveryKeyOnce() throws Exception {
    // slow writes (about 3 a second, one table): the restart lands while most of the load is still to write
    feishu.settings().latency(CallClass.RECORD_WRITE, new Latency(300, 0, 10));
    start(sinkConfig(1), 1);
    sendOrders(1, 8_000);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows() > 2_000);

    connect.restartConnectorAndTasks(connector, false, true, false);
    assertThat(totalRows()).as("restarted mid-load").isLessThan(8_000);
    sendOrders(8_001, 10_000);

    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> totalRows() >= 10_000);
    assertThat(rowsByKey()).hasSize(10_000);
    assertThat(totalRows()).isEqualTo(10_000);
  }

  @Test
  void rowsOfATableTheUserDeletedAreWrittenAnewByAFullResync() throws Exception {
    Map<String, String> config = sinkConfig(1);
    config.put("feishu.max_rows_per_table", "10");
    start(config, 1);
    sendOrders(1, 30);
    await().atMost(Duration.ofSeconds(60)).until(() -> totalRows() == 30);
    await().atMost(Duration.ofSeconds(30)).until(() -> committedOffset() == 30L);
    String deleted = feishu.table(APP_TOKEN, "Orders_001").orElseThrow().tableId();
    com.lark.oapi.Client user = com.lark.oapi.Client.newBuilder(APP_ID, APP_SECRET).openBaseUrl(feishu.url())
        .build();
    assertThat(user.bitable().v1().appTable().delete(com.lark.oapi.service.bitable.v1.model.DeleteAppTableReq
        .newBuilder().appToken(APP_TOKEN).tableId(deleted).build()).getCode()).as("the user deletes Orders_001").isZero();

    // a full resync, as the README says: stop the sink, reset its offsets, resume it
    connect.stopConnector(connector);
    connect.resetConnectorOffsets(connector);
    connect.resumeConnector(connector);

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(rowsByKey()).as("every key once, the deleted table's ten too").hasSize(30);
      assertThat(tables()).extracting(TableSnapshot::name, TableSnapshot::rowCount).containsExactly(
          org.assertj.core.groups.Tuple.tuple("Orders", 10),
          org.assertj.core.groups.Tuple.tuple("Orders_002", 10),
          org.assertj.core.groups.Tuple.tuple("Orders_003", 10));
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(committedOffset()).as("offsets committed up to the end again").isEqualTo(30L));
    assertThat(rowsByKey().get("15")).containsEntry("CUSTOMER", "customer 15");
  }

  /** Debezium's change event for the ORDERS table: before and after images, source, op. */
  private static final Schema ROW = SchemaBuilder.struct().name("oracle.INVENTORY.ORDERS.Value").optional()
      .field("ID", Schema.INT64_SCHEMA).field("CUSTOMER", Schema.OPTIONAL_STRING_SCHEMA).build();
  private static final Schema ENVELOPE = SchemaBuilder.struct().name("oracle.INVENTORY.ORDERS.Envelope")
      .field("before", ROW).field("after", ROW)
      .field("source", SchemaBuilder.struct().name("io.debezium.connector.oracle.Source")
          .field("connector", Schema.STRING_SCHEMA).field("db", Schema.STRING_SCHEMA).build())
      .field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

  private void sendEvent(long id, String op, String before, String after) {
    Struct source = new Struct(ENVELOPE.field("source").schema()).put("connector", "oracle").put("db", "FREEPDB1");
    Struct event = new Struct(ENVELOPE).put("op", op).put("source", source).put("ts_ms", System.currentTimeMillis())
        .put("before", before == null ? null : new Struct(ROW).put("ID", id).put("CUSTOMER", before))
        .put("after", after == null ? null : new Struct(ROW).put("ID", id).put("CUSTOMER", after));
    send(id, event);
  }

  /** Snapshot, insert, update, delete (with the tombstone Debezium sends after it). */
  private void sendDebeziumHistory() {
    sendEvent(1, "r", null, "snapshot one");
    sendEvent(2, "r", null, "snapshot two");
    sendEvent(3, "c", null, "created three");
    sendEvent(1, "u", "snapshot one", "updated one");
    sendEvent(2, "d", "snapshot two", null);
    send(2, null);
    producer.flush();
  }

  private void assertDebeziumHistoryApplied() throws InterruptedException {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Map<String, Map<String, Object>> rows = rowsByKey();
      assertThat(rows).containsOnlyKeys("1", "3");
      assertThat(rows.get("1")).containsEntry("CUSTOMER", "updated one");
      assertThat(rows.get("3")).containsEntry("CUSTOMER", "created three");
    });
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, 1, "the task keeps running");
  }

  @Test
  void debeziumChangeEventsAreAppliedAsTheyAre() throws Exception {
    start(sinkConfig(1), 1);
    sendDebeziumHistory();
    assertDebeziumHistoryApplied();
    assertThat(tables().get(0).field("before")).as("the envelope is not a column").isEmpty();
  }

  @Test
  void debeziumEventsFlattenedByExtractNewRecordStateAreApplied() throws Exception {
    Map<String, String> config = sinkConfig(1);
    config.put("transforms", "unwrap");
    config.put("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState");
    config.put("transforms.unwrap.delete.tombstone.handling.mode", "rewrite");
    start(config, 1);
    sendDebeziumHistory();
    assertDebeziumHistoryApplied();
    assertThat(tables().get(0).field("__deleted")).as("the delete marker is not a column").isEmpty();
  }

  private long committedOffset() {
    var offsets = connect.connectorOffsets(connector).offsets();
    return offsets.stream().mapToLong(o -> ((Number) o.offset().get("kafka_offset")).longValue()).sum();
  }
}
