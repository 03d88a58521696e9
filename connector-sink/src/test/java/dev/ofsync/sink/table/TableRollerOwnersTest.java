package dev.ofsync.sink.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TableRollerOwnersTest {
  private static final String APP_ID = "cli_roller_test";
  private static final String APP_SECRET = "roller-secret";
  private static final String APP_TOKEN = "bascnRollerTest01";
  private static final List<FieldSpec> FIELDS = List.of(FieldSpec.text("ID"));

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Sheet1", APP_ID);

  private final Map<String, Integer> owners = new HashMap<>();
  /** Table name to the tasks that set out to create it, as the index topic holds them. */
  private final Map<String, Set<Integer>> intents = new HashMap<>();

  /**
   * Task {@code taskId} of {@code tasks}, recording the tables it creates in {@link #owners}, and
   * the names it asks for in {@link #intents}, as the index topic does.
   */
  private TableRoller roller(int taskId, int tasks) throws InterruptedException {
    return roller(taskId, tasks, true);
  }

  /** {@code recorded} false: no index topic, nothing survives a restart. */
  private TableRoller roller(int taskId, int tasks, boolean recorded) throws InterruptedException {
    return started(taskId, tasks, recorded, true);
  }

  /** A task that records the names it asks for, but whose tables' creation is never recorded: it stops during the call. */
  private TableRoller stopsWhileCreating(int taskId, int tasks) throws InterruptedException {
    return started(taskId, tasks, true, false);
  }

  private TableRoller started(int taskId, int tasks, boolean recorded, boolean recordsCreations)
      throws InterruptedException {
    TableRoller roller = new TableRoller(client(), "Orders", "", 100, 1, taskId, tasks);
    roller.records(!recorded ? TableRoller.Records.NONE : new TableRoller.Records() {
      @Override
      public void intend(String name) {
        intents.computeIfAbsent(name, n -> new HashSet<>()).add(taskId);
      }

      @Override
      public void abandon(String name) {
        intents.computeIfPresent(name, (n, by) -> by.remove(taskId) && by.isEmpty() ? null : by);
      }

      @Override
      public void created(TableState table) {
        if (recordsCreations) {
          owners.put(table.tableId(), taskId);
          abandon(table.name());
        }
      }
    }, recorded);
    roller.discover();
    roller.recount(tableId -> 0);
    return roller;
  }

  /** Takes up the tables the records say are the task's, as its load of the key index does. */
  private void claim(TableRoller roller) {
    roller.claim(owners, intents, roller.tableIds());
  }

  private static BitableClient client() {
    return new BitableClient(FEISHU.url(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofSeconds(10),
        new RequestBudget(50, 1), 3, 20);
  }

  /** Places {@code rows} new rows and writes them where they were placed; answers those tables' names. */
  private static List<String> place(TableRoller roller, int rows) throws InterruptedException {
    List<TableRoller.Assignment> placed = roller.assign(rows, rows, 500, FIELDS, t -> 0);
    for (TableRoller.Assignment a : placed) {
      List<Map<String, Object>> cells = new java.util.ArrayList<>();
      for (int i = 0; i < a.rows(); i++) {
        cells.add(Map.of("ID", "row " + i));
      }
      client().batchCreate(a.table().tableId(), cells);
      a.table().settle(a.rows(), a.rows());
    }
    return placed.stream().map(a -> a.table().name()).distinct().toList();
  }

  @Test
  void aRestartedTaskTakesUpTheTableItCreatedWhileTheOthersKeepTheirs() throws Exception {
    // creators need not match the table's number: task 2 happened to need the base table first, task 1 _001
    TableRoller task2 = roller(2, 3);
    assertThat(place(task2, 30)).containsExactly("Orders");
    assertThat(place(roller(1, 3), 40)).containsExactly("Orders_001");

    // task 1 dies and starts again while task 2 goes on: each fills its own table, none is filled by two
    TableRoller task1 = roller(1, 3);
    claim(task1);
    assertThat(place(task1, 50)).containsExactly("Orders_001");
    assertThat(place(task2, 80)).as("task 2's own table filled, then a new one; none of task 1's room taken")
        .containsExactly("Orders", "Orders_002");
    assertThat(FEISHU.emulator().tables(APP_TOKEN)).filteredOn(t -> t.name().startsWith("Orders"))
        .allSatisfy(t -> assertThat(t.rowCount()).as(t.name()).isLessThanOrEqualTo(100));
  }

  @Test
  void aTableWhoseCreatorStoppedBeforeRecordingItIsFilledByThatTaskAfterItsRestart() throws Exception {
    assertThat(place(roller(2, 3), 30)).containsExactly("Orders");
    TableRoller dying = stopsWhileCreating(1, 3);
    dying.assign(40, 40, 500, FIELDS, t -> 0); // Feishu makes Orders_001; the task stops before any row goes in
    dying.close();
    assertThat(owners).as("Orders_001 was never recorded as task 1's").hasSize(1);

    TableRoller task0 = roller(0, 3);
    claim(task0);
    assertThat(place(task0, 10)).as("task 0 did not ask for Orders_001").containsExactly("Orders_002");

    TableRoller restarted = roller(1, 3);
    claim(restarted);
    assertThat(place(restarted, 50)).as("task 1 asked for it, and no other task did").containsExactly("Orders_001");
    assertThat(owners).as("recorded as task 1's now").containsValue(1);
    assertThat(intents).as("nothing left to decide").isEmpty();
  }

  @Test
  void theTablesOfATaskThatNoLongerExistsAreFilledByTheTaskTheyFallTo() throws Exception {
    assertThat(place(roller(0, 3), 100)).containsExactly("Orders");
    assertThat(place(roller(2, 3), 40)).containsExactly("Orders_001");
    stopsWhileCreating(2, 3).assign(10, 10, 500, FIELDS, t -> 0); // Orders_002, never recorded as task 2's

    // tasks.max lowered to 2: task 2's tables fall to task 0 (2 % 2), not to task 1
    TableRoller task1 = roller(1, 2);
    claim(task1);
    assertThat(place(task1, 10)).containsExactly("Orders_003");
    TableRoller task0 = roller(0, 2);
    claim(task0);
    assertThat(place(task0, 170)).as("filled to the cap, in sequence, before a new table")
        .containsExactly("Orders_001", "Orders_002", "Orders_004");
    assertThat(FEISHU.emulator().tables(APP_TOKEN)).filteredOn(t -> t.name().startsWith("Orders"))
        .extracting(dev.ofsync.emulator.TableSnapshot::name, dev.ofsync.emulator.TableSnapshot::rowCount)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Orders", 100),
            org.assertj.core.groups.Tuple.tuple("Orders_001", 100), org.assertj.core.groups.Tuple.tuple("Orders_002", 100),
            org.assertj.core.groups.Tuple.tuple("Orders_003", 10), org.assertj.core.groups.Tuple.tuple("Orders_004", 10));
  }

  @Test
  void aTableMadeWhileTheRecordsWereReadIsNotTakenUpOnThem() throws Exception {
    assertThat(place(roller(2, 3), 30)).containsExactly("Orders");
    stopsWhileCreating(1, 3).assign(40, 40, 500, FIELDS, t -> 0);

    // read before the table was listed: another task's intent for it might be missing from them
    TableRoller restarted = roller(1, 3);
    restarted.claim(owners, intents, Set.of());
    assertThat(place(restarted, 10)).doesNotContain("Orders_001");
  }

  @Test
  void aNameAnotherWriterTookIsNeverTakenUp() throws Exception {
    assertThat(place(roller(2, 3), 30)).containsExactly("Orders");
    TableRoller task1 = roller(1, 3);
    client().createTable("Orders_001", FIELDS); // by hand, after task 1 listed the tables
    assertThat(place(task1, 10)).containsExactly("Orders_002");
    assertThat(intents).as("Feishu refused task 1's request: nothing of its own to take up").isEmpty();

    TableRoller restarted = roller(1, 3);
    claim(restarted);
    assertThat(place(restarted, 10)).as("a numbered table nobody recorded takes no new rows").containsExactly("Orders_002");
  }

  @Test
  void aTableNoOneRecordedThatTwoTasksAskedForTakesNoNewRows() throws Exception {
    assertThat(place(roller(2, 3), 30)).containsExactly("Orders");
    stopsWhileCreating(1, 3).assign(40, 40, 500, FIELDS, t -> 0);
    intents.get("Orders_001").add(0); // task 0 asked for the same name at the same time, and stopped too

    for (int task = 0; task < 2; task++) {
      TableRoller restarted = roller(task, 3);
      claim(restarted);
      assertThat(place(restarted, 10)).as("task %d cannot tell whose Orders_001 is", task)
          .doesNotContain("Orders_001");
    }
  }

  @Test
  void theBaseTableComesFirstWhicheverTaskNeedsATableFirst() throws Exception {
    assertThat(place(roller(1, 2), 10)).as("task 0 may have no rows at all").containsExactly("Orders");

    TableRoller task0 = roller(0, 2);
    claim(task0);
    assertThat(place(task0, 10)).as("the base table is task 1's").containsExactly("Orders_001");
  }

  @Test
  void withSeveralTasksATableWithNoRecordedCreatorTakesNoMoreNewRows() throws Exception {
    assertThat(place(roller(1, 3, false), 40)).as("without a record, only task 0 starts the base table")
        .containsExactly("Orders_001");

    // seq 1 % 3 == 1, but task 1 cannot know whether another live task is filling that table
    TableRoller restarted = roller(1, 3, false);
    restarted.claim(Map.of(), Map.of(), restarted.tableIds());
    assertThat(place(restarted, 10)).containsExactly("Orders_002");
  }

  @Test
  void aLoneTaskTakesUpEveryPartlyFilledTable() throws Exception {
    assertThat(place(roller(0, 1), 150)).containsExactly("Orders", "Orders_001");
    owners.clear();

    assertThat(place(roller(0, 1), 40)).containsExactly("Orders_001");
  }

  @Test
  void tablesTheKeyIndexShowsFullAreNotCountedInFeishu() throws Exception {
    assertThat(place(roller(0, 1), 250)).containsExactly("Orders", "Orders_001", "Orders_002");
    Map<String, Integer> keys = Map.of(tableId("Orders"), 100, tableId("Orders_001"), 100, tableId("Orders_002"), 50);
    long searches = FEISHU.emulator().stats().calls("POST records/search");

    TableRoller restarted = new TableRoller(client(), "Orders", "", 100, 1, 0, 1);
    restarted.discover();
    restarted.recount(tableId -> keys.getOrDefault(tableId, 0));

    assertThat(FEISHU.emulator().stats().calls("POST records/search") - searches)
        .as("only the partly filled table is counted").isEqualTo(1);
    assertThat(place(restarted, 60)).containsExactly("Orders_002", "Orders_003");
    assertThat(rows("Orders_002")).isEqualTo(100);
  }

  private static String tableId(String name) {
    return FEISHU.emulator().table(APP_TOKEN, name).orElseThrow().tableId();
  }

  @Test
  void aTaskCountsItsTablesAgainWhenItsPartitionsAreAssigned() throws Exception {
    TableRoller old = roller(1, 3);
    assertThat(place(old, 40)).containsExactly("Orders");

    // the task starts again elsewhere and counts its tables, while the old instance, not yet stopped, writes on
    TableRoller restarted = roller(1, 3);
    claim(restarted);
    assertThat(place(old, 50)).containsExactly("Orders");
    restarted.recount(tableId -> 0); // its partitions are assigned once the old instance has let go of them

    assertThat(place(restarted, 30)).containsExactly("Orders", "Orders_001");
    assertThat(rows("Orders")).isEqualTo(100);
  }

  @Test
  void aTableThatFillsUpMakesWayForTheNextOwnTableWithRoomBeforeANewOne() throws Exception {
    assertThat(place(roller(0, 1), 150)).containsExactly("Orders", "Orders_001");
    BitableClient client = client();
    String base = FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().tableId();
    client.batchDelete(base, FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().records().stream()
        .limit(30).map(r -> r.recordId()).toList());

    assertThat(place(roller(0, 1), 60)).containsExactly("Orders", "Orders_001");
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders_002")).isEmpty();
    assertThat(rows("Orders")).isEqualTo(100);
    assertThat(rows("Orders_001")).isEqualTo(80);
  }

  @Test
  void aTableOfMoreFieldsThanFeishuAllowsIsRefusedNamingTheColumnsToLeaveOut() throws Exception {
    List<FieldSpec> fields = new java.util.ArrayList<>(List.of(FieldSpec.text("ID")));
    for (int i = 1; i <= 300; i++) {
      fields.add(FieldSpec.text(String.format("C%03d", i)));
    }
    fields.add(FieldSpec.text("UPDATED_AT"));
    fields.add(FieldSpec.text("DELETED"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> roller(0, 1).assign(1, 1, 500, fields, t -> 0))
        .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
        .hasMessageContaining("cannot create table Orders: it would have 303 fields (the key and 302 columns)")
        .hasMessageContaining("at most 300").hasMessageContaining("leave out C300, UPDATED_AT, DELETED")
        .hasMessageContaining("oracle.columns").hasMessageContaining("1254105");
  }

  private static int rows(String table) {
    return FEISHU.emulator().table(APP_TOKEN, table).orElseThrow().rowCount();
  }
}
