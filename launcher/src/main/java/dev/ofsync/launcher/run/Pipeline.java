package dev.ofsync.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.launcher.UserError;
import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.kafka.ConnectRest;
import dev.ofsync.launcher.kafka.LocalConnect;
import dev.ofsync.launcher.kafka.LocalKafka;
import dev.ofsync.sink.FeishuSinkConnector;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.source.config.OracleSourceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the connectors run: an embedded Kafka and Connect worker whose state lives in a directory
 * (its offsets are the checkpoint between runs), or an existing Connect cluster reached through
 * its REST API. Deploys the two connectors, and resets their offsets when asked (KIP-875: stop,
 * DELETE offsets, resume).
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
  static final ObjectMapper JSON = new ObjectMapper();
  /** Written while an embedded pipeline runs, so {@code status} can find its REST API and brokers. */
  public static final String RUN_FILE = "run.json";

  private final LocalKafka kafka;
  private final LocalConnect connect;
  private final ConnectRest rest;
  private final String bootstrap;
  private final StateDirectory state;
  private volatile boolean closing;
  private boolean closed;

  private Pipeline(LocalKafka kafka, LocalConnect connect, ConnectRest rest, String bootstrap, StateDirectory state) {
    this.kafka = kafka;
    this.connect = connect;
    this.rest = rest;
    this.bootstrap = bootstrap;
    this.state = state;
  }

  /**
   * Starts Kafka and a Connect worker in a locked state directory; closing the pipeline releases
   * the directory (also when the start fails).
   */
  public static Pipeline embedded(StateDirectory state, PrintWriter out) throws UserError {
    try {
      return start(state, out);
    } catch (UserError | RuntimeException e) {
      state.close();
      throw e;
    }
  }

  private static Pipeline start(StateDirectory state, PrintWriter out) throws UserError {
    Path stateDir = state.path();
    out.println("Starting Kafka and a Connect worker (state in " + stateDir + ") ...");
    LocalKafka kafka;
    try {
      kafka = LocalKafka.start(stateDir);
    } catch (Exception e) {
      throw UserError.environment("cannot start Kafka in " + stateDir + ": " + e.getMessage(), e);
    }
    LocalConnect connect;
    try {
      connect = LocalConnect.start(kafka.bootstrapServers());
    } catch (Exception e) {
      kafka.close();
      throw UserError.environment("cannot start the Connect worker: " + e.getMessage(), e);
    }
    Pipeline p = new Pipeline(kafka, connect, new ConnectRest(connect.url()), kafka.bootstrapServers(), state);
    try {
      p.writeRunFile();
    } catch (UserError e) {
      p.close();
      throw e;
    }
    log.info("Kafka at {}, Connect REST at {}", kafka.bootstrapServers(), connect.url());
    return p;
  }

  /** An existing Connect cluster; {@code bootstrap} (may be null) lets the sink keep its key index in Kafka. */
  public static Pipeline remote(URI connectUrl, String bootstrap) {
    return new Pipeline(null, null, new ConnectRest(connectUrl), bootstrap, null);
  }

  public boolean isEmbedded() {
    return connect != null;
  }

  public ConnectRest rest() {
    return rest;
  }

  public String bootstrapServers() {
    return bootstrap;
  }

  /**
   * Deletes connectors of an earlier sync whose checkpoint this state directory has moved on from
   * ({@link StateDirectory#takeOver}), so that they no longer run beside this sync's.
   */
  public void removeConnectors(java.util.List<String> names, PrintWriter out) throws UserError {
    for (String name : names) {
      if (rest.exists(name)) {
        rest.delete(name);
        out.println("Deleted connector " + name + " of the earlier settings");
      }
    }
  }

  /**
   * Creates or updates both connectors. {@code fullSync} resets the source's offsets, so the whole
   * table is read again (rows unchanged in Feishu cost no write); {@code resetCheckpoint} resets
   * the sink's too, so it also replays the topic from its start.
   */
  public void deploy(PipelineConfig config, boolean fullSync, boolean resetCheckpoint, PrintWriter out)
      throws UserError, InterruptedException {
    String source = config.sourceName();
    String sink = config.sinkName();
    if (!isEmbedded()) {
      refuseASecondWriterOfTheSameTables(config); // the embedded worker's state directory does this (StateDirectory)
    }
    // also when the connectors were deleted: Connect keeps a deleted source's offsets and a deleted
    // sink's consumer group, and a connector made anew under the name would go on from them
    boolean resetSource = fullSync || resetCheckpoint;
    boolean resetSink = resetCheckpoint;
    Map<String, String> sourceConfig = isEmbedded() ? withCompressedRecords(config.sourceConfig()) : config.sourceConfig();
    if (resetSource) {
      reset(source, sourceConfig, out);
    } else {
      rest.putConfig(source, sourceConfig);
    }
    if (resetSink) {
      reset(sink, config.sinkConfig(bootstrap), out);
    } else {
      rest.putConfig(sink, config.sinkConfig(bootstrap));
    }
    // a run stopped in the middle of a reset (or a stop through the REST API) leaves a connector
    // stopped: a run deploys the pipeline to run, so it resumes it, and says so
    for (String name : new String[] {source, sink}) {
      if (name.equals(source) && resetSource || name.equals(sink) && resetSink) {
        continue; // resumed by its reset
      }
      String state = ConnectRest.state(rest.status(name));
      if ("STOPPED".equals(state) || "PAUSED".equals(state)) {
        rest.resume(name);
        out.println("Resumed " + name + " (it was " + state + ")");
      }
    }
    out.println("Deployed " + source + " (" + config.seed().get("oracle.table_name") + " -> topic " + config.topic()
        + ") and " + sink + " (-> Feishu base " + config.seed().get("feishu.app_token") + ")");
  }

  /**
   * Refuses to deploy beside another Feishu sink on the cluster that fills the same tables (the
   * same service, base and table name prefix) under another name, as when sync.job_name was
   * changed, or a config copied for another table kept its prefix: two sinks would each create the
   * next tables of the sequence and fill them, and neither knows the rows the other put in a table.
   */
  private void refuseASecondWriterOfTheSameTables(PipelineConfig config) throws UserError {
    Map<String, String> ours = config.sinkConfig(bootstrap);
    java.util.List<String> others = new java.util.ArrayList<>();
    Map<String, Map<String, String>> deployed = rest.configs();
    Map<String, String> sameName = deployed.get(config.sourceName());
    if (sameName != null && !sourceOf(sameName).equals(sourceOf(config.sourceConfig()))) {
      throw new UserError("connector " + config.sourceName() + " on " + rest.base() + " reads " + sourceOf(sameName)
          + ", not " + sourceOf(config.sourceConfig()) + ": this config would take it over, with its offsets. Give "
          + "this config a sync.job_name of its own");
    }
    deployed.forEach((name, other) -> {
      if (!name.equals(config.sinkName()) && FeishuSinkConnector.class.getName().equals(other.get("connector.class"))
          && tablesOf(ours).equals(tablesOf(other))) {
        others.add(name);
      }
    });
    String base = ours.get(FeishuSinkConfig.APP_TOKEN);
    String prefix = tablesOf(ours).get(2);
    if (!others.isEmpty()) {
      String where = rest.base().toString();
      throw new UserError("connector " + String.join(", ", others) + " on " + where + " already fills the tables '"
          + prefix + "', '" + prefix + "_001', ... of Feishu base " + base + "; " + config.sinkName() + " beside it would "
          + "fill them too, each knowing only its own rows. If it is this sync under an earlier sync.job_name, delete it "
          + "and its source first (curl -X DELETE " + where + "connectors/" + others.get(0) + "), then run again: the "
          + "rows already in Feishu are found there, not written again; if it syncs another table, give this config "
          + "its own feishu.table_name_prefix");
    }
  }

  /** The database and table a source reads, as its config gives them. */
  private static java.util.List<String> sourceOf(Map<String, String> sourceConfig) {
    java.util.List<String> out = new java.util.ArrayList<>();
    out.add(sourceConfig.getOrDefault(OracleSourceConfig.TABLE_NAME, "").trim());
    for (String key : PipelineConfig.SOURCE_KEYS.subList(1, PipelineConfig.SOURCE_KEYS.size())) {
      String v = sourceConfig.getOrDefault(key, "").trim();
      if (!v.isEmpty()) {
        out.add(key + "=" + v);
      }
    }
    return out;
  }

  /** The tables a sink fills: its service, base and table name prefix, as its config gives them (defaults filled in). */
  private static java.util.List<String> tablesOf(Map<String, String> sinkConfig) {
    return java.util.Arrays.asList(
        sinkConfig.getOrDefault(FeishuSinkConfig.BASE_URL, FeishuSinkConfig.BASE_URL_DEFAULT).trim(),
        String.valueOf(sinkConfig.get(FeishuSinkConfig.APP_TOKEN)).trim(),
        sinkConfig.getOrDefault(FeishuSinkConfig.TABLE_NAME_PREFIX, FeishuSinkConfig.TABLE_NAME_PREFIX_DEFAULT).trim());
  }

  /**
   * The source's producer settings on the embedded worker (which allows client overrides; a
   * cluster may not, so it keeps its own): JSON with schemas repeats the schema in every record
   * (1.7 KB a record of 10 columns), so records compressed in large batches take about a twentieth
   * of the bytes the broker writes and the sink fetches, and the broker, which shares the machine's
   * CPUs with both connectors, a fraction of the CPU time (the end-to-end benchmark's source went
   * from 19,000 to 35,000 rows/s).
   */
  static Map<String, String> withCompressedRecords(Map<String, String> sourceConfig) {
    Map<String, String> out = new java.util.LinkedHashMap<>(sourceConfig);
    out.putIfAbsent("producer.override.compression.type", "lz4");
    out.putIfAbsent("producer.override.batch.size", "262144");
    return out;
  }

  private void reset(String name, Map<String, String> connectorConfig, PrintWriter out)
      throws UserError, InterruptedException {
    // one that was deleted is made anew stopped: its offsets are reset before it ever runs
    if (rest.exists(name) || !rest.createStopped(name, connectorConfig)) {
      rest.stop(name);
    }
    Waits.until("connector " + name + " to stop", 120, () -> "STOPPED".equals(ConnectRest.state(rest.status(name))));
    // the sink's consumers leave the group a moment after the stop: the reset is refused until then
    String message;
    try {
      message = Waits.retrying("reset the offsets of " + name, 60, () -> rest.resetOffsets(name));
    } catch (UserError e) {
      String problem = e.getMessage() + ". " + name + " is left stopped: run again with the same option to try the "
          + "reset again, or without it to resume " + name + " from its offsets (nothing reset)";
      throw e.inEnvironment() ? UserError.environment(problem, e) : new UserError(problem, e);
    }
    out.println(name + ": " + message);
    rest.putConfig(name, connectorConfig);
    rest.resume(name);
  }

  private void writeRunFile() throws UserError {
    ObjectNode run = JSON.createObjectNode();
    run.put("pid", ProcessHandle.current().pid());
    run.put("connect_url", connect.url().toString());
    run.put("bootstrap_servers", bootstrap);
    run.put("started", Instant.now().toString());
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(state.path().resolve(RUN_FILE).toFile(), run);
    } catch (IOException e) {
      throw new UserError("cannot write " + state.path().resolve(RUN_FILE) + ": " + e.getMessage(), e);
    }
  }

  /** The run file of a live embedded pipeline on {@code stateDir}, or null. */
  public static JsonNode liveRun(Path stateDir) {
    Path file = stateDir.resolve(RUN_FILE);
    if (!Files.exists(file)) {
      return null;
    }
    try {
      JsonNode run = JSON.readTree(file.toFile());
      long pid = run.path("pid").asLong(-1);
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive ? run : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** True once {@link #close} began (Ctrl-C): what fails from then on is the shutdown, not the sync. */
  public boolean closing() {
    return closing;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closing = true;
    closed = true;
    if (connect != null) {
      try {
        connect.close();
      } catch (RuntimeException e) {
        log.warn("Stopping the Connect worker: {}", e.toString());
      }
    }
    if (kafka != null) {
      try {
        kafka.close();
      } catch (RuntimeException e) {
        log.warn("Stopping Kafka: {}", e.toString());
      }
    }
    if (state != null) {
      try {
        Files.deleteIfExists(state.path().resolve(RUN_FILE));
      } catch (IOException e) {
        log.debug("Removing the run file: {}", e.toString());
      }
      state.close(); // last: the next run may start once Kafka has let go of the directory
    }
  }
}
