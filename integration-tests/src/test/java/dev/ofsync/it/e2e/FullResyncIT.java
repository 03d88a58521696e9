package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.StatsSnapshot;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.it.ConnectRest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6: a full resync through the Connect REST API's offsets reset (KIP-875), as the README
 * tells users to run it: stop the source, {@code DELETE /connectors/orders-source/offsets}, resume.
 * While it was stopped, rows changed without their sync column moving (which polling cannot see):
 * the resync must find them. Every row is read again, but unchanged rows cost no write call at all;
 * changed rows are updated in place, keeping their record ids; a row soft-deleted meanwhile goes.
 */
class FullResyncIT {
  private static final int ROWS = 5_000;
  private static final int MAX_ROWS = 2_000;
  private static final String TOPIC = Pipeline.topic("ORDERS");
  private static Pipeline pipeline;

  @BeforeAll
  static void start() {
    pipeline = Pipeline.start("resync", 2, EmulatorSettings.fast());
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  @Test
  void aFullResyncWritesOnlyWhatChangedAndUpdatesItInPlace() throws Exception {
    OrdersTable.create(pipeline.db(), "ORDERS", ROWS);
    pipeline.deploy("orders-source", pipeline.sourceConfig("ORDERS"));
    pipeline.deploy("orders-sink", pipeline.sinkConfig(TOPIC, "Orders", MAX_ROWS));
    Expectation expected = OrdersTable.expect("ORDERS", "Orders", MAX_ROWS);
    pipeline.awaitBitableEqualsTable(expected, Duration.ofMinutes(2));
    awaitSinkCommittedEverything();
    Map<String, String> recordIdsBefore = recordIds();
    long recordsBefore = topicRecords();

    ConnectRest rest = pipeline.rest();
    assertThat(rest.put("connectors/orders-source/stop", Map.of()).status()).isBetween(200, 299);
    pipeline.connect().assertions().assertConnectorIsStopped("orders-source", "the source did not stop");
    // changed behind the sync column's back: an incremental poll would never see these
    pipeline.db().execute("UPDATE ORDERS SET CUSTOMER = 'renamed while stopped', AMOUNT = 1.01 WHERE ID IN (7, 4321)",
        "UPDATE ORDERS SET DELETED = 1 WHERE ID = 99");
    pipeline.feishu().resetStats();

    ConnectRest.Answer reset = rest.delete("connectors/orders-source/offsets");
    assertThat(reset.status()).as(reset.body()).isEqualTo(200);
    assertThat(rest.put("connectors/orders-source/resume", Map.of()).status()).isBetween(200, 299);
    pipeline.connect().assertions().assertConnectorAndExactlyNumTasksAreRunning("orders-source", 1,
        "the source did not resume");

    await().atMost(Duration.ofMinutes(1)).until(() -> topicRecords() >= recordsBefore + ROWS);
    pipeline.awaitBitableEqualsTable(expected, Duration.ofMinutes(2));
    awaitSinkCommittedEverything();

    StatsSnapshot stats = pipeline.feishu().stats();
    pipeline.printFigures("full resync", "rowsReadAgain", topicRecords() - recordsBefore);
    assertThat(stats.calls("POST records/batch_create")).as("rows created").isZero();
    assertThat(stats.calls("POST records/batch_update")).as("update calls for the two changed rows").isBetween(1L, 2L);
    assertThat(stats.calls("POST records/batch_delete")).as("delete calls for the soft-deleted row").isEqualTo(1);
    Map<String, String> recordIdsAfter = recordIds();
    assertThat(recordIdsAfter).as("every row kept its record id").hasSize(ROWS - 1)
        .containsEntry("7", recordIdsBefore.get("7")).containsEntry("4321", recordIdsBefore.get("4321"));
    recordIdsBefore.remove("99");
    assertThat(recordIdsAfter).isEqualTo(recordIdsBefore);
  }

  /** Key to record id, across the Bitable's tables. */
  private static Map<String, String> recordIds() {
    Map<String, String> out = new HashMap<>();
    for (TableSnapshot t : BitableComparison.ours(pipeline.feishu().tables(Pipeline.APP_TOKEN), "Orders")) {
      t.records().forEach(r -> out.put(String.valueOf(r.fields().get(OrdersTable.KEY)), r.recordId()));
    }
    return out;
  }

  /** Records in the source's topic, all partitions. */
  private static long topicRecords() throws Exception {
    long n = 0;
    for (int p = 0; p < 2; p++) {
      n += pipeline.connect().kafka().endOffset(new TopicPartition(TOPIC, p));
    }
    return n;
  }

  /** Until the sink's committed offsets (what is in Feishu) reach the end of the topic. */
  private static void awaitSinkCommittedEverything() {
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      List<ConnectorOffset> offsets = pipeline.connect().connectorOffsets("orders-sink").offsets();
      long committed = offsets.stream().mapToLong(o -> ((Number) o.offset().get("kafka_offset")).longValue()).sum();
      assertThat(committed).isEqualTo(topicRecords());
    });
  }
}
