package dev.ofsync.sink;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.writer.SinkCounters;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The task's metrics, published through the worker (JMX: {@code kafka.connect:type=plugins,
 * connector=...,task=...}): rows by outcome, Feishu calls, 429s and retries, and table fill.
 */
final class SinkMetrics {
  private SinkMetrics() {}

  static void register(PluginMetrics metrics, SinkCounters rows, BitableClient.Counters calls, TableRoller roller) {
    if (metrics == null) {
      return;
    }
    total(metrics, "rows-created-total", "Rows created in Feishu", rows.created, rows.createdTotal);
    total(metrics, "rows-updated-total", "Rows updated in place", rows.updated, rows.updatedTotal);
    total(metrics, "rows-deleted-total", "Rows deleted", rows.deleted, rows.deletedTotal);
    total(metrics, "rows-unchanged-total", "Changes skipped because the row in Feishu already had those values",
        rows.unchanged, rows.unchangedTotal);
    total(metrics, "bad-records-total", "Records that could not be written (reported or failed the task)", rows.badRecords);
    total(metrics, "feishu-calls-total", "Calls made to the Feishu Open API", calls.calls);
    total(metrics, "feishu-rate-limited-total", "Calls Feishu refused with 429 (quota)", calls.rateLimited);
    total(metrics, "feishu-retries-total", "Calls retried after a passing failure", calls.retries);
    gauge(metrics, "tables", "Tables written and their row counts (once counted, after the task's partitions are assigned)",
        () -> roller.tables().stream().filter(t -> t.rows() >= 0)
            .map(t -> t.name() + "=" + t.rows()).collect(Collectors.joining(",")));
  }

  /** A running total: the sum of its counters (a counter of the current period and the total of past ones). */
  private static void total(PluginMetrics metrics, String name, String doc, LongAdder... counters) {
    metrics.addMetric(metrics.metricName(name, doc, new LinkedHashMap<>()), (Gauge<Long>) (config, now) -> {
      long sum = 0;
      for (LongAdder c : counters) {
        sum += c.sum();
      }
      return sum;
    });
  }

  private static void gauge(PluginMetrics metrics, String name, String doc, Supplier<String> value) {
    metrics.addMetric(metrics.metricName(name, doc, new LinkedHashMap<>()), (Gauge<String>) (config, now) -> value.get());
  }
}
