package dev.ofsync.launcher.config;

import dev.ofsync.launcher.UserError;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.source.config.Identifiers;
import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Turns the seed's keys into the two connectors' configurations. Every {@code oracle.*},
 * {@code feishu.*} and {@code sync.*} key goes to the connector whose settings define it (the
 * seed's names are the connectors' names), so any connector setting may be written in
 * {@code config.yaml}; a key neither connector nor the launcher knows is an error, with the
 * nearest known key suggested.
 */
public final class PipelineConfig {
  /** The launcher's own keys. */
  public static final String CONNECT_URL = "kafka.connect_url";
  public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap_servers";
  public static final String STATE_DIR = "kafka.state_dir";
  public static final String JOB_NAME = "sync.job_name";
  /** The topic between the two connectors, unless {@code topic.template} is set. */
  public static final String DEFAULT_TOPIC_TEMPLATE = "oracle-feishu-sync.${table}";
  /** What a sync reads: its table and the database's address, in the source's (and the seed's) keys. */
  public static final List<String> SOURCE_KEYS = List.of(OracleSourceConfig.TABLE_NAME, OracleSourceConfig.URL,
      OracleSourceConfig.HOST, OracleSourceConfig.PORT, OracleSourceConfig.SERVICE_NAME, OracleSourceConfig.SID);
  /** The seed's checkpoint file: accepted, not used (Kafka's offsets are the checkpoint). */
  public static final String CHECKPOINT_FILE = "sync.checkpoint_file";

  /** Sections whose keys go to that connector as they are: Connect's own settings, e.g. errors.tolerance. */
  public static final String SOURCE_CONNECTOR = "source_connector";
  public static final String SINK_CONNECTOR = "sink_connector";
  private static final Set<String> SET_BY_LAUNCHER = Set.of("name", "connector.class", "topics", "topics.regex");
  private static final Set<String> LAUNCHER_KEYS = Set.of(CONNECT_URL, BOOTSTRAP_SERVERS, STATE_DIR, JOB_NAME, CHECKPOINT_FILE);
  private static final Set<String> INTERNAL = Set.of("name", "connector.class", "tasks.max", "topics", "topics.regex",
      OracleSourceConfig.TASK_TABLES, FeishuSinkConfig.TASKS_MAX_INTERNAL, FeishuSinkConfig.TASK_ID_INTERNAL);

  private final SeedConfig seed;
  private final Map<String, String> source = new LinkedHashMap<>();
  private final Map<String, String> sink = new LinkedHashMap<>();
  private final String job;
  private final String topic;
  private final List<String> notes = new ArrayList<>();

