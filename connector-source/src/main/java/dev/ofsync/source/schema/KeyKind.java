package dev.ofsync.source.schema;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;

/**
 * How a column's value is compared, bound and written into offsets when it is a key or sync
 * column. Columns of other kinds (LOBs, floats, ...) cannot page a table.
 */
public enum KeyKind {
  /** Bound and kept as BigDecimal: exact for every NUMBER. */
  NUMBER {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getBigDecimal(index);
    }
  },
  TEXT {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getString(index);
    }
  },
  /** DATE and TIMESTAMP: bound as LocalDateTime, so no JVM zone shifts the comparison. */
  TIMESTAMP {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getObject(index, LocalDateTime.class);
    }
  },
  ZONED_TIMESTAMP {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getObject(index, OffsetDateTime.class);
    }
  },
  BYTES {
    @Override
    public Object read(ResultSet rs, int index) throws SQLException {
      return rs.getBytes(index);
    }
  };

  /** The value as the keyset query binds it back. */
  public abstract Object read(ResultSet rs, int index) throws SQLException;

  public void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    ps.setObject(index, value);
  }
}
