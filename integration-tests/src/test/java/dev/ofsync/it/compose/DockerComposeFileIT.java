package dev.ofsync.it.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ofsync.it.Checkout;
import dev.ofsync.it.ConnectorFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks what would make it fail
 * for a user who built the project ({@code mvn package}) and ran {@code docker compose up}: paths,
 * ports, images, plugin classes, worker and broker settings, and the emulator's flags (by starting
 * the very jar compose mounts with them).
 */
class DockerComposeFileIT {
  private static final Path ROOT = Checkout.root();
  private static final Path DOCKER = ROOT.resolve("docker");
  /** The PDB gvenzl/oracle-free creates, where it puts APP_USER. */
  private static final String ORACLE_FREE_PDB = "FREEPDB1";
  private static final int ORACLE_PORT = 1521;
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private static ComposeFile compose;
  private static ConnectorFile source;
  private static ConnectorFile sink;

  @BeforeAll
  static void read() throws IOException {
    compose = ComposeFile.read(ROOT.resolve("docker-compose.yml"));
    source = ConnectorFile.read(DOCKER.resolve("connect-configs/oracle-source.json"));
    sink = ConnectorFile.read(DOCKER.resolve("connect-configs/feishu-sink.json"));
  }

  private static Properties workerProperties() throws IOException {
    Properties worker = new Properties();
    try (Reader in = Files.newBufferedReader(DOCKER.resolve("connect/worker.properties"))) {
      worker.load(in);
    }
    return worker;
  }

  @Test
  void everyImageIsPinnedToATagAndKafkaToTheVersionWeBuildAgainst() {
    for (String name : compose.serviceNames()) {
      String image = compose.service(name).image();
      assertThat(image).as("service %s's image", name).isNotNull().matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+")
          .doesNotEndWith(":latest");
    }
    assertThat(compose.service("kafka").image()).isEqualTo("apache/kafka:" + System.getProperty("kafka.version"));
    assertThat(compose.service("connect").image()).isEqualTo(compose.service("kafka").image());
  }

  @Test
  void everyHostPathItMountsIsInTheCheckoutOrTheBuildOutput() {
    for (String name : compose.serviceNames()) {
      for (ComposeFile.Mount m : compose.service(name).mounts()) {
        if (m.isHostPath()) {
          assertThat(compose.projectDir().resolve(m.source()).normalize())
              .as("service %s mounts %s (run mvn -B -ntp package -DskipTests first)", name, m.source()).exists();
          assertThat(m.readOnly()).as("service %s may not write into the checkout: %s", name, m.source()).isTrue();
        } else {
          assertThat(compose.namedVolumes()).as("service %s's volume %s", name, m.source()).contains(m.source());
        }
      }
    }
  }

  @Test
  void thePluginsServiceUnpacksOneZipOfThisVersionPerConnectorIntoTheWorkersPluginPath() throws IOException {
    ComposeFile.Service plugins = compose.service("plugins");
    List<ComposeFile.Mount> dists = plugins.mounts().stream().filter(ComposeFile.Mount::isHostPath).toList();
    assertThat(dists).extracting(ComposeFile.Mount::target)
        .containsExactlyInAnyOrder("/dist/connector-source", "/dist/connector-sink");
    for (ComposeFile.Mount dist : dists) {
      String module = dist.target().substring("/dist/".length());
      try (Stream<Path> zips = Files.list(compose.projectDir().resolve(dist.source()))) {
        assertThat(zips.filter(p -> p.toString().endsWith(".zip")).map(p -> p.getFileName().toString()))
            .as("the service unpacks every zip in %s: want exactly the build's", dist.source())
            .containsExactly(module + "-" + Checkout.version() + ".zip");
      }
    }
    String volume = plugins.mounts().stream().filter(m -> !m.isHostPath()).findFirst().orElseThrow().source();
    ComposeFile.Service connect = compose.service("connect");
    ComposeFile.Mount atWorker = connect.mounts().stream().filter(m -> m.source().equals(volume)).findFirst()
        .orElseThrow(() -> new AssertionError("connect does not mount " + volume));
    assertThat(workerProperties().getProperty("plugin.path")).isEqualTo(atWorker.target());
    assertThat(connect.dependsOn()).contains("plugins", "kafka");
  }

