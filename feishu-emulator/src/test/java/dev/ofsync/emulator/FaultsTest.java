package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultsTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());
  private String table;

  @BeforeEach
  void warmUp() throws Exception {
    table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    // fetch the token first, so faults hit the calls under test
    client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build());
  }

  private int rows() {
    return FEISHU.emulator().tables(APP_TOKEN).get(0).rowCount();
  }

  private com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordResp write() throws Exception {
    return Sdk.create(client, table, List.of(Map.of("Text", "x")));
  }

  @ParameterizedTest(name = "code {0} answers HTTP {1}")
  @CsvSource({"1254290, 200", "1254607, 200", "1255001, 500", "99991403, 403"})
  void injectedCodesAreAnsweredAndNothingIsWritten(int code, int status) throws Exception {
    FEISHU.emulator().faults().script(FaultRule.code(code).on(CallClass.RECORD_WRITE));

    var failed = write();

    assertThat(failed.getCode()).isEqualTo(code);
    assertThat(failed.getRawResponse().getStatusCode()).isEqualTo(status);
    assertThat(rows()).isZero();
    assertThat(write().success()).as("the script is used up").isTrue();
  }

  @Test
  void anInjected429LooksLikeTheGatewaysWithItsResetHeader() throws Exception {
    FEISHU.emulator().faults().script(FaultRule.code(99991400).on(CallClass.RECORD_WRITE));

    var refused = write();

    assertThat(refused.getCode()).isEqualTo(99991400);
    assertThat(refused.getRawResponse().getStatusCode()).isEqualTo(429);
    assertThat(refused.getRawResponse().getHeaders()).hasEntrySatisfying("x-ogw-ratelimit-reset",
        v -> assertThat(v).containsExactly("1"));
    assertThat(rows()).isZero();
  }

  @Test
  void httpErrorsComeWithAGatewaysHtmlPageThatTheSdkCannotParse() {
    FEISHU.emulator().faults().script(FaultRule.httpError(503).on(CallClass.RECORD_WRITE));

    assertThatThrownBy(this::write).as("the SDK reads every body as JSON")
        .isInstanceOf(com.google.gson.JsonSyntaxException.class);
    assertThat(rows()).isZero();
    assertThat(FEISHU.emulator().stats().answersByHttpStatus()).containsEntry("503", 1L);
  }

  @Test
  void droppedConnectionsFailTheCallAndWriteNothing() {
    // OkHttp resends a call whose pooled connection died, so drop enough calls to exhaust that.
    FEISHU.emulator().faults().script(FaultRule.drop().on(CallClass.RECORD_WRITE).times(5));

    assertThatThrownBy(this::write).isInstanceOf(java.io.IOException.class);
    assertThat(rows()).isZero();
  }

  @Test
  void slowAnswersOutlastAClientTimeoutButStillWrite() throws Exception {
    Client impatient = Client.newBuilder(APP_ID, APP_SECRET).openBaseUrl(FEISHU.url())
        .tokenCache(new dev.ofsync.emulator.support.MemoryTokenCache()).requestTimeout(300, TimeUnit.MILLISECONDS).build();
    impatient.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build());
    FEISHU.emulator().faults().script(FaultRule.slow(1500).on(CallClass.RECORD_WRITE));

    assertThatThrownBy(() -> Sdk.create(impatient, table, List.of(Map.of("Text", "x"))))
        .as("the client's timeout").isInstanceOf(com.lark.oapi.core.exception.ClientTimeoutException.class);
    assertThat(rows()).as("not yet: the call is held").isZero();
    // the stats tell when the late call took effect
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
        .until(() -> FEISHU.emulator().stats().slowCallsCarriedOut() == 1);
    assertThat(rows()).isEqualTo(1);
  }

  @Test
  void scriptsHitOnlyTheirClassInOrder() throws Exception {
    FEISHU.emulator().faults().script(
        FaultRule.code(1254290).on(CallClass.RECORD_WRITE).times(2),
        FaultRule.code(1255001).on(CallClass.RECORD_WRITE));

    assertThat(client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build())
        .success()).as("a read passes").isTrue();
    assertThat(List.of(write().getCode(), write().getCode(), write().getCode(), write().getCode()))
        .containsExactly(1254290, 1254290, 1255001, 0);
  }

  @Test
  void randomFaultsHitTheirShareOfCalls() throws Exception {
    FEISHU.emulator().settings().rateLimitsEnabled(false);
    FEISHU.emulator().faults().random(42, FaultRule.code(1254290).on(CallClass.RECORD_WRITE).probability(0.3));

    int failed = 0;
    for (int i = 0; i < 200; i++) {
      if (write().getCode() == 1254290) {
        failed++;
      }
    }

    assertThat(failed).isBetween(35, 85);
    assertThat(rows()).isEqualTo(200 - failed);
    assertThat(FEISHU.emulator().stats().faultsInjected()).containsEntry("code", (long) failed);
  }
}
