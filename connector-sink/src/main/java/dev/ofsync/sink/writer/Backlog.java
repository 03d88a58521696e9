package dev.ofsync.sink.writer;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Records still to come on the partitions this task reads: each partition's end offset less the
 * next offset the task will see. The table roller lays new rows over the tables by this (tables
 * fill side by side only when the backlog is larger than what the first still takes), so an
 * estimate that is too low only fills fewer tables at once ({@link KafkaBacklog} asks Kafka; without
 * a connection to Kafka the backlog is taken as 0).
 */
public interface Backlog extends AutoCloseable {
  /** Records after {@code next} (per partition, the next offset this task will see). */
  long recordsAhead(Map<TopicPartition, Long> next);

  @Override
  void close();

  /** No connection to Kafka: nothing is known beyond what was put. */
  Backlog NONE = new Backlog() {
    @Override
    public long recordsAhead(Map<TopicPartition, Long> next) {
      return 0;
    }

    @Override
    public void close() {}
  };
}
