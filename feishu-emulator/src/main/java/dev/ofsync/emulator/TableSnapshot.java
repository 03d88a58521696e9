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

  /**
   * A record: its id, its non-empty cells by field name, and the service's {@code created_time} and
   * {@code last_modified_time} (epoch ms; the time of the write that created or last changed it).
   */
  public record RecordInfo(String recordId, Map<String, Object> fields, long createdTime, long lastModifiedTime) {
    public RecordInfo(String recordId, Map<String, Object> fields) {
      this(recordId, fields, 0L, 0L);
    }
  }

  public int rowCount() {
    return records.size();
  }

  public Optional<FieldInfo> field(String fieldName) {
    return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }
}
