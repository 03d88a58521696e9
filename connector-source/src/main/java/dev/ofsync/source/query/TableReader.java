package dev.ofsync.source.query;

import dev.ofsync.source.offset.OffsetCodec;
import dev.ofsync.source.schema.KeyKind;
import dev.ofsync.source.schema.MappedColumn;
import dev.ofsync.source.schema.TableSchema;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads one table page by page from its position and turns rows into records whose offsets
 * are the row's own position, so a restart continues right after the last committed row.
 */
public final class TableReader {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableReader.class);
  private final TableSchema schema;
  private final PageQuery query;
  private final String topic;
  private final int batchSize;
  private final int queryTimeoutSeconds;
  private final long delayMs;
  private final ZoneId zone;
  private final String deletedValue;
  /** {@link #deletedValue} as a number, or null when it is not one. */
  private final BigDecimal deletedNumber;
  private final Map<String, Object> partition;

  private Position position;
  private boolean lastPageFull;
  private long rowsThisPass;
  private long dueAtMs;
  private long caughtUpToMs;

  private Connection preparedOn;
  /**
   * Text and bytes a page may hold before it ends early (the next page goes on from its last row):
   * sync.read_batch_size rows of large LOBs would otherwise all be in memory at once.
   */
  private long pageBudgetBytes = 64L << 20;
  private PreparedStatement firstStatement;
  private PreparedStatement nextStatement;

  /**
   * @param zone the zone DATE/TIMESTAMP sync values are in, to compare them with the database clock;
   *     null: the database clock's own offset at each page (it follows the database's daylight saving time)
   */
  public TableReader(TableSchema schema, PageQuery query, Position start, String topic, int batchSize,
      int queryTimeoutSeconds, long delayMs, ZoneId zone, String deletedValue) {
    this.schema = schema;
    this.query = query;
    this.position = start;
    this.topic = topic;
    this.batchSize = batchSize;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.delayMs = delayMs;
    this.zone = zone;
    this.deletedValue = deletedValue;
    this.deletedNumber = number(deletedValue);
    this.partition = OffsetCodec.partition(schema.table());
  }

  public TableSchema schema() {
    return schema;
  }

  public Position position() {
    return position;
  }

  /** True when the last page was full, so more rows are probably waiting. */
  public boolean lastPageFull() {
    return lastPageFull;
  }

  public long dueAtMs() {
    return dueAtMs;
  }

  public void dueAt(long ms) {
    dueAtMs = ms;
  }

  public boolean needsClock() {
    return schema.mode().timestampBased();
  }

  /**
   * The time (epoch ms) up to which every committed row has been read, as of the last page that
   * was not full: the page's upper bound in timestamp modes, the time the query began otherwise.
   * Zero until the table has been read to its end once.
   */
  public long caughtUpToMs() {
    return caughtUpToMs;
  }

  /** Rows read since the table was last caught up, then zero. */
  public long takeRowsThisPass() {
    long n = rowsThisPass;
    rowsThisPass = 0;
    return n;
  }

  /** For tests: the text and bytes a page may hold before it ends early. */
  void pageBudget(long bytes) {
    this.pageBudgetBytes = bytes;
  }

  /** Bulk mode: the pass is over, the next one starts from the first key. */
  public void restartPass() {
    position = null;
  }

  /**
   * Reads the next page.
   *
   * @param clock the database clock, for the upper bound in timestamp modes (null otherwise)
   */
  public List<SourceRecord> readPage(Connection connection, OffsetDateTime clock) throws SQLException {
    Object bound = upperBound(clock);
    rewindIfTheClockWentBack(bound);
    PreparedStatement ps = statement(connection, position == null);
    long coversUpTo = coversUpTo(bound, clock);
    query.bind(ps, position, bound);
    List<SourceRecord> records = new ArrayList<>(Math.min(batchSize, 10_000));
    List<MappedColumn> columns = schema.columns();
    int[] keys = schema.keyIndexes();
    MappedColumn sync = schema.syncColumn();
    // The position moves only when the whole page is in hand: a connection lost mid-page must
    // not pass over rows that were never handed to the worker.
    Position last = position;
    boolean endedEarly = false;
    long pageBytes = 0;
    try (ResultSet rs = ps.executeQuery()) {
      rows:
      while (rs.next()) {
        // Columns are read in their order, each once for the position (keys, sync column) and
        // once for the value: Oracle's driver streams a LONG or LONG RAW column, and reading a
        // column after it first throws it away (ORA-17027 when it is read then).
        Object[] keyValues = new Object[keys.length];
        Object syncValue = null;
        Struct value = new Struct(schema.valueSchema());
        for (int i = 0; i < columns.size(); i++) {
          for (int k = 0; k < keys.length; k++) {
            if (keys[k] == i) {
              keyValues[k] = columns.get(i).keyKind().read(rs, i + 1);
              if (keyValues[k] == null) {
                if (!records.isEmpty()) {
                  endedEarly = true; // the rows before it go first; the next page stops the task at this row
                  break rows;
                }
                throw new ConnectException("table " + schema.table().qualified() + ": a row has no value (NULL) in key "
                    + "column " + columns.get(i).name() + (keys.length > 1 ? " (key " + describe(keyOf(rs, keyValues))
                    + ")" : "") + "; Oracle stores an empty string as NULL too. Each row needs its whole key, to be "
                    + "read page by page and to be one row in Feishu: give the row a key, or set oracle.primary_key to "
                    + "columns that are never NULL.");
              }
            }
          }
          if (sync != null && schema.syncIndex() == i) {
            syncValue = sync.keyKind().read(rs, i + 1);
          }
          try {
            Object v = columns.get(i).reader().read(rs, i + 1);
            value.put(columns.get(i).name(), v);
            if (v instanceof String text) {
              pageBytes += 2L * text.length();
            } else if (v instanceof byte[] bytes) {
              pageBytes += bytes.length;
            }
          } catch (DataException e) {
            if (!records.isEmpty()) {
              // the rows before it go first; the next page starts at this row and stops the task there
              endedEarly = true;
              break rows;
            }
            throw new ConnectException("table " + schema.table().qualified() + ", row with key "
                + describe(keyOf(rs, keyValues)) + ": " + e.getMessage(), e);
          }
        }
        Position rowPosition = new Position(syncValue, Arrays.asList(keyValues));
        Struct key = new Struct(schema.keySchema());
        for (int k : keys) {
          key.put(columns.get(k).name(), value.get(columns.get(k).name()));
        }
        Map<String, Object> offset = OffsetCodec.encode(rowPosition, schema);
        if (isDeleted(value)) {
          records.add(new SourceRecord(partition, offset, topic, null, schema.keySchema(), key, null, null));
        } else {
          records.add(new SourceRecord(partition, offset, topic, null, schema.keySchema(), key, schema.valueSchema(), value));
        }
        last = rowPosition;
        if (pageBytes >= pageBudgetBytes && records.size() < batchSize) {
          endedEarly = true; // large values: the rest of the page comes with the next query
          break;
        }
      }
    }
    position = last;
    lastPageFull = endedEarly || records.size() >= batchSize;
    if (!lastPageFull) {
      caughtUpToMs = coversUpTo;
    }
    rowsThisPass += records.size();
    return records;
  }

  /**
   * A zone-less sync value at or past the page's upper bound means the clock the values are
   * stamped by went back: daylight saving time ended (02:59 summer time is followed by 02:00 winter
   * time), or the clock was set back. Rows stamped from then on take values the position has passed
   * already, and would never be read: the position goes back to an hour before the bound (a daylight
   * saving change is an hour; the rows read again are unchanged ones, which the sink does not write).
   */
  private void rewindIfTheClockWentBack(Object bound) {
    if (bound instanceof java.time.LocalDateTime b && position != null
        && position.sync() instanceof java.time.LocalDateTime at && !at.isBefore(b)) {
      java.time.LocalDateTime from = b.minusHours(1);
      LOG.info("{}: the database clock went back (the last row read is stamped {}, the clock less the delay is now {}; "
          + "daylight saving time ended?): reading again from {}, so that rows stamped in the repeated time are read",
          schema.table().qualified(), at, b, from);
      position = new Position(from, position.key());
    }
  }

  private Object upperBound(OffsetDateTime clock) {
    if (!needsClock() || clock == null) {
      return null;
    }
    // Down to the whole second: a DATE holds whole seconds, so a row stamped in the second now under
    // way could still be committed after this page (with a key below the position) and be skipped.
    // Reading only seconds that are over costs a TIMESTAMP column less than a second of delay.
    OffsetDateTime bound = clock.minusNanos(delayMs * 1_000_000L).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    if (schema.syncColumn().keyKind() == KeyKind.ZONED_TIMESTAMP) {
      return bound;
    }
    return zone == null ? bound.toLocalDateTime() : bound.atZoneSameInstant(zone).toLocalDateTime();
  }

  private long coversUpTo(Object bound, OffsetDateTime clock) {
    if (bound instanceof OffsetDateTime zoned) {
      return zoned.toInstant().toEpochMilli();
    }
    if (bound instanceof java.time.LocalDateTime local) {
      return local.atZone(zone != null ? zone : clock.getOffset()).toInstant().toEpochMilli();
    }
    return clock != null ? clock.toInstant().toEpochMilli() : System.currentTimeMillis();
  }

  private boolean isDeleted(Struct value) {
    if (schema.softDeleteIndex() < 0) {
      return false;
    }
    MappedColumn column = schema.columns().get(schema.softDeleteIndex());
    Object flag = value.get(column.name());
    if (flag == null) {
      return false;
    }
    if (column.keyKind() == KeyKind.TIMESTAMP || column.keyKind() == KeyKind.ZONED_TIMESTAMP) {
      return true; // a DELETED_AT-style column: any time in it means deleted
    }
    if (flag instanceof Number n) {
      // compared as numbers: 1, 1.0 and 1.00 alike, whatever the column's type (NUMBER, BINARY_DOUBLE)
      BigDecimal have = n instanceof BigDecimal d ? d : number(n.toString());
      return deletedNumber != null && have != null ? deletedNumber.compareTo(have) == 0 : n.toString().equals(deletedValue);
    }
    // CHAR columns come padded with blanks; a BOOLEAN (23ai) reads as true/false and also matches 1/0
    String text = flag.toString().trim();
    if (flag instanceof Boolean b) {
      return text.equalsIgnoreCase(deletedValue) || (b ? "1" : "0").equals(deletedValue);
    }
    return text.equals(deletedValue);
  }

  private static BigDecimal number(String text) {
    if (text == null) {
      return null;
    }
    try {
      return new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      return null; // not a number (NaN, Infinity, or a value that is text)
    }
  }

  /** The row's key for an error message: the key columns not read yet (after the failing one) are read now. */
  private List<Object> keyOf(ResultSet rs, Object[] read) {
    List<Object> out = new ArrayList<>(read.length);
    int[] keys = schema.keyIndexes();
    for (int k = 0; k < keys.length; k++) {
      Object v = read[k];
      if (v == null) {
        try {
          v = schema.columns().get(keys[k]).keyKind().read(rs, keys[k] + 1);
        } catch (SQLException | RuntimeException e) {
          v = "?";
        }
      }
      out.add(v);
    }
    return out;
  }

  private static String describe(List<Object> keyValues) {
    List<String> parts = new ArrayList<>();
    for (Object v : keyValues) {
      parts.add(v instanceof byte[] b ? Arrays.toString(b) : String.valueOf(v));
    }
    return String.join(", ", parts);
  }

  private PreparedStatement statement(Connection connection, boolean first) throws SQLException {
    if (preparedOn != connection) {
      closeStatements();
      preparedOn = connection;
    }
    if (first && firstStatement == null) {
      firstStatement = prepare(connection, query.firstPageSql());
    }
    if (!first && nextStatement == null) {
      nextStatement = prepare(connection, query.nextPageSql());
    }
    return first ? firstStatement : nextStatement;
  }

  private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    PreparedStatement ps = connection.prepareStatement(sql);
    ps.setFetchSize(batchSize);
    ps.setQueryTimeout(queryTimeoutSeconds);
    return ps;
  }

  /** Forgets statements of a connection that is gone. */
  public void closeStatements() {
    for (PreparedStatement ps : new PreparedStatement[] {firstStatement, nextStatement}) {
      if (ps != null) {
        try {
          ps.close();
        } catch (SQLException e) {
          // The connection is being dropped anyway.
        }
      }
    }
    firstStatement = null;
    nextStatement = null;
    preparedOn = null;
  }
}