  private PipelineConfig(SeedConfig seed) throws UserError {
    this.seed = seed;
    List<String> problems = new ArrayList<>();
    Set<String> sourceKeys = OracleSourceConfig.CONFIG_DEF.names();
    Set<String> sinkKeys = FeishuSinkConfig.CONFIG_DEF.names();
    for (Map.Entry<String, String> e : seed.values().entrySet()) {
      String key = e.getKey();
      Map<String, String> passTo = key.startsWith(SOURCE_CONNECTOR + ".") ? source
          : key.startsWith(SINK_CONNECTOR + ".") ? sink : null;
      if (passTo != null) {
        // any other Connect setting of that connector, as Connect names it (errors.*, a dead-letter queue ...)
        String name = key.substring(key.indexOf('.') + 1);
        if (SET_BY_LAUNCHER.contains(name) || (passTo == source && name.equals("tasks.max"))) {
          problems.add(key + ": set by the launcher, not in config.yaml");
        } else {
          passTo.put(name, e.getValue());
        }
        continue;
      }
      boolean known = LAUNCHER_KEYS.contains(key);
      if (!INTERNAL.contains(key) && sourceKeys.contains(key)) {
        source.put(key, e.getValue());
        known = true;
      }
      if (!INTERNAL.contains(key) && sinkKeys.contains(key)) {
        sink.put(key, e.getValue());
        known = true;
      }
      if (!known) {
        problems.add(key + ": unknown setting" + suggestion(key, sourceKeys, sinkKeys));
      }
    }
    String table = seed.get(OracleSourceConfig.TABLE_NAME);
    if (table == null || table.isBlank()) {
      problems.add(OracleSourceConfig.TABLE_NAME + ": missing; name the Oracle table to copy (SCHEMA.TABLE or TABLE)");
    }
    if (!problems.isEmpty()) {
      throw new UserError(problems);
    }
    if (table.contains(",")) {
      throw new UserError(OracleSourceConfig.TABLE_NAME + ": one table per config file (" + table + " names several); "
          + "write one config.yaml per table, each with its own feishu.table_name_prefix or base");
    }
    TableId tableId;
    try {
      tableId = Identifiers.parseTable(table.trim());
    } catch (RuntimeException e) {
      throw new UserError(OracleSourceConfig.TABLE_NAME + ": " + e.getMessage(), e);
    }
    // a connector name goes into Connect's REST paths: the table's name, kept to what a URL path takes as it is
    String named = seed.get(JOB_NAME);
    if (named != null && !named.trim().matches("[A-Za-z0-9._-]+")) {
      throw new UserError(JOB_NAME + ": '" + named + "' names the connectors in Connect's REST paths; use letters, "
          + "digits, '.', '_' and '-' only");
    }
    this.job = named != null ? named.trim() : defaultJobName(tableId.table());
    // A job named by hand has a topic of its own: two syncs of tables of one name (two schemas, two
    // databases) on one Connect cluster, each with its sync.job_name, must not write into one topic,
    // which both sinks would read. Without a job name the topic stays what it always was.
    source.putIfAbsent(OracleSourceConfig.TOPIC_TEMPLATE,
        named == null ? DEFAULT_TOPIC_TEMPLATE : "oracle-feishu-sync." + job + ".${table}");
    this.topic = OracleSourceConfig.topicFor(source.get(OracleSourceConfig.TOPIC_TEMPLATE), tableId);
    if (seed.get(CHECKPOINT_FILE) != null) {
      notes.add(CHECKPOINT_FILE + " is not used: Kafka's offsets are the checkpoint (kept in the state directory, "
          + "or in the Connect cluster)");
    }
    // Both ends speak JSON with schemas, decimals as numbers: the sink maps types from the schema.
    for (Map<String, String> config : List.of(source, sink)) {
      for (String side : new String[] {"key", "value"}) {
        config.putIfAbsent(side + ".converter", "org.apache.kafka.connect.json.JsonConverter");
        config.putIfAbsent(side + ".converter.schemas.enable", "true");
        config.putIfAbsent(side + ".converter.decimal.format", "NUMERIC");
      }
    }
    source.put("connector.class", "dev.ofsync.source.OracleSourceConnector");
    source.put("tasks.max", "1");
    source.putIfAbsent("topic.creation.default.replication.factor", "-1");
    source.putIfAbsent("topic.creation.default.partitions", "1");
    sink.put("connector.class", "dev.ofsync.sink.FeishuSinkConnector");
    sink.putIfAbsent("tasks.max", "1");
    sink.put("topics", topic);
    // A row that cannot be written is reported and the run fails, naming key and column, rather than skipped.
    sink.putIfAbsent("errors.tolerance", "none");
  }

  /**
   * ofs-<table>, kept to [a-z0-9._-]; a name with none of those (Chinese, say) gets a digest of
   * itself instead. The schema is left out, as it always was: a new default would leave the
   * connectors of the old name running beside the new ones after an upgrade. Two configs of tables
   * with the same name in two schemas set sync.job_name (in the embedded worker a state directory
   * refuses a config of another table).
   */
  static String defaultJobName(String table) {
    String kept = table.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    if (!kept.matches(".*[a-z0-9].*")) {
      kept = "t" + Integer.toHexString(table.hashCode());
    }
    return "ofs-" + kept;
  }

  public static PipelineConfig of(SeedConfig seed) throws UserError {
    return new PipelineConfig(seed);
  }

  public static PipelineConfig load(Path file) throws UserError {
    return of(SeedConfig.load(file));
  }