  @Test
  void theComposeConnectorConfigsNameClassesTheBuiltZipsShipAndRegister() throws IOException {
    Map<String, String> services = Map.of("connector-source", SourceConnector.class.getName(),
        "connector-sink", SinkConnector.class.getName());
    Map<String, ConnectorFile> configs = Map.of("connector-source", source, "connector-sink", sink);
    for (Map.Entry<String, ConnectorFile> e : configs.entrySet()) {
      Path zip = ROOT.resolve(e.getKey()).resolve("target").resolve(e.getKey() + "-" + Checkout.version() + ".zip");
      String connectorClass = e.getValue().config().get("connector.class");
      assertThat(PluginZip.read(zip).ships(connectorClass, services.get(e.getKey())))
          .as("%s holds %s and lists it in META-INF/services/%s", zip, connectorClass, services.get(e.getKey()))
          .isTrue();
    }
  }

  @Test
  void theWorkerPropertiesAreAValidDistributedWorkerConfigForThisComposeFile() throws Exception {
    Map<String, String> props = new HashMap<>();
    workerProperties().forEach((k, v) -> props.put((String) k, (String) v));
    DistributedConfig config = new DistributedConfig(props); // what connect-distributed.sh parses first

    ComposeFile.Service connect = compose.service("connect");
    assertThat(props.get("bootstrap.servers")).isEqualTo(advertisedListener("PLAINTEXT"))
        .isEqualTo(connect.environment().get("KAFKA_BOOTSTRAP_SERVERS"));
    int restPort = URI.create(config.getList("listeners").get(0)).getPort();
    assertThat(connect.port(restPort).host()).as("published REST port").isEqualTo(restPort);
    assertThat(props.get("rest.advertised.host.name")).isEqualTo(connect.hostname());
    assertThat(Integer.parseInt(props.get("rest.advertised.port"))).isEqualTo(restPort);

    assertThat(ConfigProvider.class).isAssignableFrom(Class.forName(props.get("config.providers.env.class")));
    assertThat(props.get("config.providers")).isEqualTo("env");
    assertThat(Converter.class).isAssignableFrom(config.getClass("key.converter"))
        .isAssignableFrom(config.getClass("value.converter"));
  }

  @Test
  void theBrokerSettingsAreAValidKraftConfigAndItsHostListenerIsPublished() {
    ComposeFile.Service kafka = compose.service("kafka");
    Properties broker = brokerProperties(kafka);
    KafkaConfig config = KafkaConfig.fromProps(broker, false);

    assertThat(config.getList("process.roles")).containsExactlyInAnyOrder("broker", "controller");
    assertThat(kafka.environment()).containsKey("CLUSTER_ID");
    URI host = URI.create("tcp://" + advertisedListener("HOST"));
    assertThat(host.getHost()).isEqualTo("localhost");
    assertThat(kafka.port(listenerPort("HOST")).host()).isEqualTo(host.getPort());
    assertThat(URI.create("tcp://" + advertisedListener("PLAINTEXT")).getHost()).isEqualTo(kafka.hostname());
  }

  @Test
  void theComposeConnectorConfigsAreTheDeployedOnesWithOnlyTheirHostsChanged() throws IOException {
    Map<ConnectorFile, Set<String>> allowed = Map.of(
        source, Set.of("oracle.host", "oracle.service_name"),
        sink, Set.of("feishu.base_url"));
    for (Map.Entry<ConnectorFile, Set<String>> e : allowed.entrySet()) {
      ConnectorFile local = e.getKey();
      ConnectorFile deployed = ConnectorFile.read(Checkout.connectConfigs().resolve(local.path().getFileName()));
      assertThat(local.name()).isEqualTo(deployed.name());
      assertThat(local.config().keySet()).as("keys of %s", local.path()).isEqualTo(deployed.config().keySet());
      Set<String> differing = local.config().keySet().stream()
          .filter(k -> !local.config().get(k).equals(deployed.config().get(k))).collect(Collectors.toSet());
      assertThat(differing).as("%s differs from %s", local.path(), deployed.path()).isSubsetOf(e.getValue());
    }
  }

