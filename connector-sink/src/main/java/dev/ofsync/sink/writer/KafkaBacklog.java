package dev.ofsync.sink.writer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog from the partitions' end offsets, asked of Kafka's Admin API (with the {@code index.*}
 * connection settings) at most once a second, in the background: put() never waits for it. Until
 * the first answer, and while Kafka cannot be asked, the backlog is 0.
 */
public final class KafkaBacklog implements Backlog {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBacklog.class);
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Admin admin;
  private volatile Map<TopicPartition, Long> ends = Map.of();
  private long askedNanos;
  private boolean asking;
  private boolean warned;

  public KafkaBacklog(Map<String, Object> clientProps, String clientId) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.putIfAbsent("request.timeout.ms", 10_000);
    p.putIfAbsent("default.api.timeout.ms", 30_000);
    p.put("client.id", clientId);
    this.admin = Admin.create(p);
  }

  @Override
  public long recordsAhead(Map<TopicPartition, Long> next) {
    refresh(next.keySet());
    Map<TopicPartition, Long> known = ends;
    long sum = 0;
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      Long end = known.get(e.getKey());
      if (end != null && end > e.getValue()) {
        sum += end - e.getValue();
      }
    }
    return sum;
  }

  private synchronized void refresh(Set<TopicPartition> partitions) {
    long now = System.nanoTime();
    if (asking || partitions.isEmpty() || (askedNanos != 0 && now - askedNanos < REFRESH_NANOS)) {
      return;
    }
    asking = true;
    askedNanos = now;
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    admin.listOffsets(latest).all().whenComplete((answer, error) -> answered(answer, error));
  }

  private synchronized void answered(Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> answer,
      Throwable error) {
    asking = false;
    if (error != null) {
      if (!warned) {
        warned = true;
        LOG.warn("Cannot read the end offsets of the topics (new rows fill one table at a time until it works): {}",
            error.toString());
      }
      return;
    }
    Map<TopicPartition, Long> out = new HashMap<>(ends);
    answer.forEach((tp, info) -> out.put(tp, info.offset()));
    ends = Map.copyOf(out);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
