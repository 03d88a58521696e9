package dev.ofsync.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.emulator.TableSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.runtime.TopicCreationConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.RegexRouter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code connect-configs/*.json}, read from the checkout and deployed through a real
 * worker's REST API as the README tells users to: both plugin zips and Debezium's Oracle plugin
 * archive on {@code plugin.path}, secrets through {@code config.providers=env} (Failsafe sets the
 * variables, see this module's pom). Only keys that name this machine's hosts are overridden, each
 * one below with its reason.
 */
class ConnectConfigsIT {
  private static final String DB = "jdbc:h2:mem:connect-configs;MODE=Oracle;DB_CLOSE_DELAY=-1";
  private static final String DEBEZIUM_ORACLE = "io.debezium.connector.oracle.OracleConnector";

  /**
   * Fields Debezium puts its connection failure on (the database is unreachable here, by design).
   * A field check that fails stops Debezium before it tries the connection, so an error on any
   * other field means the file itself is wrong.
   */
  private static final Set<String> CONNECTION_FIELDS =
      Set.of("database.hostname", "database.port", "database.user", "database.password", "database.dbname",
          "database.pdb.name", "database.url");

  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private static FeishuEmulator feishu;
  private static EmbeddedConnectCluster connect;
  private static ConnectRest rest;

  @BeforeAll
  static void start() {
    Path plugins = Path.of(System.getProperty("plugin.path", "target/plugins"));
    Path debezium = Path.of(System.getProperty("debezium.plugin.path", "target/debezium-plugins"));
    assertThat(plugins).as("unpacked plugin zips (mvn verify unpacks them)").isDirectory();
    assertThat(debezium.resolve("debezium-connector-oracle")).as("unpacked Debezium plugin archive").isDirectory();

    // The emulator holds the app and base that the files' ${env:FEISHU_*} name.
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast())
        .app(env("FEISHU_APP_ID"), env("FEISHU_APP_SECRET"))
        .base(env("FEISHU_APP_TOKEN"), "DataSync", env("FEISHU_APP_ID")).start();

    Map<String, String> worker = new HashMap<>();
    worker.put("plugin.path", plugins.toAbsolutePath() + "," + debezium.toAbsolutePath());
    worker.put("plugin.discovery", "service_load");
    worker.put("config.providers", "env");
    worker.put("config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("offset.flush.interval.ms", "1000");
    connect = new EmbeddedConnectCluster.Builder().name("connect-configs").numWorkers(1).numBrokers(1)
        .workerProps(worker).build();
    connect.start();
    rest = new ConnectRest(connect);
  }

  @AfterAll
  static void stop() {
    if (connect != null) {
      connect.stop();
    }
    if (feishu != null) {
      feishu.close();
    }
  }

  private static String env(String name) {
    String value = System.getenv(name);
    assertThat(value).as("environment variable %s (Failsafe sets it; run through Maven)", name).isNotBlank();
    return value;
  }

  private static ConnectorFile file(String name) throws Exception {
    return ConnectorFile.read(Checkout.connectConfigs().resolve(name));
  }

