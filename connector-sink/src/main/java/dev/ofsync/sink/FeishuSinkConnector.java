package dev.ofsync.sink;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.ErrorClassifier;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.Failure;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.sink.client.TableInfo;
import dev.ofsync.sink.config.FeishuSinkConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/** Kafka Connect sink into Feishu (Lark) Bitable: one connector per base and table prefix. */
public class FeishuSinkConnector extends SinkConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new FeishuSinkConfig(props);
    this.props = Map.copyOf(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return FeishuSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(FeishuSinkConfig.TASKS_MAX_INTERNAL, String.valueOf(maxTasks));
      task.put(FeishuSinkConfig.TASK_ID_INTERNAL, String.valueOf(i));
      out.add(task);
    }
    return out;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return FeishuSinkConfig.CONFIG_DEF;
  }

  /** Checks the settings' forms, then signs in to Feishu and looks up the base and base table. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = new HashMap<>();
    result.configValues().forEach(v -> values.put(v.name(), v));
    boolean formsOk = result.configValues().stream().allMatch(v -> v.errorMessages().isEmpty());
    if (!formsOk) {
      return result;
    }
    FeishuSinkConfig config = new FeishuSinkConfig(connectorConfigs);
    // two retries: a passing 5xx or dropped connection must not refuse a good configuration
    BitableClient client = new BitableClient(config.baseUrl(), config.appId(), config.appSecret().value(),
        config.appToken(), Duration.ofSeconds(10), new RequestBudget(5, 1), 2, 100);
    try {
      List<TableInfo> tables = client.listTables();
      String baseTableId = config.baseTableId();
      if (!baseTableId.isEmpty() && tables.stream().noneMatch(t -> t.tableId().equals(baseTableId))) {
        values.get(FeishuSinkConfig.BASE_TABLE_ID).addErrorMessage("base " + config.appToken() + " has no table "
            + baseTableId + "; its tables: " + tables.stream().map(t -> t.name() + " (" + t.tableId() + ")").toList());
      }
    } catch (FeishuCallException e) {
      fieldAtFault(e).map(values::get).orElse(values.get(FeishuSinkConfig.BASE_URL)).addErrorMessage(
          e.failure() == Failure.TRANSIENT ? "cannot reach Feishu at " + config.baseUrl() + ": " + e.getMessage()
              : e.getMessage() + ". To fix: " + ErrorClassifier.advice(e.code()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  private static Optional<String> fieldAtFault(FeishuCallException e) {
    switch (e.code()) {
      case 10003:
      case 10014:
        return Optional.of(FeishuSinkConfig.APP_SECRET);
      case 10015:
      case 99991672:
        return Optional.of(FeishuSinkConfig.APP_ID);
      case 1254003:
      case 1254040:
      case 1254302:
        return Optional.of(FeishuSinkConfig.APP_TOKEN);
      default:
        return Optional.empty();
    }
  }
}
