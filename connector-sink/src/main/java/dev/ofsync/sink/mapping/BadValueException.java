package dev.ofsync.sink.mapping;

/** A value that cannot be written to Feishu as it is: which column, and why. */
public final class BadValueException extends RuntimeException {
  private final String column;

  public BadValueException(String column, String reason) {
    super("column '" + column + "': " + reason);
    this.column = column;
  }

  public String column() {
    return column;
  }
}
