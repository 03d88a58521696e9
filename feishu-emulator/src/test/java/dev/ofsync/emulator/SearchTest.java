package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.ChildrenFilter;
import com.lark.oapi.service.bitable.v1.model.Condition;
import com.lark.oapi.service.bitable.v1.model.FilterInfo;
import com.lark.oapi.service.bitable.v1.model.ListAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordReqBody;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SearchTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());
  private String table;

  /** 1,200 rows: ID "1".."1200", Amount = ID, Note only on every tenth row. */
  @BeforeEach
  void fill() throws Exception {
    table = Sdk.table(client, "Orders", Sdk.field("ID", 1), Sdk.field("Amount", 2), Sdk.field("Note", 1));
    for (int start = 1; start <= 1200; start += 600) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int i = start; i < start + 600; i++) {
        Map<String, Object> row = new HashMap<>(Map.of("ID", String.valueOf(i), "Amount", i));
        if (i % 10 == 0) {
          row.put("Note", "tenth");
        }
        rows.add(row);
      }
      assertThat(Sdk.create(client, table, rows).success()).isTrue();
    }
  }

  private static Condition cond(String field, String op, String... values) {
    return Condition.newBuilder().fieldName(field).operator(op).value(values).build();
  }

  private List<AppTableRecord> searchAll(SearchAppTableRecordReqBody body) throws Exception {
    List<AppTableRecord> all = new ArrayList<>();
    String pageToken = null;
    do {
      var data = Sdk.search(client, table, body, 500, pageToken).getData();
      all.addAll(List.of(data.getItems()));
      pageToken = data.getHasMore() ? data.getPageToken() : null;
    } while (pageToken != null);
    return all;
  }

  @Test
  void pagesThroughEveryRowOnceWithTotalAndHasMore() throws Exception {
    var first = Sdk.search(client, table, null, 500, null).getData();
    assertThat(first.getTotal()).isEqualTo(1200);
    assertThat(first.getHasMore()).isTrue();
    assertThat(first.getItems()).hasSize(500);

    List<AppTableRecord> all = searchAll(null);

    Set<String> ids = new HashSet<>();
    all.forEach(r -> ids.add(r.getRecordId()));
    assertThat(all).hasSize(1200);
    assertThat(ids).hasSize(1200);
  }

  @Test
  void statsCountTheRecordsReadBack() throws Exception {
    FEISHU.emulator().resetStats();
    Sdk.search(client, table, null, 1, null);
    searchAll(null);

    StatsSnapshot stats = FEISHU.emulator().stats();
    assertThat(stats.recordsReadByEndpoint()).containsEntry("POST records/search", 1201L);
    assertThat(stats.recordsRead()).isEqualTo(1201);
    assertThat(stats.calls("POST records/search")).isEqualTo(4);
  }

  @Test
  void filterIsFindsOneRowByKey() throws Exception {
    var body = SearchAppTableRecordReqBody.newBuilder()
        .filter(FilterInfo.newBuilder().conjunction("and").conditions(new Condition[] {cond("ID", "is", "777")}).build())
        .build();

    var data = Sdk.search(client, table, body, 20, null).getData();

    assertThat(data.getTotal()).isEqualTo(1);
    assertThat(data.getItems()[0].getFields().get("Amount")).isEqualTo(777.0);
  }

  @Test
  void emptinessFiltersAndConjunctions() throws Exception {
    var notEmpty = SearchAppTableRecordReqBody.newBuilder().filter(FilterInfo.newBuilder().conjunction("and")
        .conditions(new Condition[] {cond("Note", "isNotEmpty")}).build()).build();
    var empty = SearchAppTableRecordReqBody.newBuilder().filter(FilterInfo.newBuilder().conjunction("and")
        .conditions(new Condition[] {cond("Note", "isEmpty")}).build()).build();
    var either = SearchAppTableRecordReqBody.newBuilder().filter(FilterInfo.newBuilder().conjunction("or")
        .conditions(new Condition[] {cond("ID", "is", "1"), cond("ID", "is", "2")}).build()).build();
    var nested = SearchAppTableRecordReqBody.newBuilder().filter(FilterInfo.newBuilder().conjunction("and")
        .children(new ChildrenFilter[] {
            ChildrenFilter.newBuilder().conjunction("or")
                .conditions(new Condition[] {cond("ID", "is", "10"), cond("ID", "is", "11")}).build(),
            ChildrenFilter.newBuilder().conjunction("and")
                .conditions(new Condition[] {cond("Note", "isNotEmpty")}).build()}).build()).build();

    assertThat(Sdk.search(client, table, notEmpty, 20, null).getData().getTotal()).isEqualTo(120);
    assertThat(Sdk.search(client, table, empty, 20, null).getData().getTotal()).isEqualTo(1080);
    assertThat(Sdk.search(client, table, either, 20, null).getData().getTotal()).isEqualTo(2);
    assertThat(Sdk.search(client, table, nested, 20, null).getData().getItems())
        .extracting(r -> r.getFields().get("Amount")).containsExactly(10.0);
  }

  @Test
  void fieldNamesLimitTheCellsAnswered() throws Exception {
    var body = SearchAppTableRecordReqBody.newBuilder().fieldNames(new String[] {"ID"}).build();

    Map<String, Object> fields = Sdk.search(client, table, body, 1, null).getData().getItems()[0].getFields();

    assertThat(fields).containsOnlyKeys("ID");
  }

  @Test
  void searchRefusesUnknownFieldsOperatorsAndPageSizes() throws Exception {
    var unknownField = SearchAppTableRecordReqBody.newBuilder().fieldNames(new String[] {"Nope"}).build();
    var unknownOp = SearchAppTableRecordReqBody.newBuilder().filter(FilterInfo.newBuilder().conjunction("and")
        .conditions(new Condition[] {cond("ID", "resembles", "1")}).build()).build();

    assertThat(Sdk.search(client, table, unknownField, 20, null).getCode()).isEqualTo(1254045);
    assertThat(Sdk.search(client, table, unknownOp, 20, null).getCode()).isEqualTo(1254018);
    assertThat(Sdk.search(client, table, null, 501, null).getCode()).isEqualTo(99992402);
    assertThat(Sdk.search(client, table, null, 20, "garbage").getCode()).isEqualTo(99992402);
  }

  @Test
  void listPagesWithPlainTextCells() throws Exception {
    var data = client.bitable().v1().appTableRecord().list(ListAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).pageSize(500).filter("CurrentValue.[ID]=\"5\"").build()).getData();

    assertThat(data.getTotal()).isEqualTo(1);
    assertThat(data.getItems()[0].getFields()).containsEntry("ID", "5");
  }
}
