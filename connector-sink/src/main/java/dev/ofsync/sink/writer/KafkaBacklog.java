package dev.ofsync.sink.writer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog from the partitions' end offsets, asked of Kafka's Admin API (with the {@code index.*}
 * connection settings) at most once a second, in the background; only the first answer is waited
 * for (a few seconds at most). Until an answer, and while Kafka cannot be asked, the backlog is 0.
 */
public final class KafkaBacklog implements Backlog {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBacklog.class);
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long FIRST_ANSWER_SECONDS = 5;

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
    KafkaFuture<?> first = refresh(next.keySet());
    if (first != null) {
      try {
        first.get(FIRST_ANSWER_SECONDS, TimeUnit.SECONDS); // the first estimate sizes how many tables start side by side
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // answered() reports it; until an answer comes, the backlog is 0
      }
    }
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

  /** Asks for the end offsets when due; answers the request when it is the first (its answer is worth a short wait). */
  private synchronized KafkaFuture<?> refresh(Set<TopicPartition> partitions) {
    long now = System.nanoTime();
    if (asking || partitions.isEmpty() || (askedNanos != 0 && now - askedNanos < REFRESH_NANOS)) {
      return null;
    }
    boolean first = askedNanos == 0;
    asking = true;
    askedNanos = now;
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    KafkaFuture<?> answer = admin.listOffsets(latest).all().whenComplete(this::answered);
    return first ? answer : null;
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
