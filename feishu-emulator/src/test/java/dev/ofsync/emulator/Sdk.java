package dev.ofsync.emulator;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableCreateHeader;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordResp;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableReq;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableReqBody;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableResp;
import com.lark.oapi.service.bitable.v1.model.ReqTable;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordResp;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The official SDK pointed at an emulator, and the calls the tests make most. */
final class Sdk {
  static final String APP_ID = "cli_test_app";
  static final String APP_SECRET = "test-secret";
  static final String APP_TOKEN = "bascnTestBase0001";

  private Sdk() {}

  /**
   * A client with a token cache of its own: the SDK's default cache is one per JVM, keyed by app
   * id, and would hand a test a token that an earlier test's emulator reset has ended.
   */
  static Client client(FeishuEmulator emulator) {
    return client(emulator, APP_ID, APP_SECRET);
  }

  static Client client(FeishuEmulator emulator, String appId, String secret) {
    return dev.ofsync.emulator.support.SdkCalls.client(emulator.url(), appId, secret);
  }

  static AppTableCreateHeader field(String name, int type) {
    return AppTableCreateHeader.newBuilder().fieldName(name).type(type).build();
  }

  static CreateAppTableResp createTable(Client client, String name, AppTableCreateHeader... fields) throws Exception {
    return client.bitable().v1().appTable().create(CreateAppTableReq.newBuilder()
        .appToken(APP_TOKEN)
        .createAppTableReqBody(CreateAppTableReqBody.newBuilder()
            .table(ReqTable.newBuilder().name(name).fields(fields).build()).build())
        .build());
  }

  /** Creates a table and answers its id, failing the test if the emulator refuses. */
  static String table(Client client, String name, AppTableCreateHeader... fields) throws Exception {
    CreateAppTableResp resp = createTable(client, name, fields);
    if (!resp.success()) {
      throw new AssertionError("create table " + name + ": " + resp.getCode() + " " + resp.getMsg());
    }
    return resp.getData().getTableId();
  }

  static BatchCreateAppTableRecordResp create(Client client, String tableId, List<Map<String, Object>> rows)
      throws Exception {
    return create(client, tableId, rows, UUID.randomUUID().toString());
  }

  static BatchCreateAppTableRecordResp create(Client client, String tableId, List<Map<String, Object>> rows,
      String clientToken) throws Exception {
    AppTableRecord[] records = rows.stream()
        .map(r -> AppTableRecord.newBuilder().fields(r).build())
        .toArray(AppTableRecord[]::new);
    return client.bitable().v1().appTableRecord().batchCreate(BatchCreateAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(tableId).clientToken(clientToken)
        .batchCreateAppTableRecordReqBody(BatchCreateAppTableRecordReqBody.newBuilder().records(records).build())
        .build());
  }

  static SearchAppTableRecordResp search(Client client, String tableId, SearchAppTableRecordReqBody body,
      Integer pageSize, String pageToken) throws Exception {
    return client.bitable().v1().appTableRecord().search(SearchAppTableRecordReq.newBuilder()
        .appToken(APP_TOKEN).tableId(tableId).pageSize(pageSize).pageToken(pageToken)
        .searchAppTableRecordReqBody(body == null ? SearchAppTableRecordReqBody.newBuilder().build() : body)
        .build());
  }
}
