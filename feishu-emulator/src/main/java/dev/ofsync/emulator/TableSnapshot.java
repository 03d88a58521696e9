package dev.ofsync.emulator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table as it is in the emulator: its fields and records, with cell values as plain Java values
 * (String, Double, Long, Boolean, List, Map). For assertions; taken under the table's lock.
 */
public record TableSnapshot(String tableId, String name, List<FieldInfo> fields, List<RecordInfo> records) {

  /** A field: its id, name, type number, whether it is the primary field, and its property. */
  public record FieldInfo(String fieldId, String name, int type, boolean primary, Map<String, Object> property) {}

  /** A record: its id and its non-empty cells by field name. */
  public record RecordInfo(String recordId, Map<String, Object> fields) {}

  public int rowCount() {
    return records.size();
  }

  public Optional<FieldInfo> field(String fieldName) {
    return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }
}
