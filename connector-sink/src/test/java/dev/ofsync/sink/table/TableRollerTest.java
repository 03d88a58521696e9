package dev.ofsync.sink.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FieldInfo;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.client.RequestBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where new rows go, against the emulator: the roller reserves places, and the tables it creates
 * are what Feishu shows. Rows are counted from the assignments (nothing is written here).
 */
class TableRollerTest {
  private static final String APP_ID = "cli_roller_test";
  private static final String APP_SECRET = "roller-secret";
  private static final String APP_TOKEN = "bascnRollerTest01";
  private static final List<FieldSpec> FIELDS = List.of(FieldSpec.text("ID"), FieldSpec.text("NAME"));

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  private final List<TableRoller> rollers = new ArrayList<>();
  /** Rows assigned per table name, over every assign() of a test. */
  private final Map<String, Integer> assigned = new ConcurrentHashMap<>();

  @AfterEach
  void closeRollers() {
    rollers.forEach(TableRoller::close);
  }

  private static BitableClient client() {
    return new BitableClient(FEISHU.url(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofSeconds(10),
        new RequestBudget(1000, 1), 3, 20);
  }

  private TableRoller roller(int cap, int parallel, int taskId, int tasks) throws InterruptedException {
    TableRoller r = new TableRoller(client(), "Orders", "", cap, parallel, taskId, tasks);
    rollers.add(r);
    r.discover();
    r.recount(tableId -> 0);
    return r;
  }

  /** Places n rows, of {@code expected} to come, and answers rows per table name in the order given. */
  private List<TableRoller.Assignment> place(TableRoller r, int n, long expected) throws InterruptedException {
    List<TableRoller.Assignment> out = r.assign(n, expected, 500, FIELDS, t -> 0);
    out.forEach(a -> assigned.merge(a.table().name(), a.rows(), Integer::sum));
    return out;
  }

  private Map<String, Integer> assignedInOrder() {
    Map<String, Integer> out = new LinkedHashMap<>();
    assigned.keySet().stream().sorted().forEach(name -> out.put(name, assigned.get(name)));
    return out;
  }

  private static List<String> tableNames() {
    return FEISHU.emulator().tables(APP_TOKEN).stream().map(TableSnapshot::name).toList();
  }

  @Test
  void aBacklogSmallerThanTheBaseTablesRoomAllGoesToTheBaseTable() throws InterruptedException {
    TableRoller r = roller(20_000, 20, 0, 1);

    place(r, 2_500, 2_500);

    assertThat(assignedInOrder()).containsExactly(Map.entry("Orders", 2_500));
    assertThat(tableNames()).as("no table created ahead for nothing").containsExactly("Orders");
  }

  @Test
  void fiftyThousandRowsFillTablesInSequenceEachToTheCap() throws InterruptedException {
    TableRoller r = roller(20_000, 20, 0, 1);

    place(r, 50_000, 50_000);

    assertThat(assignedInOrder()).containsExactly(Map.entry("Orders", 20_000), Map.entry("Orders_001", 20_000),
        Map.entry("Orders_002", 10_000));
    assertThat(tableNames()).containsExactly("Orders", "Orders_001", "Orders_002");
  }

  @Test
  void rowsArrivingInSmallPutsWithALargeBacklogStillEndInSequence() throws InterruptedException {
    TableRoller r = roller(1_000, 4, 0, 1);
    long total = 5_500;
    Map<TableState, Integer> load = new LinkedHashMap<>();

    for (long left = total; left > 0; left -= 100) {
      for (TableRoller.Assignment a : r.assign(100, left, 50, FIELDS, t -> load.getOrDefault(t, 0))) {
        assigned.merge(a.table().name(), a.rows(), Integer::sum);
        load.merge(a.table(), a.rows(), Integer::sum);
      }
    }

    assertThat(assignedInOrder()).containsExactly(Map.entry("Orders", 1_000), Map.entry("Orders_001", 1_000),
        Map.entry("Orders_002", 1_000), Map.entry("Orders_003", 1_000), Map.entry("Orders_004", 1_000),
        Map.entry("Orders_005", 500));
  }

  @Test
  void whileTheBacklogIsLargeTheRowsSpreadOverTablesSideBySide() throws InterruptedException {
    TableRoller r = roller(20_000, 4, 0, 1);
    Map<TableState, Integer> load = new LinkedHashMap<>();

    for (int i = 0; i < 8; i++) {
      for (TableRoller.Assignment a : r.assign(500, 1_000_000 - i * 500L, 500, FIELDS, t -> load.getOrDefault(t, 0))) {
        load.merge(a.table(), a.rows(), Integer::sum);
      }
    }

    assertThat(load.values()).as("two batches in each of four tables").containsExactly(1_000, 1_000, 1_000, 1_000);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(tableNames()).as("the next four created ahead").hasSize(8));
  }

