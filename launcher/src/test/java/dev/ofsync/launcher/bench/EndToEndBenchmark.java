package dev.ofsync.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.StatsSnapshot;
import dev.ofsync.emulator.TableSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.h2.tools.Server;

/**
 * The whole pipeline as a user runs it, measured: an Oracle-mode H2 database served over TCP,
 * the packaged launcher ({@code run}) in its own JVM with a fixed heap (its embedded Kafka broker
 * and Connect worker, the source and the sink), and the Feishu emulator with realistic latency
 * and the real quota (50 record writes a second per app). Prints figures, asserts nothing.
 *
 * <p>Phases ({@code -Dbench.phases}, all by default):
 * <ul>
 *   <li>{@code load}: N rows (default 1,000,000) of 10 mixed columns, {@code run --once} from an empty
 *       state: wall time, rows/s, the ratio to the quota floor (N / 500 / 50 s), Feishu calls by kind,
 *       the busiest second, the source's own rate (records reaching the topic), the launcher JVM's heap;</li>
 *   <li>{@code resume}: one row changed and one added, then {@code run --once} again on the same state:
 *       the time until the change is in Feishu (the index of N keys comes back from Kafka);</li>
 *   <li>{@code serial}: the seed's design, one table and one request at a time, on fewer rows;</li>
 *   <li>{@code latency}: a caught-up pipeline on 100,000 rows takes 100 changes a second (inserts and
 *       updates) for two minutes; for each change the time from its commit to the record's
 *       {@code last_modified_time} in the Bitable: p50, p95, p99, max, and Feishu calls per change.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -ntp install -DskipTests
 * MAVEN_OPTS=-Xmx8g mvn -B -ntp -pl launcher exec:java@benchmark [-Dbench.phases=load,resume,serial,latency]
 *     [-Dbench.rows=1000000] [-Dbench.serialRows=100000] [-Dbench.parallel=20] [-Dbench.workerHeap=1g]
 *     [-Dbench.latencyRows=100000] [-Dbench.changesPerSecond=100] [-Dbench.changeSeconds=120]
 *     [-Dbench.childJvmArgs="more options for the launcher's JVM; {label} stands for the phase"]
 * </pre>
 */
public final class EndToEndBenchmark {
  private static final String APP_ID = "cli_e2e_bench";
  private static final String APP_SECRET = "e2e-bench-secret";
  private static final String LOAD_BASE = "bascnE2eLoad0001";
  private static final String SERIAL_BASE = "bascnE2eSerial01";
  private static final String LATENCY_BASE = "bascnE2eLatency1";
  private static final String PREFIX = "Orders";
  private static final int ROWS_PER_TABLE = 20_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int rows = Integer.getInteger("bench.rows", 1_000_000);
  private final int serialRows = Integer.getInteger("bench.serialRows", 100_000);
  private final int parallel = Integer.getInteger("bench.parallel", 20);
  private final String workerHeap = System.getProperty("bench.workerHeap", "1g");
  private final int latencyRows = Integer.getInteger("bench.latencyRows", 100_000);
  private final int changesPerSecond = Integer.getInteger("bench.changesPerSecond", 100);
  private final int changeSeconds = Integer.getInteger("bench.changeSeconds", 120);
  private final Set<String> phases = Set.of(System.getProperty("bench.phases", "load,resume,serial,latency").split(","));
  private final Path work;
  private final FeishuEmulator feishu;
  private final String dbUrl;
  private final Connection db;

