package dev.ofsync.sink;

import dev.ofsync.emulator.FeishuEmulator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Runs a {@link FeishuSinkTask} the way the Connect worker does (start, put, preCommit, stop)
 * against a real emulator, without a Kafka cluster: for the sink's own logic. The ITs run the
 * real worker.
 */
final class TaskHarness implements AutoCloseable {
  static final String APP_ID = "cli_sink_test";
  static final String APP_SECRET = "sink-secret";
  static final String APP_TOKEN = "bascnSinkTest0001";
  static final String TOPIC = "orders";
  static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  static final Schema KEY = SchemaBuilder.struct().name("orders.Key").field("ID", Schema.INT64_SCHEMA).build();
  static final Schema VALUE = SchemaBuilder.struct().name("orders.Value")
      .field("ID", Schema.INT64_SCHEMA)
      .field("CUSTOMER", Schema.OPTIONAL_STRING_SCHEMA)
      .field("AMOUNT", org.apache.kafka.connect.data.Decimal.builder(2)
          .parameter("connect.decimal.precision", "12").optional().build())
      .field("CREATED_AT", org.apache.kafka.connect.data.Timestamp.builder().optional().build())
      .field("PAID", Schema.OPTIONAL_BOOLEAN_SCHEMA)
      .build();

  final List<SinkRecord> reported = new ArrayList<>();
  final FeishuSinkTask task = new FeishuSinkTask();
  private final AtomicLong offset;
  /** The offset of this harness's first record: had it put none, there is nothing to commit. */
  private final long firstOffset;
  private final boolean withReporter;

  TaskHarness(FeishuEmulator emulator, Map<String, String> overrides) {
    this(emulator, overrides, false, new AtomicLong());
  }

  TaskHarness(FeishuEmulator emulator, Map<String, String> overrides, boolean withReporter, AtomicLong offset) {
    this.offset = offset;
    this.firstOffset = offset.get();
    this.withReporter = withReporter;
    task.initialize(new Context());
    Map<String, String> props = new HashMap<>(baseConfig(emulator));
    props.putAll(overrides);
    task.start(props);
    task.open(List.of(TP)); // the worker assigns partitions before the first put()
  }

  static Map<String, String> baseConfig(FeishuEmulator emulator) {
    Map<String, String> props = new HashMap<>();
    props.put("feishu.app_id", APP_ID);
    props.put("feishu.app_secret", APP_SECRET);
    props.put("feishu.app_token", APP_TOKEN);
    props.put("feishu.base_url", emulator.url());
    props.put("feishu.table_name_prefix", "Orders");
    props.put("sync.linger_ms", "0");
    props.put("feishu.retry_backoff_ms", "20");
    return props;
  }

  static Struct row(long id, String customer, String amount) {
    return new Struct(VALUE).put("ID", id).put("CUSTOMER", customer)
        .put("AMOUNT", amount == null ? null : new java.math.BigDecimal(amount))
        .put("CREATED_AT", new java.util.Date(1_700_000_000_000L + id * 1000)).put("PAID", id % 2 == 0);
  }

  SinkRecord upsert(long id, String customer, String amount) {
    return new SinkRecord(TOPIC, 0, KEY, new Struct(KEY).put("ID", id), VALUE, row(id, customer, amount),
        offset.getAndIncrement());
  }

  SinkRecord tombstone(long id) {
    return new SinkRecord(TOPIC, 0, KEY, new Struct(KEY).put("ID", id), null, null, offset.getAndIncrement());
  }

  SinkRecord record(Schema keySchema, Object key, Schema valueSchema, Object value) {
    return new SinkRecord(TOPIC, 0, keySchema, key, valueSchema, value, offset.getAndIncrement());
  }

  void put(List<SinkRecord> records) {
    task.put(records);
  }

  /**
   * What the worker does until everything put so far is committed: commits (preCommit) and keeps
   * calling put(), which reports a write that failed for good. Fails after a deadline.
   */
  Map<TopicPartition, OffsetAndMetadata> commit() {
    Map<TopicPartition, OffsetAndMetadata> current = Map.of(TP, new OffsetAndMetadata(offset.get()));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90)).pollInterval(java.time.Duration.ofMillis(20))
        .until(() -> {
          task.put(List.of());
          OffsetAndMetadata committed = task.preCommit(current).get(TP);
          // no offset for the partition: nothing of it was seen (or the task forgot what it was given)
          return committed == null ? offset.get() == firstOffset : committed.offset() >= offset.get();
        });
    return task.preCommit(current);
  }

  /** One preCommit, as the worker makes it with everything put so far as its current offsets. */
  Map<TopicPartition, OffsetAndMetadata> preCommit() {
    return task.preCommit(Map.of(TP, new OffsetAndMetadata(offset.get())));
  }

  long nextOffset() {
    return offset.get();
  }

  @Override
  public void close() {
    task.stop();
  }

  private final class Context implements SinkTaskContext {
    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {}

    @Override
    public void offset(TopicPartition tp, long offset) {}

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of(TP);
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
      return null;
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      if (!withReporter) {
        return null;
      }
      return (record, error) -> {
        reported.add(record);
        return CompletableFuture.completedFuture(null);
      };
    }
  }
}
