package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A gateway's answer that is not JSON (a proxy's error page): its HTTP status still decides. */
class GatewayErrorPageTest {
  private static final String APP_ID = "cli_gateway";
  private static final String APP_SECRET = "gateway-secret";
  private static final String APP_TOKEN = "bascnGatewayTest1";

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  @Test
  void aBodyTooLargePageIsABatchToSplitNotAFailureToRetryForEver() throws Exception {
    BitableClient client = new BitableClient(FEISHU.url(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofSeconds(10),
        new RequestBudget(1000, 1), 3, 20);
    String table = client.createTable("Items", List.of(FieldSpec.text("ID"))).table().tableId();
    // a plain-text page with status 413, once: tried again unchanged, the same batch would just pass
    FEISHU.emulator().faults().script(FaultRule.httpError(413).on(CallClass.RECORD_WRITE));

    FeishuCallException e = catchThrowableOfType(FeishuCallException.class,
        () -> client.batchCreate(table, List.of(Map.of("ID", "1"), Map.of("ID", "2"))));

    assertThat(e).as("the 413 page is the failure, not a try later passing").isNotNull();
    assertThat(e.httpStatus()).isEqualTo(413);
    assertThat(e.failure()).as("split by the writer, a row alone over the limit reported").isEqualTo(Failure.BAD_RECORD);
    assertThat(e.getMessage()).contains("413");
  }
}
