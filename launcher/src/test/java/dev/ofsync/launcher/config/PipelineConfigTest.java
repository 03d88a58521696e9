package dev.ofsync.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.launcher.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigTest {
  /** The seed's README config, as its users have it. */
  static final String SEED = String.join("\n",
      "# Oracle数据库配置",
      "oracle:",
      "  host: \"your-oracle-host\"",
      "  port: 1521",
      "  service_name: \"YOUR_SERVICE\"",
      "  username: \"your_username\"",
      "  password: \"your_password\"",
      "  table_name: \"YOUR_TABLE\"",
      "  primary_key: \"ID\"          # 主键列",
      "  sync_column: \"UPDATED_AT\"  # 用于增量同步的列",
      "feishu:",
      "  app_id: \"cli_xxxxx\"",
      "  app_secret: \"xxxxx\"",
      "  app_token: \"xxxxx\"",
      "  base_table_id: \"xxxxx\"",
      "  table_name_prefix: \"DataSync\"",
      "  max_rows_per_table: 20000",
      "sync:",
      "  read_batch_size: 1000",
      "  write_batch_size: 500",
      "  checkpoint_file: \"sync_checkpoint.json\"",
      "  max_requests_per_second: 50",
      "");

  @TempDir
  Path dir;

  private PipelineConfig load(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return PipelineConfig.load(file);
  }

  @Test
  void aQuotedTableNameWithSpacesGivesConnectorNamesAUrlTakesAsTheyAre() throws Exception {
    PipelineConfig config = load(SEED.replace("table_name: \"YOUR_TABLE\"", "table_name: '\"Hr\".\"Order lines #2\"'"));

    assertThat(config.sourceName()).isEqualTo("ofs-order-lines-2-source");
    assertThat(config.sinkGroup()).isEqualTo("connect-ofs-order-lines-2-sink");
  }

  @Test
  void aTableNamedInChineseGetsAConnectorNameOfItsOwn() throws Exception {
    PipelineConfig orders = load(SEED.replace("table_name: \"YOUR_TABLE\"", "table_name: '\"订单\"'"));
    PipelineConfig items = load(SEED.replace("table_name: \"YOUR_TABLE\"", "table_name: '\"商品\"'"));

    assertThat(orders.sourceName()).matches("ofs-t[0-9a-f]+-source").isNotEqualTo(items.sourceName());
  }

  @Test
  void aJobNameAUrlCannotTakeIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> load(SEED.replace("sync:\n", "sync:\n  job_name: \"orders #1\"\n")))
        .hasMessageContaining("sync.job_name: 'orders #1'").hasMessageContaining("letters, digits");
  }

  @Test
  void connectSettingsOfEitherConnectorPassThroughTheirSections() throws Exception {
    PipelineConfig config = load(SEED + String.join("\n", "sink_connector:",
        "  errors.tolerance: all", "  errors.deadletterqueue.topic.name: feishu-dlq", "  tasks.max: 2",
        "source_connector:", "  producer.override.linger.ms: 5", ""));

    assertThat(config.sinkConfig("broker:9092")).containsEntry("errors.tolerance", "all")
        .containsEntry("errors.deadletterqueue.topic.name", "feishu-dlq").containsEntry("tasks.max", "2");
    assertThat(config.sourceConfig()).containsEntry("producer.override.linger.ms", "5")
        .doesNotContainKey("errors.tolerance");
  }

  @Test
  void whatTheLauncherSetsCannotBeSetThroughASection() {
    assertThatThrownBy(() -> load(SEED + "sink_connector:\n  topics: other\nsource_connector:\n  tasks.max: 4\n"))
        .hasMessageContaining("sink_connector.topics: set by the launcher")
        .hasMessageContaining("source_connector.tasks.max: set by the launcher");
  }

  @Test
  void theSeedsConfigIsAcceptedAsItIsAndEachKeyReachesItsConnector() throws Exception {
    PipelineConfig config = load(SEED);

    assertThat(config.sourceConfig()).containsEntry("oracle.host", "your-oracle-host").containsEntry("oracle.port", "1521")
        .containsEntry("oracle.service_name", "YOUR_SERVICE").containsEntry("oracle.sync_column", "UPDATED_AT")
        .containsEntry("sync.read_batch_size", "1000").doesNotContainKey("feishu.app_id")
        .containsEntry("connector.class", "dev.ofsync.source.OracleSourceConnector");
    assertThat(config.sinkConfig("broker:9092")).containsEntry("feishu.app_id", "cli_xxxxx")
        .containsEntry("feishu.max_rows_per_table", "20000").containsEntry("sync.write_batch_size", "500")
        .containsEntry("sync.max_requests_per_second", "50").containsEntry("topics", "oracle-feishu-sync.YOUR_TABLE")
        .containsEntry("index.bootstrap.servers", "broker:9092").doesNotContainKey("oracle.password");
    assertThat(config.topic()).isEqualTo("oracle-feishu-sync.YOUR_TABLE");
    assertThat(config.sourceName()).isEqualTo("ofs-your_table-source");
    assertThat(config.sinkGroup()).isEqualTo("connect-ofs-your_table-sink");
    assertThat(config.notes()).singleElement().asString().startsWith("sync.checkpoint_file is not used");
    assertThat(config.stateDir()).isEqualTo(dir.toAbsolutePath().resolve("oracle-feishu-sync-state"));
  }

  @Test
  void anyConnectorSettingMayBeWrittenAndTheStateDirIsRelativeToTheConfig() throws Exception {
    PipelineConfig config = load(SEED.replace("sync:\n", "sync:\n  linger_ms: 250\n  poll_interval_ms: 2000\n")
        + "kafka:\n  state_dir: state\n");

    assertThat(config.sinkConfig(null)).containsEntry("sync.linger_ms", "250").doesNotContainKey("index.bootstrap.servers");
    assertThat(config.sourceConfig()).containsEntry("sync.poll_interval_ms", "2000");
    assertThat(config.stateDir()).isEqualTo(dir.toAbsolutePath().resolve("state"));
  }

  @Test
  void aMisspeltKeyIsNamedWithTheNearestRealOne() {
    assertThatThrownBy(() -> load(SEED.replace("write_batch_size", "write_bach_size").replace("app_token", "apptoken")))
        .isInstanceOf(UserError.class)
        .satisfies(e -> assertThat(((UserError) e).problems()).containsExactly(
            "feishu.apptoken: unknown setting; did you mean feishu.app_token?",
            "sync.write_bach_size: unknown setting; did you mean sync.write_batch_size?"));
  }

  @Test
  void withoutATableOrWithSeveralTheConfigIsRefused() {
    assertThatThrownBy(() -> load(SEED.replace("  table_name: \"YOUR_TABLE\"\n", "")))
        .hasMessageContaining("oracle.table_name: missing");
    assertThatThrownBy(() -> load(SEED.replace("\"YOUR_TABLE\"", "\"A, B\"")))
        .hasMessageContaining("one table per config file");
  }

  @Test
  void yamlThatDoesNotParseNamesTheLine() {
    assertThatThrownBy(() -> load("oracle:\n  host: \"x\n  port: 1521\nfeishu: [\n"))
        .isInstanceOf(UserError.class).hasMessageContaining("not valid YAML (line");
  }

  @Test
  void secretsComeFromTheEnvironmentOrAFileAndAMissingOneIsAProblem() throws Exception {
    Path secrets = dir.resolve("secrets.properties");
    Files.writeString(secrets, "oracle.password=from-file\n");
    String path = System.getenv().containsKey("PATH") ? "PATH" : System.getenv().keySet().iterator().next();
    List<String> problems = new ArrayList<>();

    Map<String, String> resolved = Validation.resolve(Map.of(
        "a", "${file:" + secrets + ":oracle.password}",
        "b", "${env:" + path + "}",
        "c", "${env:OFSYNC_SURELY_NOT_SET}",
        "d", "plain"), problems);

    assertThat(resolved).containsEntry("a", "from-file").containsEntry("b", System.getenv(path)).containsEntry("d", "plain");
    assertThat(problems).containsExactly("c: environment variable OFSYNC_SURELY_NOT_SET is not set (export it, or write "
        + "the value in the config file)");
  }

  @Test
  void theConnectClusterIsTheCommandLinesElseTheConfigsElseNone() throws Exception {
    assertThat(load(SEED).connectUrl(null)).as("neither: the pipeline runs here").isNull();
    PipelineConfig withCluster = load(SEED + "kafka:\n  connect_url: \"http://connect:8083\"\n");
    assertThat(withCluster.connectUrl(null)).isEqualTo(java.net.URI.create("http://connect:8083"));
    assertThat(withCluster.connectUrl(java.net.URI.create("http://other:8083")))
        .isEqualTo(java.net.URI.create("http://other:8083"));

    PipelineConfig wrong = load(SEED + "kafka:\n  connect_url: \"http://connect host:8083\"\n");
    assertThatThrownBy(() -> wrong.connectUrl(null)).isInstanceOf(UserError.class)
        .hasMessageContaining("kafka.connect_url").hasMessageContaining("http://host:8083");
    PipelineConfig noScheme = load(SEED + "kafka:\n  connect_url: \"connect:8083\"\n");
    assertThatThrownBy(() -> noScheme.connectUrl(null)).isInstanceOf(UserError.class)
        .hasMessageContaining("kafka.connect_url").hasMessageContaining("'connect:8083'");
    assertThatThrownBy(() -> withCluster.connectUrl(java.net.URI.create("connect:8083"))).isInstanceOf(UserError.class)
        .hasMessageContaining("--connect-url");
  }
}
