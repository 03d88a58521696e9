package dev.ofsync.source;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The task's metrics, published through the worker (JMX: {@code kafka.connect:type=plugins,
 * connector=...,task=...}).
 * <ul>
 *   <li>{@code rows-read-total}: rows handed to the worker.</li>
 *   <li>{@code caught-up-to-ms}: every row committed in the database before this time (epoch ms)
 *       has been handed to the worker, for every table of the task; 0 until each has been read to
 *       its end once. A launcher that runs "until caught up" waits for it to pass its start time.</li>
 * </ul>
 */
final class SourceMetrics {
  final LongAdder rowsRead = new LongAdder();
  private volatile long caughtUpToMs;

  void register(PluginMetrics metrics) {
    if (metrics == null) {
      return;
    }
    gauge(metrics, "rows-read-total", "Rows read from the database and handed to the worker", rowsRead::sum);
    gauge(metrics, "caught-up-to-ms", "Every row committed before this time (epoch ms) has been handed to the "
        + "worker; 0 until every table was read to its end once", () -> caughtUpToMs);
  }

  /**
   * Published at the start of the next poll, not when the page is read: by then the worker has
   * handed the previous poll's records to its producer, so a reader of this value that then waits
   * for the producer to drain knows those rows are in Kafka.
   */
  void caughtUpTo(long epochMs) {
    caughtUpToMs = epochMs;
  }

  private static void gauge(PluginMetrics metrics, String name, String doc, LongSupplier value) {
    metrics.addMetric(metrics.metricName(name, doc, new LinkedHashMap<>()), (Gauge<Long>) (config, now) -> value.getAsLong());
  }
}
