package dev.ofsync.source.dialect;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** The SQL that differs between Oracle versions: how a page is limited to n rows. */
public interface OracleDialect {

  /** A statement that returns at most {@code rows} rows of {@code orderedSelect} (which ends in ORDER BY), in its order. */
  String limit(String orderedSelect, int rows);

  /** The database clock, a TIMESTAMP WITH TIME ZONE, the same on every version. */
  default String clockQuery() {
    return "SELECT SYSTIMESTAMP FROM DUAL";
  }

  String name();

  /**
   * 11g and older lack FETCH FIRST. Other products (H2 in Oracle mode, in tests) report their own
   * version numbers, so only Oracle's own version decides.
   */
  static OracleDialect of(DatabaseMetaData meta) throws SQLException {
    String product = meta.getDatabaseProductName();
    boolean oracle = product != null && product.toLowerCase(Locale.ROOT).contains("oracle");
    return oracle && meta.getDatabaseMajorVersion() < 12 ? new Oracle11gDialect() : new Oracle12cDialect();
  }
}