  private static String suggestion(String key, Set<String> sourceKeys, Set<String> sinkKeys) {
    Set<String> all = new TreeSet<>(sourceKeys);
    all.addAll(sinkKeys);
    all.addAll(LAUNCHER_KEYS);
    all.removeAll(INTERNAL);
    String best = all.stream().filter(k -> !k.startsWith("internal."))
        .min(Comparator.comparingInt(k -> distance(k, key))).orElse(null);
    if (best == null || distance(best, key) > Math.max(3, key.length() / 3)) {
      return " (see docs/configuration.md for the settings)";
    }
    return "; did you mean " + best + "?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  public SeedConfig seed() {
    return seed;
  }

  /** Whether the sink appends every record as a new row ({@code sync.write_mode: append}) instead of upserting. */
  public boolean appends() {
    return "append".equalsIgnoreCase(String.valueOf(sink.get(FeishuSinkConfig.WRITE_MODE)).trim());
  }

  /** Names the connectors ({@code sync.job_name}, or the default from the table). */
  public String job() {
    return job;
  }

  public String sourceName() {
    return connectorsOf(job).get(0);
  }

  public String sinkName() {
    return connectorsOf(job).get(1);
  }

  /** The source's and the sink's connector names for a job name. */
  public static List<String> connectorsOf(String job) {
    return List.of(job + "-source", job + "-sink");
  }

  /** The Connect consumer group of the sink: where its committed (durably written) offsets live. */
  public String sinkGroup() {
    return "connect-" + sinkName();
  }

  public String topic() {
    return topic;
  }

  /** Source connector config, without the name. */
  public Map<String, String> sourceConfig() {
    return new LinkedHashMap<>(source);
  }

  /** Sink connector config, without the name; {@code bootstrap} (may be null) keeps the key index in Kafka. */
  public Map<String, String> sinkConfig(String bootstrap) {
    Map<String, String> out = new LinkedHashMap<>(sink);
    if (bootstrap != null && !bootstrap.isBlank()) {
      out.putIfAbsent(FeishuSinkConfig.INDEX_BOOTSTRAP_SERVERS, bootstrap);
    }
    return out;
  }

  /**
   * The Connect cluster to use: {@code override} (the command line's {@code --connect-url}) if
   * given, else the config's {@code kafka.connect_url}; null when neither names one (the pipeline
   * runs here).
   */
  public URI connectUrl(URI override) throws UserError {
    if (override != null) {
      return restAddress(override, "--connect-url", override.toString());
    }
    String configured = seed.get(CONNECT_URL);
    if (configured == null || configured.isBlank()) {
      return null;
    }
    URI url;
    try {
      url = URI.create(configured.trim());
    } catch (IllegalArgumentException e) {
      throw new UserError(CONNECT_URL + ": '" + configured + "' is not a URL (" + e.getMessage()
          + "); write it as http://host:8083", e);
    }
    return restAddress(url, CONNECT_URL, configured);
  }

  private static URI restAddress(URI url, String setting, String given) throws UserError {
    String scheme = url.getScheme();
    if (url.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
      throw new UserError(setting + ": '" + given + "' is not the http(s) address of a Connect worker's REST API; "
          + "write it as http://host:8083");
    }
    return url;
  }

  public String bootstrapServers() {
    return seed.get(BOOTSTRAP_SERVERS);
  }

  /** The embedded pipeline's state (Kafka's logs, hence the offsets): as set, else next to config.yaml. */
  public Path stateDir() {
    return stateDirOf(seed);
  }

  /** The state directory a config names (read before anything else, so the log goes there from the start). */
  public static Path stateDirOf(SeedConfig seed) {
    String set = seed.get(STATE_DIR);
    Path base = seed.file().toAbsolutePath().getParent();
    if (set != null && !set.isBlank()) {
      return base.resolve(set).normalize();
    }
    return base.resolve("oracle-feishu-sync-state");
  }

  /** Remarks for the user about keys that are accepted but mean something else here. */
  public List<String> notes() {
    return notes;
  }

  public static ConfigDef sourceDef() {
    return OracleSourceConfig.CONFIG_DEF;
  }

  public static ConfigDef sinkDef() {
    return FeishuSinkConfig.CONFIG_DEF;
  }
}