  @Test
  void theComposeConnectorConfigsReachTheServicesOnTheirPublishedPorts() {
    ComposeFile.Service oracle = compose.service("oracle");
    assertThat(source.config().get("oracle.host")).isEqualTo(oracle.hostname());
    assertThat(Integer.parseInt(source.config().get("oracle.port"))).isEqualTo(ORACLE_PORT);
    assertThat(oracle.port(ORACLE_PORT).host()).isEqualTo(ORACLE_PORT);
    assertThat(source.config().get("oracle.service_name")).isEqualTo(ORACLE_FREE_PDB);

    ComposeFile.Service emulator = compose.service("feishu-emulator");
    int port = Integer.parseInt(emulator.commandOption("--port"));
    assertThat(sink.config().get("feishu.base_url")).isEqualTo("http://" + emulator.hostname() + ":" + port);
    assertThat(emulator.port(port).host()).isEqualTo(port);
    assertThat(emulator.commandOption("--host")).as("reachable from the other containers").isEqualTo("0.0.0.0");
    assertThat(sink.config().get("feishu.table_name_prefix")).isEqualTo(emulator.commandOption("--base-table-name"));
  }

  @Test
  void theSecretsTheConfigsReadAreTheOnesTheDatabaseAndTheEmulatorWereGiven() {
    Map<String, String> connectEnv = compose.service("connect").rawEnvironment();
    java.util.Set<String> referenced = new java.util.TreeSet<>();
    for (ConnectorFile file : List.of(source, sink)) {
      for (String value : file.config().values()) {
        Matcher m = ENV_REFERENCE.matcher(value);
        while (m.find()) {
          referenced.add(m.group(1));
          assertThat(connectEnv).as("%s reads ${env:%s}", file.path().getFileName(), m.group(1)).containsKey(m.group(1));
        }
      }
    }
    assertThat(referenced).as("every secret and address comes from the worker's environment, none written in")
        .containsExactlyInAnyOrder("ORACLE_USER", "ORACLE_PASSWORD", "FEISHU_APP_ID", "FEISHU_APP_SECRET",
            "FEISHU_APP_TOKEN", "KAFKA_BOOTSTRAP_SERVERS");
    referenced.forEach(name -> assertThat(connectEnv.get(name)).as(name).isNotBlank());
    // Same expressions, so they agree whatever a .env file sets.
    ComposeFile.Service oracle = compose.service("oracle");
    assertThat(connectEnv.get("ORACLE_USER")).isEqualTo(oracle.rawEnvironment().get("APP_USER"));
    assertThat(connectEnv.get("ORACLE_PASSWORD")).isEqualTo(oracle.rawEnvironment().get("APP_USER_PASSWORD"));
    ComposeFile.Service emulator = compose.service("feishu-emulator");
    assertThat(connectEnv.get("FEISHU_APP_ID")).isEqualTo(emulator.rawCommandOption("--app-id"));
    assertThat(connectEnv.get("FEISHU_APP_SECRET")).isEqualTo(emulator.rawCommandOption("--app-secret"));
    assertThat(connectEnv.get("FEISHU_APP_TOKEN")).isEqualTo(emulator.rawCommandOption("--app-token"));
  }

  @Test
  void theInitScriptCreatesTheTableTheSourceReadsInTheAppUsersSchema() throws IOException {
    Path script = compose.service("oracle").hostPathOf("/container-entrypoint-initdb.d").orElseThrow()
        .resolve("01-demo.sql");
    String sql = Files.readString(script);
    String schema = compose.service("oracle").environment().get("APP_USER").toUpperCase(Locale.ROOT);

    assertThat(sql).containsPattern("(?i)ALTER SESSION SET CONTAINER\\s*=\\s*" + source.config().get("oracle.service_name") + ";");
    Matcher table = Pattern.compile("(?is)CREATE TABLE " + schema + "\\." + source.config().get("oracle.table_name")
        + "\\s*\\((.*?)\\n\\);").matcher(sql);
    assertThat(table.find()).as("%s creates %s.%s", script, schema, source.config().get("oracle.table_name")).isTrue();
    Map<String, String> columns = new HashMap<>();
    for (String line : table.group(1).split("\\n")) {
      Matcher column = Pattern.compile("^\\s*([A-Z_][A-Z0-9_]*)\\s+([A-Z0-9]+)").matcher(line);
      if (column.find() && !column.group(1).equals("CONSTRAINT")) {
        columns.put(column.group(1), column.group(2));
      }
    }
    assertThat(columns).containsKeys(source.config().get("oracle.primary_key"), source.config().get("oracle.sync_column"));
    assertThat(columns.values()).contains("NUMBER", "DATE", "TIMESTAMP", "VARCHAR2", "CLOB");
  }

