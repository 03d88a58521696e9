package dev.ofsync.sink.writer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The key index in a compacted Kafka topic the connector owns: key = the row's key, value =
 * {@code tableId recordId hash}; a tombstone forgets a key. Table dirty markers, table owners,
 * creation intents and pauses after uncertain updates share the topic under keys that start with a
 * NUL character, which no row key does (a reader skips such a record it does not know).
 */
public final class KafkaIndexLog implements IndexLog {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaIndexLog.class);
  private static final String DIRTY_PREFIX = "\u0000dirty:";
  private static final String OWNER_PREFIX = "\u0000owner:";
  /** Followed by the task id, a colon and the table's name (a Feishu table name holds no colon). */
  private static final String INTENT_PREFIX = "\u0000intent:";
  /** Followed by the task id, a colon and the table id. */
  private static final String QUIET_PREFIX = "\u0000quiet:";
  /** Keys of the connector's own records start with it; no row key does. */
  private static final String RECORD_PREFIX = "\u0000";

  /**
   * A load this long after the previous one reads the whole topic again, or sooner when the topic
   * keeps a removal less than twice as long ({@code delete.retention.ms}, a day by default).
   */
  private static final long WHOLE_LOAD_AFTER_NANOS = TimeUnit.HOURS.toNanos(6);

  private final String topic;
  private final Map<String, Object> clientProps;
  /** Where the previous load stopped, and what it knew of the tables; guarded by this. */
  private final Map<TopicPartition, Long> positions = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, Integer> owners = new HashMap<>();
  private final Map<String, Set<Integer>> intents = new HashMap<>();
  private final Map<String, Map<Integer, Long>> quiet = new HashMap<>();
  private boolean unreadableLogged;
  private long lastLoadNanos;
  private final java.util.function.LongSupplier nanoClock;
  private boolean describeFailed;
  /** The topic the previous load read (a topic deleted and made anew under the same name has another id). */
  private Uuid topicId;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Admin admin;
  /**
   * What each thread sent and has not seen stored: a lane waits for its own entries only, so the
   * lanes do not take turns at one lock to store the index.
   */
  private final ThreadLocal<List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>>>
      unconfirmed = ThreadLocal.withInitial(java.util.ArrayList::new);

  public KafkaIndexLog(String topic, Map<String, Object> clientProps) {
    this(topic, clientProps, System::nanoTime);
  }

  /** With the clock that times the loads ({@link System#nanoTime()} but in tests). */
  public KafkaIndexLog(String topic, Map<String, Object> clientProps, java.util.function.LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.topic = topic;
    this.clientProps = clientProps;
    this.admin = Admin.create(adminProps());
    try {
      ensureTopic();
      Map<String, Object> p = new HashMap<>(clientProps);
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      p.put(ProducerConfig.CLIENT_ID_CONFIG, "feishu-sink-index-" + topic);
      this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }

  private void ensureTopic() {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      if (!existing.contains(topic)) {
        NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
            .configs(Map.of("cleanup.policy", "compact"));
        try {
          admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while creating the index topic " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new ConnectException("cannot create or find the index topic " + topic + " on "
          + clientProps.get("bootstrap.servers") + ": check index.bootstrap.servers (and index.* security settings)", e);
    }
  }

  private Map<String, Object> adminProps() {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.putIfAbsent("request.timeout.ms", 30_000);
    p.putIfAbsent("default.api.timeout.ms", 60_000);
    return p;
  }

  @Override
  public boolean durable() {
    return true;
  }

  /**
   * Every entry at the first load; afterwards only the records appended since the previous load,
   * unless that was so long ago that compaction may have dropped tombstones among them (Kafka keeps
   * a tombstone {@code delete.retention.ms} after it compacts the records before it: a load within
   * half of that, and at most 6 hours, reads on), or the topic no longer has them (it was emptied,
   * or deleted and made anew). A rebalance then costs a task the records written since its last
   * one, not the whole index.
   */
  @Override
  public synchronized Snapshot load() {
    Topic now = describe();
    long wholeAfter = Math.min(WHOLE_LOAD_AFTER_NANOS, TimeUnit.MILLISECONDS.toNanos(now.deleteRetentionMs()) / 2);
    boolean whole = positions.isEmpty() || (now.id() != null && !now.id().equals(topicId))
        || nanoClock.getAsLong() - lastLoadNanos > wholeAfter;
    Snapshot changes = whole ? null : read(false);
    Snapshot snapshot = changes != null ? changes : read(true);
    topicId = now.id();
    return snapshot;
  }

  private record Topic(Uuid id, long deleteRetentionMs) {}

  /**
   * The topic's id and how long it keeps a removal after compacting what came before it. Where the
   * cluster does not say (no DescribeConfigs permission, a broker or a worker's Kafka client too old
   * for topic ids), the id is null and the retention Kafka's default: the topic is then read whole
   * every 6 hours, and one made anew is noticed only when it holds fewer records than were read.
   */
  private Topic describe() {
    Uuid id = null;
    long retentionMs = TimeUnit.DAYS.toMillis(1);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      id = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).topicId();
      if (Uuid.ZERO_UUID.equals(id)) {
        id = null; // a broker without topic ids
      }
      Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      ConfigEntry retention = config == null ? null : config.get(TopicConfig.DELETE_RETENTION_MS_CONFIG);
      if (retention != null && retention.value() != null) {
        retentionMs = Long.parseLong(retention.value());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.connect.errors.RetriableException("interrupted while reading the key index topic " + topic, e);
    } catch (ExecutionException | TimeoutException | RuntimeException | LinkageError e) {
      if (!describeFailed) {
        describeFailed = true;
        LOG.warn("Cannot describe the key index topic {} ({}); it is read whole every 6 hours, and a topic deleted and "
            + "made anew is noticed only when it holds fewer records than were read from it. Grant the connector "
            + "Describe and DescribeConfigs on the topic to have both checked", topic,
            e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e);
      }
    }
    return new Topic(id, retentionMs);
  }

  /** The whole topic, or the records since the previous load: null when that cannot be read on from where it stopped. */
  private Snapshot read(boolean whole) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    RowIndex entries = whole ? new RowIndex() : null;
    Map<String, RowIndex.Location> changes = whole ? null : new HashMap<>();
    Set<String> dirtyNow = whole ? new HashSet<>() : new HashSet<>(dirty);
    Map<String, Integer> ownersNow = whole ? new HashMap<>() : new HashMap<>(owners);
    Map<String, Set<Integer>> intentsNow = new HashMap<>();
    Map<String, Map<Integer, Long>> quietNow = new HashMap<>();
    if (!whole) {
      intents.forEach((name, tasks) -> intentsNow.put(name, new HashSet<>(tasks)));
      quiet.forEach((table, byTask) -> quietNow.put(table, new HashMap<>(byTask)));
    }
    Map<TopicPartition, Long> reached = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      for (TopicPartition tp : partitions) {
        Long from = positions.get(tp);
        if (whole) {
          consumer.seekToBeginning(List.of(tp));
        } else if (from == null || from > end.get(tp)) {
          return null; // a partition not read before, or a topic made anew
        } else {
          consumer.seek(tp, from);
        }
      }
      while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
        ConsumerRecords<byte[], byte[]> polled;
        try {
          polled = consumer.poll(Duration.ofMillis(500));
        } catch (InvalidOffsetException e) {
          if (whole) {
            throw e;
          }
          return null; // where the previous load stopped is gone (the topic emptied)
        }
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          String key = new String(r.key(), StandardCharsets.UTF_8);
          if (key.startsWith(RECORD_PREFIX)) {
            try {
              readRecord(key, r.value(), ownersNow, dirtyNow, intentsNow, quietNow);
            } catch (RuntimeException e) {
              // a record this version cannot read (written by a newer one, or damaged): not a row key
              if (!unreadableLogged) {
                unreadableLogged = true;
                LOG.warn("Skipping a record of the key index topic {} that this version cannot read (key {}): {}", topic,
                    key.substring(1), e.toString());
              }
            }
          } else if (whole) {
            if (r.value() == null) {
              entries.remove(key);
            } else {
              entries.put(key, decode(r.value()));
            }
          } else {
            changes.put(key, r.value() == null ? null : decode(r.value()));
          }
        }
      }
      partitions.forEach(tp -> reached.put(tp, consumer.position(tp, Duration.ofSeconds(30))));
    }
    positions.clear();
    positions.putAll(reached);
    lastLoadNanos = nanoClock.getAsLong();
    dirty.clear();
    dirty.addAll(dirtyNow);
    owners.clear();
    owners.putAll(ownersNow);
    intents.clear();
    intents.putAll(intentsNow);
    quiet.clear();
    quiet.putAll(quietNow);
    Map<String, Set<Integer>> intentsCopy = new HashMap<>();
    intentsNow.forEach((name, tasks) -> intentsCopy.put(name, Set.copyOf(tasks)));
    Map<String, Map<Integer, Long>> quietCopy = new HashMap<>();
    quietNow.forEach((table, byTask) -> quietCopy.put(table, Map.copyOf(byTask)));
    return new Snapshot(entries, changes, Set.copyOf(dirtyNow), Map.copyOf(ownersNow), Map.copyOf(intentsCopy),
        Map.copyOf(quietCopy));
  }

  /** The "{task id}:{name}" part of a record's key: a task's intent for a table name, its pause of a table id. */
  private record PerTask(int task, String name) {
    static PerTask of(String rest) {
      int colon = rest.indexOf(':');
      return new PerTask(Integer.parseInt(rest.substring(0, colon)), rest.substring(colon + 1));
    }
  }

  /** One of the connector's own records (its key starts with NUL): a table's owner, dirty mark, intent or pause. */
  private static void readRecord(String key, byte[] value, Map<String, Integer> owners, Set<String> dirty,
      Map<String, Set<Integer>> intents, Map<String, Map<Integer, Long>> quiet) {
    String text = value == null ? null : new String(value, StandardCharsets.UTF_8);
    if (key.startsWith(OWNER_PREFIX)) {
      String table = key.substring(OWNER_PREFIX.length());
      if (text == null) {
        owners.remove(table);
      } else {
        owners.put(table, Integer.parseInt(text));
      }
    } else if (key.startsWith(DIRTY_PREFIX)) {
      String table = key.substring(DIRTY_PREFIX.length());
      if (text == null) {
        dirty.remove(table);
      } else {
        dirty.add(table);
      }
    } else if (key.startsWith(INTENT_PREFIX)) {
      PerTask k = PerTask.of(key.substring(INTENT_PREFIX.length()));
      if (text == null) {
        Set<Integer> tasks = intents.get(k.name());
        if (tasks != null && tasks.remove(k.task()) && tasks.isEmpty()) {
          intents.remove(k.name());
        }
      } else {
        intents.computeIfAbsent(k.name(), n -> new HashSet<>()).add(k.task());
      }
    } else if (key.startsWith(QUIET_PREFIX)) {
      PerTask k = PerTask.of(key.substring(QUIET_PREFIX.length()));
      if (text == null) {
        Map<Integer, Long> byTask = quiet.get(k.name());
        if (byTask != null && byTask.remove(k.task()) != null && byTask.isEmpty()) {
          quiet.remove(k.name());
        }
      } else {
        quiet.computeIfAbsent(k.name(), t -> new HashMap<>()).put(k.task(), Long.parseLong(text));
      }
    } else {
      throw new IllegalArgumentException("unknown kind of record");
    }
  }

  private static RowIndex.Location decode(byte[] value) {
    String[] parts = new String(value, StandardCharsets.UTF_8).split(" ", 3);
    return new RowIndex.Location(parts[0], parts[1], Long.parseLong(parts[2]));
  }

  @Override
  public void put(String key, RowIndex.Location l) {
    send(key, (l.tableId() + " " + l.recordId() + " " + l.hash()).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void remove(String key) {
    send(key, null);
  }

  @Override
  public void markDirty(Set<String> tableIds) {
    tableIds.forEach(t -> send(DIRTY_PREFIX + t, new byte[] {1}));
  }

  @Override
  public void markClean(Set<String> tableIds) {
    tableIds.forEach(t -> send(DIRTY_PREFIX + t, null));
  }

  @Override
  public void markOwner(String tableId, int taskId) {
    send(OWNER_PREFIX + tableId, String.valueOf(taskId).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void markIntent(String tableName, int taskId) {
    send(INTENT_PREFIX + taskId + ":" + tableName, new byte[] {1});
  }

  @Override
  public void dropIntent(String tableName, int taskId) {
    send(INTENT_PREFIX + taskId + ":" + tableName, null);
  }

  @Override
  public void markQuiet(String tableId, int taskId, long untilEpochMillis) {
    send(QUIET_PREFIX + taskId + ":" + tableId, String.valueOf(untilEpochMillis).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void clearQuiet(String tableId, int taskId) {
    send(QUIET_PREFIX + taskId + ":" + tableId, null);
  }

  private void send(String key, byte[] value) {
    unconfirmed.get().add(producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)));
  }

  /** Waits until everything this thread appended is stored. */
  @Override
  public void flush() {
    List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> mine = unconfirmed.get();
    if (mine.isEmpty()) {
      return;
    }
    try {
      producer.flush();
      for (var f : mine) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.connect.errors.RetriableException("interrupted while storing the key index", e);
    } catch (ExecutionException e) {
      throw new org.apache.kafka.connect.errors.RetriableException("could not store the key index in topic " + topic
          + ": " + e.getCause(), e.getCause());
    } finally {
      mine.clear();
    }
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(10));
    } finally {
      admin.close(Duration.ofSeconds(10));
    }
  }
}
