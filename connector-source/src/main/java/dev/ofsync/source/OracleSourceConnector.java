package dev.ofsync.source;

import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.connection.ConnectionFactory;
import dev.ofsync.source.connection.OracleErrors;
import dev.ofsync.source.dialect.OracleDialect;
import dev.ofsync.source.offset.OffsetCodec;
import dev.ofsync.source.query.PageQuery;
import dev.ofsync.source.schema.TableInspector;
import dev.ofsync.source.schema.TableProblem;
import dev.ofsync.source.schema.TypeMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/** Lifecycle, validate() and the split of tables over tasks. */
public final class OracleSourceConnector extends SourceConnector {
  /** validate() answers within the REST call's time; the task itself waits the configured timeout. */
  private static final int VALIDATE_CONNECT_TIMEOUT_MS = 10_000;

  private Map<String, String> props;
  private OracleSourceConfig config;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    this.props = Map.copyOf(props);
    this.config = new OracleSourceConfig(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return OracleSourceTask.class;
  }

  /** Tables dealt round robin over at most tasks.max tasks; one table is never split. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<TableId> tables = config.tables();
    int groups = Math.max(1, Math.min(maxTasks, tables.size()));
    List<List<String>> assigned = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      assigned.add(new ArrayList<>());
    }
    for (int i = 0; i < tables.size(); i++) {
      assigned.get(i % groups).add(tables.get(i).sql());
    }
    List<Map<String, String>> out = new ArrayList<>();
    for (List<String> group : assigned) {
      Map<String, String> task = new HashMap<>(props);
      task.put(OracleSourceConfig.TASK_TABLES, String.join(",", group));
      out.add(task);
    }
    return out;
  }

  @Override
  public void stop() {
    // Nothing held: tasks own their connections.
  }

  @Override
  public ConfigDef config() {
    return OracleSourceConfig.CONFIG_DEF;
  }

  /** Each task's records carry the offsets of their own rows, so offsets and records commit together. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.SUPPORTED;
  }

  /**
   * KIP-875: {@code DELETE /connectors/{name}/offsets} (null offsets) makes the next start read
   * every table from the beginning; {@code PATCH} may set a position written in this
   * connector's own format.
   */
  @Override
  public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
    Set<String> known = new OracleSourceConfig(connectorConfig).tables().stream().map(TableId::qualified)
        .collect(Collectors.toSet());
    for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
      Object table = e.getKey() == null ? null : e.getKey().get(OffsetCodec.PARTITION_TABLE);
      if (!(table instanceof String) || e.getKey().size() != 1) {
        throw new ConnectException("a partition is {\"table\": \"SCHEMA.TABLE\"}, got " + e.getKey());
      }
      if (!known.contains(table)) {
        throw new ConnectException("table " + table + " is not one of this connector's tables " + known);
      }
      if (e.getValue() != null) {
        try {
          OffsetCodec.checkShape(e.getValue());
        } catch (IllegalArgumentException bad) {
          throw new ConnectException("offset for table " + table + ": " + bad.getMessage(), bad);
        }
      }
    }
    return true;
  }

  /** Fields first; when they are sound, a login and a look at each table, each problem on its field. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    Map<String, ConfigValue> values = result.configValues().stream()
        .collect(Collectors.toMap(ConfigValue::name, v -> v));
    if (values.values().stream().anyMatch(v -> !v.errorMessages().isEmpty())) {
      return result;
    }
    OracleSourceConfig parsed = new OracleSourceConfig(connectorConfigs);
    String problem = parsed.connectionProblem();
    if (problem != null) {
      values.get(OracleSourceConfig.HOST).addErrorMessage(problem);
      return result;
    }
    try (Connection connection = new ConnectionFactory(parsed).open(Math.min(VALIDATE_CONNECT_TIMEOUT_MS,
        parsed.connectTimeoutMs()))) {
      checkTables(connection, parsed, values);
    } catch (SQLException e) {
      String where = new ConnectionFactory(parsed).describe();
      // a database down, restarting or out of reach is not a setting to fix: said so, for the launcher's exit code
      String message = (OracleErrors.isTransient(e) ? "cannot reach the database at " + where + " (down, restarting, "
          + "or not reachable from here; check the address if it never worked): " : "cannot log in to " + where + ": ")
          + OracleErrors.explain(e, parsed);
      for (String field : connectionFields(e, parsed)) {
        values.get(field).addErrorMessage(message);
      }
    }
    return result;
  }

  private static List<String> connectionFields(SQLException e, OracleSourceConfig config) {
    boolean byUrl = !config.getString(OracleSourceConfig.URL).isBlank();
    switch (e.getErrorCode()) {
      case 1017:
      case 28000:
        return List.of(OracleSourceConfig.USERNAME, OracleSourceConfig.PASSWORD);
      case 12514:
        return List.of(byUrl ? OracleSourceConfig.URL : OracleSourceConfig.SERVICE_NAME);
      case 12505:
        return List.of(byUrl ? OracleSourceConfig.URL : OracleSourceConfig.SID);
      default:
        return List.of(byUrl ? OracleSourceConfig.URL : OracleSourceConfig.HOST);
    }
  }

  private static void checkTables(Connection connection, OracleSourceConfig config, Map<String, ConfigValue> values)
      throws SQLException {
    OracleDialect dialect = OracleDialect.of(connection.getMetaData());
    TableInspector inspector = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, config.lobMaxChars()));
    for (TableId table : config.tables()) {
      TableInspector.Result r = inspector.inspect(connection, table);
      for (TableProblem p : r.problems()) {
        values.get(p.field()).addErrorMessage(p.message());
      }
      if (r.ok()) {
        // The real first page, one row: proves every selected column can be read by this user.
        PageQuery query = new PageQuery(r.schema(), dialect, 1, false);
        try (PreparedStatement ps = connection.prepareStatement(query.firstPageSql())) {
          ps.setQueryTimeout(10);
          query.bind(ps, null, null);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
          }
        } catch (SQLException e) {
          values.get(OracleSourceConfig.TABLE_NAME).addErrorMessage("cannot read table " + table.qualified() + ": "
              + OracleErrors.explain(e, config));
        }
      }
    }
  }
}