  @Test
  void theRoundsOfTablesSideBySideAreEvened() throws InterruptedException {
    TableRoller r = roller(20_000, 20, 0, 1);

    assertThat(r.roundSize(1)).isEqualTo(1);
    assertThat(r.roundSize(20)).as("20 tables side by side hold it").isEqualTo(20);
    assertThat(r.roundSize(50)).as("three rounds of about 17 tables, not 20, 20 and 10").isEqualTo(17);
    assertThat(r.roundSize(41)).as("two rounds of about 21").isEqualTo(21);
    assertThat(r.roundSize(28)).as("one round of 28, no last round of 8 filling alone").isEqualTo(28);
    assertThat(r.roundSize(30)).as("two rounds of 15").isEqualTo(15);
    assertThat(roller(20_000, 1, 0, 1).roundSize(28)).as("1: one table at a time, in the seed's order").isEqualTo(1);
  }

  @Test
  void theLastTablesOfARoundDoNotHoldUpTheNextOne() throws InterruptedException {
    TableRoller r = roller(1_000, 4, 0, 1);
    // four tables side by side; Orders_003's writes lag (five batches waiting), so the other three fill up first
    java.util.function.ToIntFunction<TableState> load = t -> t.name().equals("Orders_003") ? 500 : 0;
    for (int i = 0; i < 30; i++) {
      r.assign(100, 100_000 - i * 100L, 100, FIELDS, load).forEach(a -> assigned.merge(a.table().name(), a.rows(), Integer::sum));
    }
    assertThat(assignedInOrder()).containsExactly(Map.entry("Orders", 1_000), Map.entry("Orders_001", 1_000),
        Map.entry("Orders_002", 1_000));

    // more rows: the next round starts beside Orders_003 rather than after it
    for (int i = 0; i < 6; i++) {
      r.assign(100, 97_000 - i * 100L, 100, FIELDS, load).forEach(a -> assigned.merge(a.table().name(), a.rows(), Integer::sum));
    }
    assertThat(assigned).doesNotContainKey("Orders_003");
    assertThat(assigned.entrySet().stream().filter(e -> e.getKey().compareTo("Orders_004") >= 0)
        .mapToInt(Map.Entry::getValue).sum()).as("the next round's tables").isEqualTo(600);
  }

  @Test
  void nearlyFullTablesAreToppedUpBeforeTheNextRound() throws InterruptedException {
    TableRoller r = roller(1_000, 4, 0, 1);
    Map<TableState, Integer> load = new LinkedHashMap<>();
    // four tables side by side, each to 990 rows
    for (TableRoller.Assignment a : r.assign(3_960, 1_000_000, 10, FIELDS, t -> 0)) {
      load.merge(a.table(), a.rows(), Integer::sum);
    }
    assertThat(load.values()).containsExactly(990, 990, 990, 990);

    // 4,000 to come: the nearly full tables take their last 40 rows, then four new ones side by side, in sequence
    Map<String, Integer> next = new LinkedHashMap<>();
    for (TableRoller.Assignment a : r.assign(4_000, 4_000, 10, FIELDS, t -> 0)) {
      next.merge(a.table().name(), a.rows(), Integer::sum);
    }
    assertThat(next).containsEntry("Orders", 10).containsEntry("Orders_003", 10).containsEntry("Orders_004", 1_000)
        .containsEntry("Orders_007", 960).hasSize(8);
  }

