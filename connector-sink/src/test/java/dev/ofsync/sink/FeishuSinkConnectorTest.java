package dev.ofsync.sink;

import static dev.ofsync.sink.TaskHarness.APP_ID;
import static dev.ofsync.sink.TaskHarness.APP_SECRET;
import static dev.ofsync.sink.TaskHarness.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FeishuSinkConnectorTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  private static Map<String, List<String>> errors(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(TaskHarness.baseConfig(FEISHU.emulator()));
    props.putAll(overrides);
    return new FeishuSinkConnector().validate(props).configValues().stream()
        .filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void aGoodConfigValidatesClean() {
    assertThat(errors(Map.of())).isEmpty();
  }

  @Test
  void aPassingFeishuFailureDoesNotRefuseAGoodConfig() {
    FEISHU.emulator().faults().script(dev.ofsync.emulator.FaultRule.httpError(503).on(dev.ofsync.emulator.CallClass.TOKEN),
        dev.ofsync.emulator.FaultRule.drop().on(dev.ofsync.emulator.CallClass.READ));

    assertThat(errors(Map.of())).isEmpty();
    assertThat(FEISHU.emulator().faults().pendingScript()).as("both failures met, and retried").isEmpty();
  }

  @Test
  void eachConnectionProblemIsAttachedToTheSettingAtFault() {
    assertThat(errors(Map.of("feishu.app_secret", "wrong"))).containsOnlyKeys("feishu.app_secret");
    assertThat(errors(Map.of("feishu.app_id", "cli_nobody"))).containsOnlyKeys("feishu.app_id");
    assertThat(errors(Map.of("feishu.app_token", "bascnNoSuchBase"))).containsOnlyKeys("feishu.app_token");
    assertThat(errors(Map.of("feishu.base_table_id", "tblNoSuchTable01"))).containsOnlyKeys("feishu.base_table_id");
    assertThat(errors(Map.of("feishu.base_url", "http://127.0.0.1:1"))).containsOnlyKeys("feishu.base_url");
    assertThat(errors(Map.of("feishu.app_secret", "wrong")).get("feishu.app_secret").get(0))
        .contains("10014").contains("To fix");
  }

  @Test
  void formErrorsComeFirstWithoutCallingFeishu() {
    FEISHU.emulator().resetStats();
    assertThat(errors(Map.of("feishu.max_rows_per_table", "0"))).containsOnlyKeys("feishu.max_rows_per_table");
    assertThat(FEISHU.emulator().stats().callsByEndpoint()).isEmpty();
  }

  @Test
  void eachTaskKnowsItsNumberAndTheTaskCount() {
    FeishuSinkConnector connector = new FeishuSinkConnector();
    connector.start(TaskHarness.baseConfig(FEISHU.emulator()));

    List<Map<String, String>> tasks = connector.taskConfigs(3);

    assertThat(tasks).extracting(t -> t.get("internal.task.id")).containsExactly("0", "1", "2");
    assertThat(tasks).allSatisfy(t -> assertThat(t).containsEntry("internal.tasks.max", "3"));
  }

  @Test
  void noMoreTasksStartThanTheQuotaHasCallsASecondForEachOfThem() {
    FeishuSinkConnector connector = new FeishuSinkConnector();
    Map<String, String> props = new HashMap<>(TaskHarness.baseConfig(FEISHU.emulator()));
    connector.start(props);
    // table and field creation: 10 a second per app, so 12 tasks would make 12 a second at one each
    assertThat(connector.taskConfigs(12)).hasSize(10)
        .allSatisfy(t -> assertThat(t).containsEntry("internal.tasks.max", "10"));

    props.put("sync.max_requests_per_second", "5");
    connector.start(props);
    assertThat(connector.taskConfigs(8)).hasSize(5)
        .allSatisfy(t -> assertThat(t).containsEntry("internal.tasks.max", "5"));
  }
}
