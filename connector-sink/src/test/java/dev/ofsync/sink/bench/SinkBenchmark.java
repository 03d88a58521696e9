package dev.ofsync.sink.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.StatsSnapshot;
import dev.ofsync.sink.FeishuSinkConnector;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * The sink against Feishu's quota floor: N rows (default 1,000,000) of 10 mixed columns through a
 * real Connect worker into the emulator with the real quota (50 record writes a second per app)
 * and realistic latency (~320-400 ms per 500-row write). The floor is N / 500 / 50 seconds: no
 * sink can be faster without breaking the quota. Then the same with one table at a time (the
 * seed's design) on fewer rows. Prints figures, asserts nothing.
 *
 * <p>The emulator runs in a JVM of its own ({@link EmulatorProcess}), so the heap printed here is
 * that of the Kafka broker and the Connect worker with the sink (the embedded cluster puts both in
 * one JVM). Run from the repository root:
 *
 * <pre>
 * mvn -B -ntp install -DskipTests
 * mvn -B -ntp -pl connector-sink exec:exec@benchmark [-Dbench.heap=512m] [-Dbench.rows=1000000]
 *     [-Dbench.serialRows=50000] [-Dbench.parallel=25] [-Dbench.emulatorJvm="-Xmx4g -XX:+UseZGC"]
 *     [-Dbench.buffer=25000] [-Dbench.gc=-XX:+UseG1GC (the worker JVM's collector)]
 * </pre>
 */
public final class SinkBenchmark {
  private static final String APP_ID = "cli_bench";
  private static final String APP_SECRET = "bench-secret";
  private static final String APP_TOKEN = "bascnSinkBench001";
  private static final Schema KEY = SchemaBuilder.struct().name("bench.Key").field("ID", Schema.INT64_SCHEMA).build();
  private static final Schema VALUE = SchemaBuilder.struct().name("bench.Value")
      .field("ID", Schema.INT64_SCHEMA)
      .field("NAME", Schema.STRING_SCHEMA)
      .field("DESCRIPTION", Schema.OPTIONAL_STRING_SCHEMA)
      .field("AMOUNT", Decimal.builder(2).parameter("connect.decimal.precision", "12").build())
      .field("QUANTITY", Schema.INT32_SCHEMA)
      .field("PRICE", Schema.FLOAT64_SCHEMA)
      .field("CREATED_AT", Timestamp.SCHEMA)
      .field("UPDATED_AT", Timestamp.builder().optional().build())
      .field("ACTIVE", Schema.BOOLEAN_SCHEMA)
      .field("CATEGORY", Schema.STRING_SCHEMA)
      .build();

  private SinkBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("bench.rows", 1_000_000);
    int serialRows = Integer.getInteger("bench.serialRows", 50_000);
    int parallel = Integer.getInteger("bench.parallel", 25);
    String emulatorJvm = System.getProperty("bench.emulatorJvm", "-Xmx4g -XX:+UseZGC");
    System.out.printf("== Feishu sink benchmark: %,d rows, quota 50 writes/s, realistic latency ==%n", rows);
    System.out.printf("machine: %d CPUs, JDK %s; this JVM (broker + worker): max heap %,d MiB, %s; emulator JVM: %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getInputArguments(), emulatorJvm);
    HeapWatch heap = HeapWatch.start();

    try (EmulatorProcess feishu = EmulatorProcess.start(emulatorJvm, APP_ID, APP_SECRET, APP_TOKEN)) {
      Map<String, String> worker = new HashMap<>();
      worker.put("key.converter", JsonConverter.class.getName());
      worker.put("value.converter", JsonConverter.class.getName());
      worker.put("offset.flush.interval.ms", "5000");
      EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name("sink-bench").numWorkers(1)
          .numBrokers(1).workerProps(worker).build();
      connect.start();
      try {
        Result side = run(connect, feishu, "side", "Side", rows, parallel, heap);
        long resumeMs = resume(connect, feishu, "side", rows);
        Result serial = run(connect, feishu, "serial", "Serial", serialRows, 1, heap);
        summary(rows, parallel, side, serial, resumeMs, heap, feishu);
      } finally {
        connect.stop();
      }
    } finally {
      heap.stop();
    }
  }

  private record Result(int rows, double seconds, StatsSnapshot stats, Map<String, Integer> layout, String gc,
      long liveAtEnd) {
    double rowsPerSecond() {
      return rows / seconds;
    }

    double floorRatio() {
      return seconds / (rows / 500.0 / 50.0);
    }
  }

  private static Result run(EmbeddedConnectCluster connect, EmulatorProcess feishu, String topic, String prefix,
      int rows, int parallel, HeapWatch heap) throws Exception {
    connect.kafka().createTopic(topic, 1);
    long produceStart = System.nanoTime();
    produce(connect, topic, 1, rows);
    System.out.printf("%n[%s] produced %,d records in %.1f s; starting the sink (%d table(s) side by side)%n", prefix,
        rows, (System.nanoTime() - produceStart) / 1e9, parallel);
    System.gc(); // the producer's garbage is not the worker's
    heap.reset();
    feishu.resetStats();
    long start = System.nanoTime();
    connect.configureConnector("sink-" + topic, config(connect, feishu, topic, prefix, parallel));
    long lastPrint = 0;
    long in;
    StringBuilder timeline = new StringBuilder();
    long nextSample = start;
    long rowsAtSample = 0;
    while ((in = rowsIn(feishu, prefix)) < rows) {
      Thread.sleep(100); // a benchmark's own pacing, not a test's wait
      long now = System.nanoTime();
      if (now - nextSample >= 0) {
        Map<String, Integer> tables = tablesOf(feishu.stats(), prefix);
        long inNow = tables.values().stream().mapToLong(Integer::longValue).sum();
        timeline.append(String.format(" %.0f/%d", (inNow - rowsAtSample) / 500.0, tables.size()));
        rowsAtSample = inNow;
        nextSample += 1_000_000_000L;
      }
      if (now - lastPrint > 5_000_000_000L) {
        lastPrint = now;
        System.out.printf("  %5.1f s: %,9d rows in Feishu; worker JVM heap used %,d MiB%n", (now - start) / 1e9, in,
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StatsSnapshot stats = feishu.stats();
    Map<String, Integer> layout = tablesOf(stats, prefix);
    String gc = heap.collections();
    long live = HeapWatch.liveNow();
    Result r = new Result(rows, seconds, stats, layout, gc, live);
    System.out.printf("[%s] %,d rows in %.1f s = %,.0f rows/s; floor %.1f s; ratio %.2f; calls %s; peak calls in any "
            + "second: %s; 429s: %d; worker heap: peak used %,d MiB, peak after a collection %,d MiB, live at the end "
            + "%,d MiB; %s%n", prefix, rows, seconds, r.rowsPerSecond(), rows / 500.0 / 50.0, r.floorRatio(),
        stats.callsByEndpoint(), stats.peakCallsPerSecond(), stats.answers(99991400), heap.peakUsed() >> 20,
        heap.peakAfterGc() >> 20, live >> 20, gc);
    System.out.printf("[%s] tables: %s%n", prefix, layout);
    System.out.printf("[%s] each second, record writes done / tables existing:%s%n", prefix, timeline);
    return r;
  }

  /** The tables whose names start with the prefix, and the rows each holds. */
  private static Map<String, Integer> tablesOf(StatsSnapshot stats, String prefix) {
    Map<String, Integer> layout = new java.util.TreeMap<>();
    stats.rowsPerTable().forEach((table, n) -> {
      if (table.startsWith(APP_TOKEN + "/" + prefix)) {
        layout.put(table.substring(APP_TOKEN.length() + 1), n);
      }
    });
    return layout;
  }

  /** Restarts the sink after everything is synced; answers the ms until a new record is in Feishu. */
  private static long resume(EmbeddedConnectCluster connect, EmulatorProcess feishu, String topic, int rows)
      throws Exception {
    long start = System.nanoTime();
    connect.restartConnectorAndTasks("sink-" + topic, false, true, false);
    produce(connect, topic, rows + 1, rows + 1);
    while (rowsIn(feishu, "Side") < rows + 1) {
      Thread.sleep(50);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("%n[resume] restarted the task after %,d rows; a new record was in Feishu %,d ms later%n", rows, ms);
    connect.deleteConnector("sink-" + topic);
    return ms;
  }

  private static long rowsIn(EmulatorProcess feishu, String prefix) throws Exception {
    return feishu.stats().rowsPerTable().entrySet().stream()
        .filter(e -> e.getKey().startsWith(APP_TOKEN + "/" + prefix)).mapToLong(Map.Entry::getValue).sum();
  }

  private static Map<String, String> config(EmbeddedConnectCluster connect, EmulatorProcess feishu, String topic,
      String prefix, int parallel) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", FeishuSinkConnector.class.getName());
    c.put("tasks.max", "1");
    c.put("topics", topic);
    c.put("feishu.app_id", APP_ID);
    c.put("feishu.app_secret", APP_SECRET);
    c.put("feishu.app_token", APP_TOKEN);
    c.put("feishu.base_url", feishu.url());
    c.put("feishu.table_name_prefix", prefix);
    c.put("feishu.tables_in_parallel", String.valueOf(parallel));
    String buffer = System.getProperty("bench.buffer", ""); // empty: the connector's default, sized by tables_in_parallel
    if (!buffer.isBlank()) {
      c.put("sync.max_buffered_records", buffer);
    }
    c.put("index.bootstrap.servers", connect.kafka().bootstrapServers());
    c.put("consumer.override.max.poll.records", "2000");
    return c;
  }

  private static void produce(EmbeddedConnectCluster connect, String topic, int from, int to) {
    JsonConverter keys = new JsonConverter();
    keys.configure(Map.of("schemas.enable", "true"), true);
    JsonConverter values = new JsonConverter();
    values.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC"), false);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        connect.kafka().bootstrapServers(), "linger.ms", 50, "batch.size", 1_048_576, "compression.type", "lz4"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long id = from; id <= to; id++) {
        Struct v = new Struct(VALUE).put("ID", id).put("NAME", "Order " + id)
            .put("DESCRIPTION", "A realistic order description for row " + id)
            .put("AMOUNT", new BigDecimal(id % 100_000 + ".99")).put("QUANTITY", (int) (id % 50))
            .put("PRICE", (id % 1000) / 7.0).put("CREATED_AT", new java.util.Date(1_600_000_000_000L + id * 1000))
            .put("UPDATED_AT", new java.util.Date(1_700_000_000_000L + id)).put("ACTIVE", id % 3 == 0)
            .put("CATEGORY", "C" + (id % 17));
        producer.send(new ProducerRecord<>(topic, keys.fromConnectData(topic, KEY, new Struct(KEY).put("ID", id)),
            values.fromConnectData(topic, VALUE, v)));
      }
    }
  }

  private static void summary(int rows, int parallel, Result side, Result serial, long resumeMs, HeapWatch heap,
      EmulatorProcess feishu) {
    System.out.println();
    System.out.println("==================== SUMMARY ====================");
    System.out.printf("tables side by side (%d): %,d rows in %.1f s = %,.0f rows/s; ratio to the quota floor "
        + "(%.0f s): %.2f (target <= 1.15)%n", parallel, rows, side.seconds, side.rowsPerSecond(), rows / 500.0 / 50.0,
        side.floorRatio());
    System.out.printf("  calls: %s%n", side.stats.callsByEndpoint());
    System.out.printf("  peak calls in any second: record writes %d, reads %d, schema %d (quota 50/20/10); 429s: %d%n",
        side.stats.peak(CallClass.RECORD_WRITE), side.stats.peak(CallClass.READ), side.stats.peak(CallClass.SCHEMA_WRITE),
        side.stats.answers(99991400));
    long full = side.layout.values().stream().filter(n -> n == 20_000).count();
    System.out.printf("  tables: %d, %d of them full; the others: %s%n", side.layout.size(), full,
        side.layout.entrySet().stream().filter(e -> e.getValue() != 20_000).toList());
    System.out.printf("one table at a time (the seed's design): %,d rows in %.1f s = %,.0f rows/s; ratio %.2f "
            + "(at that rate %,d rows would take %.0f s)%n", serial.rows, serial.seconds, serial.rowsPerSecond(),
        serial.floorRatio(), rows, rows / serial.rowsPerSecond());
    System.out.printf("resume after a restart: %,d ms%n", resumeMs);
    System.out.printf("worker JVM (Kafka broker + Connect worker + sink; the emulator runs apart), max heap %,d MiB: "
            + "peak used %,d MiB, peak after a collection %,d MiB; live after the 1M-row run (its index of 1M keys "
            + "included) %,d MiB; during that run %s%n", Runtime.getRuntime().maxMemory() >> 20,
        heap.peakUsedEver() >> 20, heap.peakAfterGcEver() >> 20, side.liveAtEnd >> 20, side.gc);
    System.out.println("=================================================");
  }

  /** The heap of this JVM: the most used at any sample, and the most left after any collection. */
  private static final class HeapWatch {
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heap-sampler");
      t.setDaemon(true);
      return t;
    });
    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong peakUsedEver = new AtomicLong();
    private final AtomicLong peakAfterGcEver = new AtomicLong();

    static HeapWatch start() {
      HeapWatch w = new HeapWatch();
      w.sampler.scheduleAtFixedRate(() -> w.used(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()),
          0, 100, TimeUnit.MILLISECONDS);
      java.util.Set<String> heapPools = new java.util.HashSet<>();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
          if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
            long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
            // G1's "Concurrent GC" bean reports concurrent cycles, which do not stop the application
            w.afterGc(after, info.getGcName().contains("Concurrent") ? 0 : info.getGcInfo().getDuration());
          }
        }, null, null);
      }
      return w;
    }

    private void used(long bytes) {
      peakUsed.accumulateAndGet(bytes, Math::max);
      peakUsedEver.accumulateAndGet(bytes, Math::max);
    }

    private final AtomicLong pauseMillis = new AtomicLong();
    private final AtomicLong longestPauseMillis = new AtomicLong();

    private void afterGc(long bytes, long millis) {
      peakAfterGc.accumulateAndGet(bytes, Math::max);
      peakAfterGcEver.accumulateAndGet(bytes, Math::max);
      pauseMillis.addAndGet(millis);
      longestPauseMillis.accumulateAndGet(millis, Math::max);
    }

    void reset() {
      peakUsed.set(0);
      peakAfterGc.set(0);
      pauseMillis.set(0);
      longestPauseMillis.set(0);
    }

    /** Collection pauses since the last reset: their total and the longest. */
    String collections() {
      return String.format("collection pauses %,d ms in all, the longest %,d ms", pauseMillis.get(),
          longestPauseMillis.get());
    }

    /** The heap left after a full collection now: what is live. */
    static long liveNow() {
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    long peakUsed() {
      return peakUsed.get();
    }

    long peakAfterGc() {
      return peakAfterGc.get();
    }

    long peakUsedEver() {
      return peakUsedEver.get();
    }

    long peakAfterGcEver() {
      return peakAfterGcEver.get();
    }

    void stop() {
      sampler.shutdownNow();
    }
  }
}
