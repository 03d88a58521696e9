package dev.ofsync.sink.writer;

import dev.ofsync.sink.mapping.Change;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A change not yet in Feishu: the latest change of its key, the record it came from (whole when a
 * dead-letter queue may need it, else only its {@link #origin}), and per
 * partition the first offset it stands for (earlier changes of the key merged into it, possibly
 * from several partitions). {@code reserved} marks a new row whose place in its lane's table was
 * reserved by the table roller; the reservation ends exactly once, when the row is created or the
 * change stops being a create in that table.
 */
final class Pending {
  final String key;
  final Map<TopicPartition, Long> firstOffsets;
  final Change change;
  final SinkRecord record;
  final boolean reserved;

  private Pending(String key, Map<TopicPartition, Long> firstOffsets, Change change, SinkRecord record, boolean reserved) {
    this.key = key;
    this.firstOffsets = firstOffsets;
    this.change = change;
    this.record = record;
    this.reserved = reserved;
  }

  /** Only where a record came from (topic, partition, offset), to name it in an error. */
  static SinkRecord origin(SinkRecord record) {
    return new SinkRecord(record.topic(), record.kafkaPartition(), null, null, null, null, record.kafkaOffset());
  }

  static Pending of(String key, SinkRecord record, Change change) {
    return new Pending(key, Map.of(new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset()),
        change, record, false);
  }

  /** A later change of the same key takes this one's place, its first offsets and its reservation. */
  Pending replacedBy(Pending newer) {
    Map<TopicPartition, Long> offsets = new HashMap<>(firstOffsets);
    newer.firstOffsets.forEach((tp, o) -> offsets.merge(tp, o, Math::min));
    return new Pending(key, Map.copyOf(offsets), newer.change, newer.record, reserved || newer.reserved);
  }

  Pending withReservation(boolean r) {
    return new Pending(key, firstOffsets, change, record, r);
  }
}
