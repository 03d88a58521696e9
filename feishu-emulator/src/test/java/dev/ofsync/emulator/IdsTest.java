package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableField;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.DeleteAppTableReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableFieldReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import com.lark.oapi.service.bitable.v1.model.UpdateAppTableFieldReq;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdsTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());

  @Test
  void malformedAppTokenGets1254003AndUnknownOneGets1254040() throws Exception {
    assertThat(client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken("bad!").build()).getCode())
        .isEqualTo(1254003);
    assertThat(client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken("bascnNoSuchBase").build())
        .getCode()).isEqualTo(1254040);
  }

  @Test
  void malformedTableIdGets1254004AndUnknownOneGets1254041() throws Exception {
    assertThat(fields("nonsense").getCode()).isEqualTo(1254004);
    assertThat(fields("tblAAAAAAAAAAAAA").getCode()).isEqualTo(1254041);
    assertThat(Sdk.create(client, "tblAAAAAAAAAAAAA", List.of(Map.of("Text", "x"))).getCode()).isEqualTo(1254041);
  }

  @Test
  void malformedRecordIdGets1254006AndUnknownOneGets1254043() throws Exception {
    String table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    Sdk.create(client, table, List.of(Map.of("Text", "x")));

    assertThat(update(table, "42", Map.of("Text", "y"))).isEqualTo(1254006);
    assertThat(update(table, "recAAAAAAAAAAA", Map.of("Text", "y"))).isEqualTo(1254043);
    int deleteCode = client.bitable().v1().appTableRecord().batchDelete(BatchDeleteAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).batchDeleteAppTableRecordReqBody(
            BatchDeleteAppTableRecordReqBody.newBuilder().records(new String[] {"recAAAAAAAAAAA"}).build())
        .build()).getCode();
    assertThat(deleteCode).isEqualTo(1254043);
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).records()).extracting(r -> r.fields().get("Text"))
        .containsExactly("x");
  }

  @Test
  void unknownFieldIdGets1254044() throws Exception {
    String table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();

    int code = client.bitable().v1().appTableField().update(UpdateAppTableFieldReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).fieldId("fldNoSuchField")
        .appTableField(AppTableField.newBuilder().fieldName("X").type(1).build()).build()).getCode();

    assertThat(code).isEqualTo(1254044);
  }

  @Test
  void unknownFieldNameGets1254045AndNothingIsWritten() throws Exception {
    String table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();

    var resp = Sdk.create(client, table, List.of(Map.of("Text", "ok"), Map.of("Nope", "x")));

    assertThat(resp.getCode()).isEqualTo(1254045);
    assertThat(resp.getMsg()).contains("Nope");
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).rowCount()).isZero();
  }

  @Test
  void deletedTableIsGoneAndTheLastTableCannotBeDeleted() throws Exception {
    String baseTable = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    String extra = Sdk.table(client, "Extra", Sdk.field("K", 1));

    assertThat(deleteTable(extra)).isZero();
    assertThat(fields(extra).getCode()).isEqualTo(1254041);
    assertThat(deleteTable(baseTable)).isEqualTo(1254001);
  }

  @Test
  void renamingAFieldKeepsItsCells() throws Exception {
    String table = Sdk.table(client, "T", Sdk.field("K", 1), Sdk.field("Amount", 1));
    Sdk.create(client, table, List.of(Map.of("K", "a", "Amount", "12.5")));
    String fieldId = fields(table).getData().getItems()[1].getFieldId();

    var resp = client.bitable().v1().appTableField().update(UpdateAppTableFieldReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).fieldId(fieldId)
        .appTableField(AppTableField.newBuilder().fieldName("Total").type(2).build()).build());

    assertThat(resp.success()).as(resp.getMsg()).isTrue();
    assertThat(FEISHU.emulator().table(APP_TOKEN, "T").orElseThrow().records().get(0).fields())
        .containsEntry("Total", 12.5).doesNotContainKey("Amount");
  }

  private com.lark.oapi.service.bitable.v1.model.ListAppTableFieldResp fields(String table) throws Exception {
    return client.bitable().v1().appTableField().list(ListAppTableFieldReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).build());
  }

  private int deleteTable(String table) throws Exception {
    return client.bitable().v1().appTable().delete(DeleteAppTableReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).build()).getCode();
  }

  private int update(String table, String recordId, Map<String, Object> fields) throws Exception {
    return client.bitable().v1().appTableRecord().batchUpdate(BatchUpdateAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(table).batchUpdateAppTableRecordReqBody(
            BatchUpdateAppTableRecordReqBody.newBuilder().records(new AppTableRecord[] {
                AppTableRecord.newBuilder().recordId(recordId).fields(fields).build()}).build())
        .build()).getCode();
  }
}
