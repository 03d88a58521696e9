package dev.ofsync.source.schema;

/** A column type with no Connect mapping. */
public final class UnmappableTypeException extends Exception {
  private final String column;
  private final String type;

  public UnmappableTypeException(String column, String type) {
    super("column " + column + " has type " + type + ", which has no Connect mapping; leave it out of the table's view, "
        + "or set sync.skip_unmappable_columns=true to skip it");
    this.column = column;
    this.type = type;
  }

  public String column() {
    return column;
  }

  public String type() {
    return type;
  }
}
