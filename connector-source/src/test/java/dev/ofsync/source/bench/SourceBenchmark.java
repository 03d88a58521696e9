package dev.ofsync.source.bench;

import dev.ofsync.source.OracleSourceConnector;
import dev.ofsync.source.OracleSourceTask;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Initial load of an H2 table (Oracle mode, 10 mixed columns) into Kafka. Prints figures; not a test.
 * Three runs: the task's poll loop alone (what the source itself costs), then the connector in a
 * Connect worker writing records to a Kafka topic (end to end), with JsonConverter's schemas
 * on (as the pipeline runs) and off (to show what the converter's schema envelope costs).
 *
 * <pre>
 * mvn -B -pl connector-source -am install -DskipTests
 * MAVEN_OPTS=-Xmx4g mvn -B -pl connector-source exec:java@benchmark [-Dbench.rows=1000000] [-Dbench.batch=1000]
 * </pre>
 */
public final class SourceBenchmark {
  private SourceBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("bench.rows", 1_000_000);
    int batch = Integer.getInteger("bench.batch", 1_000);
    String url = "jdbc:h2:mem:bench;MODE=Oracle;DB_CLOSE_DELAY=-1";
    try (Connection db = DriverManager.getConnection(url, "sa", "")) {
      long t0 = System.nanoTime();
      fill(db, rows);
      System.out.printf("table of %,d rows x 10 columns filled in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);

      Map<String, String> config = new HashMap<>();
      config.put("oracle.url", url);
      config.put("oracle.username", "sa");
      config.put("oracle.password", "");
      config.put("oracle.table_name", "BENCH");
      config.put("oracle.sync_column", "UPDATED_AT");
      config.put("sync.read_batch_size", String.valueOf(batch));
      config.put("sync.poll_interval_ms", "200");

      pollLoop(config, rows);
      throughWorker(config, rows, true);
      throughWorker(config, rows, false);
    }
  }

  private static void fill(Connection db, int rows) throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE BENCH (ID NUMBER(10) PRIMARY KEY, CUSTOMER VARCHAR2(40), AMOUNT NUMBER(12,2), QTY NUMBER(5),"
          + " PRICE BINARY_DOUBLE, STATUS CHAR(1), CREATED DATE, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(200), CODE NUMBER(38))");
      st.execute("INSERT INTO BENCH SELECT X, 'customer ' || X, X * 1.25, MOD(X, 10000), X / 7.0, CHAR(65 + MOD(X, 26)),"
          + " TIMESTAMP '2020-01-01 00:00:00' + MOD(X, 1000) * INTERVAL '1' DAY,"
          + " TIMESTAMP '2024-01-01 00:00:00' + (X / 100) * INTERVAL '1' SECOND,"
          + " 'note for row ' || X || ' with some text to make the row realistic', X * 1000000007"
          + " FROM SYSTEM_RANGE(1, " + rows + ")");
      // Oracle tables read incrementally want this index too: it serves the keyset's ORDER BY.
      st.execute("CREATE INDEX BENCH_SYNC ON BENCH (UPDATED_AT, ID)");
    }
  }

  /** The task alone: rows/s of the JDBC read and record building, without Kafka. */
  private static void pollLoop(Map<String, String> config, int rows) throws Exception {
    OracleSourceTask task = new OracleSourceTask();
    task.initialize(new SourceTaskContext() {
      @Override
      public Map<String, String> configs() {
        return config;
      }

      @Override
      public org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        return null;
      }

      @Override
      public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
          @Override
          public <T> Map<String, Object> offset(Map<String, T> partition) {
            return null;
          }

          @Override
          public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
            return Map.of();
          }
        };
      }
    });
    HeapWatch heap = HeapWatch.start();
    long start = System.nanoTime();
    task.start(config);
    long read = 0;
    while (read < rows) {
      List<SourceRecord> batch = task.poll();
      read += batch == null ? 0 : batch.size();
    }
    double s = (System.nanoTime() - start) / 1e9;
    task.stop();
    System.out.printf("poll loop only:      %,d rows in %.1f s = %,.0f rows/s; heap used: %s%n", read, s, read / s, heap.stop());
  }

  /** The connector in a Connect worker, records in Kafka as JSON with schemas. */
  private static void throughWorker(Map<String, String> config, int rows, boolean schemas) throws Exception {
    Map<String, String> worker = new HashMap<>();
    worker.put("key.converter", JsonConverter.class.getName());
    worker.put("value.converter", JsonConverter.class.getName());
    worker.put("key.converter.schemas.enable", String.valueOf(schemas));
    worker.put("value.converter.schemas.enable", String.valueOf(schemas));
    worker.put("offset.flush.interval.ms", "5000");
    EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name("source-bench").numWorkers(1).numBrokers(1)
        .workerProps(worker).build();
    connect.start();
    try {
      connect.kafka().createTopic("BENCH", 1);
      Map<String, String> c = new HashMap<>(config);
      c.put("connector.class", OracleSourceConnector.class.getName());
      c.put("tasks.max", "1");
      c.put("producer.override.linger.ms", "20");
      c.put("producer.override.batch.size", "1048576");
      c.put("producer.override.compression.type", "lz4");
      HeapWatch heap = HeapWatch.start();
      long start = System.nanoTime();
      connect.configureConnector("bench", c);
      TopicPartition tp = new TopicPartition("BENCH", 0);
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
          connect.kafka().bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        long end;
        long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
        do {
          end = consumer.endOffsets(List.of(tp)).get(tp);
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("only " + end + " records after 30 minutes");
          }
          // A benchmark main, not a test: a coarse wait keeps this thread off the two cores the worker needs.
          Thread.sleep(100);
        } while (end < rows);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf("through the worker:  %,d records in Kafka in %.1f s = %,.0f rows/s (JSON %s schemas); heap used: %s%n",
            end, s, end / s, schemas ? "with" : "without", heap.stop());
      }
    } finally {
      connect.stop();
    }
  }

  /**
   * Samples heap use every 50 ms, of the whole JVM (H2's table and the broker included): the peak
   * of used heap (garbage included, so it mostly says how lazy the collector is) and the peak of
   * heap still live after a collection, which is what would grow if memory were not bounded.
   */
  private static final class HeapWatch {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final long before;
    private volatile boolean running = true;
    private final Thread thread;

    private HeapWatch() {
      System.gc();
      before = memory.getHeapMemoryUsage().getUsed();
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
          long live = 0;
          for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
              live += pool.getCollectionUsage().getUsed();
            }
          }
          peakAfterGc.accumulateAndGet(live, Math::max);
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-watch");
      thread.setDaemon(true);
      thread.start();
    }

    static HeapWatch start() {
      return new HeapWatch();
    }

    String stop() throws InterruptedException {
      running = false;
      thread.join();
      return String.format("%,d MB before (after GC, H2 table in it), peak used %,d MB, peak live after GC %,d MB",
          before >> 20, peak.get() >> 20, peakAfterGc.get() >> 20);
    }
  }
}
