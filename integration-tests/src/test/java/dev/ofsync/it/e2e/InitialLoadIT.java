package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.EmulatorSettings;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 1: the initial load of 100,000 rows into tables of 20,000, while the application keeps
 * inserting, changing and soft-deleting orders. Two workers, the source with one task, the sink with
 * two; the emulator answers at once but holds Feishu's quotas.
 */
class InitialLoadIT {
  private static final int ROWS = 100_000;
  private static final int MAX_ROWS = 20_000;
  private static Pipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = Pipeline.start("initial", 2, EmulatorSettings.fast());
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void aHundredThousandRowsArriveWhileTheTableKeepsChanging() throws Exception {
    OrdersTable.create(pipeline.db(), "ORDERS", ROWS);
    long started = System.nanoTime();
    pipeline.deploy("orders-source", pipeline.sourceConfig("ORDERS"));
    pipeline.deploy("orders-sink", pipeline.sinkConfig(Pipeline.topic("ORDERS"), "Orders", MAX_ROWS));

    ChangeStream.Counts changes;
    try (ChangeStream app = ChangeStream.start(pipeline.db(), "ORDERS", ROWS + 1, 1, Duration.ofMillis(20))) {
      // changes go on through the whole initial load, and a little beyond it
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
          .until(() -> pipeline.bitableRows("Orders") >= ROWS - app.counts().softDeletes());
      Duration load = Duration.ofNanos(System.nanoTime() - started);
      changes = app.stop();
      System.out.printf("[e2e figures] initial load: %d rows in the Bitable after %d s (noisy: 2 shared CPUs)%n",
          pipeline.bitableRows("Orders"), load.toSeconds());
    }
    assertThat(changes.total()).as("changes made during the load").isGreaterThan(500);
    assertThat(changes.softDeletes()).isPositive();

    BitableComparison.Result result = pipeline.awaitBitableEqualsTable(OrdersTable.expect("ORDERS", "Orders", MAX_ROWS),
        Duration.ofMinutes(3));
    pipeline.assertQuotasHeld();
    assertThat(result.rowsPerTable()).as("tables of at most 20,000 rows").hasSizeGreaterThanOrEqualTo(
        (result.expectedRows() + MAX_ROWS - 1) / MAX_ROWS);
    pipeline.printFigures("initial load", "rows", result.expectedRows(), "tables", result.rowsPerTable(),
        "inserts", changes.inserts(), "updates", changes.updates(), "softDeletes", changes.softDeletes(),
        "seconds", Duration.ofNanos(System.nanoTime() - started).toSeconds());
  }
}
