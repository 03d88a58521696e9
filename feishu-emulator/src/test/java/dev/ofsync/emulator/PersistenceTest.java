package dev.ofsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableCreateHeader;
import com.lark.oapi.service.bitable.v1.model.AppTableFieldProperty;
import com.lark.oapi.service.bitable.v1.model.AppTableFieldPropertyOption;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordResp;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordResp;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableResp;
import dev.ofsync.emulator.support.SdkCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file keeps bases, tables, fields and records, with their ids, across a stop and a start. */
class PersistenceTest {
  private static final String APP_ID = "cli_persist";
  private static final String SECRET = "persist-secret";
  private static final String BASE = "bascnPersist0001";
  private static final String TABLE = "Persisted";
  private static final int RECORDS = 1_200;
  private static final long DAY_MS = 86_400_000L;
  private static final long FIRST_DUE = 1_704_067_200_000L; // 2024-01-01T00:00:00Z

  @TempDir
  Path tempDir;

  private final List<FeishuEmulator> started = new ArrayList<>();

  @AfterEach
  void stopEmulators() {
    started.forEach(FeishuEmulator::close);
  }

  private FeishuEmulator start(Path stateFile) {
    FeishuEmulator emulator = FeishuEmulator.builder()
        .settings(EmulatorSettings.fast().stateFile(stateFile))
        .app(APP_ID, SECRET)
        .base(BASE, "DataSync", APP_ID)
        .start();
    started.add(emulator);
    return emulator;
  }

