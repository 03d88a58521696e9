package dev.ofsync.sink.writer;

import dev.ofsync.sink.mapping.Change;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Changes waiting to be written, one per key (a later change of a key replaces the earlier), and
 * the offsets that are safe to commit: in each partition, up to the first change not yet in Feishu.
 */
final class PendingChanges {
  private final Map<String, Pending> byKey = new LinkedHashMap<>();
  private final Map<TopicPartition, Long> consumed = new HashMap<>();
  private long appendSeq;
  private long oldestNanos;

  /** Adds a change; {@code coalesce} false keeps every change (append mode). */
  void add(SinkRecord record, Change change, boolean coalesce) {
    TopicPartition tp = new TopicPartition(record.topic(), record.kafkaPartition());
    consumed.merge(tp, record.kafkaOffset() + 1, Math::max);
    if (change.kind() == Change.Kind.SKIP) {
      return;
    }
    if (byKey.isEmpty()) {
      oldestNanos = System.nanoTime();
    }
    String key = coalesce ? change.key() : "\u0000" + (appendSeq++);
    Pending existing = byKey.get(key);
    byKey.put(key, existing == null ? new Pending(key, tp, record.kafkaOffset(), change, record)
        : existing.replacedBy(change, record));
  }

  /** A record that needs no write still moves its partition's offset on. */
  void consumedOnly(SinkRecord record) {
    consumed.merge(new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset() + 1, Math::max);
  }

  int size() {
    return byKey.size();
  }

  long oldestAgeMillis() {
    return byKey.isEmpty() ? 0 : (System.nanoTime() - oldestNanos) / 1_000_000;
  }

  List<Pending> snapshot() {
    return new ArrayList<>(byKey.values());
  }

  /** The change is in Feishu (or needs no write): forget it unless a newer one of its key came since. */
  void done(Pending p) {
    byKey.remove(p.key, p);
    if (byKey.isEmpty()) {
      oldestNanos = 0;
    }
  }

  /** Forgets the changes and offsets of partitions this task no longer owns. */
  void dropPartitions(java.util.Collection<TopicPartition> partitions) {
    byKey.values().removeIf(p -> partitions.contains(p.partition));
    partitions.forEach(consumed::remove);
  }

  /** Offsets to commit: per partition, the first offset still pending, else one past the last consumed. */
  Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
    Map<TopicPartition, Long> safe = new HashMap<>(consumed);
    for (Pending p : byKey.values()) {
      safe.merge(p.partition, p.firstOffset, Math::min);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    safe.forEach((tp, offset) -> out.put(tp, new OffsetAndMetadata(offset)));
    return out;
  }
}