  @Test
  void theCommittedJdbcSourceAndSinkFilesCarryAnOracleTableIntoFeishu() throws Exception {
    // The database user and password are the ones the source file reads from ${env:ORACLE_*}:
    // H2 makes the first user of a new database its owner.
    try (Connection db = DriverManager.getConnection(DB, env("ORACLE_USER"), env("ORACLE_PASSWORD"));
         Statement st = db.createStatement()) {
      st.execute("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, CUSTOMER VARCHAR2(100), AMOUNT NUMBER(12,2), "
          + "ORDER_DATE DATE, NOTES CLOB, UPDATED_AT TIMESTAMP(6))");
      st.execute("INSERT INTO ORDERS SELECT X, 'customer ' || X, X + 0.25, DATEADD('DAY', X, DATE '2024-01-01'), "
          + "'note ' || X, DATEADD('MINUTE', X, TIMESTAMP '2024-01-01 00:00:00') FROM SYSTEM_RANGE(1, 40)");
    }
    ConnectorFile sourceFile = file("oracle-source.json");
    ConnectorFile sinkFile = file("feishu-sink.json");
    Map<String, String> source = sourceFile.configCopy();
    // Override: no Oracle runs here. oracle.url wins over oracle.host/port/service_name, which stay as committed.
    source.put("oracle.url", DB);
    Map<String, String> sink = sinkFile.configCopy();
    // Override: the emulator listens on a port chosen at start, instead of https://open.feishu.cn.
    sink.put("feishu.base_url", feishu.url());
    // Override: the embedded broker's port is chosen at start (the file reads ${env:KAFKA_BOOTSTRAP_SERVERS}).
    sink.put("index.bootstrap.servers", connect.kafka().bootstrapServers());

    assertThat(sink.get("topics")).as("the sink reads the topic the source writes")
        .isEqualTo(source.get("topic.template").replace("${table}", source.get("oracle.table_name")));

    try {
      for (Map.Entry<String, Map<String, String>> c : Map.of(sourceFile.name(), source, sinkFile.name(), sink).entrySet()) {
        ConnectRest.Answer created = rest.put("connectors/" + c.getKey() + "/config", c.getValue());
        assertThat(created.status()).as("PUT %s: %s", c.getKey(), created.body()).isEqualTo(201);
      }
      connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sourceFile.name(), 1, "source did not start");
      connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sinkFile.name(), 1, "sink did not start");

