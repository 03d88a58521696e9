package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableField;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableFieldReq;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableFieldResp;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LimitsTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());

  private static List<Map<String, Object>> rows(int n) {
    List<Map<String, Object>> rows = new ArrayList<>();
    IntStream.range(0, n).forEach(i -> rows.add(Map.of("K", "k" + i)));
    return rows;
  }

  @Test
  void pastTheMonthlyCallQuotaEveryCallIsRefusedWith99991403AndWritesNothing() throws Exception {
    FEISHU.emulator().settings().monthlyCallQuota(3);
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    assertThat(Sdk.create(client, table, rows(1)).success()).isTrue();
    assertThat(Sdk.create(client, table, rows(1)).success()).as("the third call").isTrue();

    var refused = Sdk.create(client, table, rows(1));

    assertThat(refused.getCode()).isEqualTo(99991403);
    assertThat(refused.getMsg()).contains("monthly");
    assertThat(FEISHU.emulator().stats().answersByHttpStatus()).containsEntry("403", 1L);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().rowCount()).isEqualTo(2);
    FEISHU.emulator().settings().monthlyCallQuota(0); // a plan with more calls
    assertThat(Sdk.create(client, table, rows(1)).success()).isTrue();
  }

  @Test
  void batchCreateTakesAtMostAThousandRecords() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));

    assertThat(Sdk.create(client, table, rows(1000)).success()).isTrue();
    assertThat(Sdk.create(client, table, rows(1001)).getCode()).isEqualTo(1254104);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().rowCount()).isEqualTo(1000);
  }

  @Test
  void anAnswerOfMoreThanAMegabyteComesWholeAndASmallOneWithItsLength() throws Exception {
    String table = Sdk.table(client, "Wide", Sdk.field("K", 1));
    List<Map<String, Object>> rows = new ArrayList<>();
    IntStream.range(0, 1000).forEach(i -> rows.add(Map.of("K", i + "-" + "x".repeat(1_500))));

    var big = Sdk.create(client, table, rows); // about 1.6 MB of answer: streamed in chunks
    RawHttp http = new RawHttp(FEISHU.emulator());
    var small = http.send("POST", "/open-apis/bitable/v1/apps/" + APP_TOKEN + "/tables/" + table
        + "/records/batch_create", "{\"records\":[{\"fields\":{\"K\":\"small\"}}]}", "application/json",
        http.token(APP_ID, APP_SECRET));

    assertThat(big.success()).as(big.getMsg()).isTrue();
    assertThat(big.getData().getRecords()).hasSize(1000)
        .extracting(r -> r.getFields().get("K")).containsExactlyElementsOf(rows.stream().map(r -> r.get("K")).toList());
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.headers().firstValueAsLong("Content-Length")).hasValue(small.body().getBytes(
        java.nio.charset.StandardCharsets.UTF_8).length);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Wide").orElseThrow().rowCount()).isEqualTo(1001);
  }

  @Test
  void batchDeleteTakesAtMostFiveHundredRecords() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    String[] ids = java.util.Arrays.stream(Sdk.create(client, table, rows(501)).getData().getRecords())
        .map(r -> r.getRecordId()).toArray(String[]::new);

    int code = client.bitable().v1().appTableRecord().batchDelete(BatchDeleteAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table)
        .batchDeleteAppTableRecordReqBody(BatchDeleteAppTableRecordReqBody.newBuilder().records(ids).build())
        .build()).getCode();

    assertThat(code).isEqualTo(1254104);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().rowCount()).isEqualTo(501);
  }

  @Test
  void aTableHoldsAtMostMaxRowsAndABatchThatWouldPassItWritesNothing() throws Exception {
    assertThat(EmulatorSettings.fast().maxRowsPerTable()).isEqualTo(20_000);
    FEISHU.emulator().settings().maxRowsPerTable(10);
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));

    assertThat(Sdk.create(client, table, rows(8)).success()).isTrue();
    var refused = Sdk.create(client, table, rows(3));

    assertThat(refused.getCode()).isEqualTo(1254103);
    assertThat(refused.getMsg()).contains("8 rows").contains("10");
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().rowCount()).isEqualTo(8);
    assertThat(Sdk.create(client, table, rows(2)).success()).isTrue();
  }

  @Test
  void aBaseHoldsAtMostAHundredTables() throws Exception {
    assertThat(EmulatorSettings.fast().maxTablesPerBase()).isEqualTo(100);
    FEISHU.emulator().settings().maxTablesPerBase(3).rateLimitsEnabled(false);

    assertThat(Sdk.createTable(client, "A", Sdk.field("K", 1)).success()).isTrue();
    assertThat(Sdk.createTable(client, "B", Sdk.field("K", 1)).success()).isTrue();
    assertThat(Sdk.createTable(client, "C", Sdk.field("K", 1)).getCode()).isEqualTo(1254100);
    assertThat(FEISHU.emulator().tables(APP_TOKEN)).extracting(TableSnapshot::name).containsExactly("DataSync", "A", "B");
  }

  @Test
  void aTableHoldsAtMostThreeHundredFields() throws Exception {
    assertThat(EmulatorSettings.fast().maxFieldsPerTable()).isEqualTo(300);
    FEISHU.emulator().settings().rateLimitsEnabled(false);
    var fields = IntStream.range(0, 301).mapToObj(i -> Sdk.field("F" + i, 1))
        .toArray(com.lark.oapi.service.bitable.v1.model.AppTableCreateHeader[]::new);
    assertThat(Sdk.createTable(client, "Wide", fields).getCode()).isEqualTo(1254105);

    String table = Sdk.table(client, "Wide", java.util.Arrays.copyOf(fields, 300));
    assertThat(addField(table, "One more", 1).getCode()).isEqualTo(1254105);
  }

  @Test
  void aTextCellHoldsAtMostAHundredThousandCharacters() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1), Sdk.field("Note", 1));
    String full = "x".repeat(100_000);

    assertThat(Sdk.create(client, table, List.of(Map.of("K", "a", "Note", full))).success()).isTrue();
    var refused = Sdk.create(client, table, List.of(Map.of("K", "b", "Note", full + "y")));

    assertThat(refused.getCode()).isEqualTo(1254130);
    assertThat(refused.getMsg()).contains("Note").contains("100001");
  }

  @Test
  void tableNamesMustBeShortUniqueAndFreeOfForbiddenCharacters() throws Exception {
    for (String bad : List.of("a/b", "a\\b", "why?", "a*b", "a:b", "[x]", "", "n".repeat(101))) {
      assertThat(Sdk.createTable(client, bad, Sdk.field("K", 1)).getCode()).as("name %s", bad).isEqualTo(1254001);
    }
    assertThat(Sdk.createTable(client, "n".repeat(100), Sdk.field("K", 1)).success()).isTrue();
    assertThat(Sdk.createTable(client, "DataSync", Sdk.field("K", 1)).getCode()).isEqualTo(1254013);
  }

  @Test
  void fieldNamesMustBeUnique() throws Exception {
    assertThat(Sdk.createTable(client, "T", Sdk.field("K", 1), Sdk.field("K", 2)).getCode()).isEqualTo(1254014);
    String table = Sdk.table(client, "T", Sdk.field("K", 1));
    assertThat(addField(table, "K", 2).getCode()).isEqualTo(1254014);
  }

  @Test
  void thePrimaryFieldMustBeOfATextLikeType() throws Exception {
    var refused = Sdk.createTable(client, "T", Sdk.field("Done", 7), Sdk.field("K", 1));
    assertThat(refused.getCode()).isEqualTo(1254001);
    assertThat(refused.getMsg()).contains("primary");

    for (int type : new int[] {1, 2, 5, 13, 15, 22}) {
      assertThat(Sdk.createTable(client, "T" + type, Sdk.field("P", type)).success()).as("type %d", type).isTrue();
    }
  }

  private CreateAppTableFieldResp addField(String table, String name, int type) throws Exception {
    return client.bitable().v1().appTableField().create(CreateAppTableFieldReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table)
        .appTableField(AppTableField.newBuilder().fieldName(name).type(type).build()).build());
  }
}