  private EndToEndBenchmark(Path work, FeishuEmulator feishu, String dbUrl, Connection db) {
    this.work = work;
    this.feishu = feishu;
    this.dbUrl = dbUrl;
    this.db = db;
  }

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("ofs-e2e-bench-");
    // the topic watcher's client asks before the launcher's broker listens: its retries are expected
    org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka", org.apache.logging.log4j.Level.ERROR);
    System.out.printf("== End-to-end benchmark: H2 (Oracle mode) -> launcher (Kafka + Connect) -> Feishu emulator ==%n");
    System.out.printf("machine: %d CPUs, JDK %s, benchmark JVM max heap %,d MiB; work directory %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20, work);
    Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    String dbUrl = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/mem:e2ebench;MODE=Oracle;DB_CLOSE_DELAY=-1";
    try (FeishuEmulator feishu = FeishuEmulator.builder().settings(EmulatorSettings.realistic())
             .app(APP_ID, APP_SECRET).start();
         Connection db = DriverManager.getConnection(dbUrl, "sa", "")) {
      System.out.println("emulator: " + feishu.settings());
      new EndToEndBenchmark(work, feishu, dbUrl, db).run();
    } finally {
      h2.stop();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    Run load = null;
    if (phases.contains("load")) {
      createTable("ORDERS", rows);
      load = syncOnce("load", "ORDERS", LOAD_BASE, parallel, rows);
      if (phases.contains("resume")) {
        resume(load);
      }
    }
    Run serial = null;
    if (phases.contains("serial")) {
      createTable("ORDERS_SERIAL", serialRows);
      serial = syncOnce("serial", "ORDERS_SERIAL", SERIAL_BASE, 1, serialRows);
    }
    if (load != null && serial != null) {
      double serialFor = serial.seconds() / serialRows * rows;
      System.out.printf("%n== %,d rows: %d tables side by side %.1f s (%.2f x the floor); one at a time (the seed's"
          + " design) about %.0f s at its rate of %,.0f rows/s (%.1f x the floor) ==%n", rows, parallel, load.seconds(),
          load.seconds() / floor(rows), serialFor, serial.rowsPerSecond(), serialFor / floor(rows));
    }
    if (phases.contains("latency")) {
      latency();
    }
  }

  private static double floor(int rows) {
    return rows / 500.0 / 50.0;
  }

  /** A table of the ORDERS shape with {@code n} rows: 10 columns of the Oracle types the source maps. */
  private void createTable(String name, int n) throws Exception {
    long start = System.nanoTime();
    try (Statement st = db.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + name);
      st.execute("CREATE TABLE " + name + " (ID NUMBER(12) PRIMARY KEY, CUSTOMER VARCHAR2(40), ITEM NVARCHAR2(80), "
          + "QTY NUMBER(6), AMOUNT NUMBER(12,2), WEIGHT NUMBER(10,3), ORDERED_ON DATE, PAID CHAR(1), "
          + "NOTE VARCHAR2(200), UPDATED_AT TIMESTAMP)");
      st.execute("INSERT INTO " + name + " SELECT X, 'customer ' || MOD(X, 9973), 'item ' || X || ' 订单', MOD(X, 50), "
          + "X * 1.25, MOD(X, 100000) / 7.0, DATE '2024-01-01' + MOD(X, 365), CASE WHEN MOD(X, 2) = 0 THEN 'Y' ELSE 'N' END, "
          + "'note ' || X, DATEADD('MILLISECOND', X, TIMESTAMP '2024-01-01 00:00:00') FROM SYSTEM_RANGE(1, " + n + ")");
      // as the source's README asks: every page an index range scan
      st.execute("CREATE INDEX " + name + "_SYNC ON " + name + " (UPDATED_AT, ID)");
    }
    System.out.printf("%ntable %s: %,d rows created in %.1f s%n", name, n, (System.nanoTime() - start) / 1e9);
  }

  private Path config(String phase, String table, String base, int tablesInParallel) throws Exception {
    Path state = work.resolve(phase);
    Files.createDirectories(state);
    String baseTable = feishu.tables(base, false).get(0).tableId();
    Path config = state.resolve("config.yaml");
    Files.writeString(config, String.join("\n",
        "oracle:",
        "  url: \"" + dbUrl + "\"",
        "  username: \"sa\"",
        "  password: \"\"",
        "  table_name: \"" + table + "\"",
        "  primary_key: \"ID\"",
        "  sync_column: \"UPDATED_AT\"",
        "feishu:",
        "  app_id: \"" + APP_ID + "\"",
        "  app_secret: \"" + APP_SECRET + "\"",
        "  app_token: \"" + base + "\"",
        "  base_table_id: \"" + baseTable + "\"",
        "  table_name_prefix: \"" + PREFIX + "\"",
        "  max_rows_per_table: " + ROWS_PER_TABLE,
        "  tables_in_parallel: " + tablesInParallel,
        "  base_url: \"" + feishu.url() + "\"",
        "sync:",
        "  read_batch_size: 5000",
        "  write_batch_size: 500",
        "  max_requests_per_second: 50",
        System.getProperty("bench.buffer") == null ? "" : "  max_buffered_records: " + System.getProperty("bench.buffer"),
        "kafka:",
        "  state_dir: \".\"",
        ""));
    return config;
  }

