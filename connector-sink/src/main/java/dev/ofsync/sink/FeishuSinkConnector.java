package dev.ofsync.sink;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.CallClass;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka Connect sink into Feishu (Lark) Bitable: one connector per base and table prefix. */
public class FeishuSinkConnector extends SinkConnector {
  private static final Logger LOG = LoggerFactory.getLogger(FeishuSinkConnector.class);
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
    int rate = new FeishuSinkConfig(props).maxRequestsPerSecond();
    int tasks = Math.min(maxTasks, tasksTheQuotaAllows(rate));
    if (tasks < maxTasks) {
      LOG.warn("Starting {} Feishu sink tasks, not tasks.max={}: the tasks split the app's quota, and each needs at "
          + "least one call a second of every kind (table creation is limited to {} a second, all calls to "
          + FeishuSinkConfig.MAX_REQUESTS_PER_SECOND + "={}); more tasks would together go over it",
          tasks, maxTasks, CallClass.SCHEMA_WRITE.feishuLimit(), rate);
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      Map<String, String> task = new HashMap<>(props);
      task.put(FeishuSinkConfig.TASKS_MAX_INTERNAL, String.valueOf(tasks));
      task.put(FeishuSinkConfig.TASK_ID_INTERNAL, String.valueOf(i));
      out.add(task);
    }
    return out;
  }

  /**
   * The most tasks that can share the app's quota: each task paces a whole share of every class of
   * call, so there can be no more tasks than the smallest limit has calls a second.
   */
  static int tasksTheQuotaAllows(int maxRequestsPerSecond) {
    int smallest = maxRequestsPerSecond;
    for (CallClass c : CallClass.values()) {
      smallest = Math.min(smallest, c.feishuLimit());
    }
    return Math.max(1, smallest);
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
      case 10014:
        // Feishu answers an unknown app id and a wrong secret with the same code; its msg tells which
        return Optional.of(e.getMessage().contains("app id not exists") ? FeishuSinkConfig.APP_ID : FeishuSinkConfig.APP_SECRET);
      case 10003:
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
