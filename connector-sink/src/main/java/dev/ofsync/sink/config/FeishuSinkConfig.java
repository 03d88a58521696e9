package dev.ofsync.sink.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of the Feishu Bitable sink. Keys follow the seed tool's {@code config.yaml}
 * ({@code feishu.*}, {@code sync.*}) so its users recognise them.
 */
public class FeishuSinkConfig extends AbstractConfig {
  public static final String GROUP_CONNECTION = "Connection";
  public static final String GROUP_TABLE = "Table";
  public static final String GROUP_MAPPING = "Mapping";
  public static final String GROUP_BATCHING = "Batching";
  public static final String GROUP_RATE_LIMIT = "Rate limit";
  public static final String GROUP_INDEX = "Index";

  public static final String APP_ID = "feishu.app_id";
  private static final String APP_ID_DOC = "App ID of the Feishu self-built app (cli_...), from the developer console.";
  public static final String APP_SECRET = "feishu.app_secret";
  private static final String APP_SECRET_DOC = "App Secret of that app. Use a config provider (${env:...} or ${file:...}) rather than plain text.";
  public static final String APP_TOKEN = "feishu.app_token";
  private static final String APP_TOKEN_DOC = "app_token of the Bitable (the base), from its URL.";
  public static final String BASE_URL = "feishu.base_url";
  public static final String BASE_URL_DEFAULT = "https://open.feishu.cn";
  private static final String BASE_URL_DOC = "Open API address: https://open.feishu.cn (Feishu), https://open.larksuite.com (Lark), or an emulator's URL.";
  public static final String REQUEST_TIMEOUT_MS = "feishu.request_timeout_ms";
  private static final String REQUEST_TIMEOUT_MS_DOC = "Time allowed for one Feishu call before it counts as failed and is retried.";

  public static final String BASE_TABLE_ID = "feishu.base_table_id";
  private static final String BASE_TABLE_ID_DOC = "The table filled first (tbl...). Empty: a table named after the prefix, created when missing.";
  public static final String TABLE_NAME_PREFIX = "feishu.table_name_prefix";
  public static final String TABLE_NAME_PREFIX_DEFAULT = "DataSync";
  private static final String TABLE_NAME_PREFIX_DOC = "Tables after the base table are named {prefix}_001, {prefix}_002, ...";
  public static final String MAX_ROWS_PER_TABLE = "feishu.max_rows_per_table";
  private static final String MAX_ROWS_PER_TABLE_DOC = "Rows a table is filled to before the next one is started (20,000 on Feishu's classic plan).";
  public static final String TABLES_IN_PARALLEL = "feishu.tables_in_parallel";
  private static final String TABLES_IN_PARALLEL_DOC = "About this many tables take new rows side by side while the backlog is larger "
      + "than one table holds. Feishu takes one write at a time per table and a 500-row write takes a few hundred ms, so one "
      + "table reaches 2-3 calls/s; about 20-25 reach the 50 calls/s quota. Tables still fill in sequence, each to "
      + "max_rows_per_table, and only the last is left partly filled (with the backlog known from index.bootstrap.servers; "
      + "without it, from what each poll brings). The backlog is split into rounds of tables as even as whole rounds "
      + "allow, so a round may take up to half as many tables more, rather than leave a few tables to fill alone at the "
      + "end. 1 writes one table at a time, rows in the seed's exact order.";

  public static final String WRITE_MODE = "sync.write_mode";
  private static final String WRITE_MODE_DOC = "upsert: a key already in the Bitable is updated in place and unchanged rows cost nothing; append: every record becomes a new row.";
  public static final String DELETE_MODE = "sync.delete_mode";
  private static final String DELETE_MODE_DOC = "delete: a tombstone (or a Debezium delete) removes the key's row; ignore: deletes are skipped.";
  public static final String DATETIME_MODE = "sync.datetime_mode";
  private static final String DATETIME_MODE_DOC = "date: timestamps and dates become Feishu date fields; text: ISO-8601 text, as the seed wrote them.";
  public static final String TIMEZONE = "sync.timezone";
  private static final String TIMEZONE_DOC = "Zone of date-times that carry none: Debezium's Timestamp, MicroTimestamp "
      + "and NanoTimestamp (Oracle DATE and TIMESTAMP), its Date and Time, and Connect's Date and Time hold a wall-clock "
      + "time. A date field gets the instant that time is in this zone, so Feishu shows it unchanged to people in it: "
      + "set the database's zone, such as Asia/Shanghai. Connect's Timestamp (what this project's source sends) is an "
      + "instant already and is not moved. Text (sync.datetime_mode=text) shows the wall-clock time whatever the zone.";
  public static final String KEY_FIELD_NAME = "sync.key_field_name";
  private static final String KEY_FIELD_NAME_DOC = "Name of the primary (first) field, which holds the record key. Empty: the key column's name, or the key columns' names joined by '_'.";

