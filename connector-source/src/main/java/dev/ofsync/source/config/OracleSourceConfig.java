package dev.ofsync.source.config;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the Oracle source. Keys follow the seed tool's {@code config.yaml}
 * ({@code oracle.*}, {@code sync.read_batch_size}) so its users recognise them.
 */
public class OracleSourceConfig extends AbstractConfig {
  public static final String GROUP_CONNECTION = "Connection";
  public static final String GROUP_TABLE = "Table";
  public static final String GROUP_MODE = "Mode";
  public static final String GROUP_BATCHING = "Batching";
  public static final String GROUP_MAPPING = "Mapping";

  public static final String URL = "oracle.url";
  private static final String URL_DOC = "JDBC URL, e.g. jdbc:oracle:thin:@//db:1521/ORCLPDB1. When set, host, port, service name and SID are ignored.";
  public static final String HOST = "oracle.host";
  private static final String HOST_DOC = "Database host, used when oracle.url is empty.";
  public static final String PORT = "oracle.port";
  private static final String PORT_DOC = "Listener port.";
  public static final String SERVICE_NAME = "oracle.service_name";
  private static final String SERVICE_NAME_DOC = "Service name (lsnrctl services lists them). Give this or oracle.sid.";
  public static final String SID = "oracle.sid";
  private static final String SID_DOC = "SID, for old databases registered without a service name. Used when oracle.service_name is empty.";
  public static final String USERNAME = "oracle.username";
  private static final String USERNAME_DOC = "Database user; needs SELECT on every table.";
  public static final String PASSWORD = "oracle.password";
  private static final String PASSWORD_DOC = "Password of that user. Use a config provider (${env:...} or ${file:...}) rather than plain text.";
  public static final String CONNECT_TIMEOUT_MS = "oracle.connect_timeout_ms";
  private static final String CONNECT_TIMEOUT_MS_DOC = "Time allowed to open a connection (validate() uses at most 10 s of it).";
  public static final String QUERY_TIMEOUT_S = "oracle.query_timeout_seconds";
  private static final String QUERY_TIMEOUT_S_DOC = "Time allowed for one page query; 0 waits forever.";
  public static final String RETRY_BACKOFF_MS = "oracle.retry_backoff_ms";
  private static final String RETRY_BACKOFF_MS_DOC = "First wait after a lost connection before reconnecting; it doubles up to 60 s. Reading continues from the last row read.";

  public static final String TABLE_NAME = "oracle.table_name";
  private static final String TABLE_NAME_DOC = "Tables to read, comma-separated: ORDERS, HR.ORDERS or \"Hr\".\"Order lines\" (unquoted names are upper-cased, as Oracle does).";
  public static final String PRIMARY_KEY = "oracle.primary_key";
  private static final String PRIMARY_KEY_DOC = "Key columns, comma-separated (composite keys work); they become the record key and break ties between equal sync values. "
      + "Empty: each table's primary key from the database. When set, every table needs these columns.";
  public static final String SYNC_COLUMN = "oracle.sync_column";
  private static final String SYNC_COLUMN_DOC = "Column that says a row is new or changed: a timestamp (UPDATED_AT) or an increasing number. Empty: bulk mode.";
  public static final String COLUMNS = "oracle.columns";
  private static final String COLUMNS_DOC = "Columns sent in the record value, comma-separated; the key, sync and soft-delete columns are always read. "
      + "Empty: every column.";
  public static final String TOPIC_TEMPLATE = "topic.template";
  private static final String TOPIC_TEMPLATE_DOC = "Topic for each table; ${schema} and ${table} are replaced by the table's schema and name.";

