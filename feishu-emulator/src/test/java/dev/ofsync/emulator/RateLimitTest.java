package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.lark.oapi.Client;
import com.lark.oapi.core.response.BaseResponse;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).app("cli_other", "s2")
      .base(APP_TOKEN, "DataSync", APP_ID, "cli_other");

  @Test
  void defaultsAreTheServicesQuotas() {
    EmulatorSettings s = EmulatorSettings.fast();
    assertThat(s.rateLimit(CallClass.RECORD_WRITE)).isEqualTo(50);
    assertThat(s.rateLimit(CallClass.READ)).isEqualTo(20);
    assertThat(s.rateLimit(CallClass.SCHEMA_WRITE)).isEqualTo(10);
    assertThat(s.rateLimitsEnabled()).isTrue();
  }

  @Test
  void recordWritesOverFiftyInOneSecondGet429WithResetHeaders() throws Exception {
    Client client = Sdk.client(FEISHU.emulator());
    String table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    List<BaseResponse<?>> answers = new ArrayList<>();
    List<long[]> spans = new ArrayList<>(); // each call's send and answer instants: its arrival lies between
    BaseResponse<?> refused = null;
    while (refused == null && answers.size() < 200) {
      long sent = System.nanoTime();
      BaseResponse<?> resp = Sdk.create(client, table, List.of(Map.of("Text", "row")));
      spans.add(new long[] {sent, System.nanoTime()});
      answers.add(resp);
      if (!resp.success()) {
        refused = resp;
      }
    }

    assertThat(refused).as("a call beyond the quota").isNotNull();
    assertThat(refused.getCode()).isEqualTo(99991400);
    assertThat(refused.getRawResponse().getStatusCode()).isEqualTo(429);
    assertThat(header(refused, "x-ogw-ratelimit-limit")).isEqualTo("50");
    assertThat(Integer.parseInt(header(refused, "x-ogw-ratelimit-reset"))).isBetween(1, 1);
    // exactly 50 calls got through in the second before the refused one arrived: whatever the
    // machine's speed, at most 50 surely arrived in it and at least 50 may have
    long[] last = spans.get(spans.size() - 1);
    List<long[]> accepted = spans.subList(0, spans.size() - 1);
    assertThat(accepted.stream().filter(c -> c[0] > last[1] - 1_000_000_000L).count()).isLessThanOrEqualTo(50);
    assertThat(accepted.stream().filter(c -> c[1] > last[0] - 1_000_000_000L).count()).isGreaterThanOrEqualTo(50);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "DataSync").orElseThrow().rowCount()).isEqualTo(answers.size() - 1);
  }

  @Test
  void readsAndSchemaWritesHaveTheirOwnQuotas() throws Exception {
    FEISHU.emulator().settings().rateLimit(CallClass.READ, 3).rateLimit(CallClass.SCHEMA_WRITE, 2);
    Client client = Sdk.client(FEISHU.emulator());

    List<Integer> reads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      reads.add(client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build()).getCode());
    }
    List<Integer> creates = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      creates.add(Sdk.createTable(client, "T" + i, Sdk.field("K", 1)).getCode());
    }

    assertThat(reads).containsExactly(0, 0, 0, 99991400);
    assertThat(creates).containsExactly(0, 0, 99991400);
    assertThat(FEISHU.emulator().stats().rateLimited()).containsEntry("read", 1L).containsEntry("schema_write", 1L);
  }

  @Test
  void quotasArePerAppAndRecoverWhenTheWindowPasses() throws Exception {
    FEISHU.emulator().settings().rateLimit(CallClass.READ, 2);
    Client first = Sdk.client(FEISHU.emulator());
    Client second = Sdk.client(FEISHU.emulator(), "cli_other", "s2");
    ListAppTableReq req = ListAppTableReq.newBuilder().appToken(APP_TOKEN).build();

    assertThat(first.bitable().v1().appTable().list(req).success()).isTrue();
    assertThat(first.bitable().v1().appTable().list(req).success()).isTrue();
    assertThat(first.bitable().v1().appTable().list(req).getCode()).isEqualTo(99991400);
    assertThat(second.bitable().v1().appTable().list(req).success()).as("another app's quota").isTrue();

    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(200))
        .until(() -> first.bitable().v1().appTable().list(req).success());
  }

  @Test
  void statsShowThePeakCallsInAnyOneSecondCountingRefusedCalls() throws Exception {
    FEISHU.emulator().settings().rateLimit(CallClass.READ, 5);
    Client client = Sdk.client(FEISHU.emulator());
    for (int i = 0; i < 8; i++) {
      client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build());
    }

    StatsSnapshot stats = FEISHU.emulator().stats();

    assertThat(stats.peak(CallClass.READ)).isEqualTo(8);
    assertThat(stats.answers(99991400)).isEqualTo(3);
    assertThat(stats.calls("GET tables")).isEqualTo(8);
  }

  @Test
  void quotasCanBeTurnedOff() throws Exception {
    FEISHU.emulator().settings().rateLimit(CallClass.READ, 1).rateLimitsEnabled(false);
    Client client = Sdk.client(FEISHU.emulator());

    for (int i = 0; i < 5; i++) {
      assertThat(client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build())
          .success()).isTrue();
    }
  }

  private static String header(BaseResponse<?> resp, String name) {
    return resp.getRawResponse().getHeaders().entrySet().stream()
        .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
        .map(e -> e.getValue().get(0)).findFirst().orElse(null);
  }
}
