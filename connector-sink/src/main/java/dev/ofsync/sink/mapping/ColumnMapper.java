package dev.ofsync.sink.mapping;

import dev.ofsync.sink.config.FeishuSinkConfig.DatetimeMode;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Decides each column's Feishu field from its Connect schema: numbers that a double holds exactly
 * become number fields (formatted to their scale), wider ones text, digit for digit; timestamps and
 * dates become date fields (or ISO text); bytes base64 text; structs, maps and arrays JSON text.
 */
public final class ColumnMapper {
  /** Digits a double always holds exactly. */
  static final int EXACT_DIGITS = 15;
  /** Schema parameters that carry a column's precision: Connect's own, and Debezium's with propagated source types. */
  private static final String[] PRECISION_PARAMETERS = {"connect.decimal.precision", "__debezium.source.column.length"};

  private final DatetimeMode datetimeMode;
  private final java.time.ZoneId localZone;

  public ColumnMapper(DatetimeMode datetimeMode) {
    this(datetimeMode, java.time.ZoneOffset.UTC);
  }

  /**
   * @param localZone the zone of date-times that carry none (Debezium's Timestamp, MicroTimestamp,
   *     NanoTimestamp, Date and Time, Connect's Date and Time): their wall-clock time is written to
   *     date fields as the instant it is in this zone
   */
  public ColumnMapper(DatetimeMode datetimeMode, java.time.ZoneId localZone) {
    this.datetimeMode = datetimeMode;
    this.localZone = localZone;
  }

  public java.time.ZoneId localZone() {
    return localZone;
  }

  public Column column(String name, Schema schema) {
    String logical = schema.name();
    if (logical != null) {
      Column c = logicalColumn(name, schema, logical);
      if (c != null) {
        return c;
      }
    }
    switch (schema.type()) {
      case BOOLEAN:
        return new Column(name, ColumnKind.CHECKBOX, null, null);
      case INT8:
      case INT16:
      case INT32:
        return new Column(name, ColumnKind.NUMBER, "0", null);
      case INT64: {
        Integer precision = precision(schema);
        return precision != null && precision > EXACT_DIGITS ? new Column(name, ColumnKind.EXACT_TEXT, null, null)
            : new Column(name, ColumnKind.NUMBER, "0", null);
      }
      case FLOAT32:
      case FLOAT64:
        return new Column(name, ColumnKind.NUMBER, null, null);
      case BYTES:
        return new Column(name, ColumnKind.BASE64_TEXT, null, null);
      case STRUCT:
      case MAP:
      case ARRAY:
        return new Column(name, ColumnKind.JSON_TEXT, null, null);
      default:
        return new Column(name, ColumnKind.TEXT, null, null);
    }
  }

  private Column logicalColumn(String name, Schema schema, String logical) {
    switch (logical) {
      case Decimal.LOGICAL_NAME: {
        int scale = Integer.parseInt(schema.parameters().getOrDefault(Decimal.SCALE_FIELD, "0"));
        Integer precision = precision(schema);
        if (precision == null || precision > EXACT_DIGITS || scale > 4 || scale < 0) {
          return new Column(name, ColumnKind.EXACT_TEXT, null, null);
        }
        return new Column(name, ColumnKind.NUMBER, scale == 0 ? "0" : "0." + "0".repeat(scale), null);
      }
      case "io.debezium.data.VariableScaleDecimal":
        return new Column(name, ColumnKind.EXACT_TEXT, null, null);
      case Timestamp.LOGICAL_NAME:
      case "io.debezium.time.Timestamp":
      case "io.debezium.time.MicroTimestamp":
      case "io.debezium.time.NanoTimestamp":
      case "io.debezium.time.ZonedTimestamp":
        return time(name, "yyyy/MM/dd HH:mm");
      case Date.LOGICAL_NAME:
      case "io.debezium.time.Date":
        return time(name, "yyyy/MM/dd");
      case Time.LOGICAL_NAME:
      case "io.debezium.time.Time":
      case "io.debezium.time.MicroTime":
      case "io.debezium.time.NanoTime":
        return time(name, "yyyy/MM/dd HH:mm");
      case "io.debezium.time.ZonedTime":
      case "io.debezium.time.MicroDuration":
      case "io.debezium.time.Interval":
        return new Column(name, ColumnKind.TEXT, null, null);
      default:
        return null;
    }
  }

  private Column time(String name, String dateFormatter) {
    return datetimeMode == DatetimeMode.TEXT ? new Column(name, ColumnKind.TIME_TEXT, null, null)
        : new Column(name, ColumnKind.DATE, null, dateFormatter);
  }

  /** For schemaless records: the column's field from its first non-null value. */
  public Column column(String name, Object value) {
    if (value instanceof Boolean) {
      return new Column(name, ColumnKind.CHECKBOX, null, null);
    }
    if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
      return new Column(name, ColumnKind.NUMBER, "0", null);
    }
    if (value instanceof Float || value instanceof Double) {
      return new Column(name, ColumnKind.NUMBER, null, null);
    }
    if (value instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) value;
      return d.precision() <= EXACT_DIGITS && d.scale() >= 0 && d.scale() <= 4
          ? new Column(name, ColumnKind.NUMBER, d.scale() == 0 ? "0" : "0." + "0".repeat(d.scale()), null)
          : new Column(name, ColumnKind.EXACT_TEXT, null, null);
    }
    if (value instanceof java.util.Date) {
      return time(name, "yyyy/MM/dd HH:mm");
    }
    if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
      return new Column(name, ColumnKind.BASE64_TEXT, null, null);
    }
    if (value instanceof Map || value instanceof Iterable) {
      return new Column(name, ColumnKind.JSON_TEXT, null, null);
    }
    return new Column(name, ColumnKind.TEXT, null, null);
  }

  private static Integer precision(Schema schema) {
    Map<String, String> params = schema.parameters();
    if (params == null) {
      return null;
    }
    for (String p : PRECISION_PARAMETERS) {
      String v = params.get(p);
      if (v != null) {
        try {
          return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