  public static final String MODE = "mode";
  private static final String MODE_DOC = "bulk: the whole table every poll interval; incrementing: rows with a larger numeric sync value; "
      + "timestamp (and timestamp+incrementing, read the same way here): rows with a later sync timestamp, the key breaking ties. "
      + "Empty: timestamp for DATE/TIMESTAMP sync columns, incrementing for numbers, bulk without a sync column.";
  public static final String TIMESTAMP_DELAY_MS = "sync.timestamp_delay_ms";
  private static final String TIMESTAMP_DELAY_MS_DOC = "Rows are read only once their sync timestamp is older than the database clock minus this delay, "
      + "so transactions that commit late are not passed over. Set it above your longest transaction.";
  public static final String TIMEZONE = "oracle.timezone";
  private static final String TIMEZONE_DOC = "Zone of DATE and TIMESTAMP values (they carry none). Empty: the database's offset from SYSTIMESTAMP.";
  public static final String POLL_INTERVAL_MS = "sync.poll_interval_ms";
  private static final String POLL_INTERVAL_MS_DOC = "Wait after a table is read to its end before it is asked again for changes.";

  public static final String READ_BATCH_SIZE = "sync.read_batch_size";
  private static final String READ_BATCH_SIZE_DOC = "Rows per page query (and JDBC fetch size); memory is bounded by this, not by the table's size.";
  public static final String LOB_MAX_CHARS = "sync.lob_max_chars";
  private static final String LOB_MAX_CHARS_DOC = "Largest CLOB/NCLOB/LONG (characters) or BLOB (bytes) read; a larger value stops the task naming the row and column.";

  public static final String SOFT_DELETE_COLUMN = "sync.soft_delete_column";
  private static final String SOFT_DELETE_COLUMN_DOC = "Column that flags a row deleted. Such a row is sent as a tombstone (null value) for its key. "
      + "Polling cannot see rows removed with DELETE: use Debezium's Oracle connector for hard deletes.";
  public static final String SOFT_DELETE_VALUE = "sync.soft_delete_value";
  private static final String SOFT_DELETE_VALUE_DOC = "Value of the soft-delete column that means deleted: compared as a "
      + "number for a number column (1 matches 1.0), as text otherwise. For a DATE or TIMESTAMP column (DELETED_AT) any "
      + "value means deleted and this is not used.";
  public static final String SKIP_UNMAPPABLE = "sync.skip_unmappable_columns";
  private static final String SKIP_UNMAPPABLE_DOC = "false: a column of a type with no Connect mapping (BFILE, object types, ...) fails validation; true: such columns are left out.";

  /** The tables of one task; set by the connector, not by users. */
  public static final String TASK_TABLES = "internal.task.tables";

  public static final ConfigDef CONFIG_DEF = configDef();

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    int order = 0;
    def.define(URL, Type.STRING, "", Validators.EMPTY_OR_JDBC_URL, Importance.HIGH,
        URL_DOC, GROUP_CONNECTION, ++order, Width.LONG, "JDBC URL");
    def.define(HOST, Type.STRING, "", Importance.HIGH, HOST_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "Host");
    def.define(PORT, Type.INT, 1521, ConfigDef.Range.between(1, 65535), Importance.MEDIUM,
        PORT_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "Port");
    def.define(SERVICE_NAME, Type.STRING, "", Importance.HIGH, SERVICE_NAME_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "Service name");
    def.define(SID, Type.STRING, "", Importance.LOW, SID_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "SID");
    def.define(USERNAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
        USERNAME_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "User");
    def.define(PASSWORD, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
        PASSWORD_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "Password");
    def.define(CONNECT_TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.between(1_000, 600_000), Importance.LOW,
        CONNECT_TIMEOUT_MS_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "Connect timeout (ms)");
    def.define(QUERY_TIMEOUT_S, Type.INT, 300, ConfigDef.Range.between(0, 86_400), Importance.LOW,
        QUERY_TIMEOUT_S_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "Query timeout (s)");
    def.define(RETRY_BACKOFF_MS, Type.LONG, 1_000L, ConfigDef.Range.between(10, 60_000), Importance.LOW,
        RETRY_BACKOFF_MS_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "Retry backoff (ms)");