  public static final String WRITE_BATCH_SIZE = "sync.write_batch_size";
  private static final String WRITE_BATCH_SIZE_DOC = "Rows per Feishu write call (at most 500: the batch_delete limit, and what the seed used).";
  public static final String LINGER_MS = "sync.linger_ms";
  private static final String LINGER_MS_DOC = "A partial batch is written once its oldest record has waited this long; full batches go at once.";
  public static final String MAX_BUFFERED_RECORDS = "sync.max_buffered_records";
  private static final String MAX_BUFFERED_RECORDS_DOC = "Records held before they are written; put() blocks while they are written, so memory "
      + "stays bounded. 0 (the default): 2 x tables_in_parallel x write_batch_size, at least 10,000, so that each table "
      + "filling has a batch being written and the next one ready. Fewer leave tables waiting for rows, and the writes "
      + "below the quota; more add to the worker's collection pauses without making it faster.";

  public static final String MAX_REQUESTS_PER_SECOND = "sync.max_requests_per_second";
  private static final String MAX_REQUESTS_PER_SECOND_DOC = "Feishu calls per second for the whole connector (all tasks), at most Feishu's 50 per app; "
      + "reads and schema changes also stay under Feishu's 20 and 10 per second.";
  public static final String MAX_RETRIES = "feishu.max_retries";
  private static final String MAX_RETRIES_DOC = "Retries of a call that failed for a passing reason (throttling, write conflict, 5xx, timeout) before the task backs off.";
  public static final String RETRY_BACKOFF_MS = "feishu.retry_backoff_ms";
  private static final String RETRY_BACKOFF_MS_DOC = "First wait before a retry; it doubles (with jitter) up to 30 s.";

  public static final String INDEX_BOOTSTRAP_SERVERS = "index.bootstrap.servers";
  private static final String INDEX_BOOTSTRAP_SERVERS_DOC = "Kafka brokers for the key index topic (key -> table and record id), "
      + "also asked for the topics' end offsets (the backlog that decides how many tables fill side by side). Empty: no index "
      + "topic; each start reads the Bitable back to learn where the keys are.";
  public static final String INDEX_TOPIC = "index.topic";
  private static final String INDEX_TOPIC_DOC = "Compacted topic that keeps the key index. Empty: feishu-sink-index.{app_token}.{prefix}.";

  public static final String TASKS_MAX_INTERNAL = "internal.tasks.max";
  public static final String TASK_ID_INTERNAL = "internal.task.id";
  /** How long giving up partitions waits for writes under way (tests shorten it). */
  public static final String REVOCATION_WAIT_MS_INTERNAL = "internal.revocation.wait.ms";

  public enum WriteMode { UPSERT, APPEND }

  public enum DeleteMode { DELETE, IGNORE }

  public enum DatetimeMode { DATE, TEXT }

  public static final ConfigDef CONFIG_DEF = configDef();

