package dev.ofsync.sink.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class FeishuSinkConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> m = new HashMap<>();
    m.put("feishu.app_id", "cli_x");
    m.put("feishu.app_secret", "s");
    m.put("feishu.app_token", "bascnX");
    return m;
  }

  @Test
  void everySettingHasADocAGroupAndADisplayName() {
    for (ConfigDef.ConfigKey key : FeishuSinkConfig.CONFIG_DEF.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      assertThat(key.documentation).as(key.name).isNotBlank();
      assertThat(key.group).as(key.name).isIn(FeishuSinkConfig.groups());
      assertThat(key.displayName).as(key.name).isNotBlank();
    }
  }

  @Test
  void theSeedsKeysAndDefaultsAreThere() {
    FeishuSinkConfig c = new FeishuSinkConfig(minimal());
    assertThat(c.tableNamePrefix()).isEqualTo("DataSync");
    assertThat(c.maxRowsPerTable()).isEqualTo(20_000);
    assertThat(c.writeBatchSize()).isEqualTo(500);
    assertThat(c.maxRequestsPerSecond()).isEqualTo(50);
    assertThat(c.baseUrl()).isEqualTo("https://open.feishu.cn");
    assertThat(c.writeMode()).isEqualTo(FeishuSinkConfig.WriteMode.UPSERT);
  }

  @Test
  void badValuesAreRefusedWithTheRule() {
    Map<String, String> m = minimal();
    m.put("feishu.table_name_prefix", "a/b");
    assertThatThrownBy(() -> new FeishuSinkConfig(m)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("feishu.table_name_prefix").hasMessageContaining("'/'");
    m.put("feishu.table_name_prefix", "ok");
    m.put("sync.write_batch_size", "501");
    assertThatThrownBy(() -> new FeishuSinkConfig(m)).hasMessageContaining("sync.write_batch_size");
    m.put("sync.write_batch_size", "500");
    m.put("feishu.base_url", "ftp://x");
    assertThatThrownBy(() -> new FeishuSinkConfig(m)).hasMessageContaining("http(s) URL");
    m.put("feishu.base_url", "https://open.larksuite.com/");
    m.put("sync.write_mode", "merge");
    assertThatThrownBy(() -> new FeishuSinkConfig(m)).hasMessageContaining("upsert, append");
  }

  @Test
  void theBufferIsSizedForTheTablesSideBySideUnlessSet() {
    assertThat(new FeishuSinkConfig(minimal()).maxBufferedRecords()).as("one table at a time").isEqualTo(10_000);
    Map<String, String> m = minimal();
    m.put("feishu.tables_in_parallel", "25");
    assertThat(new FeishuSinkConfig(m).maxBufferedRecords())
        .as("each of 25 tables with a batch in flight and one ready").isEqualTo(25_000);
    m.put("sync.max_buffered_records", "2000");
    assertThat(new FeishuSinkConfig(m).maxBufferedRecords()).as("a bound set by the user holds").isEqualTo(2_000);
  }

  @Test
  void theSecretIsNeverShown() {
    assertThat(new FeishuSinkConfig(minimal()).appSecret().toString()).doesNotContain("s").isEqualTo("[hidden]");
  }
}