    order = 0;
    def.define(TABLE_NAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Validators.TABLE_LIST, Importance.HIGH,
        TABLE_NAME_DOC, GROUP_TABLE, ++order, Width.LONG, "Tables");
    def.define(PRIMARY_KEY, Type.STRING, "", Validators.COLUMN_LIST, Importance.HIGH,
        PRIMARY_KEY_DOC, GROUP_TABLE, ++order, Width.MEDIUM, "Key columns");
    def.define(SYNC_COLUMN, Type.STRING, "", Validators.EMPTY_OR_ONE_COLUMN, Importance.HIGH,
        SYNC_COLUMN_DOC, GROUP_TABLE, ++order, Width.MEDIUM, "Sync column");
    def.define(COLUMNS, Type.STRING, "", Validators.COLUMN_LIST, Importance.LOW,
        COLUMNS_DOC, GROUP_TABLE, ++order, Width.LONG, "Value columns");
    def.define(TOPIC_TEMPLATE, Type.STRING, "${table}", Validators.TOPIC_TEMPLATE, Importance.MEDIUM,
        TOPIC_TEMPLATE_DOC, GROUP_TABLE, ++order, Width.MEDIUM, "Topic template");

    order = 0;
    def.define(MODE, Type.STRING, "", Validators.emptyOrOneOf("bulk", "incrementing", "timestamp", "timestamp+incrementing"),
        Importance.HIGH, MODE_DOC, GROUP_MODE, ++order, Width.SHORT, "Mode");
    def.define(TIMESTAMP_DELAY_MS, Type.LONG, 0L, ConfigDef.Range.between(0, 86_400_000L), Importance.MEDIUM,
        TIMESTAMP_DELAY_MS_DOC, GROUP_MODE, ++order, Width.SHORT, "Timestamp delay (ms)");
    def.define(TIMEZONE, Type.STRING, "", Validators.EMPTY_OR_ZONE, Importance.MEDIUM,
        TIMEZONE_DOC, GROUP_MODE, ++order, Width.SHORT, "Time zone of DATE/TIMESTAMP");
    def.define(POLL_INTERVAL_MS, Type.LONG, 1_000L, ConfigDef.Range.between(10, 86_400_000L), Importance.MEDIUM,
        POLL_INTERVAL_MS_DOC, GROUP_MODE, ++order, Width.SHORT, "Poll interval (ms)");

    order = 0;
    def.define(READ_BATCH_SIZE, Type.INT, 1_000, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
        READ_BATCH_SIZE_DOC, GROUP_BATCHING, ++order, Width.SHORT, "Rows per read");
    def.define(LOB_MAX_CHARS, Type.INT, 16 * 1024 * 1024, ConfigDef.Range.between(1, Integer.MAX_VALUE - 16), Importance.LOW,
        LOB_MAX_CHARS_DOC, GROUP_BATCHING, ++order, Width.SHORT, "LOB size limit");

