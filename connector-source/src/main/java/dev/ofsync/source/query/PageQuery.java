package dev.ofsync.source.query;

import dev.ofsync.source.dialect.OracleDialect;
import dev.ofsync.source.schema.MappedColumn;
import dev.ofsync.source.schema.TableSchema;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The keyset page query of one table: rows strictly after a position in (sync column, key)
 * order, at most n of them. The row comparison is spelled out in AND/OR because Oracle 11g has
 * no row-value comparison, and a leading {@code o1 >= ?} gives the optimizer an index range
 * start. Never OFFSET: each page costs the same however deep into the table it is.
 */
public final class PageQuery {
  private final TableSchema schema;
  private final List<MappedColumn> order;
  private final boolean upperBound;
  private final String firstPage;
  private final String nextPage;

  /**
   * @param upperBound whether the sync column is bounded above (timestamp modes: the database clock minus the delay)
   */
  public PageQuery(TableSchema schema, OracleDialect dialect, int rows, boolean upperBound) {
    this.schema = schema;
    this.order = schema.orderColumns();
    this.upperBound = upperBound;
    this.firstPage = dialect.limit(select(false), rows);
    this.nextPage = dialect.limit(select(true), rows);
  }

  public String firstPageSql() {
    return firstPage;
  }

  public String nextPageSql() {
    return nextPage;
  }

  public String sql(Position after) {
    return after == null ? firstPage : nextPage;
  }

  private String select(boolean afterPosition) {
    StringBuilder sql = new StringBuilder("SELECT ");
    sql.append(schema.columns().stream().map(MappedColumn::selectExpression).collect(Collectors.joining(", ")));
    sql.append(" FROM ").append(schema.table().sql());
    List<String> where = new ArrayList<>();
    MappedColumn sync = schema.syncColumn();
    if (afterPosition) {
      where.add(after());
    } else if (sync != null) {
      // A NULL sync value cannot be placed in the order; such rows are not read.
      where.add(sync.quoted() + " IS NOT NULL");
    }
    if (upperBound && sync != null) {
      where.add(sync.quoted() + " < " + param(sync));
    }
    if (!where.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", where));
    }
    sql.append(" ORDER BY ").append(order.stream().map(MappedColumn::quoted).collect(Collectors.joining(", ")));
    return sql.toString();
  }

  /** {@code o1 >= ? AND (o1 > ? OR (o1 = ? AND o2 > ?) OR ...)}. */
  private String after() {
    String first = order.get(0).quoted();
    if (order.size() == 1) {
      return first + " > " + param(order.get(0));
    }
    List<String> alternatives = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      StringBuilder alt = new StringBuilder();
      for (int j = 0; j < i; j++) {
        alt.append(order.get(j).quoted()).append(" = ").append(param(order.get(j))).append(" AND ");
      }
      alt.append(order.get(i).quoted()).append(" > ").append(param(order.get(i)));
      alternatives.add(i == 0 ? alt.toString() : "(" + alt + ")");
    }
    return first + " >= " + param(order.get(0)) + " AND (" + String.join(" OR ", alternatives) + ")";
  }

  /**
   * The placeholder for a value compared with {@code column}. A DATE column is compared with a
   * DATE: the driver binds a timestamp, and comparing a DATE column with a TIMESTAMP makes Oracle
   * convert the column, which rules out its index.
   */
  private static String param(MappedColumn column) {
    return "DATE".equalsIgnoreCase(column.oracleType()) ? "CAST(? AS DATE)" : "?";
  }

  /** Binds the position (when there is one) and the upper bound (when used), in the order {@link #sql} expects. */
  public void bind(PreparedStatement ps, Position after, Object bound) throws SQLException {
    int index = 1;
    if (after != null) {
      List<Object> values = orderValues(after);
      if (order.size() == 1) {
        bind(ps, index++, order.get(0), values.get(0));
      } else {
        bind(ps, index++, order.get(0), values.get(0));
        for (int i = 0; i < order.size(); i++) {
          for (int j = 0; j <= i; j++) {
            bind(ps, index++, order.get(j), values.get(j));
          }
        }
      }
    }
    if (upperBound && schema.syncColumn() != null) {
      bind(ps, index, schema.syncColumn(), bound);
    }
  }

  /**
   * NCHAR and NVARCHAR2 values are bound as national strings: on a database whose character set
   * is not Unicode, a plain string bind would turn characters outside it into '?'.
   */
  private static void bind(PreparedStatement ps, int index, MappedColumn column, Object value) throws SQLException {
    String type = column.oracleType() == null ? "" : column.oracleType().toUpperCase(java.util.Locale.ROOT);
    if (value instanceof String s && (type.startsWith("NCHAR") || type.startsWith("NVARCHAR"))) {
      ps.setNString(index, s);
    } else {
      column.keyKind().bind(ps, index, value);
    }
  }

  /** The position's values in ORDER BY order: sync value, then key values other than the sync column. */
  List<Object> orderValues(Position p) {
    List<Object> out = new ArrayList<>();
    if (schema.syncIndex() >= 0) {
      out.add(p.sync());
    }
    int[] keys = schema.keyIndexes();
    for (int k = 0; k < keys.length; k++) {
      if (keys[k] != schema.syncIndex()) {
        out.add(p.key().get(k));
      }
    }
    return out;
  }
}
