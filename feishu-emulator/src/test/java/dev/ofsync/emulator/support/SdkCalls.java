package dev.ofsync.emulator.support;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The official Feishu SDK pointed at an emulator, and the few calls the tests make with it. */
public final class SdkCalls {
  private SdkCalls() {}

  /** A client of {@code appId} with its own token cache. */
  public static Client client(String baseUrl, String appId, String appSecret) {
    return Client.newBuilder(appId, appSecret)
        .openBaseUrl(baseUrl)
        .tokenCache(new MemoryTokenCache())
        .requestTimeout(10, TimeUnit.SECONDS)
        .build();
  }

  public static BatchCreateAppTableRecordResp batchCreate(Client client, String appToken, String tableId,
      List<Map<String, Object>> rows) throws Exception {
    AppTableRecord[] records = rows.stream()
        .map(fields -> AppTableRecord.newBuilder().fields(fields).build())
        .toArray(AppTableRecord[]::new);
    return client.bitable().v1().appTableRecord().batchCreate(BatchCreateAppTableRecordReq.newBuilder()
        .appToken(appToken)
        .tableId(tableId)
        .clientToken(UUID.randomUUID().toString())
        .batchCreateAppTableRecordReqBody(BatchCreateAppTableRecordReqBody.newBuilder().records(records).build())
        .build());
  }

  public static CreateAppTableResp createTable(Client client, String appToken, String name,
      AppTableCreateHeader... fields) throws Exception {
    return client.bitable().v1().appTable().create(CreateAppTableReq.newBuilder()
        .appToken(appToken)
        .createAppTableReqBody(CreateAppTableReqBody.newBuilder()
            .table(ReqTable.newBuilder().name(name).fields(fields).build())
            .build())
        .build());
  }

  /** Every record of a table, through search, page by page; fails on any answer but success. */
  public static List<AppTableRecord> searchAll(Client client, String appToken, String tableId) throws Exception {
    List<AppTableRecord> out = new ArrayList<>();
    String pageToken = null;
    do {
      SearchAppTableRecordResp resp = client.bitable().v1().appTableRecord().search(SearchAppTableRecordReq.newBuilder()
          .appToken(appToken)
          .tableId(tableId)
          .pageSize(500)
          .pageToken(pageToken)
          .searchAppTableRecordReqBody(SearchAppTableRecordReqBody.newBuilder().build())
          .build());
      if (!resp.success()) {
        throw new AssertionError("search answered code " + resp.getCode() + ": " + resp.getMsg());
      }
      AppTableRecord[] items = resp.getData().getItems();
      if (items != null) {
        out.addAll(List.of(items));
      }
      pageToken = Boolean.TRUE.equals(resp.getData().getHasMore()) ? resp.getData().getPageToken() : null;
    } while (pageToken != null);
    return out;
  }
}
