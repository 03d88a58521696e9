package dev.ofsync.it.e2e;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * What a database value becomes in a Bitable cell, written down from the two READMEs' type tables
 * (connector-source "Type mapping", connector-sink "Type mapping") rather than taken from their code,
 * so a change to either shows here. Values are as the emulator's dump holds them: text String,
 * number Double, date Long (ms since epoch), checkbox Boolean.
 */
final class ExpectedCells {
  /** Feishu field types. */
  static final int TEXT = 1;
  static final int NUMBER = 2;
  static final int DATE = 5;
  static final int CHECKBOX = 7;

  /** Digits a double always holds exactly: the sink's line between number fields and exact text. */
  private static final int EXACT_DIGITS = 15;

  /** A column's declared type, as JDBC reports it. */
  record ColumnType(String name, int jdbcType, String typeName, int precision, int scale) {
    static ColumnType of(ResultSetMetaData md, int i) throws SQLException {
      return new ColumnType(md.getColumnName(i), md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i),
          md.getScale(i));
    }

    /** NUMBER without precision (H2 reports DECFLOAT): the source sends its exact digits as text. */
    boolean unconstrainedNumber() {
      return typeName.equalsIgnoreCase("DECFLOAT") || precision <= 0 || precision > 38 || scale == -127;
    }
  }

  private final ZoneOffset offset;

  /** @param offset the zone the source reads DATE and TIMESTAMP in */
  ExpectedCells(ZoneOffset offset) {
    this.offset = offset;
  }

  /** The Feishu field type the column becomes. */
  int fieldType(ColumnType c) {
    switch (c.jdbcType()) {
      case Types.NUMERIC:
      case Types.DECIMAL:
        if (c.unconstrainedNumber()) {
          return TEXT;
        }
        if (c.scale() <= 0) {
          // NUMBER(p,0): INT8..INT64 up to 18 digits, Decimal beyond; either way a number field only
          // while a double holds every value exactly
          return c.precision() - c.scale() <= EXACT_DIGITS ? NUMBER : TEXT;
        }
        return c.precision() <= EXACT_DIGITS && c.scale() <= 4 ? NUMBER : TEXT;
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.DOUBLE:
      case Types.REAL:
      case Types.FLOAT:
        return NUMBER;
      case Types.BIGINT:
        return TEXT; // 19 digits: more than a double holds
      case Types.BOOLEAN:
      case Types.BIT:
        return CHECKBOX;
      case Types.DATE:
      case Types.TIMESTAMP:
      case Types.TIMESTAMP_WITH_TIMEZONE:
        return DATE;
      case Types.CHAR:
      case Types.VARCHAR:
      case Types.NCHAR:
      case Types.NVARCHAR:
      case Types.CLOB:
      case Types.NCLOB:
      case Types.LONGVARCHAR:
      case Types.BINARY:
      case Types.VARBINARY:
      case Types.BLOB:
        return TEXT;
      default:
        throw new IllegalArgumentException("the e2e harness does not know how column " + c.name() + " of type "
            + c.typeName() + " maps; add it from the READMEs' type tables");
    }
  }

  /** The cell the value becomes; null for an empty cell. */
  Object cell(ResultSet rs, int i, ColumnType c) throws SQLException {
    switch (c.jdbcType()) {
      case Types.NUMERIC:
      case Types.DECIMAL:
      case Types.TINYINT:
      case Types.SMALLINT:
      case Types.INTEGER:
      case Types.BIGINT: {
        BigDecimal d = rs.getBigDecimal(i);
        if (d == null) {
          return null;
        }
        if (fieldType(c) == NUMBER) {
          return d.doubleValue();
        }
        // exact text: the unconstrained NUMBER without trailing zeros, a declared scale kept as declared
        return c.unconstrainedNumber() ? d.stripTrailingZeros().toPlainString()
            : d.setScale(Math.max(0, c.scale())).toPlainString();
      }
      case Types.DOUBLE:
      case Types.FLOAT: {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
      }
      case Types.REAL: {
        float v = rs.getFloat(i);
        return rs.wasNull() ? null : (double) v;
      }
      case Types.BOOLEAN:
      case Types.BIT: {
        boolean v = rs.getBoolean(i);
        return rs.wasNull() ? null : v;
      }
      case Types.DATE:
      case Types.TIMESTAMP: {
        LocalDateTime t = rs.getObject(i, LocalDateTime.class);
        return t == null ? null : t.atOffset(offset).toInstant().toEpochMilli();
      }
      case Types.TIMESTAMP_WITH_TIMEZONE: {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toEpochMilli();
      }
      case Types.BINARY:
      case Types.VARBINARY:
      case Types.BLOB: {
        byte[] b = rs.getBytes(i);
        return b == null ? null : Base64.getEncoder().encodeToString(b);
      }
      default: {
        fieldType(c); // refuses types the harness does not know
        String s = rs.getString(i);
        return s == null || s.isEmpty() ? null : asFeishuStoresText(s);
      }
    }
  }

  /** The key as the primary field holds it. */
  static String keyText(ResultSet rs, int i, ColumnType c) throws SQLException {
    if (c.jdbcType() == Types.NUMERIC || c.jdbcType() == Types.DECIMAL) {
      BigDecimal d = rs.getBigDecimal(i);
      return c.unconstrainedNumber() ? d.stripTrailingZeros().toPlainString() : d.toPlainString();
    }
    return rs.getString(i);
  }

  /** Feishu stores text as UTF-8: a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD. */
  static String asFeishuStoresText(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append('\uFFFD');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
