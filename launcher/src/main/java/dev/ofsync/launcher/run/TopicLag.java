package dev.ofsync.launcher.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How far the sink is behind the topic: the topic's end offsets against the offsets the sink
 * committed (which it commits only for rows durably in Feishu), and the age of the oldest record
 * not yet written (the end-to-end lag).
 */
public final class TopicLag implements AutoCloseable {
  private final Admin admin;
  private final String bootstrap;

  public TopicLag(String bootstrap) {
    this.bootstrap = bootstrap;
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    this.admin = Admin.create(props);
  }

  /** End offsets of every partition of the topic; empty when the topic does not exist yet. */
  public Map<TopicPartition, Long> endOffsets(String topic) throws InterruptedException {
    try {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS)
          .get(topic);
      Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
          .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      throw new IllegalStateException("cannot read the end offsets of " + topic + ": " + e.getCause().getMessage(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within 15 s", e);
    }
  }

  /** The offsets the group committed, by partition (a partition never committed is absent). */
  public Map<TopicPartition, Long> committed(String group) throws InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
      Map<TopicPartition, Long> out = new HashMap<>();
      offsets.forEach((tp, om) -> {
        if (om != null) {
          out.put(tp, om.offset());
        }
      });
      return out;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the offsets of group " + group + ": " + e.getCause().getMessage(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within 15 s", e);
    }
  }

  /** Records in the topic the group has not committed yet. */
  public static long behind(Map<TopicPartition, Long> end, Map<TopicPartition, Long> committed) {
    long lag = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      lag += Math.max(0, e.getValue() - committed.getOrDefault(e.getKey(), 0L));
    }
    return lag;
  }

  /** True when the group committed at least {@code target} on every partition. */
  public static boolean reached(Map<TopicPartition, Long> target, Map<TopicPartition, Long> committed) {
    return behind(target, committed) == 0;
  }

  /**
   * The timestamp of the oldest record the group has not committed (its first uncommitted
   * record), or -1 when it is caught up.
   */
  public long oldestUnwrittenTimestamp(Map<TopicPartition, Long> end, Map<TopicPartition, Long> committed) {
    Map<TopicPartition, Long> from = new HashMap<>();
    end.forEach((tp, e) -> {
      long c = committed.getOrDefault(tp, 0L);
      if (c < e) {
        from.put(tp, c);
      }
    });
    if (from.isEmpty()) {
      return -1;
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    long oldest = Long.MAX_VALUE;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
        consumer.assign(List.of(e.getKey()));
        consumer.seek(e.getKey(), e.getValue());
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(5))) {
          oldest = Math.min(oldest, r.timestamp());
          break;
        }
      }
    }
    return oldest == Long.MAX_VALUE ? -1 : oldest;
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
