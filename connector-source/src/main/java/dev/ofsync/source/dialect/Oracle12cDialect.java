package dev.ofsync.source.dialect;

/** Oracle 12c and later: the SQL standard's row limit. */
public final class Oracle12cDialect implements OracleDialect {
  @Override
  public String limit(String orderedSelect, int rows) {
    return orderedSelect + " FETCH FIRST " + rows + " ROWS ONLY";
  }

  @Override
  public String name() {
    return "Oracle 12c+ (FETCH FIRST)";
  }
}
