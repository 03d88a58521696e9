package dev.ofsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.Client;
import com.lark.oapi.core.exception.ObtainAccessTokenException;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordResp;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableResp;
import dev.ofsync.emulator.support.AdminClient;
import dev.ofsync.emulator.support.AdminClient.Answer;
import dev.ofsync.emulator.support.SdkCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API under /_emulator/, driven over HTTP the way a script or a person would, checked through the SDK. */
class AdminApiTest {
  private static final String APP_ID = "cli_admin";
  private static final String SECRET = "admin-secret";
  private static final String BASE = "bascnAdmin0001";

  private FeishuEmulator emulator;
  private AdminClient admin;
  private Client sdk;
  private String baseTableId;

  @BeforeEach
  void start() {
    emulator = FeishuEmulator.builder()
        .settings(EmulatorSettings.fast())
        .app(APP_ID, SECRET)
        .base(BASE, "DataSync", APP_ID)
        .start();
    admin = new AdminClient(emulator.url());
    sdk = SdkCalls.client(emulator.url(), APP_ID, SECRET);
    baseTableId = emulator.tables(BASE).get(0).tableId();
  }

  @AfterEach
  void stop() {
    if (emulator != null) {
      emulator.close();
    }
  }

  private BatchCreateAppTableRecordResp write(Client client, String appToken, String tableId, String... texts)
      throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String t : texts) {
      rows.add(Map.of("Text", t));
    }
    return SdkCalls.batchCreate(client, appToken, tableId, rows);
  }

  private static List<String> texts(JsonNode dump, int table) {
    List<String> out = new ArrayList<>();
    dump.path("tables").path(table).path("records").forEach(r -> out.add(r.path("fields").path("Text").asText()));
    return out;
  }

  @Test
  void statsCountCallsAnswersPeaksConflictsAndRows() throws Exception {
    assertThat(write(sdk, BASE, baseTableId, "a", "b").success()).isTrue();
    ListAppTableResp listed = sdk.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(BASE).build());
    assertThat(listed.success()).isTrue();
    assertThat(write(sdk, BASE, "tblDoesNotExist01", "x").getCode()).isEqualTo(1254041);

    // A write conflict: one write held inside the table for a while, a second one arriving meanwhile.
    emulator.settings().latency(CallClass.RECORD_WRITE, new Latency(1_500, 0, 0));
    CompletableFuture<BatchCreateAppTableRecordResp> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return write(sdk, BASE, baseTableId, "slow");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> emulator.stats().calls("POST records/batch_create") == 3);
    BatchCreateAppTableRecordResp conflicting = write(sdk, BASE, baseTableId, "conflicting");
    assertThat(conflicting.getCode()).isEqualTo(1254291);
    assertThat(slow.get().success()).isTrue();
    emulator.settings().latency(CallClass.RECORD_WRITE, Latency.NONE);

    Answer stats = admin.get("stats");
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.contentType()).startsWith("application/json");
    JsonNode s = stats.json();
    assertThat(s.path("callsByEndpoint").path("POST tenant_access_token").asLong()).isEqualTo(1);
    assertThat(s.path("callsByEndpoint").path("POST records/batch_create").asLong()).isEqualTo(4);
    assertThat(s.path("callsByEndpoint").path("GET tables").asLong()).isEqualTo(1);
    assertThat(s.path("answersByCode").path("0").asLong()).isEqualTo(4); // token, write, list, slow write
    assertThat(s.path("answersByCode").path("1254041").asLong()).isEqualTo(1);
    assertThat(s.path("answersByCode").path("1254291").asLong()).isEqualTo(1);
    assertThat(s.path("peakCallsPerSecond").path("record_write").asInt()).isBetween(1, 4);
    assertThat(s.path("peakCallsPerSecond").path("read").asInt()).isEqualTo(1);
    assertThat(s.path("writeConflicts").asLong()).isEqualTo(1);
    assertThat(s.path("rowsPerTable").path(BASE + "/DataSync").asInt()).isEqualTo(3);

    Answer reset = admin.post("stats/reset");
    assertThat(reset.status()).isEqualTo(200);
    JsonNode after = admin.get("stats").json();
    assertThat(after.path("callsByEndpoint").size()).isZero();
    assertThat(after.path("writeConflicts").asLong()).isZero();
    assertThat(after.path("rowsPerTable").path(BASE + "/DataSync").asInt()).as("data stays").isEqualTo(3);
  }

  @Test
  void aScriptedFaultHitsTheNextMatchingCallsThenStops() throws Exception {
    Answer posted = admin.post("faults",
        "{\"script\":[{\"kind\":\"code\",\"code\":1254290,\"on\":\"record_write\",\"times\":2}]}");
    assertThat(posted.status()).isEqualTo(200);
    assertThat(posted.json().path("script")).hasSize(1);
    assertThat(admin.get("faults").json().path("script")).hasSize(1);

    // A read does not match the rule and is not hit.
    assertThat(sdk.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(BASE).build()).success())
        .isTrue();
    BatchCreateAppTableRecordResp first = write(sdk, BASE, baseTableId, "one");
    BatchCreateAppTableRecordResp second = write(sdk, BASE, baseTableId, "two");
    BatchCreateAppTableRecordResp third = write(sdk, BASE, baseTableId, "three");
    assertThat(first.getCode()).isEqualTo(1254290);
    assertThat(second.getCode()).isEqualTo(1254290);
    assertThat(third.success()).as("%s %s", third.getCode(), third.getMsg()).isTrue();

    assertThat(texts(admin.get("bases/" + BASE).json(), 0)).as("faulted calls write nothing").containsExactly("three");
    assertThat(admin.get("faults").json().path("script")).isEmpty();
    assertThat(admin.get("stats").json().path("faultsInjected").path("code").asLong()).isEqualTo(2);
  }

  @Test
  void deletingTheFaultsClearsAPendingScript() throws Exception {
    assertThat(write(sdk, BASE, baseTableId, "before").success()).isTrue();
    Answer posted = admin.post("faults", "{\"script\":[{\"kind\":\"code\",\"code\":1255001,\"on\":\"record_write\","
        + "\"times\":5}],\"random\":[{\"kind\":\"http_error\",\"status\":503,\"on\":\"record_write\","
        + "\"probability\":1.0}],\"seed\":7}");
    assertThat(posted.json().path("script")).hasSize(1);
    assertThat(posted.json().path("random")).hasSize(1);
    assertThat(write(sdk, BASE, baseTableId, "refused").getCode()).isEqualTo(1255001);

    Answer cleared = admin.delete("faults");
    assertThat(cleared.status()).isEqualTo(200);
    assertThat(cleared.json().path("cleared").asText()).isEqualTo("faults");
    JsonNode faults = admin.get("faults").json();
    assertThat(faults.path("script")).isEmpty();
    assertThat(faults.path("random")).isEmpty();

    BatchCreateAppTableRecordResp ok = write(sdk, BASE, baseTableId, "accepted");
    assertThat(ok.success()).as("%s %s", ok.getCode(), ok.getMsg()).isTrue();
    assertThat(texts(admin.get("bases/" + BASE).json(), 0)).containsExactly("before", "accepted");
  }

  @Test
  void aFaultOfAnUnknownKindIsRefusedWithItsReason() {
    Answer refused = admin.post("faults", "{\"script\":[{\"kind\":\"explode\"}]}");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().path("error").asText()).contains("explode", "http_error", "drop_after_commit");
    assertThat(admin.get("faults").json().path("script")).isEmpty();
  }

  @Test
  void expiringTokensMakesTheNextCallWithACachedTokenAnswer99991663() throws Exception {
    assertThat(write(sdk, BASE, baseTableId, "before").success()).isTrue();

    Answer expired = admin.post("tokens/expire");
    assertThat(expired.status()).isEqualTo(200);

    BatchCreateAppTableRecordResp refused = write(sdk, BASE, baseTableId, "with the old token");
    assertThat(refused.getCode()).isEqualTo(99991663);
    // A client that fetches a new token goes on.
    assertThat(write(SdkCalls.client(emulator.url(), APP_ID, SECRET), BASE, baseTableId, "after").success()).isTrue();
    assertThat(texts(admin.get("bases/" + BASE).json(), 0)).containsExactly("before", "after");
  }

  @Test
  void anAppAndABaseAddedOverHttpCanBeUsedThroughTheSdk() throws Exception {
    Answer app = admin.post("apps", "{\"app_id\":\"cli_added\",\"app_secret\":\"added-secret\"}");
    assertThat(app.status()).isEqualTo(200);
    assertThat(app.json().path("app_id").asText()).isEqualTo("cli_added");

    Answer base = admin.post("bases", "{\"app_token\":\"bascnAdded0001\",\"name\":\"Added\","
        + "\"app_ids\":[\"cli_added\"],\"base_table_name\":\"Orders\"}");
    assertThat(base.status()).isEqualTo(200);
    assertThat(base.json().path("app_token").asText()).isEqualTo("bascnAdded0001");
    String tableId = base.json().path("base_table_id").asText();
    assertThat(tableId).startsWith("tbl");
    assertThat(StreamSupport.stream(admin.get("bases").json().path("app_tokens").spliterator(), false)
        .map(JsonNode::asText)).contains(BASE, "bascnAdded0001");

    Client added = SdkCalls.client(emulator.url(), "cli_added", "added-secret");
    ListAppTableResp tables = added.bitable().v1().appTable()
        .list(ListAppTableReq.newBuilder().appToken("bascnAdded0001").build());
    assertThat(tables.success()).isTrue();
    assertThat(tables.getData().getItems()).singleElement()
        .satisfies(t -> assertThat(t.getName()).isEqualTo("Orders"))
        .satisfies(t -> assertThat(t.getTableId()).isEqualTo(tableId));
    BatchCreateAppTableRecordResp written = write(added, "bascnAdded0001", tableId, "order 1", "order 2");
    assertThat(written.success()).as("%s %s", written.getCode(), written.getMsg()).isTrue();
    assertThat(texts(admin.get("bases/bascnAdded0001").json(), 0)).containsExactly("order 1", "order 2");

    // The base is the new app's only: the first app is not a collaborator.
    assertThat(write(sdk, "bascnAdded0001", tableId, "intruder").getCode()).isEqualTo(1254302);
  }

  @Test
  void aBaseWithoutANameOrTokenGetsDefaults() {
    Answer base = admin.post("bases", "{\"app_ids\":[\"" + APP_ID + "\"]}");
    assertThat(base.status()).isEqualTo(200);
    String token = base.json().path("app_token").asText();
    assertThat(token).matches("[A-Za-z0-9_-]{8,64}");
    assertThat(emulator.tables(token)).extracting(TableSnapshot::name).containsExactly("Table1");
  }

  @Test
  void resetEmptiesTheDataAndForgetsAddedAppsAndBases() throws Exception {
    admin.post("apps", "{\"app_id\":\"cli_added\",\"app_secret\":\"added-secret\"}");
    admin.post("bases", "{\"app_token\":\"bascnAdded0001\",\"app_ids\":[\"cli_added\"]}");
    assertThat(write(sdk, BASE, baseTableId, "gone soon").success()).isTrue();
    assertThat(texts(admin.get("bases/" + BASE).json(), 0)).containsExactly("gone soon");

    Answer reset = admin.post("reset");
    assertThat(reset.status()).isEqualTo(200);
    assertThat(reset.json().path("reset").asText()).isEqualTo("all");

    JsonNode dump = admin.get("bases/" + BASE).json();
    assertThat(dump.path("tables")).hasSize(1);
    assertThat(dump.path("tables").path(0).path("name").asText()).isEqualTo("DataSync");
    assertThat(dump.path("tables").path(0).path("records")).isEmpty();
    assertThat(admin.get("bases").json().path("app_tokens")).hasSize(1);
    assertThat(admin.get("stats").json().path("callsByEndpoint").size()).isZero();

    // Tokens are gone too: the old client is refused, a new one of a declared app works, an added app is unknown.
    assertThat(write(sdk, BASE, baseTableId, "old token").getCode()).isEqualTo(99991663);
    String newTableId = dump.path("tables").path(0).path("tableId").asText();
    assertThat(write(SdkCalls.client(emulator.url(), APP_ID, SECRET), BASE, newTableId, "fresh").success()).isTrue();
    Client added = SdkCalls.client(emulator.url(), "cli_added", "added-secret");
    assertThatThrownBy(() -> write(added, BASE, newTableId, "x"))
        .isInstanceOf(ObtainAccessTokenException.class)
        .hasMessageContaining("code:10014").hasMessageContaining("app id not exists");
  }

  @Test
  void aBaseDumpWithRecordsFalseLeavesTheRecordsOut() throws Exception {
    assertThat(write(sdk, BASE, baseTableId, "r1", "r2").success()).isTrue();

    JsonNode full = admin.get("bases/" + BASE).json();
    assertThat(full.path("app_token").asText()).isEqualTo(BASE);
    assertThat(full.path("tables").path(0).path("records")).hasSize(2);

    Answer light = admin.get("bases/" + BASE + "?records=false");
    assertThat(light.status()).isEqualTo(200);
    JsonNode table = light.json().path("tables").path(0);
    assertThat(table.path("tableId").asText()).isEqualTo(baseTableId);
    assertThat(table.path("name").asText()).isEqualTo("DataSync");
    assertThat(table.path("fields")).hasSize(1);
    assertThat(table.path("records")).isEmpty();
  }

  @Test
  void anUnknownAdminPathAnswers404WithJson() {
    Answer unknown = admin.get("no/such/thing");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).startsWith("application/json");
    assertThat(unknown.json().path("error").asText()).contains("GET /_emulator/no/such/thing");

    Answer wrongMethod = admin.delete("stats");
    assertThat(wrongMethod.status()).isEqualTo(404);
    assertThat(wrongMethod.json().path("error").asText()).contains("DELETE /_emulator/stats");
  }
}
