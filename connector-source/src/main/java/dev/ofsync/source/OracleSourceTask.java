package dev.ofsync.source;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.connection.ConnectionFactory;
import dev.ofsync.source.connection.OracleErrors;
import dev.ofsync.source.dialect.OracleDialect;
import dev.ofsync.source.offset.OffsetCodec;
import dev.ofsync.source.query.PageQuery;
import dev.ofsync.source.query.Position;
import dev.ofsync.source.query.TableReader;
import dev.ofsync.source.schema.TableInspector;
import dev.ofsync.source.schema.TableProblem;
import dev.ofsync.source.schema.TypeMapper;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop: each poll reads one page of a table that is due, round robin, and hands its
 * rows to the worker. A table read to its end is due again after the poll interval. A lost
 * connection is retried with backoff, reading on from the last row handed over.
 */
public final class OracleSourceTask extends SourceTask {
  private static final Logger log = LoggerFactory.getLogger(OracleSourceTask.class);
  private static final long MAX_BACKOFF_MS = 60_000L;

  private OracleSourceConfig config;
  private ConnectionFactory connections;
  private static final long MAX_POLL_WAIT_MS = 500;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean connectedBefore;
  private Connection connection;
  private OracleDialect dialect;
  private List<TableReader> readers;
  private int next;
  private long backoffMs;
  private long retryAtMs;
  private final SourceMetrics metrics = new SourceMetrics();

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new OracleSourceConfig(props);
    connections = new ConnectionFactory(config);
    metrics.register(pluginMetrics());
    log.info("Reading {} from {}", config.taskTables().stream().map(TableId::qualified).collect(Collectors.joining(", ")),
        connections.describe());
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    publishCaughtUp();
    long wait = retryAtMs - System.currentTimeMillis();
    if (wait > 0) {
      waitOrStop(wait);
      return null; // the next poll tries again once the time has come
    }
    long idle;
    synchronized (this) {
      if (stopped.getCount() == 0) {
        return null;
      }
      try {
        ensureConnected();
        TableReader reader = nextDue(System.currentTimeMillis());
        if (reader != null) {
          return readPage(reader);
        }
        long earliest = readers.stream().mapToLong(TableReader::dueAtMs).min().orElse(Long.MAX_VALUE);
        idle = Math.max(1, earliest - System.currentTimeMillis());
      } catch (SQLException e) {
        return failed(e);
      }
    }
    waitOrStop(idle);
    return null;
  }

  private List<SourceRecord> readPage(TableReader reader) throws SQLException {
    OffsetDateTime clock = reader.needsClock() ? clock() : null;
    List<SourceRecord> records = reader.readPage(connection, clock);
    backoffMs = 0;
    metrics.rowsRead.add(records.size());
    log.debug("{}: {} rows", reader.schema().table().qualified(), records.size());
    if (!reader.lastPageFull()) {
      caughtUp(reader);
    }
    return records;
  }

  private void caughtUp(TableReader reader) {
    long rows = reader.takeRowsThisPass();
    if (rows > 0) {
      log.info("{}: {} rows read, caught up", reader.schema().table().qualified(), rows);
    }
    if (reader.schema().mode() == Mode.BULK) {
      reader.restartPass();
    }
    reader.dueAt(System.currentTimeMillis() + config.pollIntervalMs());
  }

  /** The oldest of the tables' caught-up times; see {@link SourceMetrics#caughtUpTo}. */
  private void publishCaughtUp() {
    List<TableReader> current = readers;
    if (current != null && !current.isEmpty()) {
      metrics.caughtUpTo(current.stream().mapToLong(TableReader::caughtUpToMs).min().getAsLong());
    }
  }

  private org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
    try {
      return context.pluginMetrics();
    } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
      return null; // a worker older than Kafka 4.1 has no plugin metrics
    }
  }

  private List<SourceRecord> failed(SQLException e) {
    closeConnection();
    if (!OracleErrors.isTransient(e, connectedBefore)) {
      throw new ConnectException(OracleErrors.explain(e, config), e);
    }
    backoffMs = backoffMs == 0 ? config.retryBackoffMs() : Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    retryAtMs = System.currentTimeMillis() + backoffMs;
    log.warn("Lost the database ({}); reconnecting in {} ms and reading on from the last row read", e.getMessage(), backoffMs);
    throw new RetriableException("lost the database connection; retrying in " + backoffMs + " ms", e);
  }

  /** Round robin over tables whose time has come, so one big table does not starve the others. */
  private TableReader nextDue(long now) {
    for (int i = 0; i < readers.size(); i++) {
      TableReader r = readers.get((next + i) % readers.size());
      if (r.dueAtMs() <= now) {
        next = (next + i + 1) % readers.size();
        return r;
      }
    }
    return null;
  }

  private void ensureConnected() throws SQLException {
    if (connection != null) {
      return;
    }
    connection = connections.open();
    connectedBefore = true;
    dialect = OracleDialect.of(connection.getMetaData());
    if (readers == null) {
      readers = createReaders();
    }
  }

  private List<TableReader> createReaders() throws SQLException {
    ZoneId zone = config.timezone() != null ? config.timezone() : clock().getOffset();
    TableInspector inspector = new TableInspector(config, new TypeMapper(zone, config.lobMaxChars()));
    List<TableReader> out = new ArrayList<>();
    for (TableId table : config.taskTables()) {
      TableInspector.Result result = inspector.inspect(connection, table);
      if (!result.ok()) {
        throw new ConnectException(result.problems().stream().map(TableProblem::message).collect(Collectors.joining("; ")));
      }
      Map<String, Object> stored = context.offsetStorageReader().offset(OffsetCodec.partition(table));
      Position start;
      try {
        start = OffsetCodec.decode(stored, result.schema());
      } catch (RuntimeException e) {
        // Written for other settings (another key or sync column type): only the user can decide to start over.
        throw new ConnectException("table " + table.qualified() + ": cannot use the stored offset " + stored + " ("
            + e.getMessage() + "); if the key or sync column changed, read the table again from the start: with the "
            + "launcher, run once with --reset-checkpoint; on a Connect cluster, stop the connector and "
            + "DELETE /connectors/<name>/offsets", e);
      }
      boolean bounded = result.schema().mode().timestampBased();
      PageQuery query = new PageQuery(result.schema(), dialect, config.readBatchSize(), bounded);
      out.add(new TableReader(result.schema(), query, start, config.topicFor(table), config.readBatchSize(),
          // the page bound follows the database clock's own offset, now and after a daylight saving change
          config.queryTimeoutSeconds(), config.timestampDelayMs(), config.timezone(), config.softDeleteValue()));
      log.info("{}: mode {}, {} dialect, topic {}, {}{}", table.qualified(), result.schema().mode().text(), dialect.name(),
          config.topicFor(table), start == null ? "from the beginning" : "after " + stored,
          result.schema().skipped().isEmpty() ? "" : ", skipping " + result.schema().skipped());
    }
    return out;
  }

  private OffsetDateTime clock() throws SQLException {
    try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(dialect.clockQuery())) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class);
    }
  }

  /**
   * Waits at most half a second: the worker stops a task only between polls (stop() runs after
   * poll() returns), so a long wait here would outlast its graceful-stop timeout.
   */
  private boolean waitOrStop(long ms) throws InterruptedException {
    return stopped.await(Math.min(ms, MAX_POLL_WAIT_MS), TimeUnit.MILLISECONDS);
  }

  private void closeConnection() {
    if (readers != null) {
      readers.forEach(TableReader::closeStatements);
    }
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Closing a broken connection: {}", e.getMessage());
      }
      connection = null;
    }
  }

  /** Wakes a waiting poll at once; a page query under way finishes first (bounded by the query timeout). */
  @Override
  public void stop() {
    stopped.countDown();
    synchronized (this) {
      closeConnection();
    }
  }
}
