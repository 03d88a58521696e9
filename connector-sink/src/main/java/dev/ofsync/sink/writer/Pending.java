package dev.ofsync.sink.writer;

import dev.ofsync.sink.mapping.Change;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A change not yet in Feishu: the latest change of its key, the record it came from, and the
 * first offset of its partition that it stands for (earlier changes of the key merged into it).
 */
final class Pending {
  final String key;
  final TopicPartition partition;
  final long firstOffset;
  final Change change;
  final SinkRecord record;

  Pending(String key, TopicPartition partition, long firstOffset, Change change, SinkRecord record) {
    this.key = key;
    this.partition = partition;
    this.firstOffset = firstOffset;
    this.change = change;
    this.record = record;
  }

  /** A later change of the same key replaces this one but keeps its first offset. */
  Pending replacedBy(Change newer, SinkRecord newerRecord) {
    return new Pending(key, partition, Math.min(firstOffset, newerRecord.kafkaOffset()), newer, newerRecord);
  }

  String describe() {
    return "topic " + record.topic() + ", partition " + record.kafkaPartition() + ", offset " + record.kafkaOffset()
        + ", key " + (change.key() == null ? record.key() : change.key());
  }
}
