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
import dev.ofsync.sink.writer.RowIndex;
import dev.ofsync.sink.writer.SinkWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The key index's topic refusing writes after rows went to Feishu: the rows must not count as
 * done (their offsets stay open), and a restart must end with each row once.
 */
class IndexLogFailureTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  /**
   * The index topic as the writer sees it: what was appended is stored at a flush, until the
   * topic stops taking writes (as when Kafka is unreachable past the producer's delivery timeout).
   */
  private static final class IndexTopic implements IndexLog {
    final Map<String, RowIndex.Location> stored = new HashMap<>();
    final Set<String> dirty = new HashSet<>();
    final Map<String, Integer> owners = new HashMap<>();
    final Map<String, Set<Integer>> intents = new HashMap<>();
    final Map<String, Map<Integer, Long>> quiet = new HashMap<>();
    private final List<Runnable> appended = new ArrayList<>();
    private int flushesTaken;
    private final int flushesBeforeFailing;

    IndexTopic(int flushesBeforeFailing) {
      this.flushesBeforeFailing = flushesBeforeFailing;
    }

    @Override
    public boolean durable() {
      return true;
    }

    @Override
    public synchronized Snapshot load() {
      RowIndex entries = new RowIndex();
      stored.forEach(entries::put);
      Map<String, Set<Integer>> intentsNow = new HashMap<>();
      intents.forEach((name, tasks) -> intentsNow.put(name, Set.copyOf(tasks)));
      Map<String, Map<Integer, Long>> quietNow = new HashMap<>();
      quiet.forEach((table, byTask) -> quietNow.put(table, Map.copyOf(byTask)));
      return new Snapshot(entries, Set.copyOf(dirty), Map.copyOf(owners), intentsNow, quietNow);
    }

    @Override
    public synchronized void put(String key, RowIndex.Location location) {
      appended.add(() -> stored.put(key, location));
    }

    @Override
    public synchronized void remove(String key) {
      appended.add(() -> stored.remove(key));
    }

    @Override
    public synchronized void markDirty(Set<String> tableIds) {
      appended.add(() -> dirty.addAll(tableIds));
    }

    @Override
    public synchronized void markClean(Set<String> tableIds) {
      appended.add(() -> dirty.removeAll(tableIds));
    }

    @Override
    public synchronized void markOwner(String tableId, int taskId) {
      appended.add(() -> owners.put(tableId, taskId));
    }

    @Override
    public synchronized void markIntent(String tableName, int taskId) {
      appended.add(() -> intents.computeIfAbsent(tableName, n -> new HashSet<>()).add(taskId));
    }

    @Override
    public synchronized void dropIntent(String tableName, int taskId) {
      appended.add(() -> intents.computeIfPresent(tableName, (n, tasks) -> {
        tasks.remove(taskId);
        return tasks.isEmpty() ? null : tasks;
      }));
    }

    @Override
    public synchronized void markQuiet(String tableId, int taskId, long untilEpochMillis) {
      appended.add(() -> quiet.computeIfAbsent(tableId, t -> new HashMap<>()).put(taskId, untilEpochMillis));
    }

    @Override
    public synchronized void clearQuiet(String tableId, int taskId) {
      appended.add(() -> quiet.computeIfPresent(tableId, (t, byTask) -> {
        byTask.remove(taskId);
        return byTask.isEmpty() ? null : byTask;
      }));
    }

    @Override
    public synchronized void flush() {
      if (appended.isEmpty()) {
        return; // as the producer: nothing to wait for
      }
      if (flushesTaken >= flushesBeforeFailing) {
        appended.clear(); // the producer gave them up
        throw new RetriableException("could not store the key index: the broker did not answer in time");
      }
      flushesTaken++;
      appended.forEach(Runnable::run);
      appended.clear();
    }

    @Override
    public void close() {
    }

    /** The same stored state, taking writes again: the topic after Kafka came back. */
    synchronized IndexTopic healed() {
      IndexTopic back = new IndexTopic(Integer.MAX_VALUE);
      back.stored.putAll(stored);
      back.dirty.addAll(dirty);
      back.owners.putAll(owners);
      intents.forEach((name, tasks) -> back.intents.put(name, new HashSet<>(tasks)));
      quiet.forEach((table, byTask) -> back.quiet.put(table, new HashMap<>(byTask)));
      return back;
    }
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
    BitableClient client = new BitableClient(config.baseUrl(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofSeconds(10),
        new RequestBudget(50, tasks), 0, 20);
    TableRoller roller = new TableRoller(client, "Orders", "", config.maxRowsPerTable(), 1, taskId, tasks);
    RowMapper mapper = new RowMapper(new ColumnMapper(config.datetimeMode()), true, true, null);
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
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
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

  @Test
  void rowsWrittenWhenTheIndexCannotBeStoredStayUncommittedAndAreWrittenOnceAfterARestart() throws Exception {
    // the first flush (the table marked dirty before its rows are created) is stored; the next is not
    IndexTopic topic = new IndexTopic(1);
    SinkWriter first = writer(topic);
    AtomicReference<ConnectException> failure = new AtomicReference<>();
    try {
      first.put(rows(3));
      failure.set(untilItStops(first));
      assertThat(failure.get()).hasMessageContaining("Cannot store the sink's key index")
          .hasMessageContaining("Restart");
      assertThat(committed(first)).as("no offset moves past rows whose index entries were lost").isZero();
    } finally {
      first.close();
    }
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).records()).hasSize(3);

    // restarted with the topic back: the table left dirty is read back, and the replayed rows are
    // found there, not written again
    SinkWriter second = writer(topic.healed());
    try {
      second.put(rows(3));
      second.flush();
      assertThat(committed(second)).isEqualTo(3);
    } finally {
      second.close();
    }
    List<TableSnapshot> tables = FEISHU.emulator().tables(APP_TOKEN);
    assertThat(tables).hasSize(1);
    assertThat(tables.get(0).records()).extracting(r -> r.fields().get("ID")).containsExactlyInAnyOrder("1", "2", "3");
  }

  @Test
  void aTableAnotherTaskReadsBackWhileItsCreateIsUnderWayIsStillReadBackByItsOwnTaskAfterACrash() throws Exception {
    // stored: rows 1-3 written (dirty mark, then entries); task 0's dirty mark before the create of
    // rows 4-6, then task 1's read-back; not stored: task 0's entries for rows 4-6
    IndexTopic topic = new IndexTopic(4);
    SinkWriter first = writer(topic, 0, 2, List.of(TaskHarness.TP));
    try {
      first.put(rows(1, 3));
      first.flush();
      assertThat(committed(first)).isEqualTo(3);
      synchronized (topic) {
        assertThat(topic.dirty).as("rows 1-3 and their entries stored").isEmpty();
      }
      // task 0's next create takes 1.5 s; meanwhile task 1 loads the index (a rebalance) and reads the table back
      FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(1_500, 0, 0));
      first.put(rows(4, 6));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
        synchronized (topic) {
          return !topic.dirty.isEmpty();
        }
      });
      writer(topic, 1, 2, List.of()).close(); // rows 4-6 are not in Feishu yet: it finds 1-3
      untilItStops(first); // the entries could not be stored: the task stops, as if it crashed
    } finally {
      first.close();
    }
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).records()).hasSize(6);

    // task 0 again: the table must still be marked for reading back, so the replay finds rows 4-6
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(0, 0, 0));
    SinkWriter again = writer(topic.healed(), 0, 2, List.of(TaskHarness.TP));
    try {
      again.put(rows(1, 6));
      again.flush();
      assertThat(committed(again)).isEqualTo(6);
    } finally {
      again.close();
    }
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).records()).extracting(r -> r.fields().get("ID"))
        .containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6");
  }

  /**
   * Task {@code taskId} of {@code tasks} creates rows 1-3 and dies before storing their index
   * entries: its table stays marked. Answers the index topic as it was left, taking writes again.
   */
  private static IndexTopic diesMidCreate(int taskId, int tasks) throws InterruptedException {
    // the dirty mark is stored, the entries are not; another task than 0 first makes a table of its
    // own, storing the name it asks for
    IndexTopic topic = new IndexTopic(taskId == 0 ? 1 : 2);
    SinkWriter dying = writer(topic, taskId, tasks, List.of(TaskHarness.TP));
    try {
      dying.put(rows(3));
      untilItStops(dying);
    } finally {
      dying.close();
    }
    IndexTopic healed = topic.healed();
    assertThat(healed.dirty).hasSize(1);
    return healed;
  }

  @Test
  void aTableNameTheIndexTopicCannotStoreStopsTheTaskBeforeTheTableIsMade() throws Exception {
    IndexTopic topic = new IndexTopic(0);
    SinkWriter task1 = writer(topic, 1, 2, List.of(TaskHarness.TP)); // the base table is task 0's: task 1 makes its own
    try {
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
    IndexTopic healed = diesMidCreate(0, 2);

    SinkWriter restarted = started(healed, 0, 2);
    try {
      synchronized (healed) {
        assertThat(healed.dirty).as("read back and marked clean at start, before the task joins its group").isEmpty();
      }
      long read = FEISHU.emulator().stats().recordsRead();
      writer(healed, 1, 2, List.of()).close(); // the other task's load, in the rebalance that task 0's join makes
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
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).records()).extracting(r -> r.fields().get("ID"))
        .containsExactlyInAnyOrder("1", "2", "3");
  }

  @Test
  void theMarkOfATaskThatNoLongerExistsIsClearedByTheTaskItFallsTo() throws Exception {
    IndexTopic healed = diesMidCreate(2, 3); // then tasks.max is lowered to 2
    assertThat(healed.owners).containsValue(2);

    writer(healed, 1, 2, List.of()).close();
    synchronized (healed) {
      assertThat(healed.dirty).as("not task 1's: 2 % 2 is 0").hasSize(1);
    }
    writer(healed, 0, 2, List.of(TaskHarness.TP)).close();
    synchronized (healed) {
      assertThat(healed.dirty).as("task 0 read it back and cleared it").isEmpty();
    }
    assertThat(healed.stored).containsOnlyKeys("1", "2", "3");
  }
}
