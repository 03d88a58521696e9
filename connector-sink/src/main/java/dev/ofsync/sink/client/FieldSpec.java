package dev.ofsync.sink.client;

/**
 * A Bitable field to create: its name, type number and, for numbers and dates, the display format.
 *
 * @param formatter number format such as {@code "0.00"}; null for other types
 * @param dateFormatter date format such as {@code "yyyy/MM/dd HH:mm"}; null for other types
 */
public record FieldSpec(String name, int type, String formatter, String dateFormatter) {
  public static final int TEXT = 1;
  public static final int NUMBER = 2;
  public static final int DATE = 5;
  public static final int CHECKBOX = 7;

  public static FieldSpec text(String name) {
    return new FieldSpec(name, TEXT, null, null);
  }

  public FieldSpec named(String newName) {
    return new FieldSpec(newName, type, formatter, dateFormatter);
  }
}
