package dev.ofsync.source.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class OracleSourceConfigTest {
  private static Map<String, String> base() {
    Map<String, String> m = new HashMap<>();
    m.put("oracle.host", "db.example.com");
    m.put("oracle.service_name", "ORCLPDB1");
    m.put("oracle.username", "SCOTT");
    m.put("oracle.password", "tiger");
    m.put("oracle.table_name", "ORDERS");
    return m;
  }

  @Test
  void everySettingHasADocAGroupAndADisplayName() {
    for (ConfigDef.ConfigKey key : OracleSourceConfig.CONFIG_DEF.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      assertThat(key.documentation).as(key.name).isNotBlank();
      assertThat(key.group).as(key.name).isNotBlank();
      assertThat(key.displayName).as(key.name).isNotBlank();
      if (key.validator != null) {
        assertThat(key.validator.toString()).as(key.name).doesNotMatch(".*\\$\\d*@[0-9a-f]+");
      }
    }
  }

  @Test
  void theSeedsKeysAndDefaultsAreKept() {
    OracleSourceConfig c = new OracleSourceConfig(base());
    assertThat(c.jdbcUrl()).isEqualTo("jdbc:oracle:thin:@//db.example.com:1521/ORCLPDB1");
    assertThat(c.readBatchSize()).isEqualTo(1000);
    assertThat(c.pollIntervalMs()).isEqualTo(1000);
    assertThat(c.password().value()).isEqualTo("tiger");
    assertThat(c.password().toString()).doesNotContain("tiger");
    assertThat(c.mode()).isNull();
    assertThat(c.syncColumn()).isNull();
  }

  @Test
  void sidAndExplicitUrl() {
    Map<String, String> m = base();
    m.remove("oracle.service_name");
    m.put("oracle.sid", "ORCL");
    assertThat(new OracleSourceConfig(m).jdbcUrl()).isEqualTo("jdbc:oracle:thin:@db.example.com:1521:ORCL");
    m.put("oracle.url", "jdbc:oracle:thin:@//other:1522/SVC");
    assertThat(new OracleSourceConfig(m).jdbcUrl()).isEqualTo("jdbc:oracle:thin:@//other:1522/SVC");
    m.remove("oracle.url");
    m.remove("oracle.sid");
    assertThat(new OracleSourceConfig(m).connectionProblem()).contains("oracle.service_name");
  }

  @Test
  void tablesAndColumnsFollowOracleQuoting() {
    Map<String, String> m = base();
    m.put("oracle.table_name", "hr.orders, \"Sales\".\"order lines\", \"a,b\"");
    m.put("oracle.primary_key", "\"order id\", line_no");
    m.put("oracle.sync_column", "updated_at");
    OracleSourceConfig c = new OracleSourceConfig(m);
    assertThat(c.tables()).containsExactly(new TableId("HR", "ORDERS"), new TableId("Sales", "order lines"), new TableId(null, "a,b"));
    assertThat(c.tables().get(1).sql()).isEqualTo("\"Sales\".\"order lines\"");
    assertThat(c.primaryKey()).containsExactly("order id", "LINE_NO");
    assertThat(c.syncColumn()).isEqualTo("UPDATED_AT");
  }

  @Test
  void topicsFollowTheTemplate() {
    Map<String, String> m = base();
    m.put("topic.template", "oracle.${schema}.${table}");
    OracleSourceConfig c = new OracleSourceConfig(m);
    assertThat(c.topicFor(new TableId("HR", "ORDERS"))).isEqualTo("oracle.HR.ORDERS");
    assertThat(c.topicFor(new TableId(null, "ORDERS"))).isEqualTo("oracle.ORDERS");
    assertThat(c.topicFor(new TableId("HR", "order lines"))).isEqualTo("oracle.HR.order_lines");
  }

  @Test
  void badValuesAreRefusedWithTheRule() {
    Map<String, String> m = base();
    m.put("mode", "cdc");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).isInstanceOf(ConfigException.class).hasMessageContaining("timestamp+incrementing");
    m.put("mode", "timestamp+incrementing");
    assertThat(new OracleSourceConfig(m).mode()).isEqualTo(Mode.TIMESTAMP_INCREMENTING);
    m.put("topic.template", "no-placeholder");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).hasMessageContaining("${table}");
    m.remove("topic.template");
    m.put("oracle.table_name", "\"unbalanced");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).hasMessageContaining("quote");
    m.put("oracle.table_name", "A.B.C");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).hasMessageContaining("SCHEMA.TABLE");
    m.put("oracle.table_name", "T");
    m.put("oracle.sync_column", "A, B");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).hasMessageContaining("one column");
    m.remove("oracle.sync_column");
    m.put("oracle.timezone", "Mars/Base");
    assertThatThrownBy(() -> new OracleSourceConfig(m)).hasMessageContaining("Asia/Shanghai");
  }

  @Test
  void identifiersSplitOutsideQuotesOnly() {
    assertThat(Identifiers.splitList("a, \"b,c\" ,d")).containsExactly("a", "\"b,c\"", "d");
    assertThat(Identifiers.normalize("\"Mixed\"\"Quote\"")).isEqualTo("Mixed\"Quote");
    assertThat(Identifiers.quote("Mixed\"Quote")).isEqualTo("\"Mixed\"\"Quote\"");
    assertThat(Identifiers.columns("")).isEqualTo(List.of());
  }
}
