package dev.ofsync.source.dialect;

/**
 * Oracle 11g: ROWNUM is assigned before ORDER BY, so the ordered query is wrapped and the
 * outer query takes the first rows.
 */
public final class Oracle11gDialect implements OracleDialect {
  @Override
  public String limit(String orderedSelect, int rows) {
    return "SELECT * FROM (" + orderedSelect + ") WHERE ROWNUM <= " + rows;
  }

  @Override
  public String name() {
    return "Oracle 11g (ROWNUM)";
  }
}