  @Test
  void theEmulatorJarComposeMountsStartsWithTheFlagsComposePassesIt() throws Exception {
    ComposeFile.Service emulator = compose.service("feishu-emulator");
    List<String> command = new ArrayList<>(emulator.command());
    assertThat(command.subList(0, 2)).containsExactly("java", "-jar");
    Path jar = emulator.hostPathOf(command.get(2)).orElseThrow(() -> new AssertionError("no mount holds " + command.get(2)));
    assertThat(jar).exists();

    // This machine, not the container: loopback and any free port. Every other flag as compose passes it.
    List<String> args = new ArrayList<>(command.subList(3, command.size()));
    args.set(args.indexOf("--host") + 1, "127.0.0.1");
    args.set(args.indexOf("--port") + 1, "0");
    List<String> started = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", jar.toString()));
    started.addAll(args);
    List<String> output = new CopyOnWriteArrayList<>();
    Process process = new ProcessBuilder(started).redirectErrorStream(true).start();
    try {
      Thread pump = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          in.lines().forEach(output::add);
        } catch (IOException e) {
          output.add("(output ended: " + e + ")");
        }
      }, "compose-emulator-output");
      pump.setDaemon(true);
      pump.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive()
          || output.stream().anyMatch(l -> l.contains("listening on")));
      assertThat(output).as("the emulator with compose's flags %s printed %s", args, output)
          .anySatisfy(l -> assertThat(l).contains("listening on http://127.0.0.1:"));
      assertThat(output).anySatisfy(l -> assertThat(l).contains("app_token:", emulator.commandOption("--app-token")));
      assertThat(output).anySatisfy(l -> assertThat(l).contains("app_id:", emulator.commandOption("--app-id")));
      assertThat(output).anySatisfy(l -> assertThat(l).contains("base_table_id:", "(" + emulator.commandOption("--base-table-name") + ")"));
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theReadmesCommandsUseThePublishedPortsAndFilesThatExist() throws IOException {
    String readme = Files.readString(DOCKER.resolve("README.md"));
    int rest = compose.service("connect").ports().get(0).host();
    Matcher connectUrls = Pattern.compile("http://localhost:(\\d+)/connectors").matcher(readme);
    assertThat(connectUrls.find()).as("docker/README.md shows how to POST to the worker").isTrue();
    do {
      assertThat(Integer.parseInt(connectUrls.group(1))).isEqualTo(rest);
    } while (connectUrls.find());
    Matcher emulatorUrls = Pattern.compile("http://localhost:(\\d+)/_emulator").matcher(readme);
    assertThat(emulatorUrls.find()).as("docker/README.md shows how to look at the emulator's tables").isTrue();
    do {
      assertThat(Integer.parseInt(emulatorUrls.group(1))).isEqualTo(compose.service("feishu-emulator").ports().get(0).host());
    } while (emulatorUrls.find());
    Matcher files = Pattern.compile("@(docker/connect-configs/[\\w.-]+\\.json)").matcher(readme);
    assertThat(files.find()).isTrue();
    do {
      assertThat(ROOT.resolve(files.group(1))).exists();
    } while (files.find());
  }

  /** host:port of a listener the broker advertises. */
  private static String advertisedListener(String name) {
    String advertised = compose.service("kafka").environment().get("KAFKA_ADVERTISED_LISTENERS");
    for (String listener : advertised.split(",")) {
      if (listener.startsWith(name + "://")) {
        return listener.substring(name.length() + 3);
      }
    }
    throw new AssertionError("kafka advertises no " + name + " listener: " + advertised);
  }

  private static int listenerPort(String name) {
    String listeners = compose.service("kafka").environment().get("KAFKA_LISTENERS");
    for (String listener : listeners.split(",")) {
      if (listener.startsWith(name + "://")) {
        return Integer.parseInt(listener.substring(listener.lastIndexOf(':') + 1));
      }
    }
    throw new AssertionError("kafka has no " + name + " listener: " + listeners);
  }

  /** The apache/kafka image's rule: KAFKA_ dropped, lower case, ___ to -, __ to _, _ to '.'. */
  private static Properties brokerProperties(ComposeFile.Service kafka) {
    Set<String> notSettings = Set.of("KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS",
        "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_VERSION");
    Properties props = new Properties();
    kafka.environment().forEach((k, v) -> {
      if (k.startsWith("KAFKA_") && !notSettings.contains(k)) {
        String key = k.substring("KAFKA_".length()).toLowerCase(Locale.ROOT)
            .replace("___", "-").replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
        props.put(key, v);
      }
    });
    return props;
  }
}
