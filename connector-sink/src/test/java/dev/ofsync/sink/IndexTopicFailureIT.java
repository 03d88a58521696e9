package dev.ofsync.sink;

import static dev.ofsync.sink.TaskHarness.APP_ID;
import static dev.ofsync.sink.TaskHarness.APP_SECRET;
import static dev.ofsync.sink.TaskHarness.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.Latency;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.mapping.ColumnMapper;
import dev.ofsync.sink.mapping.RowMapper;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.writer.Backlog;
import dev.ofsync.sink.writer.IndexLog;
import dev.ofsync.sink.writer.KafkaIndexLog;
import dev.ofsync.sink.writer.SinkWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka becoming unreachable while the sink writes to Feishu, so that the key index topic cannot
 * store what was written: the rows must not count as done (their offsets stay open), and once
 * Kafka is back a restart must end with each row once. On a real broker, stopped at chosen moments;
 * the index producer gives up after a short delivery timeout, as it would after its default two
 * minutes.
 */
class IndexTopicFailureIT {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  /** How long a record write takes while Kafka is stopped under it: longer than noticing the mark and stopping Kafka. */
  private static final Latency SLOW_WRITE = new Latency(8_000, 0, 0);

  private static EmbeddedKafkaCluster kafka;
  private static int topics;
  private String topic;

