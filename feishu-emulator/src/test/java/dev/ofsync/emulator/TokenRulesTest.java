package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.lark.oapi.Client;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableResp;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenRulesTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET)
      .app("cli_no_scope", "s2", Set.of("im:message"))
      .app("cli_stranger", "s3")
      .base(APP_TOKEN, "DataSync", APP_ID, "cli_no_scope");

  private static ListAppTableResp listTables(Client client, RequestOptions options) throws Exception {
    ListAppTableReq req = ListAppTableReq.newBuilder().appToken(APP_TOKEN).build();
    return options == null ? client.bitable().v1().appTable().list(req)
        : client.bitable().v1().appTable().list(req, options);
  }

  @Test
  void rightCredentialsGetATokenAndServeCalls() throws Exception {
    ListAppTableResp resp = listTables(Sdk.client(FEISHU.emulator()), null);

    assertThat(resp.success()).as(resp.getMsg()).isTrue();
    assertThat(resp.getData().getItems()).extracting(t -> t.getName()).containsExactly("DataSync");
    assertThat(resp.getRequestId()).isNotBlank();
  }

  @Test
  void wrongSecretIsRefusedWith10014AppSecretInvalid() {
    Client client = Sdk.client(FEISHU.emulator(), APP_ID, "not-the-secret");

    assertThatThrownBy(() -> listTables(client, null)).hasMessageContaining("10014").hasMessageContaining("app secret invalid");
  }

  @Test
  void unknownAppIdIsRefusedWithTheSameCodeAndAppIdNotExists() {
    Client client = Sdk.client(FEISHU.emulator(), "cli_nobody", APP_SECRET);

    assertThatThrownBy(() -> listTables(client, null)).hasMessageContaining("10014").hasMessageContaining("app id not exists");
  }

  @Test
  void callWithoutTokenGets99991661() throws Exception {
    // The SDK never sends a call without a token, so this one is made by hand.
    HttpResponse<String> resp = new RawHttp(FEISHU.emulator())
        .send("GET", "/open-apis/bitable/v1/apps/" + APP_TOKEN + "/tables", null, null, null);

    JsonNode body = RawHttp.json(resp.body());
    assertThat(body.path("code").asInt()).isEqualTo(99991661);
    assertThat(resp.headers().firstValue("X-Tt-Logid")).isPresent();
  }

  @Test
  void unknownTokenGets99991663() throws Exception {
    Client client = Client.newBuilder(APP_ID, APP_SECRET).openBaseUrl(FEISHU.url()).disableTokenCache().build();

    ListAppTableResp resp = listTables(client, RequestOptions.newBuilder().tenantAccessToken("t-forged").build());

    assertThat(resp.getCode()).isEqualTo(99991663);
  }

  @Test
  void expiredTokensGet99991663AndANewTokenWorks() throws Exception {
    Client client = Sdk.client(FEISHU.emulator());
    assertThat(listTables(client, null).success()).isTrue();

    FEISHU.emulator().expireTokens();

    // The SDK keeps its cached token, as the real one does: the caller must notice and refresh.
    assertThat(listTables(client, null).getCode()).isEqualTo(99991663);
    assertThat(listTables(Sdk.client(FEISHU.emulator()), null).success()).isTrue();
  }

  @Test
  void tokenLifetimeIsEnforced() throws Exception {
    FEISHU.emulator().settings().tokenLifetimeSeconds(1);
    String token = new RawHttp(FEISHU.emulator()).token(APP_ID, APP_SECRET);
    Client client = Client.newBuilder(APP_ID, APP_SECRET).openBaseUrl(FEISHU.url()).disableTokenCache()
        .requestTimeout(5, TimeUnit.SECONDS).build();
    RequestOptions withToken = RequestOptions.newBuilder().tenantAccessToken(token).build();

    assertThat(listTables(client, withToken).success()).isTrue();
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> listTables(client, withToken).getCode() == 99991663);
  }

  @Test
  void tokenAnswerCarriesTheConfiguredLifetime() throws Exception {
    FEISHU.emulator().settings().tokenLifetimeSeconds(600);

    JsonNode answer = RawHttp.json(new RawHttp(FEISHU.emulator()).send("POST",
        "/open-apis/auth/v3/tenant_access_token/internal",
        "{\"app_id\":\"" + APP_ID + "\",\"app_secret\":\"" + APP_SECRET + "\"}", "application/json", null).body());

    assertThat(answer.path("code").asInt()).isZero();
    assertThat(answer.path("expire").asLong()).isBetween(599L, 600L);
    assertThat(answer.path("tenant_access_token").asText()).startsWith("t-");
  }

  @Test
  void appWithoutBitableScopeGets99991672() throws Exception {
    ListAppTableResp resp = listTables(Sdk.client(FEISHU.emulator(), "cli_no_scope", "s2"), null);

    assertThat(resp.getCode()).isEqualTo(99991672);
    assertThat(resp.getMsg()).contains("bitable:app");
  }

  @Test
  void appThatIsNotACollaboratorOfTheBaseIsDenied() throws Exception {
    ListAppTableResp resp = listTables(Sdk.client(FEISHU.emulator(), "cli_stranger", "s3"), null);

    assertThat(resp.getCode()).isEqualTo(1254302);
  }
}
