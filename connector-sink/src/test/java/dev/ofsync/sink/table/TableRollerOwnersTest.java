package dev.ofsync.sink.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** Task {@code taskId} of {@code tasks}, recording the tables it creates in {@link #owners} as the index topic does. */
  private TableRoller roller(int taskId, int tasks) throws InterruptedException {
    return roller(taskId, tasks, true);
  }

  /** {@code recorded} false: no index topic, nothing survives a restart. */
  private TableRoller roller(int taskId, int tasks, boolean recorded) throws InterruptedException {
    TableRoller roller = new TableRoller(client(), "Orders", "", 100, 1, taskId, tasks);
    roller.onCreate(t -> owners.put(t.tableId(), taskId), recorded);
    roller.discover();
    roller.recount(tableId -> 0);
    return roller;
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
    task1.claim(owners);
    assertThat(place(task1, 50)).containsExactly("Orders_001");
    assertThat(place(task2, 80)).as("task 2's own table filled, then a new one; none of task 1's room taken")
        .containsExactly("Orders", "Orders_002");
    assertThat(FEISHU.emulator().tables(APP_TOKEN)).filteredOn(t -> t.name().startsWith("Orders"))
        .allSatisfy(t -> assertThat(t.rowCount()).as(t.name()).isLessThanOrEqualTo(100));
  }

  @Test
  void theBaseTableComesFirstWhicheverTaskNeedsATableFirst() throws Exception {
    assertThat(place(roller(1, 2), 10)).as("task 0 may have no rows at all").containsExactly("Orders");

    TableRoller task0 = roller(0, 2);
    task0.claim(owners);
    assertThat(place(task0, 10)).as("the base table is task 1's").containsExactly("Orders_001");
  }

  @Test
  void withSeveralTasksATableWithNoRecordedCreatorTakesNoMoreNewRows() throws Exception {
    assertThat(place(roller(1, 3, false), 40)).as("without a record, only task 0 starts the base table")
        .containsExactly("Orders_001");

    // seq 1 % 3 == 1, but task 1 cannot know whether another live task is filling that table
    TableRoller restarted = roller(1, 3, false);
    restarted.claim(Map.of());
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
    restarted.claim(owners);
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
