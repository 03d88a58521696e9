package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.StatsSnapshot;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3: Feishu misbehaves the whole time. Random faults on every class of call (write
 * conflicts, Bitable's own throttle, 5xx from the gateway, internal errors, dropped connections
 * before and after the work was done, answers slower than the sink's timeout), a storm of 429s in
 * the middle, tokens that live five seconds and are all revoked twice mid-run. Two sink tasks on two
 * workers share the quota. Nothing may be lost or doubled, and the emulator, counting every call on
 * arrival (refused ones too), must never see more than Feishu's quota in any one second.
 */
class FeishuFaultsIT {
  private static final int ROWS = 10_000;
  private static final int MAX_ROWS = 2_000;
  private static Pipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = Pipeline.start("faults", 2, EmulatorSettings.fast().tokenLifetimeSeconds(5));
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void faultsTokenExpiryAndA429StormLoseNothingDoubleNothingAndNeverBreakTheQuota() throws Exception {
    long seed = Long.getLong("e2e.seed", System.nanoTime());
    System.out.println("[e2e] FeishuFaultsIT seed " + seed + " (repeat with -De2e.seed=" + seed + ")");
    pipeline.feishu().faults().random(seed,
        FaultRule.code(1254291).on(CallClass.RECORD_WRITE).probability(0.05),  // write conflict
        FaultRule.code(1254290).on(CallClass.RECORD_WRITE).probability(0.03),  // Bitable's TooManyRequest
        FaultRule.code(1255001).probability(0.02),                             // internal error, any call
        FaultRule.code(1254607).on(CallClass.READ).probability(0.03),          // data not ready
        FaultRule.httpError(503).probability(0.02),                            // the gateway, any call
        FaultRule.httpError(502).on(CallClass.RECORD_WRITE).probability(0.02),
        FaultRule.drop().probability(0.02),                                    // connection closed, nothing done
        FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE).probability(0.03), // done, answer lost
        FaultRule.dropAfterCommit().on(CallClass.SCHEMA_WRITE).probability(0.1),
        FaultRule.slow(2_500).on(CallClass.RECORD_WRITE).probability(0.02));   // served after the sink gave up

    // each kind at least once, whatever the draws: the first record writes meet them in this order
    pipeline.feishu().faults().script(FaultRule.drop().on(CallClass.RECORD_WRITE).times(2),
        FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE).times(2),
        FaultRule.slow(2_500).on(CallClass.RECORD_WRITE),
        FaultRule.httpError(503).on(CallClass.RECORD_WRITE),
        FaultRule.code(1254291).on(CallClass.RECORD_WRITE).times(2));
    OrdersTable.create(pipeline.db(), "ORDERS", ROWS);
    pipeline.deploy("orders-source", pipeline.sourceConfig("ORDERS"));
    Map<String, String> sink = pipeline.sinkConfig(Pipeline.topic("ORDERS"), "Orders", MAX_ROWS);
    sink.put("feishu.request_timeout_ms", "1000"); // the slow answers (2.5 s) time out
    sink.put("feishu.retry_backoff_ms", "50");
    sink.put("sync.write_batch_size", "200");
    pipeline.deploy("orders-sink", sink);

    ChangeStream.Counts changes;
    try (ChangeStream app = ChangeStream.start(pipeline.db(), "ORDERS", ROWS + 1, seed, Duration.ofMillis(40))) {
      await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.bitableRows("Orders") >= ROWS / 3);
      pipeline.feishu().expireTokens();
      // a 429 storm: the next 40 record writes are refused as over the app's quota
      pipeline.feishu().faults().script(FaultRule.code(99991400).on(CallClass.RECORD_WRITE).times(40));
      await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.feishu().faults().pendingScript().isEmpty());
      await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.bitableRows("Orders") >= ROWS * 2 / 3);
      pipeline.feishu().expireTokens();
      await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.bitableRows("Orders") >= ROWS - app.counts().softDeletes());
      changes = app.stop();
    }

    BitableComparison.Result result = pipeline.awaitBitableEqualsTable(OrdersTable.expect("ORDERS", "Orders", MAX_ROWS),
        Duration.ofMinutes(3));
    pipeline.assertQuotasHeld();
    StatsSnapshot stats = pipeline.feishu().stats();
    pipeline.printFigures("Feishu faults", "seed", seed, "rows", result.expectedRows(), "tables", result.rowsPerTable(),
        "changes", changes);
    assertThat(stats.faultsInjected()).as("faults the emulator injected")
        .containsKeys("code", "http_error", "drop", "drop_after_commit", "slow");
    assertThat(stats.answers(99991400)).as("the 429 storm").isGreaterThanOrEqualTo(40);
    assertThat(stats.answers(99991663)).as("calls made with a revoked token, renewed and retried").isPositive();
    assertThat(stats.rateLimited()).as("calls Feishu refused for the quota (not injected)").isEmpty();
  }
}