  @Test
  void afterARestartAPartlyFilledTableIsFilledFirst() throws InterruptedException {
    BitableClient client = client();
    String baseId = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    String primary = client.listFields(baseId).stream().filter(FieldInfo::primary).findFirst().orElseThrow().name();
    for (int i = 0; i < 14; i++) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int j = 0; j < 500; j++) {
        rows.add(Map.of(primary, "k" + (i * 500 + j)));
      }
      client.batchCreate(baseId, rows);
    }
    TableRoller r = roller(20_000, 20, 0, 1);

    place(r, 2_500, 2_500);
    place(r, 20_000, 20_000);

    assertThat(assignedInOrder()).containsExactly(Map.entry("Orders", 13_000), Map.entry("Orders_001", 9_500));
  }

  @Test
  void twoTasksEachFillTheirOwnTablesInSequence() throws Exception {
    TableRoller first = roller(1_000, 4, 0, 2);
    TableRoller second = roller(1_000, 4, 1, 2);

    var a = java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        place(first, 2_500, 2_500);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Map<String, Integer> bySecond = new LinkedHashMap<>();
    second.assign(2_500, 2_500, 500, FIELDS, t -> 0).forEach(x -> bySecond.merge(x.table().name(), x.rows(), Integer::sum));
    a.join();

    List<String> names = tableNames();
    assertThat(names).doesNotHaveDuplicates();
    for (int i = 1; i < names.size(); i++) {
      assertThat(names.get(i)).isEqualTo(String.format("Orders_%03d", i));
    }
    assertThat(assigned.keySet()).as("no table takes new rows from both tasks").doesNotContainAnyElementsOf(bySecond.keySet());
    assertThat(assigned.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2_500);
    assertThat(bySecond.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2_500);
    assertThat(assigned.get("Orders")).isEqualTo(1_000);
    assertThat(assigned.values().stream().filter(n -> n < 1_000)).as("one table of the first task partly filled").hasSize(1);
    assertThat(bySecond.values().stream().filter(n -> n < 1_000)).as("one of the second's").hasSize(1);
  }

  @Test
  void aPlacementWaitingForANewTableTakesATableThatJustStartedAWrite() throws Exception {
    FEISHU.emulator().faults().script(dev.ofsync.emulator.FaultRule.slow(20_000).on(dev.ofsync.emulator.CallClass.SCHEMA_WRITE));
    TableRoller r = roller(10_000, 4, 0, 1);
    Map<String, Integer> load = new ConcurrentHashMap<>();
    // the base table takes a batch, and the tables to fill beside it are being made (slowly)
    List<TableRoller.Assignment> first = r.assign(500, 40_000, 500, FIELDS, t -> load.getOrDefault(t.name(), 0));
    assertThat(first).extracting(a -> a.table().name()).containsExactly("Orders");
    load.put("Orders", 500);
    Thread[] placer = new Thread[1];
    var placing = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      placer[0] = Thread.currentThread();
      try {
        return r.assign(500, 39_500, 500, FIELDS, t -> load.getOrDefault(t.name(), 0));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> placer[0] != null
        && placer[0].getState() == Thread.State.TIMED_WAITING); // its batch is waiting for a table

    load.put("Orders", 0); // the base table's lane took its batch to write
    r.tookBatch();

    assertThat(placing.get(10, java.util.concurrent.TimeUnit.SECONDS)) // a table is made in 20 s here
        .as("placed at once in the table that has room for its next batch, not after a table is made")
        .extracting(a -> a.table().name()).containsExactly("Orders");
  }

  @Test
  void aPlacementWaitingForATableEndsWhenTheTaskStops() throws Exception {
    FEISHU.emulator().faults().script(dev.ofsync.emulator.FaultRule.slow(20_000).on(dev.ofsync.emulator.CallClass.SCHEMA_WRITE));
    TableRoller r = new TableRoller(client(), "Fresh", "", 1_000, 4, 0, 1); // no base table yet: it is created first
    rollers.add(r);
    r.discover();
    r.recount(tableId -> 0);
    var placing = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return r.assign(10, 10, 500, FIELDS, t -> 0);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> FEISHU.emulator().stats().calls("POST tables") == 1); // the slow creation is under way

    r.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> placing.get(5, java.util.concurrent.TimeUnit.SECONDS))
        .hasCauseInstanceOf(org.apache.kafka.connect.errors.ConnectException.class);
  }
}
