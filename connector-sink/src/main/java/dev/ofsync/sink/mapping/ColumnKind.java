package dev.ofsync.sink.mapping;

import dev.ofsync.sink.client.FieldSpec;

/** How a column is shown in Feishu, decided once per column from its schema (or first value). */
public enum ColumnKind {
  TEXT(FieldSpec.TEXT),
  /** Text holding every digit of a number a double cannot hold exactly. */
  EXACT_TEXT(FieldSpec.TEXT),
  /** JSON text of a struct, map or array. */
  JSON_TEXT(FieldSpec.TEXT),
  /** Base64 text of bytes. */
  BASE64_TEXT(FieldSpec.TEXT),
  /** ISO-8601 text of a date or time. */
  TIME_TEXT(FieldSpec.TEXT),
  NUMBER(FieldSpec.NUMBER),
  DATE(FieldSpec.DATE),
  CHECKBOX(FieldSpec.CHECKBOX),
  /**
   * A schemaless column seen only with nulls so far: no field is made for it until a value gives it
   * a type; its null cells clear a field the table already has.
   */
  UNTYPED(FieldSpec.TEXT);

  private final int fieldType;

  ColumnKind(int fieldType) {
    this.fieldType = fieldType;
  }

  public int fieldType() {
    return fieldType;
  }
}
