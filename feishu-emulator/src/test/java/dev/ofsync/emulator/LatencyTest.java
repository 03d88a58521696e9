package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LatencyTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  @Test
  void fastSettingsHaveNoLatencyAndRealisticOnesResembleTheService() {
    for (CallClass c : CallClass.values()) {
      assertThat(EmulatorSettings.fast().latency(c)).isEqualTo(Latency.NONE);
    }
    Latency write = EmulatorSettings.realistic().latency(CallClass.RECORD_WRITE);
    assertThat(write.baseMs() + write.perRecordMs() * 500).as("a 500-record write").isBetween(250.0, 450.0);
    assertThat(EmulatorSettings.realistic().latency(CallClass.READ).baseMs()).isPositive();
  }

  @Test
  void aCallTakesAtLeastItsClassesBaseDelayPlusItsPerRecordCost() throws Exception {
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(100, 0.5, 20));
    Client client = Sdk.client(FEISHU.emulator());
    String table = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(Map.of("Text", "r" + i));
    }
    client.bitable().v1().appTable().list(ListAppTableReq.newBuilder().appToken(APP_TOKEN).build());

    long start = System.nanoTime();
    assertThat(Sdk.create(client, table, rows).success()).isTrue();
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMs).as("100 ms + 200 x 0.5 ms").isGreaterThanOrEqualTo(200);
  }

  @Test
  void latencyParsesFromTheCommandLineForm() {
    assertThat(Latency.parse("120+0.4/r~80")).isEqualTo(new Latency(120, 0.4, 80));
    assertThat(Latency.parse("50")).isEqualTo(new Latency(50, 0, 0));
    assertThatThrownBy(() -> new Latency(-1, 0, 0)).hasMessageContaining(">= 0");
  }
}
