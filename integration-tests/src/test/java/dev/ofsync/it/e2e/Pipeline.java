package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.StatsSnapshot;
import dev.ofsync.it.ConnectRest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * The whole pipeline for real, as the end-to-end scenarios run it: H2 in Oracle mode behind a TCP
 * listener ({@link OracleStandIn}), the source and sink connectors from their packaged zips on the
 * {@code plugin.path} of a Connect cluster of at least two workers (one broker, KRaft), and the
 * Feishu emulator with Feishu's quotas. Connectors are configured through the REST API with JSON
 * and schemas, as the committed {@code connect-configs/*.json} are. Ends with one comparison:
 * {@link #assertBitableEqualsTable}.
 */
final class Pipeline implements AutoCloseable {
  static final String SOURCE = "dev.ofsync.source.OracleSourceConnector";
  static final String SINK = "dev.ofsync.sink.FeishuSinkConnector";
  static final String APP_ID = "cli_e2e";
  static final String APP_SECRET = "e2e-app-secret";
  static final String APP_TOKEN = "bascnE2ePipeline01";

  private final String name;
  private final FeishuEmulator feishu;
  private final OracleStandIn db;
  private final Map<String, String> workerProps;
  private final EmbeddedConnectCluster connect;
  private final ConnectRest rest;
  private final List<WorkerProcess> processes = new ArrayList<>();

  private Pipeline(String name, int workers, EmulatorSettings settings, Map<String, String> extraWorkerProps) {
    this.name = name;
    this.feishu = FeishuEmulator.builder().settings(settings).app(APP_ID, APP_SECRET)
        .base(APP_TOKEN, "Sheet1", APP_ID).start();
    this.db = OracleStandIn.start("e2e_" + name);
    Path plugins = Path.of(System.getProperty("plugin.path", "target/plugins")).toAbsolutePath();
    assertThat(plugins).as("unpacked plugin zips (mvn verify unpacks them)").isDirectory();
    Map<String, String> w = new LinkedHashMap<>();
    w.put("plugin.path", plugins.toString());
    w.put("plugin.discovery", "service_load");
    w.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    w.put("offset.flush.interval.ms", "1000");
    // named here (not left to the embedded cluster) so workers in other JVMs can join the same cluster
    w.put("group.id", "e2e-" + name);
    w.put("config.storage.topic", "e2e-" + name + "-configs");
    w.put("offset.storage.topic", "e2e-" + name + "-offsets");
    w.put("status.storage.topic", "e2e-" + name + "-status");
    w.put("config.storage.replication.factor", "1");
    w.put("offset.storage.replication.factor", "1");
    w.put("status.storage.replication.factor", "1");
    w.putAll(extraWorkerProps);
    this.workerProps = Map.copyOf(w);
    // as on production clusters, topics are made on purpose only: otherwise a sink started before the
    // source's first record makes the source's topic with the broker's single partition
    java.util.Properties broker = new java.util.Properties();
    broker.put("auto.create.topics.enable", "false");
    this.connect = new EmbeddedConnectCluster.Builder().name("e2e-" + name).numWorkers(workers).numBrokers(1)
        .workerProps(new HashMap<>(w)).brokerProps(broker).build();
    connect.start();
    this.rest = new ConnectRest(connect);
  }

  /** A cluster of {@code workers} (at least two) in this JVM, with {@code settings} for the emulator. */
  static Pipeline start(String name, int workers, EmulatorSettings settings) {
    return start(name, workers, settings, Map.of());
  }

  static Pipeline start(String name, int workers, EmulatorSettings settings, Map<String, String> extraWorkerProps) {
    if (workers < 2) {
      throw new IllegalArgumentException("the scenarios run on at least two workers");
    }
    return new Pipeline(name, workers, settings, extraWorkerProps);
  }

  FeishuEmulator feishu() {
    return feishu;
  }

  OracleStandIn db() {
    return db;
  }

  EmbeddedConnectCluster connect() {
    return connect;
  }

  ConnectRest rest() {
    return rest;
  }

  /** The topic the source writes a table to. */
  static String topic(String table) {
    return "e2e." + table;
  }

  /** The source for one table: timestamp mode on UPDATED_AT, soft deletes on DELETED, JSON with schemas. */
  Map<String, String> sourceConfig(String table) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", SOURCE);
    c.put("tasks.max", "1");
    c.put("oracle.url", db.url());
    c.put("oracle.username", "sa");
    c.put("oracle.password", "");
    c.put("oracle.table_name", table);
    c.put("oracle.sync_column", OrdersTable.SYNC);
    c.put("sync.soft_delete_column", OrdersTable.DELETED);
    c.put("sync.timestamp_delay_ms", "1000");
    c.put("sync.poll_interval_ms", "500");
    c.put("oracle.retry_backoff_ms", "500");
    c.put("topic.template", "e2e.${table}");
    c.put("topic.creation.default.replication.factor", "1");
    c.put("topic.creation.default.partitions", "2");
    jsonWithSchemas(c);
    return c;
  }

  /** The sink of one topic into tables {@code prefix}, {@code prefix_001}, ...: two tasks, key index in Kafka. */
  Map<String, String> sinkConfig(String topic, String prefix, int maxRowsPerTable) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", SINK);
    c.put("tasks.max", "2");
    c.put("topics", topic);
    c.put("feishu.app_id", APP_ID);
    c.put("feishu.app_secret", APP_SECRET);
    c.put("feishu.app_token", APP_TOKEN);
    c.put("feishu.base_url", feishu.url());
    c.put("feishu.table_name_prefix", prefix);
    c.put("feishu.max_rows_per_table", String.valueOf(maxRowsPerTable));
    c.put("index.bootstrap.servers", connect.kafka().bootstrapServers());
    c.put("sync.linger_ms", "200");
    jsonWithSchemas(c);
    return c;
  }

  /** Schemas on the wire, decimals as numbers: what connect-configs/*.json set. */
  private static void jsonWithSchemas(Map<String, String> config) {
    for (String side : new String[] {"key", "value"}) {
      config.put(side + ".converter", "org.apache.kafka.connect.json.JsonConverter");
      config.put(side + ".converter.schemas.enable", "true");
      config.put(side + ".converter.decimal.format", "NUMERIC");
    }
  }

  /** Creates the connector through the REST API and waits until it and its tasks run. */
  void deploy(String connector, Map<String, String> config) throws IOException, InterruptedException {
    create(connector, config);
    int tasks = Integer.parseInt(config.getOrDefault("tasks.max", "1"));
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(connector, tasks, connector + " did not start");
  }

  /** Creates the connector through the REST API (for one whose tasks may fail at once: nothing waits for them to run). */
  void create(String connector, Map<String, String> config) throws IOException, InterruptedException {
    ConnectRest.Answer created = rest.put("connectors/" + connector + "/config", config);
    assertThat(created.status()).as("PUT connectors/%s/config: %s", connector, created.body()).isEqualTo(201);
  }

  /** Where each task of the connector runs: task id to worker id. */
  Map<Integer, String> taskWorkers(String connector) {
    Map<Integer, String> out = new LinkedHashMap<>();
    ConnectorStateInfo status = connect.connectorStatus(connector);
    for (ConnectorStateInfo.TaskState t : status.tasks()) {
      out.put(t.id(), t.workerId());
    }
    return out;
  }

  /** The connector's tasks that are RUNNING on a worker other than {@code notOn}. */
  List<Integer> runningTasks(String connector, String notOn) {
    List<Integer> out = new ArrayList<>();
    for (ConnectorStateInfo.TaskState t : connect.connectorStatus(connector).tasks()) {
      if (t.state().equals("RUNNING") && !t.workerId().equals(notOn)) {
        out.add(t.id());
      }
    }
    return out;
  }

  /** Records in a topic (a dead-letter queue, say); 0 when it was never made. */
  long records(String topic) throws Exception {
    if (connect.kafka().describeTopics(topic).get(topic).isEmpty()) {
      return 0;
    }
    return connect.kafka().consumeAll(10_000, topic).count();
  }

  /** Waits until at least one of the connector's tasks has failed; answers the failed tasks' traces. */
  String awaitFailedTasks(String connector, Duration within) {
    StringBuilder traces = new StringBuilder();
    await().atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
      traces.setLength(0);
      for (ConnectorStateInfo.TaskState t : connect.connectorStatus(connector).tasks()) {
        if (t.state().equals("FAILED")) {
          traces.append("task ").append(t.id()).append(": ").append(t.trace()).append('\n');
        }
      }
      return traces.length() > 0;
    });
    return traces.toString();
  }

  /** Starts a worker in a JVM of its own, joined to this cluster; answers once its REST API is up. */
  WorkerProcess startWorkerProcess(String workerName) throws IOException {
    Map<String, String> props = new HashMap<>(workerProps);
    props.put("bootstrap.servers", connect.kafka().bootstrapServers());
    WorkerProcess worker = WorkerProcess.start(workerName, props, Path.of("target", "e2e-workers", name));
    processes.add(worker);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(worker::restAnswers);
    return worker;
  }

  /** Rows of the Bitable tables named after {@code prefix}. */
  int bitableRows(String prefix) {
    java.util.regex.Pattern ours = java.util.regex.Pattern.compile(
        java.util.regex.Pattern.quote(APP_TOKEN + "/" + prefix) + "(_\\d{3,})?");
    return feishu.stats().rowsPerTable().entrySet().stream().filter(e -> ours.matcher(e.getKey()).matches())
        .mapToInt(Map.Entry::getValue).sum();
  }

  /**
   * The one comparison: reads the database table and the emulator's tables and checks every key is
   * in the Bitable exactly once across all tables, with the latest values column by column (as the
   * READMEs' type tables map them), soft-deleted and reported rows absent, no table over its
   * maximum, and the tables named {@code prefix}, {@code prefix_001}, ... without gaps.
   */
  BitableComparison.Result assertBitableEqualsTable(Expectation expectation) {
    BitableComparison.Result r = BitableComparison.compare(db, feishu.tables(APP_TOKEN), expectation);
    if (!r.equal()) {
      throw new AssertionError(r.report());
    }
    return r;
  }

  /** {@link #assertBitableEqualsTable} once the pipeline has caught up, within {@code within}. */
  BitableComparison.Result awaitBitableEqualsTable(Expectation expectation, Duration within) {
    await().atMost(within).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(3))
        .untilAsserted(() -> assertBitableEqualsTable(expectation));
    return assertBitableEqualsTable(expectation);
  }

  /** Feishu's quotas held in every 1-second window, all tasks and workers together, refused calls included. */
  void assertQuotasHeld() {
    StatsSnapshot stats = feishu.stats();
    assertThat(stats.peak(CallClass.RECORD_WRITE)).as("busiest second of record writes (quota 50)").isLessThanOrEqualTo(50);
    assertThat(stats.peak(CallClass.READ)).as("busiest second of reads (quota 20)").isLessThanOrEqualTo(20);
    assertThat(stats.peak(CallClass.SCHEMA_WRITE)).as("busiest second of schema writes (quota 10)").isLessThanOrEqualTo(10);
  }

  /** One line of figures for the build log: these are not timed tests, the numbers are for people. */
  void printFigures(String scenario, Object... keyValues) {
    StatsSnapshot stats = feishu.stats();
    StringBuilder line = new StringBuilder("[e2e figures] ").append(scenario).append(':');
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      line.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
    }
    line.append(" | Feishu calls ").append(stats.callsByEndpoint()).append(", busiest second ")
        .append(stats.peakCallsPerSecond()).append(", answers ").append(stats.answersByCode())
        .append(", refused 429 ").append(stats.rateLimited())
        .append(", faults ").append(stats.faultsInjected()).append(", write conflicts ").append(stats.writeConflicts());
    System.out.println(line);
  }

  @Override
  public void close() {
    for (WorkerProcess p : processes) {
      try {
        p.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    connect.stop();
    feishu.close();
    db.close();
  }
}