  @BeforeAll
  static void startKafka() {
    kafka = new EmbeddedKafkaCluster(1, new Properties());
    kafka.start();
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.stop();
    }
  }

  @BeforeEach
  void newTopic() {
    topic = "feishu-sink-index-" + ++topics;
  }

  /** A test that failed with Kafka stopped leaves it running for the next one. */
  @AfterEach
  void kafkaBack() {
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(0, 0, 0));
    if (kafka.runningBrokers().isEmpty()) {
      kafka.restartOnlyBrokers();
    }
  }

  /** The key index topic as a task opens it. */
  private IndexLog index() {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    // the producer gives a record up after 3 s instead of its default 2 minutes
    props.put("request.timeout.ms", 1_000);
    props.put("delivery.timeout.ms", 3_000);
    props.put("max.block.ms", 3_000);
    return new KafkaIndexLog(topic, props);
  }

  /** What the topic holds now, as a task that starts would read it. */
  private IndexLog.Snapshot stored() {
    try (IndexLog reader = index()) {
      return reader.load();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until a table's dirty mark is stored (its rows are being created), then stops Kafka. */
  private void stopKafkaOnceATableIsMarkedDirty() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !stored().dirtyTables().isEmpty());
    kafka.stopOnlyBrokers();
  }

  private static SinkWriter writer(IndexLog log) throws InterruptedException {
    return writer(log, 0, 1, List.of(TaskHarness.TP));
  }

  /** Task {@code taskId} of {@code tasks}, given {@code partitions}, its index loaded as on an assignment. */
  private static SinkWriter writer(IndexLog log, int taskId, int tasks,
      List<org.apache.kafka.common.TopicPartition> partitions) throws InterruptedException {
    SinkWriter writer = started(log, taskId, tasks);
    writer.assigned(partitions);
    writer.reloadIndex();
    return writer;
  }

  /** Task {@code taskId} of {@code tasks}, started: not yet given partitions (not yet in the consumer group). */
  private static SinkWriter started(IndexLog log, int taskId, int tasks) throws InterruptedException {
    Map<String, String> props = new HashMap<>(TaskHarness.baseConfig(FEISHU.emulator()));
    // a linger, so the rows put together leave as one batch (with none, the lane may send the
    // first row alone while put() still adds the others)
    props.put("sync.linger_ms", "1000");
    props.put(FeishuSinkConfig.TASK_ID_INTERNAL, String.valueOf(taskId));
    props.put(FeishuSinkConfig.TASKS_MAX_INTERNAL, String.valueOf(tasks));
    FeishuSinkConfig config = new FeishuSinkConfig(props);
    BitableClient client = new BitableClient(config.baseUrl(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofSeconds(30),
        new RequestBudget(50, tasks), 0, 20);
    TableRoller roller = new TableRoller(client, "Orders", "", config.maxRowsPerTable(), 1, taskId, tasks);
    RowMapper mapper = new RowMapper(new ColumnMapper(config.datetimeMode(), config.timezone()), true, true, null);
    SinkWriter writer = new SinkWriter(config, client, roller, mapper, log, Backlog.NONE, null);
    writer.start();
    return writer;
  }

  private static List<SinkRecord> rows(int n) {
    return rows(1, n);
  }

  /** Rows {@code from} to {@code to}, at offsets {@code from - 1} on. */
  private static List<SinkRecord> rows(int from, int to) {
    List<SinkRecord> out = new ArrayList<>();
    for (long id = from; id <= to; id++) {
      out.add(new SinkRecord(TaskHarness.TOPIC, 0, TaskHarness.KEY, new Struct(TaskHarness.KEY).put("ID", id),
          TaskHarness.VALUE, TaskHarness.row(id, "c" + id, "1.00"), id - 1));
    }
    return out;
  }

  /** What the worker does until put() fails: commits and puts again; answers the failure. */
  private static ConnectException untilItStops(SinkWriter writer) {
    AtomicReference<ConnectException> failure = new AtomicReference<>();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
      try {
        writer.put(List.of());
        writer.requestFlush();
        return false;
      } catch (ConnectException e) {
        failure.set(e);
        return true;
      }
    });
    return failure.get();
  }

  private static long committed(SinkWriter writer) {
    OffsetAndMetadata o = writer.safeOffsets().get(TaskHarness.TP);
    return o == null ? 0 : o.offset();
  }

  private static List<Object> idsInFeishu() {
    return FEISHU.emulator().tables(APP_TOKEN).stream().flatMap(t -> t.records().stream())
        .map(r -> r.fields().get("ID")).toList();
  }

  @Test
  void rowsWrittenWhenTheIndexCannotBeStoredStayUncommittedAndAreWrittenOnceAfterARestart() throws Exception {
    SinkWriter first = writer(index());
    try {
      FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, SLOW_WRITE);
      first.put(rows(3));
      stopKafkaOnceATableIsMarkedDirty(); // while the rows are being created

      ConnectException failure = untilItStops(first);

      assertThat(failure).hasMessageContaining("Cannot store the sink's key index").hasMessageContaining("Restart");
      assertThat(committed(first)).as("no offset moves past rows whose index entries were lost").isZero();
    } finally {
      first.close();
    }
    assertThat(idsInFeishu()).hasSize(3);

    // restarted with Kafka back: the table left dirty is read back, and the replayed rows are
    // found there, not written again
    kafka.restartOnlyBrokers();
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(0, 0, 0));
    SinkWriter second = writer(index());
    try {
      second.put(rows(3));
      second.flush();
      assertThat(committed(second)).isEqualTo(3);
    } finally {
      second.close();
    }
    List<TableSnapshot> tables = FEISHU.emulator().tables(APP_TOKEN);
    assertThat(tables).hasSize(1);
    assertThat(idsInFeishu()).containsExactlyInAnyOrder("1", "2", "3");
  }

  @Test
  void aTableAnotherTaskReadsBackWhileItsCreateIsUnderWayIsStillReadBackByItsOwnTaskAfterACrash() throws Exception {
    SinkWriter first = writer(index(), 0, 2, List.of(TaskHarness.TP));
    try {
      first.put(rows(1, 3));
      first.flush();
      assertThat(committed(first)).isEqualTo(3);
      assertThat(stored().dirtyTables()).as("rows 1-3 and their entries stored").isEmpty();

      // task 0's next create is slow; meanwhile task 1 loads the index (a rebalance) and reads the
      // table back, finding rows 1-3 only; then Kafka stops before task 0 stores the entries of 4-6
      FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, SLOW_WRITE);
      first.put(rows(4, 6));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !stored().dirtyTables().isEmpty());
      writer(index(), 1, 2, List.of()).close();
      kafka.stopOnlyBrokers();
      untilItStops(first); // the entries could not be stored: the task stops, as if it crashed
    } finally {
      first.close();
    }
    assertThat(idsInFeishu()).hasSize(6);

    // task 0 again: the table must still be marked for reading back, so the replay finds rows 4-6
    kafka.restartOnlyBrokers();
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(0, 0, 0));
    SinkWriter again = writer(index(), 0, 2, List.of(TaskHarness.TP));
    try {
      again.put(rows(1, 6));
      again.flush();
      assertThat(committed(again)).isEqualTo(6);
    } finally {
      again.close();
    }
    assertThat(idsInFeishu()).containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6");
  }

  /**
   * Task {@code taskId} of {@code tasks} creates rows 1-3 and dies, Kafka unreachable, before
   * storing their index entries: its table stays marked. Returns with Kafka back.
   */
  private void diesMidCreate(int taskId, int tasks) throws InterruptedException {
    SinkWriter dying = writer(index(), taskId, tasks, List.of(TaskHarness.TP));
    try {
      FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, SLOW_WRITE);
      dying.put(rows(3));
      stopKafkaOnceATableIsMarkedDirty();
      untilItStops(dying);
    } finally {
      dying.close();
    }
    kafka.restartOnlyBrokers();
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(0, 0, 0));
    assertThat(stored().dirtyTables()).hasSize(1);
  }

  @Test
  void aTableNameTheIndexTopicCannotStoreStopsTheTaskBeforeTheTableIsMade() throws Exception {
    SinkWriter task1 = writer(index(), 1, 2, List.of(TaskHarness.TP)); // the base table is task 0's: task 1 makes its own
    try {
      kafka.stopOnlyBrokers();

      assertThatThrownBy(() -> task1.put(rows(3))).isInstanceOf(ConnectException.class)
          .as("a stop, not a put() retried for ever while no table can be made")
          .isNotInstanceOf(RetriableException.class)
          .hasMessageContaining("could not store the name of table Orders_001 in the key index topic")
          .hasMessageContaining("Restart the task once Kafka takes writes");
    } finally {
      task1.close();
    }
    assertThat(FEISHU.emulator().tables(APP_TOKEN)).extracting(TableSnapshot::name).containsExactly("Orders");
  }

  @Test
  void aRestartedTaskReadsItsInterruptedTableBackBeforeJoiningSoTheOtherTasksDoNot() throws Exception {
    diesMidCreate(0, 2);

    SinkWriter restarted = started(index(), 0, 2);
    try {
      assertThat(stored().dirtyTables()).as("read back and marked clean at start, before the task joins its group")
          .isEmpty();
      long read = FEISHU.emulator().stats().recordsRead();
      writer(index(), 1, 2, List.of()).close(); // the other task's load, in the rebalance that task 0's join makes
      assertThat(FEISHU.emulator().stats().recordsRead() - read)
          .as("records task 1 read: the one a count of the table's rows answers, not its 3 rows").isEqualTo(1);

      restarted.assigned(List.of(TaskHarness.TP));
      restarted.reloadIndex();
      restarted.put(rows(3));
      restarted.flush();
      assertThat(committed(restarted)).isEqualTo(3);
    } finally {
      restarted.close();
    }
    assertThat(idsInFeishu()).containsExactlyInAnyOrder("1", "2", "3");
  }

  @Test
  void theMarkOfATaskThatNoLongerExistsIsClearedByTheTaskItFallsTo() throws Exception {
    diesMidCreate(2, 3); // then tasks.max is lowered to 2
    assertThat(stored().tableOwners()).containsValue(2);

    writer(index(), 1, 2, List.of()).close();
    assertThat(stored().dirtyTables()).as("not task 1's: 2 % 2 is 0").hasSize(1);
    writer(index(), 0, 2, List.of(TaskHarness.TP)).close();
    assertThat(stored().dirtyTables()).as("task 0 read it back and cleared it").isEmpty();
    TreeSet<String> keys = new TreeSet<>();
    stored().entries().forEach((key, location) -> keys.add(key));
    assertThat(keys).containsExactly("1", "2", "3");
  }
}
