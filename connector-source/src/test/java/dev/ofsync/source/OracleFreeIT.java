package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.dialect.Oracle11gDialect;
import dev.ofsync.source.query.PageQuery;
import dev.ofsync.source.query.Position;
import dev.ofsync.source.schema.TableInspector;
import dev.ofsync.source.schema.TypeMapper;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.oracle.OracleContainer;

/**
 * The same Connect-worker scenario against a real Oracle (gvenzl/oracle-free), plus what only
 * Oracle has: negative scales, LOCAL TIME ZONE, intervals, the 11g ROWNUM SQL, the ORA- messages.
 * Skips itself where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class OracleFreeIT extends AbstractSourceIT {
  @Container
  static final OracleContainer ORACLE = new OracleContainer("gvenzl/oracle-free:23-slim-faststart")
      .withStartupTimeout(Duration.ofMinutes(5));

  @Override
  protected Connection openDatabase() throws Exception {
    return java.sql.DriverManager.getConnection(ORACLE.getJdbcUrl(), ORACLE.getUsername(), ORACLE.getPassword());
  }

  @Override
  protected Map<String, String> connectionSettings() {
    return Map.of("oracle.url", ORACLE.getJdbcUrl(), "oracle.username", ORACLE.getUsername(),
        "oracle.password", ORACLE.getPassword());
  }

  private Map<String, String> settings(String tables) {
    Map<String, String> c = new HashMap<>(connectionSettings());
    c.put("oracle.table_name", tables);
    c.put("sync.poll_interval_ms", "50");
    c.put("oracle.retry_backoff_ms", "10");
    return c;
  }

  private void exec(Connection c, String... sql) throws Exception {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  @Test
  void oracleTypesAreMappedExactly() throws Exception {
    try (Connection c = openDatabase()) {
      exec(c, "CREATE TABLE ORA_TYPES (ID NUMBER(10) PRIMARY KEY, ROUNDED NUMBER(5,-2), ANY_NUM NUMBER, BIG NUMBER(38),"
          + " F32 BINARY_FLOAT, LTZ TIMESTAMP WITH LOCAL TIME ZONE, TZ TIMESTAMP WITH TIME ZONE, BORN DATE,"
          + " SPAN INTERVAL DAY TO SECOND, AGE INTERVAL YEAR TO MONTH, NAME NVARCHAR2(20), DOC CLOB, BIN RAW(4))",
          "INSERT INTO ORA_TYPES VALUES (1, 1234567, 3.14159265358979323846264338327950288, 12345678901234567890123456789012345678,"
              + " 1.5, TIMESTAMP '2024-03-01 13:45:30 +00:00', TIMESTAMP '2024-03-01 13:45:30.5 +05:30',"
              + " TO_DATE('2024-03-01 13:45:30', 'YYYY-MM-DD HH24:MI:SS'), INTERVAL '1 02:03:04.5' DAY TO SECOND,"
              + " INTERVAL '3-2' YEAR TO MONTH, N'飞书', TO_CLOB('文本'), HEXTORAW('CAFEBABE'))",
          "INSERT INTO ORA_TYPES (ID) VALUES (2)");
    }
    Map<String, String> config = settings("ORA_TYPES");
    config.put("oracle.timezone", "UTC");
    try (TaskHarness harness = new TaskHarness()) {
      harness.start(config);
      harness.pollUntil(r -> r.size() >= 2, Duration.ofSeconds(60));
      Struct v = (Struct) harness.records.get(0).value();
      assertThat(v.get("ROUNDED")).isEqualTo(1234600);
      assertThat(v.get("ANY_NUM")).isEqualTo("3.14159265358979323846264338327950288");
      assertThat(v.get("BIG")).isEqualTo(new BigDecimal("12345678901234567890123456789012345678"));
      assertThat(v.get("F32")).isEqualTo(1.5f);
      assertThat(((java.util.Date) v.get("LTZ")).toInstant()).isEqualTo(java.time.Instant.parse("2024-03-01T13:45:30Z"));
      assertThat(v.get("TZ")).isEqualTo("2024-03-01T13:45:30.5+05:30");
      assertThat(((java.util.Date) v.get("BORN")).toInstant()).isEqualTo(java.time.Instant.parse("2024-03-01T13:45:30Z"));
      assertThat(v.get("SPAN")).isEqualTo("PT26H3M4.5S");
      assertThat(v.get("AGE")).isEqualTo("P3Y2M");
      assertThat(v.get("NAME")).isEqualTo("飞书");
      assertThat(v.get("DOC")).isEqualTo("文本");
      assertThat((byte[]) v.get("BIN")).containsExactly(0xCA, 0xFE, 0xBA, 0xBE);
      assertThat(((Struct) harness.records.get(1).value()).get("LTZ")).isNull();
    }
  }

  @Test
  void the11gRownumPagesReadTheSameRowsOnOracle() throws Exception {
    try (Connection c = openDatabase()) {
      exec(c, "CREATE TABLE PAGED (ID NUMBER(10) PRIMARY KEY, GRP NUMBER(3) NOT NULL)",
          "INSERT INTO PAGED SELECT LEVEL, MOD(LEVEL, 3) FROM DUAL CONNECT BY LEVEL <= 1000");
      OracleSourceConfig config = new OracleSourceConfig(settings("PAGED"));
      var schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(c, new TableId(null, "PAGED")).schema();
      assertThat(schema.mode()).isEqualTo(Mode.BULK);
      PageQuery q = new PageQuery(schema, new Oracle11gDialect(), 300, false);
      List<Object> ids = new ArrayList<>();
      Position after = null;
      while (true) {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(q.sql(after))) {
          q.bind(ps, after, null);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              n++;
              ids.add(rs.getLong(1));
              after = new Position(null, List.of(rs.getBigDecimal(1)));
            }
          }
        }
        if (n < 300) {
          break;
        }
      }
      assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
    }
  }

  @Test
  void oracleErrorsBecomeMessagesOnTheirFields() {
    OracleSourceConnector connector = new OracleSourceConnector();
    Map<String, String> missing = settings("NO_SUCH_TABLE");
    Map<String, List<String>> e = errors(connector, missing);
    assertThat(e.get("oracle.table_name")).singleElement().asString().contains("NO_SUCH_TABLE").contains("ORA-00942");

    Map<String, String> badLogin = settings("ORDERS");
    badLogin.put("oracle.password", "not-the-password");
    e = errors(connector, badLogin);
    assertThat(e.get("oracle.password")).singleElement().asString().contains("ORA-01017").doesNotContain("not-the-password");
  }

  private static Map<String, List<String>> errors(OracleSourceConnector connector, Map<String, String> config) {
    return connector.validate(config).configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }
}
