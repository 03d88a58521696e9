package dev.ofsync.source.offset;

import dev.ofsync.source.config.TableId;
import dev.ofsync.source.query.Position;
import dev.ofsync.source.schema.KeyKind;
import dev.ofsync.source.schema.MappedColumn;
import dev.ofsync.source.schema.TableSchema;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Source partition and offset maps. The offset is {@code {"v":1,"sync":...,"pk0":...,"pk1":...,
 * "sync_column":"UPDATED_AT","key_columns":"ID"}}: Connect only stores primitive offset values, so
 * the key columns are numbered fields, each a long or a string (timestamps, wide numbers, hex bytes).
 * The column names say which columns the values belong to, so a position is never compared with
 * another column's values after the settings changed; an offset without them (written before they
 * were added, or by hand) is taken as the current columns'. A user can read or write it through the
 * REST API.
 */
public final class OffsetCodec {
  public static final String PARTITION_TABLE = "table";
  public static final String VERSION = "v";
  public static final String SYNC = "sync";
  /** Key values are stored as pk0, pk1, ... in key column order. */
  public static final String KEY = "pk";
  /** The sync column the {@link #SYNC} value belongs to. */
  public static final String SYNC_COLUMN = "sync_column";
  /** The key columns the pk values belong to, comma-separated in key order. */
  public static final String KEY_COLUMNS = "key_columns";
  public static final int CURRENT_VERSION = 1;

  private OffsetCodec() {}

  public static Map<String, Object> partition(TableId table) {
    return Map.of(PARTITION_TABLE, table.qualified());
  }

  public static Map<String, Object> encode(Position position, TableSchema schema) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(VERSION, CURRENT_VERSION);
    MappedColumn sync = schema.syncColumn();
    if (sync != null) {
      out.put(SYNC, encodeValue(sync.keyKind(), position.sync()));
    }
    List<MappedColumn> keyColumns = schema.keyColumns();
    for (int i = 0; i < keyColumns.size(); i++) {
      out.put(KEY + i, encodeValue(keyColumns.get(i).keyKind(), position.key().get(i)));
    }
    if (sync != null) {
      out.put(SYNC_COLUMN, sync.name());
    }
    out.put(KEY_COLUMNS, schema.keyColumnNames());
    return out;
  }

  /** The position stored in {@code offset}, or null to start from the beginning. */
  public static Position decode(Map<String, ?> offset, TableSchema schema) {
    if (offset == null || offset.isEmpty()) {
      return null;
    }
    checkShape(offset);
    MappedColumn sync = schema.syncColumn();
    Object syncValue = null;
    if (sync != null) {
      if (offset.get(SYNC) == null) {
        // Written in bulk mode; the table is now read incrementally: start over.
        return null;
      }
      Object writtenFor = offset.get(SYNC_COLUMN);
      if (writtenFor != null && !writtenFor.toString().equals(sync.name())) {
        throw new IllegalArgumentException("it was written for sync column " + writtenFor + ", and the sync column is now "
            + sync.name() + ": its position means nothing in the new column, and rows would be passed over");
      }
      syncValue = decodeValue(sync.keyKind(), offset.get(SYNC));
    }
    Object keysWrittenFor = offset.get(KEY_COLUMNS);
    if (keysWrittenFor != null && !keysWrittenFor.toString().equals(schema.keyColumnNames())) {
      throw new IllegalArgumentException("it was written for key column(s) " + keysWrittenFor + ", and the key is now "
          + schema.keyColumnNames() + ": its position means nothing in the new columns, and rows would be passed over");
    }
    int stored = keyCount(offset);
    List<MappedColumn> keyColumns = schema.keyColumns();
    if (stored != keyColumns.size()) {
      throw new IllegalArgumentException("the stored offset has " + stored + " key values but the table's key has "
          + keyColumns.size() + " columns; reset the connector's offsets (DELETE /connectors/<name>/offsets)");
    }
    List<Object> key = new ArrayList<>();
    for (int i = 0; i < keyColumns.size(); i++) {
      key.add(decodeValue(keyColumns.get(i).keyKind(), offset.get(KEY + i)));
    }
    return new Position(syncValue, key);
  }

  /** Fails with a message when {@code offset} is not one this connector wrote. */
  public static void checkShape(Map<String, ?> offset) {
    Object v = offset.get(VERSION);
    if (!(v instanceof Number) || ((Number) v).intValue() != CURRENT_VERSION) {
      throw new IllegalArgumentException("offset needs \"v\": " + CURRENT_VERSION + ", got " + v);
    }
    int keys = keyCount(offset);
    if (keys == 0) {
      throw new IllegalArgumentException("offset needs \"pk0\" (and pk1, ... for a composite key): the last row's key values");
    }
    for (Map.Entry<String, ?> e : offset.entrySet()) {
      String k = e.getKey();
      boolean known = k.equals(VERSION) || k.equals(SYNC) || k.equals(SYNC_COLUMN) || k.equals(KEY_COLUMNS)
          || k.matches(KEY + "\\d+") && Integer.parseInt(k.substring(2)) < keys;
      if (!known) {
        throw new IllegalArgumentException("offset has an unknown field \"" + k + "\"; allowed: v, sync, pk0, pk1, ..., "
            + SYNC_COLUMN + ", " + KEY_COLUMNS);
      }
      if ((k.equals(SYNC_COLUMN) || k.equals(KEY_COLUMNS)) && !(e.getValue() instanceof String)) {
        throw new IllegalArgumentException("offset field \"" + k + "\" must be a string of column names, got " + e.getValue());
      }
      if (e.getValue() == null && k.startsWith(KEY)) {
        throw new IllegalArgumentException("offset field \"" + k + "\" is null: a key value is needed (comparing with NULL"
            + " would skip the rest of the rows with that sync value)");
      }
      if (e.getValue() != null && !(e.getValue() instanceof Number) && !(e.getValue() instanceof String)) {
        throw new IllegalArgumentException("offset field \"" + k + "\" must be a number or a string, got " + e.getValue());
      }
    }
  }

  private static int keyCount(Map<String, ?> offset) {
    int n = 0;
    while (offset.containsKey(KEY + n)) {
      n++;
    }
    return n;
  }

  static Object encodeValue(KeyKind kind, Object value) {
    if (value == null) {
      return null;
    }
    switch (kind) {
      case NUMBER: {
        BigDecimal d = (BigDecimal) value;
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() <= 0 && s.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
            && s.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
          return s.longValueExact();
        }
        return s.toPlainString();
      }
      case BYTES:
        return HexFormat.of().formatHex((byte[]) value);
      default:
        return value.toString();
    }
  }

  static Object decodeValue(KeyKind kind, Object stored) {
    if (stored == null) {
      return null;
    }
    switch (kind) {
      case NUMBER:
        return stored instanceof Number n && !(stored instanceof Double || stored instanceof Float)
            ? BigDecimal.valueOf(n.longValue()) : new BigDecimal(stored.toString());
      case TEXT:
        return stored.toString();
      case TIMESTAMP:
        return LocalDateTime.parse(stored.toString());
      case ZONED_TIMESTAMP:
        return OffsetDateTime.parse(stored.toString());
      case BYTES:
        return HexFormat.of().parseHex(stored.toString());
      default:
        throw new IllegalArgumentException("unknown kind " + kind);
    }
  }
}