  private static ConfigDef configDef() {
    ConfigDef def = new ConfigDef();
    int order = 0;
    def.define(APP_ID, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
        APP_ID_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "App ID");
    def.define(APP_SECRET, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
        APP_SECRET_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "App Secret");
    def.define(APP_TOKEN, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
        APP_TOKEN_DOC, GROUP_CONNECTION, ++order, Width.MEDIUM, "Bitable app_token");
    def.define(BASE_URL, Type.STRING, BASE_URL_DEFAULT, Validators.HTTP_URL, Importance.MEDIUM,
        BASE_URL_DOC, GROUP_CONNECTION, ++order, Width.LONG, "Open API base URL");
    def.define(REQUEST_TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.between(1_000, 600_000), Importance.LOW,
        REQUEST_TIMEOUT_MS_DOC, GROUP_CONNECTION, ++order, Width.SHORT, "Request timeout (ms)");

    order = 0;
    def.define(BASE_TABLE_ID, Type.STRING, "", Validators.EMPTY_OR_TABLE_ID, Importance.HIGH,
        BASE_TABLE_ID_DOC, GROUP_TABLE, ++order, Width.MEDIUM, "Base table id");
    def.define(TABLE_NAME_PREFIX, Type.STRING, TABLE_NAME_PREFIX_DEFAULT, Validators.TABLE_NAME_PREFIX, Importance.HIGH,
        TABLE_NAME_PREFIX_DOC, GROUP_TABLE, ++order, Width.MEDIUM, "Table name prefix");
    def.define(MAX_ROWS_PER_TABLE, Type.INT, 20_000, ConfigDef.Range.atLeast(1), Importance.HIGH,
        MAX_ROWS_PER_TABLE_DOC, GROUP_TABLE, ++order, Width.SHORT, "Max rows per table");
    def.define(TABLES_IN_PARALLEL, Type.INT, 1, ConfigDef.Range.between(1, 50), Importance.MEDIUM,
        TABLES_IN_PARALLEL_DOC, GROUP_TABLE, ++order, Width.SHORT, "Tables filled side by side");

    order = 0;
    def.define(WRITE_MODE, Type.STRING, "upsert", Validators.oneOf(WriteMode.class), Importance.MEDIUM,
        WRITE_MODE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Write mode");
    def.define(DELETE_MODE, Type.STRING, "delete", Validators.oneOf(DeleteMode.class), Importance.MEDIUM,
        DELETE_MODE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Delete handling");
    def.define(DATETIME_MODE, Type.STRING, "date", Validators.oneOf(DatetimeMode.class), Importance.LOW,
        DATETIME_MODE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Date and time as");
    def.define(TIMEZONE, Type.STRING, "UTC", Validators.ZONE, Importance.MEDIUM,
        TIMEZONE_DOC, GROUP_MAPPING, ++order, Width.SHORT, "Time zone of zone-less date-times");
    def.define(KEY_FIELD_NAME, Type.STRING, "", Importance.LOW,
        KEY_FIELD_NAME_DOC, GROUP_MAPPING, ++order, Width.MEDIUM, "Key field name");

    order = 0;
    def.define(WRITE_BATCH_SIZE, Type.INT, 500, ConfigDef.Range.between(1, 500), Importance.MEDIUM,
        WRITE_BATCH_SIZE_DOC, GROUP_BATCHING, ++order, Width.SHORT, "Rows per write call");
    def.define(LINGER_MS, Type.LONG, 500L, ConfigDef.Range.between(0, 600_000), Importance.MEDIUM,
        LINGER_MS_DOC, GROUP_BATCHING, ++order, Width.SHORT, "Linger (ms)");
    def.define(MAX_BUFFERED_RECORDS, Type.INT, 0, ConfigDef.Range.between(0, 1_000_000), Importance.LOW,
        MAX_BUFFERED_RECORDS_DOC, GROUP_BATCHING, ++order, Width.SHORT, "Max buffered records");

    order = 0;
    def.define(MAX_REQUESTS_PER_SECOND, Type.INT, 50, ConfigDef.Range.between(1, 50), Importance.MEDIUM,
        MAX_REQUESTS_PER_SECOND_DOC, GROUP_RATE_LIMIT, ++order, Width.SHORT, "Max requests per second");
    def.define(MAX_RETRIES, Type.INT, 10, ConfigDef.Range.between(0, 100), Importance.LOW,
        MAX_RETRIES_DOC, GROUP_RATE_LIMIT, ++order, Width.SHORT, "Max retries");
    def.define(RETRY_BACKOFF_MS, Type.LONG, 200L, ConfigDef.Range.between(1, 60_000), Importance.LOW,
        RETRY_BACKOFF_MS_DOC, GROUP_RATE_LIMIT, ++order, Width.SHORT, "Retry backoff (ms)");

    order = 0;
    def.define(INDEX_BOOTSTRAP_SERVERS, Type.STRING, "", Importance.MEDIUM,
        INDEX_BOOTSTRAP_SERVERS_DOC, GROUP_INDEX, ++order, Width.LONG, "Index topic brokers");
    def.define(INDEX_TOPIC, Type.STRING, "", Importance.LOW,
        INDEX_TOPIC_DOC, GROUP_INDEX, ++order, Width.LONG, "Index topic");

    def.defineInternal(TASKS_MAX_INTERNAL, Type.INT, 1, Importance.LOW);
    def.defineInternal(TASK_ID_INTERNAL, Type.INT, 0, Importance.LOW);
    def.defineInternal(REVOCATION_WAIT_MS_INTERNAL, Type.LONG, 120_000L, Importance.LOW);
    return def;
  }

  public FeishuSinkConfig(Map<?, ?> props) {
    super(CONFIG_DEF, props);
  }

  public String appId() {
    return getString(APP_ID);
  }

  public Password appSecret() {
    return getPassword(APP_SECRET);
  }

  public String appToken() {
    return getString(APP_TOKEN);
  }

  public String baseUrl() {
    String url = getString(BASE_URL);
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  public int requestTimeoutMs() {
    return getInt(REQUEST_TIMEOUT_MS);
  }

  public String baseTableId() {
    return getString(BASE_TABLE_ID).trim();
  }

  public String tableNamePrefix() {
    return getString(TABLE_NAME_PREFIX);
  }

  public int maxRowsPerTable() {
    return getInt(MAX_ROWS_PER_TABLE);
  }

  public int tablesInParallel() {
    return getInt(TABLES_IN_PARALLEL);
  }

  public WriteMode writeMode() {
    return WriteMode.valueOf(getString(WRITE_MODE).trim().toUpperCase(Locale.ROOT));
  }

  public DeleteMode deleteMode() {
    return DeleteMode.valueOf(getString(DELETE_MODE).trim().toUpperCase(Locale.ROOT));
  }

  public java.time.ZoneId timezone() {
    return java.time.ZoneId.of(getString(TIMEZONE).trim());
  }

  public DatetimeMode datetimeMode() {
    return DatetimeMode.valueOf(getString(DATETIME_MODE).trim().toUpperCase(Locale.ROOT));
  }

  public String keyFieldName() {
    return getString(KEY_FIELD_NAME).trim();
  }

  public int writeBatchSize() {
    return getInt(WRITE_BATCH_SIZE);
  }

  public long lingerMs() {
    return getLong(LINGER_MS);
  }

  /** The records held at most: as set, or (0) enough for every table filling to have its next batch ready. */
  public int maxBufferedRecords() {
    int set = getInt(MAX_BUFFERED_RECORDS);
    return set > 0 ? set : Math.max(10_000, 2 * tablesInParallel() * writeBatchSize());
  }

  public int maxRequestsPerSecond() {
    return getInt(MAX_REQUESTS_PER_SECOND);
  }

  public int maxRetries() {
    return getInt(MAX_RETRIES);
  }

  public long retryBackoffMs() {
    return getLong(RETRY_BACKOFF_MS);
  }

  public String indexBootstrapServers() {
    return getString(INDEX_BOOTSTRAP_SERVERS).trim();
  }

  public String indexTopic() {
    String topic = getString(INDEX_TOPIC).trim();
    if (!topic.isEmpty()) {
      return topic;
    }
    return ("feishu-sink-index." + appToken() + "." + tableNamePrefix()).replaceAll("[^a-zA-Z0-9._-]", "_");
  }

  /** Tasks the connector runs; each task takes its share of the request budget. */
  public int tasksMax() {
    return getInt(TASKS_MAX_INTERNAL);
  }

  /** This task's number, 0 to tasks - 1. */
  public int taskId() {
    return getInt(TASK_ID_INTERNAL);
  }

  /** How long giving up partitions waits for the writes under way to end (2 minutes). */
  public long revocationWaitMs() {
    return getLong(REVOCATION_WAIT_MS_INTERNAL);
  }

  /** Index settings for the Kafka clients, with the {@code index.} prefix removed. */
  public Map<String, Object> indexClientProps() {
    return originalsWithPrefix("index.");
  }

  public static List<String> groups() {
    return List.of(GROUP_CONNECTION, GROUP_TABLE, GROUP_MAPPING, GROUP_BATCHING, GROUP_RATE_LIMIT, GROUP_INDEX);
  }
}
