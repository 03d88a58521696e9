package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.EmulatorSettings;
import java.time.Duration;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4: the database becomes unreachable in the middle of the run (its listener stops, every
 * open session breaks), stays away while the application keeps writing to it, then comes back on
 * the same address. Nobody restarts anything: the source must notice, keep its task running, retry
 * with backoff and read on from the last row it handed over, so that nothing is lost or repeated.
 */
class DatabaseOutageIT {
  private static final int ROWS = 10_000;
  private static final int MAX_ROWS = 2_000;
  private static final Duration OUTAGE = Duration.ofSeconds(12);
  private static Pipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = Pipeline.start("outage", 2, EmulatorSettings.fast());
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void theDatabaseGoneForAWhileMidRunIsReadOnWhenItComesBack() throws Exception {
    OrdersTable.create(pipeline.db(), "ORDERS", ROWS);
    pipeline.deploy("orders-source", pipeline.sourceConfig("ORDERS"));
    pipeline.deploy("orders-sink", pipeline.sinkConfig(Pipeline.topic("ORDERS"), "Orders", MAX_ROWS));

    ChangeStream.Counts changes;
    try (ChangeStream app = ChangeStream.start(pipeline.db(), "ORDERS", ROWS + 1, 4, Duration.ofMillis(25))) {
      await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.bitableRows("Orders") >= ROWS / 2);

      pipeline.db().goAway();
      long newestBefore = app.nextId() - 1;
      // While it is away the application goes on writing (inside the database's own JVM); none of it
      // can reach Feishu, and the connectors keep running rather than fail.
      // (a few IDs of margin: an insert of the last instant before may have been read just before)
      await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).pollInterval(Duration.ofMillis(500)).until(() ->
          (app.nextId() - 1 <= newestBefore + 5 || !keyInBitable(app.nextId() - 1))
              && running("orders-source") && running("orders-sink"));
      long writtenWhileAway = app.nextId() - 1 - newestBefore;
      pipeline.db().comeBack();

      long newestWhileAway = app.nextId() - 1;
      await().atMost(Duration.ofMinutes(1)).until(() -> keyInBitable(newestWhileAway));
      changes = app.stop();
      assertThat(writtenWhileAway).as("orders inserted while the database was away").isPositive();
    }

    BitableComparison.Result result = pipeline.awaitBitableEqualsTable(OrdersTable.expect("ORDERS", "Orders", MAX_ROWS),
        Duration.ofMinutes(2));
    pipeline.assertQuotasHeld();
    pipeline.printFigures("database outage", "outage", OUTAGE, "rows", result.expectedRows(), "changes", changes);
  }

  /** Whether the Bitable holds a row for the key (inserted rows get rising IDs). */
  private static boolean keyInBitable(long id) {
    String key = String.valueOf(id);
    return BitableComparison.ours(pipeline.feishu().tables(Pipeline.APP_TOKEN), "Orders").stream()
        .flatMap(t -> t.records().stream()).anyMatch(r -> key.equals(r.fields().get(OrdersTable.KEY)));
  }

  private static boolean running(String connector) {
    ConnectorStateInfo status = pipeline.connect().connectorStatus(connector);
    return status.connector().state().equals("RUNNING")
        && status.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
  }
}
