package dev.ofsync.sink.mapping;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Reads a sink record as a {@link Change}: plain rows (with or without schemas), tombstones,
 * Debezium change events (op c/r/u upsert {@code after}, d deletes) and Debezium rows flattened by
 * ExtractNewRecordState (a {@code __deleted: "true"} column marks a delete).
 */
public final class RowMapper {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RowMapper.class);
  /** Debezium's default {@code unavailable.value.placeholder}. */
  private static final String UNAVAILABLE = "__debezium_unavailable_value";
  private static final byte[] UNAVAILABLE_BYTES = UNAVAILABLE.getBytes(StandardCharsets.UTF_8);
  private static final String UNAVAILABLE_BASE64 = java.util.Base64.getEncoder().encodeToString(UNAVAILABLE_BYTES);
  private static final java.nio.ByteBuffer UNAVAILABLE_BUFFER = java.nio.ByteBuffer.wrap(UNAVAILABLE_BYTES).asReadOnlyBuffer();
  /** A Feishu field name holds 1 to 100 characters. */
  public static final int MAX_FIELD_NAME_CHARS = 100;

  private final ColumnMapper columnMapper;
  private final boolean deletes;
  private final boolean keyRequired;
  private final String configuredKeyField;
  private final Map<String, Column> columns = new ConcurrentHashMap<>();
  private final java.time.ZoneId zone;
  /** Topics and kinds of Debezium records that are not rows, already told in the log. */
  private final java.util.Set<String> notedTopics = ConcurrentHashMap.newKeySet();
  private volatile String keyFieldName;

  public RowMapper(ColumnMapper columnMapper, boolean deletes, boolean keyRequired, String configuredKeyField) {
    this.columnMapper = columnMapper;
    this.zone = columnMapper.localZone();
    this.deletes = deletes;
    this.keyRequired = keyRequired;
    this.configuredKeyField = configuredKeyField == null ? "" : configuredKeyField;
  }

  /** Name of the field that holds the key: the setting, else the key column(s); known after the first keyed record. */
  public String keyFieldName() {
    return keyFieldName != null ? keyFieldName : configuredKeyField.isEmpty() ? "key" : configuredKeyField;
  }

  public Change map(SinkRecord record) {
    Object value = record.value();
    Schema valueSchema = record.valueSchema();
    String notData = debeziumNonData(record);
    if (notData != null) {
      if (notedTopics.add(record.topic() + "\u0000" + notData)) {
        LOG.info("Topic {} carries Debezium {} records, which are not rows of a table: they are skipped. Leave the "
            + "topic out of this connector's topics", record.topic(), notData);
      }
      return Change.skip();
    }
    if (isEnvelope(valueSchema, value)) {
      String op = envelopeString(value, "op");
      if ("t".equals(op)) {
        LOG.warn("A Debezium truncate event at topic {}, partition {}, offset {}: the source table was emptied. The "
            + "sink leaves its rows in Feishu as they are; delete them there, or sync into a new "
            + "feishu.table_name_prefix", record.topic(), record.kafkaPartition(), record.kafkaOffset());
        return Change.skip();
      }
      if (op == null || op.equals("m")) {
        return Change.skip();
      }
      if (op.equals("d")) {
        return deleteOf(record);
      }
      value = envelopeGet(value, "after");
      valueSchema = valueSchema == null ? null : valueSchema.field("after").schema();
      if (value == null) {
        return Change.skip();
      }
    }
    if (value == null) {
      return deleteOf(record);
    }
    if ("true".equals(String.valueOf(columnValue(value, "__deleted")))) {
      return deleteOf(record);
    }
    String key = keyRequired ? key(record) : null;
    Map<String, Object> cells = new LinkedHashMap<>();
    List<Column> cols = new ArrayList<>();
    String keyField = keyFieldName();
    if (value instanceof Struct) {
      Struct s = (Struct) value;
      for (Field f : s.schema().fields()) {
        if (f.name().equals(keyField) && keyRequired || f.name().equals("__deleted")) {
          continue;
        }
        Object v = s.get(f);
        if (isUnavailable(v)) {
          continue; // an unchanged LOB: Feishu keeps the value it has
        }
        Column c = columns.get(f.name()); // known after the first record: no lambda per field and record
        if (c == null) {
          c = columns.computeIfAbsent(f.name(), n -> columnMapper.column(fieldName(n, record, key), f.schema()));
        }
        cells.put(c.name(), cell(c, f.schema(), v));
        cols.add(c);
      }
    } else if (value instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        String name = String.valueOf(e.getKey());
        if (name.equals(keyField) && keyRequired || name.equals("__deleted") || isUnavailable(e.getValue())) {
          continue;
        }
        Column c = e.getValue() == null ? columns.get(name)
            : columns.computeIfAbsent(name, n -> columnMapper.column(fieldName(n, record, key), e.getValue()));
        if (c == null) {
          // Only nulls so far: no type to give a field yet. The cell clears a field the table already has.
          c = new Column(fieldName(name, record, key), ColumnKind.UNTYPED, null, null);
        }
        cells.put(name, CellConverter.cell(c, null, e.getValue(), zone));
        cols.add(c);
      }
    } else {
      throw new BadValueException("(value)", "the record value is a " + value.getClass().getSimpleName()
          + "; the sink needs a struct or a map of columns");
    }
    return new Change(Change.Kind.UPSERT, key, cells, cols, hash(key, cells));
  }

  /**
   * The cell, or a refusal that says, when it comes of it, that the column's field type was decided
   * by an earlier schema (another topic's, or the table's before a change): a column keeps one field.
   */
  private Object cell(Column c, Schema schema, Object v) {
    try {
      return CellConverter.cell(c, schema, v, zone);
    } catch (BadValueException e) {
      ColumnKind fromThisSchema = columnMapper.column(c.name(), schema).kind();
      if (fromThisSchema == c.kind()) {
        throw e;
      }
      throw new BadValueException(c.name(), e.reason() + ". The column's Feishu field was made " + describe(c.kind()) + " from the first record the task met; this "
          + "record's schema makes it " + describe(fromThisSchema) + ", and a field keeps one type. Records of "
          + "another topic or an altered table that reuse the column name need a name of their own (a view), or "
          + "their own feishu.table_name_prefix in a connector of their own");
    }
  }

  private static String describe(ColumnKind kind) {
    switch (kind) {
      case NUMBER:
        return "a number field";
      case DATE:
        return "a date field";
      case CHECKBOX:
        return "a checkbox";
      case EXACT_TEXT:
        return "text holding every digit of a number";
      default:
        return "a text field (" + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")";
    }
  }

  /** A delete, when deletes are applied: in append mode no row is found by key, so there is nothing to delete. */
  private Change deleteOf(SinkRecord record) {
    return deletes && keyRequired ? Change.delete(key(record)) : Change.skip();
  }

  /** Debezium's placeholder for a LOB an update left unchanged, as text, as bytes or as base64 text. */
  private static boolean isUnavailable(Object v) {
    if (v instanceof String) {
      return UNAVAILABLE.equals(v) || UNAVAILABLE_BASE64.equals(v);
    }
    if (v instanceof byte[]) {
      return java.util.Arrays.equals((byte[]) v, UNAVAILABLE_BYTES);
    }
    return v instanceof java.nio.ByteBuffer && v.equals(UNAVAILABLE_BUFFER);
  }

  /**
   * What Debezium's records that are not rows are (heartbeats, schema changes, transaction
   * boundaries), from their schema names or, without schemas, their shape; null for rows.
   */
  private static String debeziumNonData(SinkRecord record) {
    String kind = nonDataKind(record.valueSchema());
    if (kind == null) {
      kind = nonDataKind(record.keySchema());
    }
    if (kind != null || record.valueSchema() != null || !(record.value() instanceof Map)) {
      return kind;
    }
    Map<?, ?> v = (Map<?, ?>) record.value();
    if (v.containsKey("ddl") && v.containsKey("tableChanges")) {
      return "schema change";
    }
    if (v.containsKey("status") && v.containsKey("event_count") && v.containsKey("data_collections")
        || v.containsKey("status") && ("BEGIN".equals(v.get("status")) || "END".equals(v.get("status")))
            && v.containsKey("id") && v.size() <= 5) {
      return "transaction metadata";
    }
    Object k = record.key();
    if (v.size() == 1 && v.containsKey("ts_ms") && k instanceof Map && ((Map<?, ?>) k).size() == 1
        && ((Map<?, ?>) k).containsKey("serverName")) {
      return "heartbeat";
    }
    return null;
  }

  private static String nonDataKind(Schema schema) {
    String name = schema == null ? null : schema.name();
    if (name == null || !name.startsWith("io.debezium.")) {
      return null;
    }
    if (name.endsWith(".Heartbeat") || name.endsWith(".ServerNameKey")) {
      return "heartbeat";
    }
    if (name.endsWith(".SchemaChangeValue") || name.endsWith(".SchemaChangeKey")) {
      return "schema change";
    }
    if (name.endsWith(".TransactionMetadataValue") || name.endsWith(".TransactionMetadataKey")) {
      return "transaction metadata";
    }
    return null;
  }

  /**
   * The key as text: one column's value, or several joined by '|'. A '|' or '\\' inside a part is
   * escaped with '\\', so that two different keys never give the same text (keys without either
   * character read as they always did).
   */
  private String key(SinkRecord record) {
    Object key = record.key();
    Schema schema = record.keySchema();
    if (key == null) {
      throw new BadValueException("(key)", "the record has no key; upserts and deletes find the row by the record key, "
          + "so the source must key records by primary key (or set sync.write_mode=append)");
    }
    List<String> names = new ArrayList<>();
    List<String> parts = new ArrayList<>();
    if (key instanceof Struct) {
      Struct s = (Struct) key;
      for (Field f : s.schema().fields()) {
        names.add(f.name());
        parts.add(CellConverter.keyText(f.schema(), s.get(f)));
      }
    } else if (key instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) key).entrySet()) {
        names.add(String.valueOf(e.getKey()));
        parts.add(CellConverter.keyText(null, e.getValue()));
      }
    } else {
      names.add(configuredKeyField.isEmpty() ? "key" : configuredKeyField);
      parts.add(CellConverter.keyText(schema, key));
    }
    if (parts.size() > 1) {
      // String.replace answers the same string when there is nothing to replace: no copy for most keys
      parts.replaceAll(p -> p.replace("\\", "\\\\").replace("|", "\\|"));
    }
    String text = String.join("|", parts);
    if (keyFieldName == null) {
      String name = configuredKeyField.isEmpty() ? String.join("_", names) : configuredKeyField;
      if (!fits(name)) {
        throw new ConnectException("The record at " + where(record, text) + " is keyed by " + names + "; the field "
            + "that holds the key would be named '" + name + "', " + name.codePointCount(0, name.length())
            + " characters, and a Feishu field name holds 1 to " + MAX_FIELD_NAME_CHARS + ". Set "
            + "sync.key_field_name to a shorter name");
      }
      keyFieldName = name;
    }
    return text;
  }

  /**
   * The column's name, which becomes a Feishu field's name, checked once per column: a name Feishu
   * cannot take stops the task (every record has the column, so a dead-letter queue would take them
   * all), naming the column and the record where it was met.
   */
  private static String fieldName(String name, SinkRecord record, String key) {
    if (!fits(name)) {
      throw new ConnectException("Column '" + name + "' of the record at " + where(record, key) + " has a name of "
          + name.codePointCount(0, name.length()) + " characters, and a Feishu field name holds 1 to "
          + MAX_FIELD_NAME_CHARS + ". Leave the column out (the source's oracle.columns lists the columns to send) "
          + "or select it under a shorter name in a view");
    }
    return name;
  }

  private static boolean fits(String name) {
    int chars = name.codePointCount(0, name.length());
    return chars >= 1 && chars <= MAX_FIELD_NAME_CHARS;
  }

  private static String where(SinkRecord record, String key) {
    return "topic " + record.topic() + ", partition " + record.kafkaPartition() + ", offset " + record.kafkaOffset()
        + ", key " + (key != null ? key : record.key());
  }

  private static boolean isEnvelope(Schema schema, Object value) {
    if (value instanceof Struct) {
      Schema s = ((Struct) value).schema();
      return s.field("op") != null && s.field("after") != null && s.field("before") != null;
    }
    return value instanceof Map && ((Map<?, ?>) value).containsKey("op") && ((Map<?, ?>) value).containsKey("after");
  }

  private static String envelopeString(Object value, String name) {
    Object v = envelopeGet(value, name);
    return v == null ? null : v.toString();
  }

  private static Object envelopeGet(Object value, String name) {
    return value instanceof Struct ? ((Struct) value).get(name) : ((Map<?, ?>) value).get(name);
  }

  private static Object columnValue(Object value, String name) {
    if (value instanceof Struct) {
      Struct s = (Struct) value;
      return s.schema().field(name) == null ? null : s.get(name);
    }
    return value instanceof Map ? ((Map<?, ?>) value).get(name) : null;
  }

  /**
   * A digest of a row's content that the same row read back from Feishu also gives: the key and the
   * non-empty cells in name order, numbers in their shortest decimal form (Feishu keeps doubles).
   */
  public static long hash(String key, Map<String, ?> cells) {
    long h = 0xcbf29ce484222325L;
    h = mix(h, key == null ? "" : key);
    // cells in name order; a sorted array costs less than a TreeMap on every record
    @SuppressWarnings("unchecked")
    Map.Entry<String, ?>[] sorted = cells.entrySet().toArray(new Map.Entry[0]);
    java.util.Arrays.sort(sorted, (a, b) -> a.getKey().compareTo(b.getKey()));
    for (Map.Entry<String, ?> e : sorted) {
      String v = normalize(e.getValue());
      if (v != null) {
        h = mix(h, e.getKey());
        h = mix(h, v);
      }
    }
    return h;
  }

  /** A cell as text for the digest: numbers in their shortest plain decimal form, empty text as no value. */
  static String normalize(Object v) {
    if (v == null || v instanceof dev.ofsync.sink.client.CellValue) {
      return null;
    }
    if (v instanceof Number) {
      double d = ((Number) v).doubleValue();
      if (d == 0) {
        return "0";
      }
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d); // what the general form below gives for whole numbers, without a BigDecimal
      }
      String plain = Double.toString(d);
      if (plain.indexOf('E') < 0 && !plain.endsWith(".0")) {
        return plain; // already plain and without trailing zeros
      }
      return new java.math.BigDecimal(plain).stripTrailingZeros().toPlainString();
    }
    if (v instanceof String && ((String) v).isEmpty()) {
      return null;
    }
    return v.toString();
  }

  /** FNV-1a over the text's UTF-8 bytes (ASCII text read as it is, without encoding it). */
  private static long mix(long h, String s) {
    int n = s.length();
    int i = 0;
    while (i < n && s.charAt(i) < 0x80) {
      i++;
    }
    if (i == n) {
      for (int j = 0; j < n; j++) {
        h ^= s.charAt(j);
        h *= 0x100000001b3L;
      }
    } else {
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        h ^= (b & 0xff);
        h *= 0x100000001b3L;
      }
    }
    h ^= 0xff;
    return h * 0x100000001b3L;
  }
}
