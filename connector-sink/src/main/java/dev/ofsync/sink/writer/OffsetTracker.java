package dev.ofsync.sink.writer;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets safe to commit: per partition, the first offset of a change not yet in Feishu, else one
 * past the last record seen. Thread-safe: the task's thread adds, writer threads remove.
 */
final class OffsetTracker {
  private final Map<TopicPartition, Long> seen = new HashMap<>();
  private final Map<TopicPartition, TreeMap<Long, Integer>> open = new HashMap<>();

  synchronized void seen(TopicPartition tp, long offset) {
    seen.merge(tp, offset + 1, Math::max);
  }

  synchronized void open(TopicPartition tp, long offset) {
    open.computeIfAbsent(tp, k -> new TreeMap<>()).merge(offset, 1, Integer::sum);
  }

  synchronized void close(TopicPartition tp, long offset) {
    TreeMap<Long, Integer> offsets = open.get(tp);
    if (offsets != null) {
      offsets.computeIfPresent(offset, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  synchronized void forget(java.util.Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> {
      seen.remove(tp);
      open.remove(tp);
    });
  }

  /** Per partition, the next offset to be seen. */
  synchronized Map<TopicPartition, Long> next() {
    return new HashMap<>(seen);
  }

  synchronized int openCount() {
    return open.values().stream().mapToInt(m -> m.values().stream().mapToInt(Integer::intValue).sum()).sum();
  }

  synchronized Map<TopicPartition, OffsetAndMetadata> safe() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    seen.forEach((tp, next) -> {
      TreeMap<Long, Integer> offsets = open.get(tp);
      long safe = offsets == null || offsets.isEmpty() ? next : Math.min(next, offsets.firstKey());
      out.put(tp, new OffsetAndMetadata(safe));
    });
    return out;
  }
}
