package dev.ofsync.sink.mapping;

/** A value that cannot be written to Feishu as it is: which column, and why. */
public final class BadValueException extends RuntimeException {
  private final String column;
  private final String reason;

  public BadValueException(String column, String reason) {
    super("column '" + column + "': " + reason);
    this.column = column;
    this.reason = reason;
  }

  public String column() {
    return column;
  }

  /** Why the value cannot be written, without the column's name. */
  public String reason() {
    return reason;
  }
}
