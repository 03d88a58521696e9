package dev.ofsync.emulator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.TableSnapshot;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The emulator's own capacity, so a slow sync test can be blamed on the right side. Prints figures,
 * asserts nothing. Run from the repository root:
 *
 * <pre>
 * mvn -q install -DskipTests
 * mvn -pl feishu-emulator -q exec:java@benchmark
 * </pre>
 *
 * <p>(a) Throughput: no latency, no rate limits, no row limit; 8 client threads, each writing
 * 500-record batch_create calls of 10 mixed columns to its own table over plain HTTP with a body
 * serialized once, so the client's JSON cost does not count. (b) Memory: a full base of 100 tables
 * of 20,000 rows of 10 columns, written over HTTP in calls of 1,000 records, then the used heap
 * after GC.
 *
 * <p>Wall-clock figures move with whatever else the machine runs. So (a) also prints, per call,
 * the bytes allocated and the CPU time used by the emulator's threads and by the client's, and the
 * JVM's CPU outside Java threads (garbage collection, JIT); (b) prints the bytes held per row.
 *
 * <p>System properties (all optional): {@code bench.threads} (8), {@code bench.warmupSeconds} (3),
 * {@code bench.seconds} (10), {@code bench.memTables} (100), {@code bench.memRows} (20000),
 * {@code bench.clientTokens} (false: the memory fill sends no client_token).
 */
