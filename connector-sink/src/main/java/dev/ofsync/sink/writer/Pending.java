package dev.ofsync.sink.writer;

import dev.ofsync.sink.mapping.Change;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A change not yet in Feishu: the latest change of its key, the record it came from, and the
 * first offset of its partition that it stands for (earlier changes of the key merged into it).
 * {@code reserved} marks a new row whose place in its table was reserved by the table roller.
 */
final class Pending {
  final String key;
  final TopicPartition partition;
  final long firstOffset;
  final Change change;
  final SinkRecord record;
  final boolean reserved;

  Pending(String key, TopicPartition partition, long firstOffset, Change change, SinkRecord record, boolean reserved) {
    this.key = key;
    this.partition = partition;
    this.firstOffset = firstOffset;
    this.change = change;
    this.record = record;
    this.reserved = reserved;
  }

  static Pending of(String key, SinkRecord record, Change change) {
    return new Pending(key, new TopicPartition(record.topic(), record.kafkaPartition()), record.kafkaOffset(), change,
        record, false);
  }

  /** A later change of the same key takes this one's place, its first offset and its reservation. */
  Pending replacedBy(Pending newer) {
    return new Pending(key, partition, Math.min(firstOffset, newer.firstOffset), newer.change, newer.record, reserved);
  }

  Pending withReservation(boolean r) {
    return new Pending(key, partition, firstOffset, change, record, r);
  }
}