    order = 0;
    def.define(SOFT_DELETE_COLUMN, Type.STRING, "", Validators.EMPTY_OR_ONE_COLUMN, Importance.MEDIUM,
        SOFT_DELETE_COLUMN_DOC, GROUP_MAPPING, ++order, Width.MEDIUM, "Soft-delete column");
    def.define(SOFT_DELETE_VALUE, Type.STRING, "1", Importance.MEDIUM,
        SOFT_DELETE_VALUE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Deleted value");
    def.define(SKIP_UNMAPPABLE, Type.BOOLEAN, false, Importance.LOW,
        SKIP_UNMAPPABLE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Skip unmappable columns");

    def.defineInternal(TASK_TABLES, Type.STRING, "", Importance.LOW);
    return def;
  }

  public OracleSourceConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props, false); // not logAll(): oracle.url may carry a password
  }

  /** The URL given, or one built from host, port and service name (or SID). */
  public String jdbcUrl() {
    String url = getString(URL).trim();
    if (!url.isEmpty()) {
      return url;
    }
    String host = getString(HOST).trim();
    String service = getString(SERVICE_NAME).trim();
    if (!service.isEmpty()) {
      return "jdbc:oracle:thin:@//" + host + ":" + getInt(PORT) + "/" + service;
    }
    return "jdbc:oracle:thin:@" + host + ":" + getInt(PORT) + ":" + getString(SID).trim();
  }

  /** Why the connection settings cannot work, or null. */
  public String connectionProblem() {
    if (!getString(URL).trim().isEmpty()) {
      return null;
    }
    if (getString(HOST).trim().isEmpty()) {
      return "give oracle.url, or oracle.host with oracle.service_name (or oracle.sid)";
    }
    if (getString(SERVICE_NAME).trim().isEmpty() && getString(SID).trim().isEmpty()) {
      return "give oracle.service_name (or oracle.sid) with oracle.host";
    }
    return null;
  }

  public String username() {
    return getString(USERNAME);
  }

  public Password password() {
    return getPassword(PASSWORD);
  }

  public int connectTimeoutMs() {
    return getInt(CONNECT_TIMEOUT_MS);
  }

  public int queryTimeoutSeconds() {
    return getInt(QUERY_TIMEOUT_S);
  }

  public long retryBackoffMs() {
    return getLong(RETRY_BACKOFF_MS);
  }

  public List<TableId> tables() {
    List<TableId> out = new ArrayList<>();
    for (String item : Identifiers.splitList(getString(TABLE_NAME))) {
      out.add(Identifiers.parseTable(item));
    }
    return out;
  }

  /** This task's tables (all tables when the connector did not split them). */
  public List<TableId> taskTables() {
    String assigned = getString(TASK_TABLES);
    if (assigned.isBlank()) {
      return tables();
    }
    List<TableId> out = new ArrayList<>();
    for (String item : Identifiers.splitList(assigned)) {
      out.add(Identifiers.parseTable(item));
    }
    return out;
  }

  public List<String> primaryKey() {
    return Identifiers.columns(getString(PRIMARY_KEY));
  }

  /** Columns for the value, empty for all. */
  public List<String> columns() {
    return Identifiers.columns(getString(COLUMNS));
  }

  /** The sync column, or null in bulk mode. */
  public String syncColumn() {
    List<String> cols = Identifiers.columns(getString(SYNC_COLUMN));
    return cols.isEmpty() ? null : cols.get(0);
  }

  /** The mode set, or null to choose from the sync column's type. */
  public Mode mode() {
    String m = getString(MODE).trim();
    return m.isEmpty() ? null : Mode.parse(m);
  }

  public long timestampDelayMs() {
    return getLong(TIMESTAMP_DELAY_MS);
  }

  /** The zone set, or null for the database's. */
  public ZoneId timezone() {
    String z = getString(TIMEZONE).trim();
    return z.isEmpty() ? null : ZoneId.of(z);
  }

  public long pollIntervalMs() {
    return getLong(POLL_INTERVAL_MS);
  }

  public int readBatchSize() {
    return getInt(READ_BATCH_SIZE);
  }

  public int lobMaxChars() {
    return getInt(LOB_MAX_CHARS);
  }

  /** The soft-delete column, or null. */
  public String softDeleteColumn() {
    List<String> cols = Identifiers.columns(getString(SOFT_DELETE_COLUMN));
    return cols.isEmpty() ? null : cols.get(0);
  }

  public String softDeleteValue() {
    return getString(SOFT_DELETE_VALUE);
  }

  public boolean skipUnmappable() {
    return getBoolean(SKIP_UNMAPPABLE);
  }

  public String topicTemplate() {
    return getString(TOPIC_TEMPLATE).trim();
  }

  public String topicFor(TableId table) {
    return topicFor(topicTemplate(), table);
  }

  /** The topic a template names for a table (for tools that route to it without a full config). */
  public static String topicFor(String template, TableId table) {
    return template.replace("${schema}", table.schema() == null ? "" : table.schema())
        .replace("${table}", table.table()).replace("..", ".").replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