public final class EmulatorBenchmark {
  private static final String APP_ID = "cli_bench";
  private static final String APP_SECRET = "bench-secret";
  private static final String BASE = "bascnBenchmark0001";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] OK_PREFIX = "{\"code\":0,".getBytes(StandardCharsets.US_ASCII);

  private static final int THREADS = Integer.getInteger("bench.threads", 8);
  private static final int ROWS_PER_CALL = 500;
  private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 3);
  private static final int MEASURE_SECONDS = Integer.getInteger("bench.seconds", 10);
  private static final int TARGET_CALLS_PER_SECOND = 500;

  private static final int MEM_TABLES = Integer.getInteger("bench.memTables", 100);
  private static final int MEM_ROWS_PER_TABLE = Integer.getInteger("bench.memRows", 20_000);
  private static final int MEM_ROWS_PER_CALL = 1_000;
  private static final int MEM_CLIENT_THREADS = 4;
  private static final long TARGET_HEAP_MIB = 2_048;
  /** Whether the memory fill sends a client_token with each call, as the SDK-based sink does. */
  private static final boolean CLIENT_TOKENS = Boolean.getBoolean("bench.clientTokens");

  /** The 10 columns every benchmark table has: name and Bitable type. The first is the primary field. */
  private static final String[][] COLUMNS = {
      {"Name", "1"}, {"Description", "1"}, {"Amount", "2"}, {"Quantity", "2"}, {"CreatedAt", "5"},
      {"UpdatedAt", "5"}, {"Active", "7"}, {"Category", "3"}, {"Tags", "4"}, {"Website", "15"}};

  private EmulatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    System.out.println("== Feishu emulator benchmark ==");
    System.out.println(machine());
    System.out.println();

    Throughput t = throughput();
    System.out.println();
    Memory m = memory();

    double minutes = (System.nanoTime() - started) / 60e9;
    System.out.println();
    System.out.println("==================== SUMMARY ====================");
    System.out.println(machine());
    System.out.printf(Locale.ROOT, "throughput: %,.0f calls/s of %d rows = %,.0f rows/s (%d client threads, %d s,"
            + " p50 %.1f ms, p99 %.1f ms, %d failed calls)%n", t.callsPerSecond, ROWS_PER_CALL, t.rowsPerSecond,
        THREADS, MEASURE_SECONDS, t.p50Ms, t.p99Ms, t.failed);
    System.out.println(perCallLine(t));
    System.out.printf(Locale.ROOT, "  target >= %d calls/s of %d rows: %s%n", TARGET_CALLS_PER_SECOND, ROWS_PER_CALL,
        t.callsPerSecond >= TARGET_CALLS_PER_SECOND ? "MET" : "NOT MET");
    System.out.printf(Locale.ROOT, "memory:     %,d tables x %,d rows x %d columns = %,d rows held; used heap after GC"
            + " %,d MiB (%,d MiB before filling, so %,d MiB for the data, %,d bytes per row); filled in %.1f s"
            + " (%,.0f rows/s)%n",
        m.tables, MEM_ROWS_PER_TABLE, COLUMNS.length, m.rows, m.usedBytes >> 20, m.baselineBytes >> 20,
        (m.usedBytes - m.baselineBytes) >> 20, m.bytesPerRow(), m.fillSeconds, m.rows / m.fillSeconds);
    System.out.printf(Locale.ROOT, "  target <= %,d MiB used heap: %s%n", TARGET_HEAP_MIB,
        (m.usedBytes >> 20) <= TARGET_HEAP_MIB ? "MET" : "NOT MET");
    System.out.printf(Locale.ROOT, "whole benchmark: %.1f min%n", minutes);
    System.out.println("=================================================");
  }

  // ---- (a) throughput ----

  private record Throughput(double callsPerSecond, double rowsPerSecond, double p50Ms, double p99Ms, long failed,
      long calls, JvmMeter.Delta meter) {
    double perCall(long value) {
      return calls == 0 ? 0 : (double) value / calls;
    }
  }

  private static Throughput throughput() throws Exception {
    System.out.printf("(a) throughput: %d threads x batch_create of %d rows, %d s warm-up, %d s measured%n",
        THREADS, ROWS_PER_CALL, WARMUP_SECONDS, MEASURE_SECONDS);
    // The real row limit: like a real client, a writer whose table is full (1254103) starts a new one.
    EmulatorSettings settings = EmulatorSettings.fast().rateLimitsEnabled(false).maxTablesPerBase(100_000);
    try (FeishuEmulator emulator = FeishuEmulator.builder().settings(settings).app(APP_ID, APP_SECRET)
        .base(BASE, "DataSync", APP_ID).start()) {
      Wire wire = new Wire(emulator.url(), APP_ID, APP_SECRET);
      List<String> tableIds = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        tableIds.add(wire.createTable(BASE, "Throughput" + i));
      }
      byte[] body = recordsBody("Name", 0, ROWS_PER_CALL).getBytes(StandardCharsets.UTF_8);
      System.out.printf("  request body: %,d bytes for %d rows%n", body.length, ROWS_PER_CALL);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean measuring = new AtomicBoolean();
      LongAdder calls = new LongAdder();
      LongAdder failed = new LongAdder();
      Map<String, LongAdder> failures = new ConcurrentHashMap<>();
      List<long[]> latencies = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        String[] path = {"/open-apis/bitable/v1/apps/" + BASE + "/tables/" + tableIds.get(i) + "/records/batch_create"};
        int writer = i;
        long[] mine = new long[1 << 16];
        latencies.add(mine);
        Thread thread = new Thread(() -> {
          int n = 0;
          while (!stop.get()) {
            long t0 = System.nanoTime();
            String failure;
            try {
              HttpResponse<byte[]> resp = wire.postRaw(path[0], body);
              boolean ok = resp.statusCode() == 200 && startsWith(resp.body(), OK_PREFIX);
              failure = ok ? null : resp.statusCode() + " " + head(resp.body());
              if (!ok && head(resp.body()).contains("1254103")) {
                path[0] = "/open-apis/bitable/v1/apps/" + BASE + "/tables/"
                    + wire.createTable(BASE, "Throughput" + writer + "_" + System.nanoTime()) + "/records/batch_create";
                continue;
              }
            } catch (RuntimeException | IOException e) {
              failure = e.toString();
            }
            long took = System.nanoTime() - t0;
            if (!measuring.get()) {
              continue;
            }
            if (failure == null) {
              calls.increment();
              if (n < mine.length - 1) {
                mine[++n] = took;
                mine[0] = n;
              }
            } else {
              failed.increment();
              failures.computeIfAbsent(failure, k -> new LongAdder()).increment();
            }
          }
        }, "bench-writer-" + i);
        thread.setDaemon(true);
        threads.add(thread);
      }
      threads.forEach(Thread::start);
      Thread.sleep(WARMUP_SECONDS * 1000L);
      emulator.resetStats();
      measuring.set(true);
      JvmMeter.Snapshot before = JvmMeter.snapshot();
      long t0 = System.nanoTime();
      Thread.sleep(MEASURE_SECONDS * 1000L);
      long done = calls.sum();
      double seconds = (System.nanoTime() - t0) / 1e9;
      JvmMeter.Delta meter = JvmMeter.between(before, JvmMeter.snapshot());
      measuring.set(false);
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(60_000);
      }

      long[] all = latencies.stream()
          .flatMapToLong(a -> Arrays.stream(a, 1, (int) a[0] + 1))
          .sorted().toArray();
      double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
      double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6;
      long rowsHeld = emulator.stats().rowsPerTable().values().stream().mapToLong(Integer::longValue).sum();
      Throughput result = new Throughput(done / seconds, done * ROWS_PER_CALL / seconds, p50, p99, failed.sum(),
          done, meter);
      System.out.printf(Locale.ROOT, "  %,d calls in %.2f s: %,.0f calls/s, %,.0f rows/s; latency p50 %.1f ms,"
          + " p99 %.1f ms%n", done, seconds, result.callsPerSecond, result.rowsPerSecond, p50, p99);
      System.out.println(perCallLine(result));
      System.out.printf(Locale.ROOT, "  failed calls: %d %s; rows held at the end: %,d%n", failed.sum(),
          failures.isEmpty() ? "" : failures, rowsHeld);
      System.out.printf(Locale.ROOT, "  emulator's answers by code while measured: %s%n",
          emulator.stats().answersByCode());
      return result;
    }
  }

  // ---- (b) memory ----

  private record Memory(int tables, long rows, long baselineBytes, long usedBytes, double fillSeconds) {
    long bytesPerRow() {
      return rows == 0 ? 0 : (usedBytes - baselineBytes) / rows;
    }
  }

  private static Memory memory() throws Exception {
    System.out.printf("(b) memory: a full base of %d tables x %,d rows x %d columns, %,d rows per call, %s%n",
        MEM_TABLES, MEM_ROWS_PER_TABLE, COLUMNS.length, MEM_ROWS_PER_CALL,
        CLIENT_TOKENS ? "a client_token on each call" : "no client_token");
    long baseline = usedHeapAfterGc();
    // Default limits: 20,000 rows per table and 100 tables per base (the base table counts as one).
    EmulatorSettings settings = EmulatorSettings.fast().rateLimitsEnabled(false);
    FeishuEmulator emulator = FeishuEmulator.builder().settings(settings).app(APP_ID, APP_SECRET)
        .base(BASE, "DataSync", APP_ID).start();
    try {
      Wire wire = new Wire(emulator.url(), APP_ID, APP_SECRET);
      // The base table (primary field "Text") gets the other 9 columns; 99 more tables are created.
      List<String[]> tables = new ArrayList<>();
      String baseTableId = emulator.tables(BASE, false).get(0).tableId();
      for (int c = 1; c < COLUMNS.length; c++) {
        wire.post("/open-apis/bitable/v1/apps/" + BASE + "/tables/" + baseTableId + "/fields",
            fieldJson(COLUMNS[c][0], COLUMNS[c][1]));
      }
      tables.add(new String[] {baseTableId, "Text"});
      for (int i = 1; i < MEM_TABLES; i++) {
        tables.add(new String[] {wire.createTable(BASE, "Memory" + i), "Name"});
      }

      long t0 = System.nanoTime();
      AtomicLong nextRow = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(MEM_CLIENT_THREADS);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (String[] table : tables) {
          work.add(pool.submit(() -> {
            String path = "/open-apis/bitable/v1/apps/" + BASE + "/tables/" + table[0] + "/records/batch_create";
            for (int written = 0; written < MEM_ROWS_PER_TABLE; written += MEM_ROWS_PER_CALL) {
              int n = Math.min(MEM_ROWS_PER_CALL, MEM_ROWS_PER_TABLE - written);
              long first = nextRow.getAndAdd(n);
              wire.post(CLIENT_TOKENS ? path + "?client_token=" + UUID.randomUUID() : path,
                  recordsBody(table[1], first, n));
            }
            return null;
          }));
        }
        for (Future<?> f : work) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      double fillSeconds = (System.nanoTime() - t0) / 1e9;

      List<TableSnapshot> held = emulator.tables(BASE, false);
      long rows = emulator.stats().rowsPerTable().values().stream().mapToLong(Integer::longValue).sum();
      System.out.printf(Locale.ROOT, "  filled %d tables, %,d rows in %.1f s (%,.0f rows/s)%n", held.size(), rows,
          fillSeconds, rows / fillSeconds);
      long used = usedHeapAfterGc();
      System.out.printf(Locale.ROOT, "  used heap after GC: %,d MiB (before filling: %,d MiB; max heap %,d MiB);"
          + " %,d bytes per row held%n", used >> 20, baseline >> 20, Runtime.getRuntime().maxMemory() >> 20,
          rows == 0 ? 0 : (used - baseline) / rows);
      Reference.reachabilityFence(emulator);
      return new Memory(held.size(), rows, baseline, used, fillSeconds);
    } finally {
      emulator.close();
    }
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Per call, while measured: what the server and the client allocated and used of the CPU, and the GC's share. */
  private static String perCallLine(Throughput t) {
    JvmMeter.Delta m = t.meter;
    return String.format(Locale.ROOT, "  per call: server allocated %,.0f kB and used %.2f ms CPU; client %,.0f kB and"
            + " %.2f ms CPU; whole JVM %,.0f kB and %.2f ms CPU, %.2f ms of it outside Java threads (GC, JIT)."
            + " GC: %d collections, %,d ms (%.0f%% of %.1f s); process CPU %.2f of %d cores",
        t.perCall(m.serverAllocated()) / 1e3, t.perCall(m.serverCpuNanos()) / 1e6,
        t.perCall(m.clientAllocated()) / 1e3, t.perCall(m.clientCpuNanos()) / 1e6,
        t.perCall(m.allocated()) / 1e3, t.perCall(m.processCpuNanos()) / 1e6, t.perCall(m.vmCpuNanos()) / 1e6,
        m.gcCount(), m.gcMillis(), 100.0 * m.gcMillis() / (m.seconds() * 1e3), m.seconds(),
        m.processCpuNanos() / 1e9 / m.seconds(), Runtime.getRuntime().availableProcessors());
  }

  // ---- request bodies ----

  private static String fieldJson(String name, String type) {
    StringBuilder b = new StringBuilder("{\"field_name\":\"").append(name).append("\",\"type\":").append(type);
    if (type.equals("3") || type.equals("4")) {
      b.append(",\"property\":{\"options\":[{\"name\":\"north\"},{\"name\":\"south\"},{\"name\":\"east\"},"
          + "{\"name\":\"west\"}]}");
    }
    return b.append('}').toString();
  }

  private static String createTableJson(String name) {
    StringBuilder b = new StringBuilder("{\"table\":{\"name\":\"").append(name).append("\",\"fields\":[");
    for (int c = 0; c < COLUMNS.length; c++) {
      b.append(c == 0 ? "" : ",").append(fieldJson(COLUMNS[c][0], COLUMNS[c][1]));
    }
    return b.append("]}}").toString();
  }

  private static final String[] REGIONS = {"north", "south", "east", "west"};

  /** {"records": [...]} with {@code n} rows of the 10 columns, numbered from {@code first}; distinct values per row. */
  static String recordsBody(String primaryName, long first, int n) {
    StringBuilder b = new StringBuilder(n * 400).append("{\"records\":[");
    long epoch = 1_704_067_200_000L;
    for (int i = 0; i < n; i++) {
      long r = first + i;
      b.append(i == 0 ? "" : ",").append("{\"fields\":{")
          .append('"').append(primaryName).append("\":\"ORD-").append(r).append('"')
          .append(",\"Description\":\"Order ").append(r).append(" for customer C").append(r % 9_973)
          .append(", shipped via route ").append(r % 97).append(" 数据\"")
          .append(",\"Amount\":").append(r % 100_000).append('.').append(r % 100)
          .append(",\"Quantity\":").append(r % 500)
          .append(",\"CreatedAt\":").append(epoch + r * 1_000)
          .append(",\"UpdatedAt\":").append(epoch + r * 1_000 + 3_600_000)
          .append(",\"Active\":").append(r % 3 != 0)
          .append(",\"Category\":\"").append(REGIONS[(int) (r % 4)]).append('"')
          .append(",\"Tags\":[\"").append(REGIONS[(int) (r % 4)]).append("\",\"").append(REGIONS[(int) ((r / 4) % 4)])
          .append("\"]")
          .append(",\"Website\":{\"text\":\"order ").append(r).append("\",\"link\":\"https://shop.example.com/o/")
          .append(r).append("\"}")
          .append("}}");
    }
    return b.append("]}").toString();
  }

  private static boolean startsWith(byte[] body, byte[] prefix) {
    return body.length >= prefix.length && Arrays.equals(body, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static String head(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
    return s.replaceAll("\"log_id\":\"[^\"]*\"", "");
  }

  // ---- HTTP ----

  /** The Open API over java.net.http with one tenant_access_token. */
  private static final class Wire {
    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    private final String url;
    private final String authorization;

    Wire(String url, String appId, String appSecret) throws IOException {
      this.url = url;
      JsonNode token = JSON.readTree(postRaw("/open-apis/auth/v3/tenant_access_token/internal",
          ("{\"app_id\":\"" + appId + "\",\"app_secret\":\"" + appSecret + "\"}").getBytes(StandardCharsets.UTF_8),
          null).body());
      if (token.path("code").asInt(-1) != 0) {
        throw new IllegalStateException("no tenant_access_token: " + token);
      }
      this.authorization = "Bearer " + token.path("tenant_access_token").asText();
    }

    String createTable(String appToken, String name) throws IOException {
      return post("/open-apis/bitable/v1/apps/" + appToken + "/tables", createTableJson(name))
          .path("data").path("table_id").asText();
    }

    /** POSTs JSON; fails unless the answer is code 0. */
    JsonNode post(String path, String body) throws IOException {
      HttpResponse<byte[]> resp = postRaw(path, body.getBytes(StandardCharsets.UTF_8));
      JsonNode answer = JSON.readTree(resp.body());
      if (resp.statusCode() != 200 || answer.path("code").asInt(-1) != 0) {
        throw new IllegalStateException("POST " + path + " answered " + resp.statusCode() + " " + head(resp.body()));
      }
      return answer;
    }

    HttpResponse<byte[]> postRaw(String path, byte[] body) {
      return postRaw(path, body, authorization);
    }

    private HttpResponse<byte[]> postRaw(String path, byte[] body, String auth) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
          .timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json; charset=utf-8")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (auth != null) {
        request.header("Authorization", auth);
      }
      try {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        throw new IllegalStateException("POST " + path + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  // ---- the machine ----

  private static String machine() {
    long totalMemory = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      totalMemory = os.getTotalMemorySize();
    }
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining("/"));
    return String.format(Locale.ROOT, "machine: %d CPUs, %,d MiB RAM; JDK %s (%s); max heap %,d MiB; GC %s",
        Runtime.getRuntime().availableProcessors(), totalMemory >> 20, System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() >> 20, gcs);
  }
}