  /** One {@code run --once} from an empty state, with its figures. */
  private Run syncOnce(String phase, String table, String base, int tablesInParallel, int n) throws Exception {
    feishu.createBase(base, phase, Set.of(APP_ID), PREFIX);
    Path config = config(phase, table, base, tablesInParallel);
    System.out.printf("%n-- %s: %,d rows, %d table(s) side by side, run --once (launcher heap -Xmx%s) --%n", phase, n,
        tablesInParallel, workerHeap);
    feishu.resetStats();
    Watch watch = new Watch(base, config.getParent(), "oracle-feishu-sync." + table, n);
    long start = System.nanoTime();
    int exit;
    LauncherChild.Heap heap;
    try (LauncherChild child = LauncherChild.start(phase, config.getParent(), workerHeap, "run", "--config",
        config.toString(), "--once")) {
      watch.childPid = child.pid();
      watch.start(start);
      exit = child.waitFor(Duration.ofHours(2));
      heap = child.heap();
    } finally {
      watch.stop();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StatsSnapshot stats = feishu.stats();
    int inFeishu = rowsIn(base);
    Run run = new Run(phase, n, seconds, watch.firstWriteAt, watch.allWrittenAt, watch.sourceFirstAt, watch.sourceAllAt);
    System.out.printf("%s: exit %d, %,d rows in Feishu in %s%n", phase, exit, inFeishu, tables(base));
    System.out.printf("  wall time (launcher start to exit) %.1f s = %,.0f rows/s; %.2f x the quota floor of %.1f s%n",
        seconds, run.rowsPerSecond(), seconds / floor(n), floor(n));
    if (run.writeSeconds() > 0) {
      System.out.printf("  first Feishu write after %.1f s; all rows in Feishu after %.1f s; writing took %.1f s "
          + "(%.2f x the floor)%n", run.firstWriteAt, run.allWrittenAt, run.writeSeconds(), run.writeSeconds() / floor(n));
    }
    if (run.sourceAllAt > 0) {
      System.out.printf("  source: first record in the topic after %.1f s, all %,d after %.1f s: %,.0f rows/s%n",
          run.sourceFirstAt, n, run.sourceAllAt, n / (run.sourceAllAt - run.sourceFirstAt));
    }
    printCalls(stats);
    System.out.println("  timeline:" + watch.timeline(5));
    System.out.println("  launcher JVM (broker + worker + connectors), -Xmx" + workerHeap + ": " + heap);
    if (watch.liveHeapMiB >= 0) {
      System.out.printf("  its live heap when all rows were in Feishu (after a full collection): %,d MiB%n", watch.liveHeapMiB);
    }
    return run;
  }

  /** After the load: one update and one insert, then a new run on the same state. */
  private void resume(Run load) throws Exception {
    try (Statement st = db.createStatement()) {
      st.executeUpdate("UPDATE ORDERS SET NOTE = 'resumed', UPDATED_AT = CURRENT_TIMESTAMP WHERE ID = 1");
      st.executeUpdate("INSERT INTO ORDERS SELECT " + (rows + 1) + ", CUSTOMER, ITEM, QTY, AMOUNT, WEIGHT, ORDERED_ON, PAID, "
          + "'resumed', CURRENT_TIMESTAMP FROM ORDERS WHERE ID = 1");
    }
    Path config = work.resolve("load").resolve("config.yaml");
    System.out.printf("%n-- resume: the same state after %,d rows were synced; 1 row changed, 1 added; run --once --%n",
        rows);
    feishu.resetStats();
    long start = System.nanoTime();
    double changeAt = -1;
    int exit;
    try (LauncherChild child = LauncherChild.start("resume", config.getParent(), workerHeap, "run", "--config",
        config.toString(), "--once")) {
      while (child.alive() || changeAt < 0) {
        StatsSnapshot s = feishu.stats();
        if (changeAt < 0 && s.calls("POST records/batch_update") > 0 && s.calls("POST records/batch_create") > 0) {
          changeAt = (System.nanoTime() - start) / 1e9;
        }
        if (!child.alive() || (System.nanoTime() - start) > TimeUnit.MINUTES.toNanos(10)) {
          break;
        }
        Thread.sleep(100); // sampling the emulator's counters
      }
      exit = child.waitFor(Duration.ofMinutes(10));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StatsSnapshot stats = feishu.stats();
    System.out.printf("resume: exit %d; the changed and the new row were in Feishu %.1f s after the launcher started;"
        + " it exited after %.1f s; %,d rows in Feishu%n", exit, changeAt, seconds, rowsIn(LOAD_BASE));
    System.out.printf("  reads of the Bitable on restart: %,d search, %,d list records (the key index of %,d keys came "
        + "back from Kafka)%n", stats.calls("POST records/search"), stats.calls("GET records"), rows);
    printCalls(stats);
  }

  /** 100 changes a second on a caught-up pipeline; commit-to-Bitable time of each. */
  private void latency() throws Exception {
    String table = "ORDERS_LIVE";
    createTable(table, latencyRows);
    feishu.createBase(LATENCY_BASE, "latency", Set.of(APP_ID), PREFIX);
    Path config = config("latency", table, LATENCY_BASE, parallel);
    System.out.printf("%n-- latency: %,d rows synced, then %d changes/s for %d s (half inserts, half updates) --%n",
        latencyRows, changesPerSecond, changeSeconds);
    try (LauncherChild child = LauncherChild.start("latency", config.getParent(), workerHeap, "run", "--config",
        config.toString(), "--follow")) {
      if (!child.awaitLine(l -> l.startsWith("Following new changes"), Duration.ofMinutes(30))) {
        System.out.println("latency: the pipeline did not catch up; no figures");
        return;
      }
      int total = changesPerSecond * changeSeconds;
      long[] committedAt = new long[total];
      int[] ids = new int[total];
      feishu.resetStats();
      long windowStart = System.currentTimeMillis();
      ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor();
      int[] next = {0};
      try (Connection writer = DriverManager.getConnection(dbUrl, "sa", "");
           PreparedStatement insert = writer.prepareStatement("INSERT INTO " + table + " (ID, CUSTOMER, ITEM, QTY, AMOUNT, "
               + "WEIGHT, ORDERED_ON, PAID, NOTE, UPDATED_AT) VALUES (?, 'live customer', 'live item', 1, 9.99, 1.5, "
               + "SYSDATE, 'N', ?, CURRENT_TIMESTAMP)");
           PreparedStatement update = writer.prepareStatement("UPDATE " + table + " SET NOTE = ?, QTY = QTY + 1, "
               + "UPDATED_AT = CURRENT_TIMESTAMP WHERE ID = ?")) {
        long period = 1_000_000L / changesPerSecond;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        driver.scheduleAtFixedRate(() -> {
          int i = next[0];
          if (i >= total) {
            done.countDown();
            return;
          }
          try {
            int id;
            if (i % 2 == 0) {
              id = latencyRows + 1 + i;
              insert.setInt(1, id);
              insert.setString(2, "change " + i);
              insert.executeUpdate();
            } else {
              // distinct existing rows, so each change is the last one of its row
              id = (int) ((long) i * 7919 % latencyRows) + 1;
              update.setString(1, "change " + i);
              update.setInt(2, id);
              update.executeUpdate();
            }
            committedAt[i] = System.currentTimeMillis();
            ids[i] = id;
            next[0] = i + 1;
          } catch (Exception e) {
            System.out.println("latency: change " + i + " failed: " + e);
            done.countDown();
            throw new IllegalStateException(e);
          }
        }, 0, period, TimeUnit.MICROSECONDS);
        done.await(changeSeconds + 120L, TimeUnit.SECONDS);
      } finally {
        driver.shutdownNow();
      }
      int made = next[0];
      long windowEnd = System.currentTimeMillis();
      System.out.printf("latency: %,d changes committed in %.1f s (%.1f/s)%n", made, (windowEnd - windowStart) / 1e3,
          made * 1000.0 / (windowEnd - windowStart));
      long[] visibleAt = new long[made];
      int found = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (found < made && System.nanoTime() < deadline) {
        Map<String, TableSnapshot.RecordInfo> byKey = new HashMap<>();
        for (TableSnapshot t : feishu.tables(LATENCY_BASE)) {
          for (TableSnapshot.RecordInfo r : t.records()) {
            byKey.put(String.valueOf(r.fields().get("ID")), r);
          }
        }
        found = 0;
        for (int i = 0; i < made; i++) {
          TableSnapshot.RecordInfo r = byKey.get(String.valueOf(ids[i]));
          if (r != null && ("change " + i).equals(r.fields().get("NOTE"))) {
            visibleAt[i] = r.lastModifiedTime();
            found++;
          }
        }
        if (found < made) {
          Thread.sleep(2000); // the next look at the emulator's tables
        }
      }
      StatsSnapshot stats = feishu.stats();
      long writes = stats.calls("POST records/batch_create") + stats.calls("POST records/batch_update");
      long[] latencies = new long[found];
      int k = 0;
      for (int i = 0; i < made; i++) {
        if (visibleAt[i] > 0) {
          latencies[k++] = Math.max(0, visibleAt[i] - committedAt[i]);
        }
      }
      Arrays.sort(latencies);
      System.out.printf("latency: %,d of %,d changes in Feishu%s%n", found, made,
          found < made ? " (" + (made - found) + " MISSING after 2 minutes)" : "");
      if (found > 0) {
        System.out.printf(Locale.ROOT, "  commit -> Bitable: p50 %.2f s, p95 %.2f s, p99 %.2f s, max %.2f s%n",
            pct(latencies, 50), pct(latencies, 95), pct(latencies, 99), latencies[found - 1] / 1e3);
      }
      System.out.printf(Locale.ROOT, "  Feishu record writes: %,d for %,d changes = %.3f calls per change "
          + "(%.1f writes/s); busiest second %d record writes%n", writes, made, writes / (double) Math.max(1, made),
          writes * 1000.0 / Math.max(1, System.currentTimeMillis() - windowStart), stats.peak(CallClass.RECORD_WRITE));
      printCalls(stats);
      System.out.println("  launcher JVM: " + child.heap());
    }
  }

  /**
   * The launcher's live heap in MiB (jcmd's class histogram collects first), printing its biggest
   * classes when {@code print} ({@code -Dbench.histogram=true}); -1 when jcmd cannot tell.
   */
  private static long histogram(long pid, boolean print) {
    try {
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
      List<String> lines = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          .lines().toList();
      if (print) {
        System.out.println("  launcher heap by class (live objects, after a full collection):");
        lines.stream().limit(25).forEach(l -> System.out.println("    " + l));
      }
      return lines.stream().filter(l -> l.startsWith("Total")).map(l -> l.trim().split("\\s+"))
          .mapToLong(p -> Long.parseLong(p[p.length - 1]) >> 20).findFirst().orElse(-1);
    } catch (java.io.IOException | RuntimeException e) {
      System.out.println("  no class histogram: " + e);
      return -1;
    }
  }

  private static double pct(long[] sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e3;
  }

  private void printCalls(StatsSnapshot stats) {
    Map<String, Long> calls = new java.util.TreeMap<>(stats.callsByEndpoint());
    System.out.println("  Feishu calls: " + calls);
    System.out.printf("  busiest second: %d record writes, %d reads, %d schema writes, %d token calls (quota 50/20/10);"
        + " 429 answers: %s%n", stats.peak(CallClass.RECORD_WRITE), stats.peak(CallClass.READ),
        stats.peak(CallClass.SCHEMA_WRITE), stats.peak(CallClass.TOKEN), stats.rateLimited());
  }

  private int rowsIn(String base) {
    return feishu.tables(base, false).isEmpty() ? 0 : feishu.stats().rowsPerTable().entrySet().stream()
        .filter(e -> e.getKey().startsWith(base + "/")).mapToInt(Map.Entry::getValue).sum();
  }

  private String tables(String base) {
    List<String> out = new ArrayList<>();
    feishu.stats().rowsPerTable().forEach((k, v) -> {
      if (k.startsWith(base + "/")) {
        out.add(k.substring(base.length() + 1) + " " + String.format("%,d", v));
      }
    });
    out.sort(null);
    return out.size() <= 8 ? String.join(", ", out)
        : String.join(", ", out.subList(0, 4)) + ", ... " + String.join(", ", out.subList(out.size() - 2, out.size()))
            + " (" + out.size() + " tables)";
  }

  /** Times of one run, in seconds from the launcher's start. */
  private record Run(String phase, int rows, double seconds, double firstWriteAt, double allWrittenAt,
      double sourceFirstAt, double sourceAllAt) {
    double rowsPerSecond() {
      return rows / seconds;
    }

    double writeSeconds() {
      return firstWriteAt >= 0 && allWrittenAt > 0 ? allWrittenAt - firstWriteAt : -1;
    }
  }

  /**
   * Samples, every 250 ms, the emulator's counters (first record write, all rows present) and the
   * topic's end offsets on the launcher's broker (from its {@code run.json}): the source's own pace.
   */
  private final class Watch {
    private final String base;
    private final Path state;
    private final String topic;
    private final int rows;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private volatile double firstWriteAt = -1;
    private volatile double allWrittenAt = -1;
    private volatile double sourceFirstAt = -1;
    private volatile double sourceAllAt = -1;
    private Admin admin;
    private long start;
    private volatile long childPid;
    private volatile long liveHeapMiB = -1;
    /** Every sample: seconds since the start, record writes so far, records in the topic so far (-1: unknown). */
    private final List<double[]> timeline = new java.util.concurrent.CopyOnWriteArrayList<>();

    Watch(String base, Path state, String topic, int rows) {
      this.base = base;
      this.state = state;
      this.topic = topic;
      this.rows = rows;
    }

    void start(long startNanos) {
      this.start = startNanos;
      sampler.scheduleAtFixedRate(this::sample, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      try {
        double now = (System.nanoTime() - start) / 1e9;
        long writes = feishu.stats().calls("POST records/batch_create");
        if (firstWriteAt < 0 && writes > 0) {
          firstWriteAt = now;
        }
        long inTopicNow = -1;
        try {
          inTopicNow = sourceAllAt < 0 ? topicRecords() : rows;
        } catch (Exception e) {
          // the broker is not up yet
        }
        timeline.add(new double[] {now, writes, inTopicNow});
        if (allWrittenAt < 0 && rowsIn(base) >= rows) {
          allWrittenAt = now;
          if (childPid > 0) {
            liveHeapMiB = histogram(childPid, Boolean.getBoolean("bench.histogram"));
          }
          if (System.getProperty("bench.heapDump") != null && childPid > 0) {
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(childPid),
                "GC.heap_dump", System.getProperty("bench.heapDump")).inheritIO().start().waitFor();
          }
        }
        if (sourceAllAt < 0 && inTopicNow >= 0) {
          if (inTopicNow > 0 && sourceFirstAt < 0) {
            sourceFirstAt = now;
          }
          if (inTopicNow >= rows) {
            sourceAllAt = now;
          }
        }
      } catch (Exception e) {
        // the broker is not up yet or already gone: the next sample tries again
      }
    }

    /** Record writes a second and source rows a second, in steps of {@code step} seconds. */
    String timeline(double step) {
      StringBuilder out = new StringBuilder();
      double[] last = null;
      for (double[] sample : timeline) {
        if (last == null) {
          last = new double[] {0, 0, 0};
        }
        if (sample[0] - last[0] >= step - 1e-9) {
          double dt = sample[0] - last[0];
          out.append(String.format("%n    %5.1f-%5.1f s: %4.1f writes/s, source %,7.0f rows/s", last[0], sample[0],
              (sample[1] - last[1]) / dt, sample[2] < 0 || last[2] < 0 ? 0.0 : (sample[2] - last[2]) / dt));
          last = sample;
        }
      }
      return out.toString();
    }

    private long topicRecords() throws Exception {
      if (admin == null) {
        Path runFile = state.resolve("run.json");
        if (!Files.exists(runFile)) {
          return 0;
        }
        JsonNode run = JSON.readTree(runFile.toFile());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, run.path("bootstrap_servers").asText(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000));
      }
      var description = admin.describeTopics(List.of(topic)).allTopicNames().get(2, TimeUnit.SECONDS).get(topic);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get(2, TimeUnit.SECONDS).values().stream()
          .mapToLong(i -> i.offset()).sum();
    }

    void stop() {
      sampler.shutdownNow();
      if (admin != null) {
        admin.close(Duration.ofSeconds(2));
      }
    }
  }
}
