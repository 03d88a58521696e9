package dev.ofsync.sink.mapping;

import dev.ofsync.sink.client.FieldSpec;

/** A column of the records and the Feishu field it becomes. */
public record Column(String name, ColumnKind kind, String formatter, String dateFormatter) {
  public FieldSpec fieldSpec() {
    return new FieldSpec(name, kind.fieldType(), formatter, dateFormatter);
  }
}