      String appToken = env("FEISHU_APP_TOKEN");
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
          assertThat(feishu.tables(appToken).stream().mapToInt(TableSnapshot::rowCount).sum()).isEqualTo(40));
      TableSnapshot table = feishu.table(appToken, sink.get("feishu.table_name_prefix")).orElseThrow();
      assertThat(table.records()).anySatisfy(r -> assertThat(r.fields()).containsEntry("ID", "7")
          .containsEntry("CUSTOMER", "customer 7").containsEntry("AMOUNT", 7.25).containsEntry("NOTES", "note 7"));
      // The secrets went through the provider: the worker's stored config still holds the placeholders.
      JsonNode stored = rest.get("connectors/" + sourceFile.name() + "/config").json();
      assertThat(stored.path("oracle.password").asText()).isEqualTo("${env:ORACLE_PASSWORD}");
    } finally {
      rest.delete("connectors/" + sourceFile.name());
      rest.delete("connectors/" + sinkFile.name());
    }
  }

  @Test
  void theDebeziumFilePassesDebeziumsOwnValidationUpToTheDatabaseConnection() throws Exception {
    ConnectorFile debezium = file("oracle-debezium-source.json");
    assertThat(debezium.config()).containsEntry("connector.class", DEBEZIUM_ORACLE);

    Map<String, String> body = debezium.configCopy();
    body.put("name", debezium.name()); // what POST /connectors adds from the file's "name"
    ConnectRest.Answer answer = rest.put("connector-plugins/" + DEBEZIUM_ORACLE + "/config/validate", body);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode result = answer.json();

    Map<String, String> reported = new TreeMap<>();
    Map<String, List<String>> errors = new TreeMap<>();
    for (JsonNode config : result.path("configs")) {
      // A setting the plugin declares but did not look at comes back with "value": null.
      String name = config.path("definition").path("name").asText(config.path("value").path("name").asText());
      String value = config.path("value").path("value").asText(null);
      reported.put(name, value != null ? value : config.path("definition").path("default_value").asText(null));
      List<String> messages = new ArrayList<>();
      config.path("value").path("errors").forEach(e -> messages.add(e.asText()));
      if (!messages.isEmpty()) {
        errors.put(name, messages);
      }
    }
    System.out.printf("Debezium's validate of %s: %d settings checked, error_count %d%n",
        debezium.path().getFileName(), reported.size(), result.path("error_count").asInt());
    errors.forEach((name, messages) -> System.out.printf("  %s: %s%n", name, messages));

    Set<String> known = new TreeSet<>(reported.keySet());
    // Validate does not list these two families; their own owners define them:
    // the schema history class Debezium loads (named by schema.history.internal) ...
    known.addAll(debeziumFieldNames(reported.get("schema.history.internal")));
    // ... and the worker's topic creation settings, read when the connector is created.
    ConfigDef topicCreation = TopicCreationConfig.configDef(TopicCreationConfig.DEFAULT_TOPIC_CREATION_GROUP, (short) -1, 1);
    topicCreation.names().forEach(n -> known.add(TopicCreationConfig.DEFAULT_TOPIC_CREATION_PREFIX + n));

    Map<String, String> unknown = new LinkedHashMap<>(debezium.config());
    unknown.keySet().removeAll(known);
    assertThat(unknown).as("keys of %s that neither Debezium nor the worker knows", debezium.path()).isEmpty();
    assertThat(topicCreation.validate(debezium.config().entrySet().stream()
            .filter(e -> e.getKey().startsWith(TopicCreationConfig.DEFAULT_TOPIC_CREATION_PREFIX))
            .collect(Collectors.toMap(e -> e.getKey().substring(TopicCreationConfig.DEFAULT_TOPIC_CREATION_PREFIX.length()),
                Map.Entry::getValue))))
        .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());

    // Debezium checks the fields first and tries the database only when they all pass: the one
    // error it may give is that connection's, on a connection field.
    assertThat(errors.keySet()).as("fields with errors (only the unreachable database may fail): %s", errors)
        .isNotEmpty().isSubsetOf(CONNECTION_FIELDS);
    assertThat(errors.values()).flatExtracting(m -> m).allSatisfy(m -> assertThat(m).containsIgnoringCase("connect"));
  }

  /** The names of a Debezium component's settings ({@code ALL_FIELDS}), loaded from its plugin directory. */
  private static Set<String> debeziumFieldNames(String className) throws Exception {
    Path dir = Path.of(System.getProperty("debezium.plugin.path", "target/debezium-plugins"), "debezium-connector-oracle");
    Set<String> names = new TreeSet<>();
    try (PluginDirectory plugin = PluginDirectory.of(dir)) {
      Object fields = Class.forName(className, true, plugin.loader()).getField("ALL_FIELDS").get(null);
      for (Object field : (Iterable<?>) fields) {
        names.add((String) field.getClass().getMethod("name").invoke(field));
      }
    }
    assertThat(names).as("settings of %s", className).isNotEmpty();
    return names;
  }

  @Test
  void everyVariableTheFilesReadIsListedInTheirReadmeAndSetForTheWorker() throws Exception {
    String readme = Files.readString(Checkout.connectConfigs().resolve("README.md"));
    List<Path> files;
    try (Stream<Path> listed = Files.list(Checkout.connectConfigs())) {
      files = listed.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(3);
    int references = 0;
    for (Path path : files) {
      for (String value : ConnectorFile.read(path).config().values()) {
        Matcher m = ENV_REFERENCE.matcher(value);
        while (m.find()) {
          references++;
          assertThat(readme).as("connect-configs/README.md lists %s, which %s reads", m.group(1), path.getFileName())
              .contains("`" + m.group(1) + "`");
          env(m.group(1)); // a variable the worker lacks would reach the connector as the literal ${env:...}
        }
      }
    }
    assertThat(references).as("secrets the files take from the worker's environment").isPositive();
  }

  @Test
  void theDebeziumFileWritesTheTopicTheSinkFileReads() throws Exception {
    Map<String, String> debezium = file("oracle-debezium-source.json").config();
    String topics = file("feishu-sink.json").config().get("topics");
    // Debezium names a table's topic <topic.prefix>.<schema>.<table>; the file's RegexRouter renames it.
    String debeziumTopic = debezium.get("topic.prefix") + "." + debezium.get("table.include.list");

    try (RegexRouter<SourceRecord> route = new RegexRouter<>()) {
      route.configure(Map.of("regex", debezium.get("transforms.route.regex"),
          "replacement", debezium.get("transforms.route.replacement")));
      SourceRecord routed = route.apply(new SourceRecord(Map.of(), Map.of(), debeziumTopic, null, null));
      assertThat(routed.topic()).isEqualTo(topics);
    }
  }
}
