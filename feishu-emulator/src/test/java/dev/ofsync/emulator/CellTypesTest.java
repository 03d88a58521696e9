package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReqBody;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CellTypesTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());
  private String table;

  @BeforeEach
  void createTable() throws Exception {
    table = Sdk.table(client, "Typed", Sdk.field("ID", 1), Sdk.field("Amount", 2), Sdk.field("Ordered", 5),
        Sdk.field("Paid", 7), Sdk.field("Status", 3), Sdk.field("Tags", 4), Sdk.field("Phone", 13),
        Sdk.field("Site", 15));
  }

  private TableSnapshot typed() {
    return FEISHU.emulator().table(APP_TOKEN, "Typed").orElseThrow();
  }

  @Test
  void valuesOfTheRightTypeAreStoredAndReadBackAsFeishuAnswersThem() throws Exception {
    Map<String, Object> row = Map.of("ID", "1", "Amount", 12.5, "Ordered", 1_700_000_000_000L, "Paid", true,
        "Status", "open", "Tags", List.of("a", "b"), "Phone", "+86 138-0000-0000",
        "Site", Map.of("text", "home", "link", "https://example.com"));

    assertThat(Sdk.create(client, table, List.of(row)).success()).isTrue();

    Map<String, Object> stored = typed().records().get(0).fields();
    assertThat(stored).containsEntry("Amount", 12.5).containsEntry("Ordered", 1_700_000_000_000L)
        .containsEntry("Paid", true).containsEntry("Tags", List.of("a", "b"))
        .containsEntry("Site", Map.of("text", "home", "link", "https://example.com"));
    Map<String, Object> searched = Sdk.search(client, table, null, null, null).getData().getItems()[0].getFields();
    // search answers text as rich-text segments, and numbers through the SDK's Gson as doubles
    assertThat(searched.get("ID")).isEqualTo(List.of(Map.of("text", "1", "type", "text")));
    assertThat(searched.get("Amount")).isEqualTo(12.5);
    assertThat(((Number) searched.get("Ordered")).longValue()).isEqualTo(1_700_000_000_000L);
  }

  @ParameterizedTest(name = "{0} into {1} fails with {2}")
  @CsvSource(delimiter = '|', value = {
      "'\"12\"' | Amount | 1254061",
      "1.5 | Ordered | 1254064",
      "'\"2024-01-01\"' | Ordered | 1254064",
      "'\"yes\"' | Paid | 1254065",
      "42 | ID | 1254060",
      "7 | Status | 1254062",
      "'\"a\"' | Tags | 1254063",
      "'\"call me\"' | Phone | 1254072",
      "'\"https://x\"' | Site | 1254068"})
  void aValueThatDoesNotFitFailsTheWholeBatch(String json, String field, int code) throws Exception {
    Object value = new com.google.gson.Gson().fromJson(json, Object.class);
    if (value instanceof Double && json.indexOf('.') < 0) {
      value = ((Double) value).longValue();
    }

    Map<String, Object> bad = new java.util.HashMap<>(Map.of("ID", "bad"));
    bad.put(field, value);
    var resp = Sdk.create(client, table, List.of(Map.of("ID", "good"), bad));

    assertThat(resp.getCode()).isEqualTo(code);
    assertThat(resp.getMsg()).contains(field);
    assertThat(typed().rowCount()).as("nothing of the batch is written").isZero();
  }

  @Test
  void numbersAreKeptAsDoublesAsTheServiceDoes() throws Exception {
    Sdk.create(client, table, List.of(Map.of("ID", "big", "Amount", 9_007_199_254_740_993L)));

    assertThat(typed().records().get(0).fields().get("Amount")).isEqualTo(9.007199254740992E15);
  }

  @Test
  void loneSurrogatesAreReplacedAsUtf8StorageDoes() throws Exception {
    // The SDK's UTF-8 encoder already turns a lone surrogate into '?'; a client that sends the JSON
    // escape itself reaches the service's own replacement.
    RawHttp http = new RawHttp(FEISHU.emulator());
    var resp = http.send("POST", "/open-apis/bitable/v1/apps/" + APP_TOKEN + "/tables/" + table + "/records/batch_create",
        "{\"records\":[{\"fields\":{\"ID\":\"a\\ud800b\"}}]}", "application/json", http.token(APP_ID, APP_SECRET));

    assertThat(resp.body()).contains("\"code\":0");
    assertThat(typed().records().get(0).fields().get("ID")).isEqualTo("a\uFFFDb");
  }

  @Test
  void computedFieldsCannotBeWritten() throws Exception {
    String t = Sdk.table(client, "Auto", Sdk.field("ID", 1), Sdk.field("Created", 1001));

    var resp = Sdk.create(client, t, List.of(Map.of("ID", "1", "Created", 5L)));

    assertThat(resp.getCode()).isEqualTo(1254001);
    assertThat(resp.getMsg()).contains("Created");
  }

  @Test
  void anUpdateChangesOnlyTheFieldsItNames() throws Exception {
    String id = Sdk.create(client, table, List.of(Map.of("ID", "1", "Amount", 3, "Paid", false)))
        .getData().getRecords()[0].getRecordId();

    var resp = client.bitable().v1().appTableRecord().batchUpdate(BatchUpdateAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).batchUpdateAppTableRecordReqBody(
            BatchUpdateAppTableRecordReqBody.newBuilder().records(new AppTableRecord[] {
                AppTableRecord.newBuilder().recordId(id).fields(Map.of("Amount", 4)).build()}).build())
        .build());

    assertThat(resp.success()).isTrue();
    assertThat(typed().records().get(0).fields()).containsEntry("Amount", 4.0).containsEntry("Paid", false)
        .containsEntry("ID", "1");
  }

  @Test
  void strictCellTypesCanBeTurnedOff() throws Exception {
    FEISHU.emulator().settings().strictCellTypes(false);

    assertThat(Sdk.create(client, table, List.of(Map.of("ID", 42))).success()).isTrue();
    assertThat(typed().records().get(0).fields()).containsEntry("ID", "42");
  }
}
