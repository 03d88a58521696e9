package dev.ofsync.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code validate} prints for the mistakes users make: one line each, naming the key. */
class ValidationTest {
  private static final String DB = "jdbc:h2:mem:validation;MODE=Oracle;DB_CLOSE_DELAY=-1";
  static FeishuEmulator feishu;
  static Connection keep;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    feishu = FeishuEmulator.builder().settings(EmulatorSettings.fast()).app("cli_v", "v-secret")
        .base("bascnValid", "T", "cli_v").start();
    keep = DriverManager.getConnection(DB, "sa", "");
    try (Statement st = keep.createStatement()) {
      st.execute("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP)");
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    keep.close();
    feishu.close();
  }

  private List<String> problems(String oracle, String feishuSection) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "oracle:\n" + oracle + "feishu:\n" + feishuSection);
    return Validation.problems(PipelineConfig.load(file), null);
  }

  private static String goodFeishu() {
    return "  app_id: cli_v\n  app_secret: v-secret\n  app_token: bascnValid\n  base_url: \"" + feishu.url() + "\"\n";
  }

  private static String goodOracle() {
    return "  url: \"" + DB + "\"\n  username: sa\n  password: \"\"\n  table_name: ORDERS\n  sync_column: UPDATED_AT\n";
  }

  @Test
  void aGoodConfigHasNoProblem() throws Exception {
    assertThat(problems(goodOracle(), goodFeishu())).isEmpty();
  }

  @Test
  void aValueOfTheWrongTypeNamesItsKey() throws Exception {
    assertThat(problems(goodOracle(), goodFeishu() + "  max_rows_per_table: lots\n"))
        .singleElement().asString().startsWith("feishu.max_rows_per_table: Invalid value lots");
  }

  @Test
  void anUnreachableDatabaseHostIsOneLine() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    List<String> problems = problems("  host: 127.0.0.1\n  port: " + closed + "\n  service_name: ORCLPDB1\n"
        + "  username: u\n  password: p\n  table_name: ORDERS\n  connect_timeout_ms: 2000\n", goodFeishu());

    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).startsWith("oracle.host").contains("127.0.0.1:" + closed);
  }

  @Test
  void aMissingTableAndAWrongBaseAreEachReported() throws Exception {
    List<String> problems = problems(goodOracle().replace("ORDERS", "ORDRES"),
        goodFeishu().replace("bascnValid", "bascnNopeNope"));

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith("oracle.table_name").contains("ORDRES");
    assertThat(problems.get(1)).startsWith("feishu.app_token").contains("check feishu.app_token");
  }
}
