package dev.ofsync.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * Runs an {@link OracleSourceTask} the way a worker does: poll in a loop, and keep the offset
 * of the last record of each partition as the committed offset for the next start.
 */
final class TaskHarness implements AutoCloseable {
  /** Committed offsets by partition, shared across restarts like a worker's offset topic. */
  final Map<Map<String, ?>, Map<String, Object>> committed = new HashMap<>();
  final List<SourceRecord> records = new ArrayList<>();
  private OracleSourceTask task;

  void start(Map<String, String> props) {
    task = new OracleSourceTask();
    task.initialize(new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return props;
      }

      @Override
      public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null;
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
          @Override
          public <T> Map<String, Object> offset(Map<String, T> partition) {
            return committed.get(partition);
          }

          @Override
          public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
            Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
            for (Map<String, T> p : partitions) {
              out.put(p, committed.get(p));
            }
            return out;
          }
        };
      }
    });
    task.start(props);
  }

  /** One poll; its records are kept and their offsets committed. */
  List<SourceRecord> poll() throws InterruptedException {
    List<SourceRecord> batch = task.poll();
    if (batch == null) {
      return List.of();
    }
    keep(batch);
    return batch;
  }

  private void keep(List<SourceRecord> batch) {
    for (SourceRecord r : batch) {
      records.add(r);
      @SuppressWarnings("unchecked")
      Map<String, Object> offset = (Map<String, Object>) r.sourceOffset();
      committed.put(r.sourcePartition(), offset);
    }
  }

  /** Polls until {@code done} holds for all records so far, failing after the deadline. */
  List<SourceRecord> pollUntil(Predicate<List<SourceRecord>> done, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!done.test(records)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not done within " + deadline + "; " + records.size() + " records so far");
      }
      poll();
    }
    return records;
  }

  /**
   * Polls until a pass over the table finds nothing new: the task read the table again (a poll that
   * answers an empty page, not one that answers null because nothing is due yet), so a row read
   * twice would be among the records.
   */
  List<SourceRecord> pollUntilIdle(Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      if (System.nanoTime() > end) {
        throw new AssertionError("still reading after " + deadline + "; " + records.size() + " records so far");
      }
      List<SourceRecord> batch = task.poll();
      if (batch != null) {
        keep(batch);
        if (batch.isEmpty()) {
          return records;
        }
      }
    }
  }

  void stop() {
    if (task != null) {
      task.stop();
      task = null;
    }
  }

  /** A restart: a new task that starts from the committed offsets; records so far are forgotten. */
  void restart(Map<String, String> props) {
    stop();
    records.clear();
    start(props);
  }

  OracleSourceTask task() {
    return task;
  }

  @Override
  public void close() {
    stop();
  }
}
