package dev.ofsync.source.schema;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.TableId;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A table as the connector reads it: the columns selected, which of them form the key, which
 * one is the sync column, and the record key and value schemas.
 */
public final class TableSchema {
  private final TableId table;
  private final Mode mode;
  private final List<MappedColumn> columns;
  private final int[] keyIndexes;
  private final int syncIndex;
  private final int softDeleteIndex;
  private final Schema keySchema;
  private final Schema valueSchema;
  private final List<String> skipped;
  private final String keyColumnNames;

  /**
   * @param keyIndexes positions of key columns in {@code columns}
   * @param syncIndex position of the sync column, -1 in bulk mode
   * @param softDeleteIndex position of the soft-delete column, -1 without one
   */
  public TableSchema(TableId table, Mode mode, List<MappedColumn> columns, int[] keyIndexes, int syncIndex,
      int softDeleteIndex, List<String> skipped) {
    this.table = table;
    this.mode = mode;
    this.columns = List.copyOf(columns);
    this.keyIndexes = keyIndexes.clone();
    this.syncIndex = syncIndex;
    this.softDeleteIndex = softDeleteIndex;
    this.skipped = List.copyOf(skipped);
    List<String> keyNames = new ArrayList<>();
    for (int k : keyIndexes) {
      keyNames.add(this.columns.get(k).name());
    }
    this.keyColumnNames = String.join(",", keyNames);
    String base = schemaName(table);
    SchemaBuilder key = SchemaBuilder.struct().name(base + ".Key");
    for (int k : keyIndexes) {
      key.field(columns.get(k).name(), columns.get(k).schema());
    }
    this.keySchema = key.build();
    SchemaBuilder value = SchemaBuilder.struct().name(base + ".Value").optional();
    for (MappedColumn c : columns) {
      value.field(c.name(), c.schema());
    }
    this.valueSchema = value.build();
  }

  private static String schemaName(TableId table) {
    String raw = table.schema() == null ? table.table() : table.schema() + "." + table.table();
    return raw.replaceAll("[^A-Za-z0-9_.]", "_");
  }

  public TableId table() {
    return table;
  }

  public Mode mode() {
    return mode;
  }

  public List<MappedColumn> columns() {
    return columns;
  }

  public int[] keyIndexes() {
    return keyIndexes.clone();
  }

  public int syncIndex() {
    return syncIndex;
  }

  public int softDeleteIndex() {
    return softDeleteIndex;
  }

  public Schema keySchema() {
    return keySchema;
  }

  public Schema valueSchema() {
    return valueSchema;
  }

  /** Columns left out because their type has no mapping. */
  public List<String> skipped() {
    return skipped;
  }

  /** Columns the keyset orders by: the sync column, then the key columns other than it. */
  public List<MappedColumn> orderColumns() {
    List<MappedColumn> out = new ArrayList<>();
    if (syncIndex >= 0) {
      out.add(columns.get(syncIndex));
    }
    for (int k : keyIndexes) {
      if (k != syncIndex) {
        out.add(columns.get(k));
      }
    }
    return out;
  }

  public MappedColumn syncColumn() {
    return syncIndex < 0 ? null : columns.get(syncIndex);
  }

  /** The key columns' names, comma-separated in key order, as offsets record them. */
  public String keyColumnNames() {
    return keyColumnNames;
  }

  public List<MappedColumn> keyColumns() {
    List<MappedColumn> out = new ArrayList<>();
    for (int k : keyIndexes) {
      out.add(columns.get(k));
    }
    return out;
  }
}
