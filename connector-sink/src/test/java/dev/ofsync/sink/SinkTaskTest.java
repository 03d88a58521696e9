package dev.ofsync.sink;

import static dev.ofsync.sink.TaskHarness.APP_ID;
import static dev.ofsync.sink.TaskHarness.APP_SECRET;
import static dev.ofsync.sink.TaskHarness.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SinkTaskTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  private static List<SinkRecord> rows(TaskHarness h, int from, int to) {
    List<SinkRecord> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(h.upsert(i, "customer " + i, i + ".50"));
    }
    return out;
  }

  private static List<TableSnapshot> tables() {
    return FEISHU.emulator().tables(APP_TOKEN);
  }

  /** Every row of every table, by its key. */
  private static Map<String, Map<String, Object>> byKey() {
    return tables().stream().flatMap(t -> t.records().stream())
        .collect(Collectors.toMap(r -> String.valueOf(r.fields().get("ID")), TableSnapshot.RecordInfo::fields));
  }

  @Test
  void writesRowsWithTheirTypesIntoTheBaseTable() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(rows(h, 1, 3));
      h.commit();
    }

    TableSnapshot base = tables().get(0);
    assertThat(base.name()).isEqualTo("Orders");
    assertThat(base.rowCount()).isEqualTo(3);
    assertThat(base.fields().get(0).name()).as("the key is the primary field").isEqualTo("ID");
    assertThat(base.field("AMOUNT").orElseThrow().type()).isEqualTo(2);
    assertThat(base.field("AMOUNT").orElseThrow().property()).containsEntry("formatter", "0.00");
    assertThat(base.field("CREATED_AT").orElseThrow().type()).isEqualTo(5);
    assertThat(base.field("PAID").orElseThrow().type()).isEqualTo(7);
    assertThat(byKey().get("2")).containsEntry("CUSTOMER", "customer 2").containsEntry("AMOUNT", 2.5)
        .containsEntry("CREATED_AT", 1_700_000_002_000L).containsEntry("PAID", true);
  }

  @Test
  void updatesInPlaceSkipsUnchangedRowsAndDeletesOnTombstones() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(rows(h, 1, 3));
      h.commit();
      Map<String, String> idsBefore = recordIds();
      FEISHU.emulator().resetStats();

      h.put(List.of(h.upsert(1, "customer 1", "1.50"), h.upsert(2, "renamed", "2.50"), h.tombstone(3)));
      h.commit();

      assertThat(tables().get(0).rowCount()).isEqualTo(2);
      assertThat(byKey().get("2")).containsEntry("CUSTOMER", "renamed");
      assertThat(recordIds().get("2")).as("updated in place").isEqualTo(idsBefore.get("2"));
      var stats = FEISHU.emulator().stats();
      assertThat(stats.calls("POST records/batch_update")).isEqualTo(1);
      assertThat(stats.calls("POST records/batch_delete")).isEqualTo(1);
      assertThat(stats.calls("POST records/batch_create")).isZero();
    }
  }

  @Test
  void replayingUnchangedRowsCostsNoWriteAfterARestart() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(rows(h, 1, 1200));
      h.commit();
    }
    FEISHU.emulator().resetStats();

    try (TaskHarness again = new TaskHarness(FEISHU.emulator(), Map.of())) {
      again.put(rows(again, 1, 1200));
      again.commit();
    }

    var stats = FEISHU.emulator().stats();
    assertThat(stats.calls("POST records/batch_create") + stats.calls("POST records/batch_update")
        + stats.calls("POST records/batch_delete")).isZero();
    assertThat(byKey()).hasSize(1200);
  }

  @Test
  void aNullClearsTheCell() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(List.of(h.upsert(7, "someone", "7.00")));
      h.commit();
      h.put(List.of(h.upsert(7, null, null)));
      h.commit();
    }

    assertThat(byKey().get("7")).doesNotContainKey("CUSTOMER").doesNotContainKey("AMOUNT").containsKey("PAID");
  }

  private static Map<String, Object> schemaless(long id, Object price) {
    Map<String, Object> value = new java.util.LinkedHashMap<>();
    value.put("ID", id);
    value.put("PRICE", price);
    return value;
  }

  @Test
  void aSchemalessColumnThatIsNullAtFirstBecomesTheFieldItsFirstValueSaysAndANullStillClearsIt() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(List.of(h.record(null, Map.of("ID", 1L), null, schemaless(1, null))));
      h.commit();
      assertThat(tables().get(0).field("PRICE")).as("no type to give it yet").isEmpty();

      h.put(List.of(h.record(null, Map.of("ID", 2L), null, schemaless(2, 5.75))));
      h.commit();
    }
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      // a new task: the column is unknown to it again, and the field is there
      h.put(List.of(h.record(null, Map.of("ID", 2L), null, schemaless(2, null))));
      h.commit();
    }

    assertThat(tables().get(0).field("PRICE").orElseThrow().type()).as("a number field").isEqualTo(2);
    assertThat(byKey().get("2")).as("cleared").doesNotContainKey("PRICE");
    assertThat(byKey().get("1")).doesNotContainKey("PRICE");
  }

  @Test
  void fillsTheBaseTableThenNumberedTablesNeverBeyondTheCapAndGoesOnAfterARestart() {
    Map<String, String> small = Map.of("feishu.max_rows_per_table", "10", "sync.write_batch_size", "4");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), small)) {
      h.put(rows(h, 1, 25));
      h.commit();
    }
    assertThat(tables()).extracting(TableSnapshot::name, TableSnapshot::rowCount)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Orders", 10), org.assertj.core.groups.Tuple.tuple("Orders_001", 10),
            org.assertj.core.groups.Tuple.tuple("Orders_002", 5));

    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), small)) {
      h.put(rows(h, 26, 35));
      h.commit();
    }
    assertThat(tables()).extracting(TableSnapshot::name, TableSnapshot::rowCount)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("Orders", 10), org.assertj.core.groups.Tuple.tuple("Orders_001", 10),
            org.assertj.core.groups.Tuple.tuple("Orders_002", 10), org.assertj.core.groups.Tuple.tuple("Orders_003", 5));
    assertThat(byKey()).hasSize(35);
  }

  @Test
  void tablesSideBySideStayUnderTheCapAndHoldEveryKeyOnce() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(),
        Map.of("feishu.max_rows_per_table", "100", "sync.write_batch_size", "20", "feishu.tables_in_parallel", "4"))) {
      h.put(rows(h, 1, 730));
      h.commit();
    }

    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).isLessThanOrEqualTo(100));
    assertThat(tables().stream().mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(730);
    assertThat(byKey()).hasSize(730);
    List<String> names = tables().stream().map(TableSnapshot::name).toList();
    for (int i = 1; i < names.size(); i++) {
      assertThat(names.get(i)).isEqualTo(String.format("Orders_%03d", i));
    }
  }

  private static List<org.assertj.core.groups.Tuple> layout() {
    return tables().stream().map(t -> org.assertj.core.groups.Tuple.tuple(t.name(), t.rowCount())).toList();
  }

  @Test
  void withTablesSideBySideABacklogTheBaseTableTakesStaysInTheBaseTable() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.tables_in_parallel", "20"))) {
      h.put(rows(h, 1, 2_500));
      h.commit();
    }

    assertThat(layout()).containsExactly(org.assertj.core.groups.Tuple.tuple("Orders", 2_500));
  }

  @Test
  void withTablesSideBySideFiftyThousandRowsEndTwentyTwentyTenInSequence() {
    // a linger, so that a lane waits for its batch to fill rather than sending the first rows alone
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.tables_in_parallel", "20",
        "sync.linger_ms", "1000"))) {
      h.put(rows(h, 1, 50_000));
      h.commit();
    }

    assertThat(layout()).containsExactly(org.assertj.core.groups.Tuple.tuple("Orders", 20_000),
        org.assertj.core.groups.Tuple.tuple("Orders_001", 20_000), org.assertj.core.groups.Tuple.tuple("Orders_002", 10_000));
    assertThat(byKey()).hasSize(50_000);
    assertThat(FEISHU.emulator().stats().calls("POST records/batch_create")).as("full batches only").isEqualTo(100);
  }

  @Test
  void withTablesSideBySideARestartFillsThePartlyFilledTableFirst() {
    Map<String, String> small = Map.of("feishu.max_rows_per_table", "10", "sync.write_batch_size", "4",
        "feishu.tables_in_parallel", "4");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), small)) {
      h.put(rows(h, 1, 7));
      h.commit();
    }

    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), small)) {
      h.put(rows(h, 8, 32));
      h.commit();
    }

    assertThat(layout()).containsExactly(org.assertj.core.groups.Tuple.tuple("Orders", 10),
        org.assertj.core.groups.Tuple.tuple("Orders_001", 10), org.assertj.core.groups.Tuple.tuple("Orders_002", 10),
        org.assertj.core.groups.Tuple.tuple("Orders_003", 2));
    assertThat(byKey()).hasSize(32);
  }

  @Test
  void whenFeishuSaysATableIsFullItsRowsMoveOnWithNoTableOverfilledAndEveryKeyOnce() {
    FEISHU.emulator().settings().maxRowsPerTable(60); // below the sink's cap: someone else's rows, as Feishu sees it
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_rows_per_table", "100",
        "sync.write_batch_size", "25", "feishu.tables_in_parallel", "4"))) {
      h.put(rows(h, 1, 500));
      h.put(rows(h, 501, 730));
      h.commit();
    }

    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).as(t.name()).isLessThanOrEqualTo(60));
    assertThat(byKey()).hasSize(730);
    assertThat(tables().stream().mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(730);
  }

  @Test
  void passingFailuresAreRetriedWithNothingLostOrDoubled() {
    FEISHU.emulator().faults().script(
        FaultRule.code(1254290).on(CallClass.RECORD_WRITE).times(2),
        FaultRule.httpError(503).on(CallClass.RECORD_WRITE),
        FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE),
        FaultRule.code(1254291).on(CallClass.RECORD_WRITE),
        FaultRule.code(99991400).on(CallClass.RECORD_WRITE));
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.write_batch_size", "100"))) {
      h.put(rows(h, 1, 1000));
      FEISHU.emulator().expireTokens();
      h.put(rows(h, 1001, 1500));
      h.commit();
    }

    assertThat(FEISHU.emulator().faults().pendingScript()).as("every fault was met").isEmpty();
    assertThat(byKey()).hasSize(1500);
    assertThat(tables().get(0).rowCount()).isEqualTo(1500);
  }

  @Test
  void partitionsGivenUpWhileFeishuKeepsRefusingAWriteEndItsRetriesSoTheNextOwnerIsNotRaced() {
    // Bitable's own throttle, an answer saying the write was not done, for the first 4 tries: a 5th
    // try, made after the partition was given up, would write the rows, which the end checks
    FEISHU.emulator().faults().script(FaultRule.code(1254290).on(CallClass.RECORD_WRITE).times(4));
    // 20 retries with backoff from 200 ms (doubling, at most 30 s each): minutes of trying, longer
    // than a rebalance waits (2 minutes); the next try comes at most 3.2 s after the 4th
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.retry_backoff_ms", "200",
        "feishu.max_retries", "20"))) {
      h.put(rows(h, 1, 10));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") >= 2);

      long start = System.nanoTime();
      h.task.close(List.of(TaskHarness.TP)); // a rebalance gives the partition to another task
      long closeMillis = (System.nanoTime() - start) / 1_000_000;
      long callsAtClose = FEISHU.emulator().stats().calls("POST records/batch_create");

      assertThat(closeMillis).as("the rebalance waited for the write's current try (milliseconds here), not its "
          + "retries").isLessThan(10_000);
      org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(5)).atMost(java.time.Duration.ofSeconds(7))
          .until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") == callsAtClose);
    }
    assertThat(byKey()).as("the rows are the next owner's to write").isEmpty();
  }

  @Test
  void aWriteThatTimedOutWhenItsPartitionsAreGivenUpIsTriedUntilItsOutcomeIsKnownSoTheNextOwnerDoesNotWriteItTwice() {
    // the first create is served 2.5 s after it came, when the sink gave up waiting after 1 s: it lands
    FEISHU.emulator().faults().script(FaultRule.slow(2_500).on(CallClass.RECORD_WRITE));
    Map<String, String> settings = Map.of("feishu.request_timeout_ms", "1000", "feishu.retry_backoff_ms", "50");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), settings)) {
      h.put(rows(h, 1, 10));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") >= 1);
      h.task.close(List.of(TaskHarness.TP)); // a rebalance while the create's outcome is unknown
    }
    // the next owner (no key index topic here: it reads the table back at its start) replays the rows
    try (TaskHarness next = new TaskHarness(FEISHU.emulator(), settings)) {
      next.put(rows(next, 1, 10));
      next.commit();
    }
    // and stay once after the slow create's 2.5 s
    org.awaitility.Awaitility.await().during(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(5))
        .until(() -> tables().get(0).rowCount() == 10);
    assertThat(byKey()).hasSize(10);
  }

  @Test
  void anUpdateServedAfterItTimedOutDoesNotLeaveAnOlderValueOverANewerOne() {
    Map<String, String> settings = Map.of("feishu.request_timeout_ms", "1000", "feishu.retry_backoff_ms", "50");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), settings)) {
      h.put(List.of(h.upsert(1, "first", "1.00")));
      h.commit();
      // the next write is served 2.5 s after it came, when the sink gave up waiting after 1 s and
      // wrote it again; a newer change of the row follows at once
      FEISHU.emulator().faults().script(FaultRule.slow(2_500).on(CallClass.RECORD_WRITE));
      h.put(List.of(h.upsert(1, "second", "2.00")));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> "second".equals(byKey().get("1").get("CUSTOMER")));
      h.put(List.of(h.upsert(1, "third", "3.00")));
      h.commit();
    }
    // once the late try has been carried out, the row holds the newest value
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> FEISHU.emulator().stats().slowCallsCarriedOut() == 1);
    assertThat(byKey().get("1")).containsEntry("CUSTOMER", "third");
  }

  /**
   * Puts {@code change} (of row 1, which the task wrote first) with its first try served 6 s after
   * it came, gives the partition up while that try waits for its answer (the task's timeout is 3 s),
   * and answers the calls made to {@code endpoint}: giving up waits for the write.
   */
  private static long callsOfAChangeWhosePartitionIsGivenUpWhileItsTryGetsNoAnswer(
      java.util.function.Function<TaskHarness, org.apache.kafka.connect.sink.SinkRecord> change, String endpoint) {
    Map<String, String> settings = Map.of("feishu.request_timeout_ms", "3000", "feishu.retry_backoff_ms", "50");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), settings)) {
      h.put(List.of(h.upsert(1, "first", "1.00")));
      h.commit();
      FEISHU.emulator().faults().script(FaultRule.slow(6_000).on(CallClass.RECORD_WRITE));
      h.put(List.of(change.apply(h)));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> FEISHU.emulator().faults().pendingScript().isEmpty());
      h.task.close(List.of(TaskHarness.TP)); // a rebalance while the try waits for its answer
      return FEISHU.emulator().stats().calls(endpoint);
    }
  }

  @Test
  void anUpdateWithATryThatGotNoAnswerIsNotTriedAgainOnceItsPartitionsAreGivenUp() {
    // the next owner replays the update (after the pause): a retry here could land after its newer writes
    assertThat(callsOfAChangeWhosePartitionIsGivenUpWhileItsTryGetsNoAnswer(h -> h.upsert(1, "second", "2.00"),
        "POST records/batch_update")).as("the try with no answer only").isEqualTo(1);
  }

  @Test
  void aDeleteWithATryThatGotNoAnswerIsTriedAgainWhileItsPartitionsAreGivenUp() {
    // a repeated delete does no harm, and its outcome must reach the key index before the next owner reads it
    assertThat(callsOfAChangeWhosePartitionIsGivenUpWhileItsTryGetsNoAnswer(h -> h.tombstone(1),
        "POST records/batch_delete")).as("the try with no answer, then one that is answered").isEqualTo(2);
    assertThat(byKey()).isEmpty();
  }

  @Test
  void noCallOfABatchStartsOnceItsPartitionsAreGivenUp() {
    Map<String, String> settings = Map.of("sync.write_batch_size", "2", "sync.linger_ms", "5000");
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), settings)) {
      h.put(List.of(h.upsert(1, "first", "1.00"), h.upsert(2, "first", "2.00")));
      h.commit();
      // one batch: the delete of row 1, answered after 3 s, then the update of row 2
      FEISHU.emulator().faults().script(FaultRule.slow(3_000).on(CallClass.RECORD_WRITE));
      h.put(List.of(h.tombstone(1), h.upsert(2, "second", "2.00")));
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
          .until(() -> FEISHU.emulator().faults().pendingScript().isEmpty());
      h.task.close(List.of(TaskHarness.TP)); // a rebalance while the delete is under way
    }
    assertThat(FEISHU.emulator().stats().calls("POST records/batch_delete")).isEqualTo(1);
    assertThat(FEISHU.emulator().stats().calls("POST records/batch_update")).as("left to the next owner").isZero();
    assertThat(byKey()).containsOnlyKeys("2");
    assertThat(byKey().get("2")).containsEntry("CUSTOMER", "first");
  }

  @Test
  void aBadValueGoesToTheDeadLetterQueueAndTheRestIsWritten() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of(), true, new java.util.concurrent.atomic.AtomicLong())) {
      List<SinkRecord> batch = new ArrayList<>(rows(h, 1, 5));
      batch.add(h.upsert(6, "x".repeat(100_001), "6.00"));
      h.put(batch);
      h.commit();

      assertThat(h.reported).extracting(SinkRecord::kafkaOffset).containsExactly(5L);
    }
    assertThat(byKey()).containsOnlyKeys("1", "2", "3", "4", "5");
  }

  @Test
  void aBatchOverFeishusBodyLimitIsSplitUntilItFitsAndARowThatNeverFitsGoesToTheDeadLetterQueue() {
    FEISHU.emulator().settings().maxBodyBytes(64 * 1024);
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of(), true, new java.util.concurrent.atomic.AtomicLong())) {
      List<SinkRecord> batch = new ArrayList<>();
      for (int i = 1; i <= 40; i++) {
        batch.add(h.upsert(i, "c".repeat(5_000) + i, i + ".00")); // 200 KB in all: one batch, three times the limit
      }
      batch.add(h.upsert(41, "\u5b57".repeat(30_000), "41.00")); // 90 KB of UTF-8 on its own
      h.put(batch);
      h.commit();

      assertThat(h.reported).extracting(SinkRecord::kafkaOffset).containsExactly(40L);
    }
    assertThat(byKey()).hasSize(40);
    assertThat(byKey().get("17")).containsEntry("CUSTOMER", "c".repeat(5_000) + 17);
  }

  @Test
  void withoutADeadLetterQueueABadValueFailsTheTaskNamingTheRecordAndColumn() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      SinkRecord bad = h.upsert(6, "x".repeat(100_001), "6.00");

      assertThatThrownBy(() -> h.put(List.of(bad))).isInstanceOf(ConnectException.class)
          .hasMessageContaining("topic orders, partition 0, offset 0").hasMessageContaining("CUSTOMER")
          .hasMessageContaining("100000").hasMessageContaining("errors.tolerance");
    }
  }

  @Test
  void aRowFeishuRefusesFailsTheTaskWithoutADeadLetterQueueAndItsOffsetIsNotCommitted() {
    // Feishu refuses the row's cell when written (the mapping passed it)
    FEISHU.emulator().faults().script(FaultRule.code(1254060).on(CallClass.RECORD_WRITE));
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.write_batch_size", "1"))) {
      h.put(rows(h, 1, 1));

      assertThatThrownBy(h::commit).hasMessageContaining("topic orders, partition 0, offset 0")
          .hasMessageContaining("errors.tolerance");
      org.apache.kafka.clients.consumer.OffsetAndMetadata committed = h.preCommit().get(TaskHarness.TP);
      assertThat(committed == null ? 0L : committed.offset())
          .as("the row is read again after the fix and a restart, not skipped").isZero();
    }
  }

  @Test
  void aTableCreationFailingForAWhileIsTriedAgainRatherThanStoppingTheTask() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_retries", "0",
        "feishu.max_rows_per_table", "5"))) {
      h.put(rows(h, 1, 5));
      h.commit();
      // the next table's creation meets more 5xx than the client's own retries (none here) cover:
      // it waits and tries again under the same name
      FEISHU.emulator().faults().script(FaultRule.httpError(500).on(CallClass.SCHEMA_WRITE),
          FaultRule.httpError(503).on(CallClass.SCHEMA_WRITE));
      h.put(rows(h, 6, 10));
      h.commit();
    }

    assertThat(tables()).extracting(TableSnapshot::name).containsExactly("Orders", "Orders_001");
    assertThat(byKey()).containsOnlyKeys("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
  }

  @Test
  void aPassingFailureWhenPartitionsAreAssignedIsRiddenOutByTheNextPuts() {
    // the start lists the tables; listing them again when partitions are assigned, and at the first
    // put(), meets 5xx beyond the client's retries (one here)
    FEISHU.emulator().faults().script(FaultRule.slow(0).on(CallClass.READ), FaultRule.httpError(502).on(CallClass.READ),
        FaultRule.httpError(502).on(CallClass.READ), FaultRule.httpError(502).on(CallClass.READ),
        FaultRule.httpError(502).on(CallClass.READ));
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_retries", "1"))) {
      List<SinkRecord> batch = rows(h, 1, 3);
      assertThatThrownBy(() -> h.put(batch)).as("retried by the worker with the same records")
          .isInstanceOf(org.apache.kafka.connect.errors.RetriableException.class)
          .hasMessageContaining("HTTP 502").hasMessageContaining("request id");

      h.put(batch);
      h.commit();
    }
    assertThat(byKey()).containsOnlyKeys("1", "2", "3");
  }

  @Test
  void aStartThatMeetsOnlyPassingFailuresSaysToRestartNotToFixASetting() {
    FEISHU.emulator().faults().script(FaultRule.httpError(503).on(CallClass.READ),
        FaultRule.httpError(503).on(CallClass.READ));
    assertThatThrownBy(() -> new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_retries", "1")).close())
        .isInstanceOf(ConnectException.class).hasMessageContaining("HTTP 503").hasMessageContaining("restart the task")
        .hasMessageNotContaining("To fix");
  }

  @Test
  void inAppendModeABatchWhoseAnswerWasLostIsNotWrittenTwiceWhenTriedAgain() {
    // Feishu writes the rows but the answer never comes; the client's own retries are none here,
    // so the lane tries the batch again later, with the same client_token
    FEISHU.emulator().faults().script(FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE));
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.write_mode", "append",
        "feishu.max_retries", "0", "sync.linger_ms", "1000"))) {
      h.put(rows(h, 1, 3));
      h.commit();
    }

    assertThat(tables().get(0).records()).extracting(r -> r.fields().get("ID"))
        .containsExactlyInAnyOrder(1.0, 2.0, 3.0);
  }

  @Test
  void inAppendModeABatchWhoseAnswerWasLostIsTriedAgainAloneEvenWithNewRowsWaiting() {
    FEISHU.emulator().faults().script(FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE));
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.write_mode", "append",
        "feishu.max_retries", "0", "sync.linger_ms", "200", "feishu.retry_backoff_ms", "300"))) {
      h.put(rows(h, 1, 3));
      org.awaitility.Awaitility.await("the first write, its answer lost").atMost(java.time.Duration.ofSeconds(30))
          .until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") == 1 && tables().get(0).rowCount() == 3);
      h.put(rows(h, 4, 6)); // queued while the lane waits to try the first batch again (3 s)
      h.commit();
    }

    // tried again with rows 4-6 in it, the batch would get another client_token and 1-3 would be written twice
    assertThat(tables().get(0).records()).extracting(r -> r.fields().get("ID"))
        .containsExactlyInAnyOrder(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
  }

  @Test
  void aMonthlyCallQuotaUsedUpStopsTheTaskSayingSoAndCommitsNothingOfIt() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(rows(h, 1, 3));
      h.commit();
      FEISHU.emulator().settings().monthlyCallQuota(1); // the calls of the start and of rows 1-3 used it up
      h.put(rows(h, 4, 6));

      assertThatThrownBy(h::commit).isInstanceOf(ConnectException.class)
          .isNotInstanceOf(org.apache.kafka.connect.errors.RetriableException.class)
          .hasMessageContaining("99991403").hasMessageContaining("monthly API quota is used up")
          .hasMessageContaining("request id");
      assertThat(h.preCommit().get(TaskHarness.TP).offset()).as("rows 4-6 are read again after a restart").isEqualTo(3);
    } finally {
      FEISHU.emulator().settings().monthlyCallQuota(0);
    }
    assertThat(byKey()).containsOnlyKeys("1", "2", "3");
  }

  @Test
  void wrongCredentialsFailWithTheSettingToFix() {
    assertThatThrownBy(() -> new TaskHarness(FEISHU.emulator(), Map.of("feishu.app_secret", "wrong")))
        .isInstanceOf(ConnectException.class).hasMessageContaining("10014").hasMessageContaining("feishu.app_secret");
  }

  private static Map<String, String> recordIds() {
    return tables().stream().flatMap(t -> t.records().stream())
        .collect(Collectors.toMap(r -> String.valueOf(r.fields().get("ID")), TableSnapshot.RecordInfo::recordId));
  }

  @Test
  void aBaseAtItsTableLimitStopsTheTaskSayingSo() {
    FEISHU.emulator().settings().maxTablesPerBase(2);
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_rows_per_table", "5"))) {
      assertThatThrownBy(() -> {
        h.put(rows(h, 1, 20));
        h.commit();
        h.put(rows(h, 21, 22));
      }).isInstanceOf(ConnectException.class).hasMessageContaining("1254100").hasMessageContaining("100 tables");
    }
    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).isLessThanOrEqualTo(5));
  }

  @Test
  void twoTasksRacingForTheNextTableEndWithOneTableOfEachNameAndNoGap() {
    Map<String, String> config = Map.of("feishu.max_rows_per_table", "10", "sync.write_batch_size", "5",
        "internal.tasks.max", "2");
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    Map<String, String> first = new java.util.HashMap<>(config);
    first.put("internal.task.id", "0");
    Map<String, String> second = new java.util.HashMap<>(config);
    second.put("internal.task.id", "1");
    // two tasks read different partitions: each has its own offsets
    try (TaskHarness a = new TaskHarness(FEISHU.emulator(), first, false, offsets);
         TaskHarness b = new TaskHarness(FEISHU.emulator(), second, false, new java.util.concurrent.atomic.AtomicLong())) {
      var left = java.util.concurrent.CompletableFuture.runAsync(() -> {
        a.put(rows(a, 1, 40));
        a.commit();
      });
      b.put(rows(b, 41, 80));
      b.commit();
      left.join();
    }

    List<String> names = tables().stream().map(TableSnapshot::name).toList();
    assertThat(names).doesNotHaveDuplicates();
    for (int i = 1; i < names.size(); i++) {
      assertThat(names.get(i)).isEqualTo(String.format("Orders_%03d", i));
    }
    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).isLessThanOrEqualTo(10));
    assertThat(byKey()).hasSize(80);
  }

  @Test
  void afterARebalanceATaskKnowsTheRowsAnotherTaskWrote() {
    java.util.concurrent.atomic.AtomicLong offsets = new java.util.concurrent.atomic.AtomicLong();
    try (TaskHarness a = new TaskHarness(FEISHU.emulator(), Map.of("internal.tasks.max", "2", "internal.task.id", "0"),
        false, offsets);
         TaskHarness b = new TaskHarness(FEISHU.emulator(), Map.of("internal.tasks.max", "2", "internal.task.id", "1"),
             false, offsets)) {
      b.put(rows(b, 1, 10));
      b.commit();

      a.task.open(List.of(TaskHarness.TP)); // the partition moved to task a
      FEISHU.emulator().resetStats();
      a.put(List.of(a.upsert(3, "moved", "3.50")));
      a.commit();
    }

    assertThat(FEISHU.emulator().stats().calls("POST records/batch_create")).isZero();
    assertThat(byKey()).hasSize(10);
    assertThat(byKey().get("3")).containsEntry("CUSTOMER", "moved");
  }

  @Test
  void changesOfAPartitionGivenUpAreLeftToItsNextOwnerAndNeverWrittenHere() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.linger_ms", "600000"))) {
      h.put(rows(h, 1, 5)); // waiting for their linger

      h.task.close(List.of(TaskHarness.TP)); // a rebalance takes the partition away
      h.put(List.of());
      assertThat(h.task.preCommit(Map.of(TaskHarness.TP, new org.apache.kafka.clients.consumer.OffsetAndMetadata(5))))
          .as("nothing to commit for a partition given up").doesNotContainKey(TaskHarness.TP);
      assertThat(FEISHU.emulator().stats().calls("POST records/batch_create")).as("not written by this task").isZero();

      h.task.open(List.of(TaskHarness.TP)); // it comes back: the rows are replayed from the committed offset
      h.put(rows(h, 1, 5));
      h.commit();
    }
    assertThat(byKey()).hasSize(5);
  }

  @Test
  void aCreateThatFailsAndIsRetriedNeverPushesATableBeyondTheCap() {
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("feishu.max_rows_per_table", "10",
        "sync.write_batch_size", "5", "feishu.max_retries", "0"))) {
      h.put(rows(h, 1, 5));
      h.commit();
      FEISHU.emulator().faults().script(FaultRule.code(1254290).on(CallClass.RECORD_WRITE));
      h.put(rows(h, 6, 10));
      h.put(rows(h, 11, 15));
      h.commit();
    }

    assertThat(tables()).allSatisfy(t -> assertThat(t.rowCount()).as(t.name()).isLessThanOrEqualTo(10));
    assertThat(byKey()).hasSize(15);
  }

  @Test
  void aBatchSplitForABadValueThenInterruptedWritesEachRowOnce() {
    FEISHU.emulator().faults().script(FaultRule.code(1254060).on(CallClass.RECORD_WRITE),
        FaultRule.slow(1).on(CallClass.RECORD_WRITE), FaultRule.code(1254290).on(CallClass.RECORD_WRITE));
    // a linger, so the four rows leave as the one batch the script's first fault is meant for (with
    // none, the lane may send the first row alone while put() still adds the others)
    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of("sync.write_mode", "append",
        "sync.write_batch_size", "4", "feishu.max_retries", "0", "sync.linger_ms", "2000"))) {
      h.put(rows(h, 1, 4));
      h.commit();
    }

    assertThat(tables().get(0).records()).extracting(r -> r.fields().get("ID")).containsExactlyInAnyOrder(1.0, 2.0, 3.0, 4.0);
  }
}