  @Test
  void recordsOfEveryWrittenTypeSurviveARestartWithTheirIds() throws Exception {
    Path stateFile = tempDir.resolve("state.json");
    FeishuEmulator first = start(stateFile);
    Client sdk = SdkCalls.client(first.url(), APP_ID, SECRET);

    CreateAppTableResp created = SdkCalls.createTable(sdk, BASE, TABLE,
        field("Name", 1, null),
        field("Amount", 2, AppTableFieldProperty.newBuilder().formatter("0.00").build()),
        field("Due", 5, AppTableFieldProperty.newBuilder().dateFormatter("yyyy-MM-dd").build()),
        field("Done", 7, null),
        field("Tags", 4, AppTableFieldProperty.newBuilder().options(new AppTableFieldPropertyOption[] {
            option("red"), option("green"), option("blue")}).build()),
        field("Site", 15, null));
    assertThat(created.success()).as("create table: %s %s", created.getCode(), created.getMsg()).isTrue();
    String tableId = created.getData().getTableId();

    // 1,200 records in three calls of 400; the answers give the record ids in order.
    Map<String, Map<String, Object>> expected = new LinkedHashMap<>();
    for (int call = 0; call < 3; call++) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int i = call * 400; i < (call + 1) * 400; i++) {
        rows.add(row(i));
      }
      BatchCreateAppTableRecordResp resp = SdkCalls.batchCreate(sdk, BASE, tableId, rows);
      assertThat(resp.success()).as("batch_create %d: %s %s", call, resp.getCode(), resp.getMsg()).isTrue();
      AppTableRecord[] written = resp.getData().getRecords();
      assertThat(written).hasSize(rows.size());
      for (int k = 0; k < written.length; k++) {
        expected.put(written[k].getRecordId(), rows.get(k));
      }
    }
    assertThat(expected).hasSize(RECORDS);

    // One record is deleted just before the stop: it must not come back.
    String deletedId = new ArrayList<>(expected.keySet()).get(777);
    BatchDeleteAppTableRecordResp deleted = sdk.bitable().v1().appTableRecord().batchDelete(
        BatchDeleteAppTableRecordReq.newBuilder().appToken(BASE).tableId(tableId)
            .batchDeleteAppTableRecordReqBody(BatchDeleteAppTableRecordReqBody.newBuilder()
                .records(new String[] {deletedId}).build())
            .build());
    assertThat(deleted.success()).as("batch_delete: %s %s", deleted.getCode(), deleted.getMsg()).isTrue();
    expected.remove(deletedId);
    List<TableSnapshot.FieldInfo> fieldsBefore = first.table(BASE, TABLE).orElseThrow().fields();

    first.close();
    assertThat(stateFile).exists().isNotEmptyFile();

    FeishuEmulator second = start(stateFile);

    // What a user of the API sees: the same ids, in the same order, with the same values.
    Client sdkAfter = SdkCalls.client(second.url(), APP_ID, SECRET);
    List<AppTableRecord> found = SdkCalls.searchAll(sdkAfter, BASE, tableId);
    assertThat(found).extracting(AppTableRecord::getRecordId)
        .doesNotContain(deletedId)
        .containsExactlyElementsOf(expected.keySet());
    for (AppTableRecord r : found) {
      assertThat(fromSdk(r.getFields())).as("record %s as search answers it", r.getRecordId())
          .isEqualTo(expected.get(r.getRecordId()));
    }

    // What the emulator holds: the same table id, fields and records.
    TableSnapshot table = second.table(BASE, TABLE).orElseThrow();
    assertThat(table.tableId()).isEqualTo(tableId);
    assertThat(table.fields()).isEqualTo(fieldsBefore);
    assertThat(second.tables(BASE)).extracting(TableSnapshot::name).containsExactly("DataSync", TABLE);
    Map<String, Map<String, Object>> held = table.records().stream()
        .collect(Collectors.toMap(TableSnapshot.RecordInfo::recordId, TableSnapshot.RecordInfo::fields,
            (a, b) -> a, LinkedHashMap::new));
    assertThat(held.keySet()).containsExactlyElementsOf(expected.keySet());
    assertThat(held).isEqualTo(expected);
  }

  @Test
  void aRunningEmulatorSavesItsStateEverySaveInterval() throws Exception {
    Path stateFile = tempDir.resolve("nested/dir/state.json");
    FeishuEmulator emulator = FeishuEmulator.builder()
        .settings(EmulatorSettings.fast().stateFile(stateFile).saveIntervalMillis(100))
        .app(APP_ID, SECRET)
        .base(BASE, "DataSync", APP_ID)
        .start();
    started.add(emulator);
    String tableId = emulator.tables(BASE).get(0).tableId();
    Client sdk = SdkCalls.client(emulator.url(), APP_ID, SECRET);

    BatchCreateAppTableRecordResp resp = SdkCalls.batchCreate(sdk, BASE, tableId, List.of(Map.of("Text", "saved while running")));
    assertThat(resp.success()).as("%s %s", resp.getCode(), resp.getMsg()).isTrue();
    String recordId = resp.getData().getRecords()[0].getRecordId();

    // No stop: the saver alone must bring the record to the file.
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(stateFile).exists().content().contains(recordId, "saved while running"));
  }

  private static Map<String, Object> row(int i) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("Name", "item-" + i + (i % 3 == 0 ? " 数据同步 ✓" : ""));
    fields.put("Amount", i * 1.25 - 300.5);
    fields.put("Due", FIRST_DUE + i * DAY_MS + i);
    fields.put("Done", i % 2 == 0);
    if (i % 10 != 0) {
      List<String> tags = new ArrayList<>();
      if (i % 2 == 1) {
        tags.add("red");
      }
      if (i % 3 == 1) {
        tags.add("green");
      }
      tags.add("blue");
      fields.put("Tags", tags);
      fields.put("Site", Map.of("text", "page " + i, "link", "https://example.com/items/" + i));
    }
    return fields;
  }

  /** A record's fields as search answers them (text as segments, numbers as doubles) in the written form. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> fromSdk(Map<String, Object> fields) {
    Map<String, Object> out = new LinkedHashMap<>();
    fields.forEach((name, value) -> {
      switch (name) {
        case "Name":
          out.put(name, ((List<Map<String, Object>>) value).stream()
              .map(segment -> (String) segment.get("text")).collect(Collectors.joining()));
          break;
        case "Amount":
          out.put(name, ((Number) value).doubleValue());
          break;
        case "Due":
          out.put(name, ((Number) value).longValue());
          break;
        default:
          out.put(name, value);
      }
    });
    return out;
  }

  private static AppTableCreateHeader field(String name, int type, AppTableFieldProperty property) {
    AppTableCreateHeader.Builder b = AppTableCreateHeader.newBuilder().fieldName(name).type(type);
    if (property != null) {
      b.property(property);
    }
    return b.build();
  }

  private static AppTableFieldPropertyOption option(String name) {
    return AppTableFieldPropertyOption.newBuilder().name(name).build();
  }
}
