package dev.ofsync.sink.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Turns a Connect value into the JSON value of a Feishu cell of its column's kind, or refuses it
 * with a {@link BadValueException} that names the column: Feishu would refuse the whole batch.
 */
public final class CellConverter {
  /** A Feishu text cell holds at most this many characters. */
  public static final int MAX_TEXT_CHARS = 100_000;
  /** Integers a double holds exactly: up to 2^53. */
  private static final long MAX_EXACT_LONG = 1L << 53;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private CellConverter() {}

  /** The cell for {@code value}; null for a null value. {@code schema} is null for schemaless records. */
  public static Object cell(Column column, Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    switch (column.kind()) {
      case CHECKBOX:
        if (value instanceof Boolean) {
          return value;
        }
        throw new BadValueException(column.name(), "expected true or false for a checkbox field, got " + describe(value));
      case NUMBER:
        return number(column.name(), schema, value);
      case DATE:
        return epochMillis(column.name(), schema, value);
      case TIME_TEXT:
        return text(column.name(), isoText(column.name(), schema, value));
      case EXACT_TEXT:
        return text(column.name(), exactDigits(column.name(), schema, value));
      case BASE64_TEXT:
        return text(column.name(), Base64.getEncoder().encodeToString(bytes(column.name(), value)));
      case JSON_TEXT:
        return text(column.name(), json(column.name(), schema, value));
      default:
        return text(column.name(), plainText(schema, value));
    }
  }

  /** A key column's value as the text held in the primary field. */
  public static String keyText(Schema schema, Object value) {
    if (value == null) {
      return "";
    }
    String logical = schema == null ? null : schema.name();
    if (Decimal.LOGICAL_NAME.equals(logical) || value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof java.util.Date || isTimeLogical(logical)) {
      return isoText("key", schema, value);
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return Base64.getEncoder().encodeToString(bytes("key", value));
    }
    return plainText(schema, value);
  }

  private static boolean isTimeLogical(String logical) {
    return logical != null && (logical.startsWith("io.debezium.time.") || logical.equals(Timestamp.LOGICAL_NAME)
        || logical.equals(Date.LOGICAL_NAME) || logical.equals(Time.LOGICAL_NAME));
  }

  private static Object number(String column, Schema schema, Object value) {
    if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    if (value instanceof Long) {
      long v = (Long) value;
      if (v > MAX_EXACT_LONG || v < -MAX_EXACT_LONG) {
        throw new BadValueException(column, v + " is beyond 2^53, more than a Feishu number field holds exactly; "
            + "declare the column's precision (connect.decimal.precision > 15) so it is written as text");
      }
      return v;
    }
    if (value instanceof Float || value instanceof Double) {
      double d = ((Number) value).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new BadValueException(column, d + " cannot be written to a Feishu number field (no NaN or infinity)");
      }
      return d;
    }
    if (value instanceof BigDecimal) {
      BigDecimal d = ((BigDecimal) value).stripTrailingZeros();
      if (d.precision() > ColumnMapper.EXACT_DIGITS) {
        throw new BadValueException(column, ((BigDecimal) value).toPlainString() + " has " + d.precision()
            + " significant digits, more than a Feishu number field holds exactly (15)");
      }
      return d.doubleValue();
    }
    throw new BadValueException(column, "expected a number for a number field, got " + describe(value));
  }

  private static long epochMillis(String column, Schema schema, Object value) {
    String logical = schema == null ? null : schema.name();
    if (value instanceof java.util.Date) {
      return ((java.util.Date) value).getTime();
    }
    if (logical != null) {
      switch (logical) {
        case "io.debezium.time.Timestamp":
        case "io.debezium.time.Time":
          return ((Number) value).longValue();
        case "io.debezium.time.MicroTimestamp":
        case "io.debezium.time.MicroTime":
          return Math.floorDiv(((Number) value).longValue(), 1_000L);
        case "io.debezium.time.NanoTimestamp":
        case "io.debezium.time.NanoTime":
          return Math.floorDiv(((Number) value).longValue(), 1_000_000L);
        case "io.debezium.time.Date":
          return ((Number) value).longValue() * 86_400_000L;
        case "io.debezium.time.ZonedTimestamp":
          return parseInstant(column, value.toString()).toEpochMilli();
        default:
          break;
      }
    }
    if (value instanceof String) {
      return parseInstant(column, (String) value).toEpochMilli();
    }
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    throw new BadValueException(column, "expected a timestamp for a date field, got " + describe(value));
  }

  private static Instant parseInstant(String column, String s) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        throw new BadValueException(column, "'" + s + "' is not an ISO-8601 timestamp");
      }
    }
  }

  private static String isoText(String column, Schema schema, Object value) {
    String logical = schema == null ? null : schema.name();
    if (Date.LOGICAL_NAME.equals(logical) || "io.debezium.time.Date".equals(logical)) {
      return LocalDate.ofEpochDay(Math.floorDiv(epochMillis(column, schema, value), 86_400_000L)).toString();
    }
    if (Time.LOGICAL_NAME.equals(logical) || (logical != null && logical.startsWith("io.debezium.time.")
        && logical.endsWith("Time") && !logical.endsWith("ZonedTime"))) {
      long ms = Math.floorMod(epochMillis(column, schema, value), 86_400_000L);
      return LocalTime.ofNanoOfDay(ms * 1_000_000L).toString();
    }
    if ("io.debezium.time.ZonedTimestamp".equals(logical) || "io.debezium.time.ZonedTime".equals(logical)) {
      return value.toString();
    }
    return Instant.ofEpochMilli(epochMillis(column, schema, value)).atOffset(ZoneOffset.UTC).toString();
  }

  private static String exactDigits(String column, Schema schema, Object value) {
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof Struct && "io.debezium.data.VariableScaleDecimal".equals(schema == null ? null : schema.name())) {
      Struct s = (Struct) value;
      return new BigDecimal(new BigInteger(bytes(column, s.get("value"))), s.getInt32("scale")).toPlainString();
    }
    if (value instanceof Number) {
      return value.toString();
    }
    return value.toString();
  }

  private static byte[] bytes(String column, Object value) {
    if (value instanceof byte[]) {
      return (byte[]) value;
    }
    if (value instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) value).duplicate();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    }
    throw new BadValueException(column, "expected bytes, got " + describe(value));
  }

  private static String json(String column, Schema schema, Object value) {
    try {
      return JSON.writeValueAsString(plain(schema, value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadValueException(column, "cannot be written as JSON: " + e.getOriginalMessage());
    }
  }

  /** Structs, maps and arrays as plain Java values for JSON. */
  private static Object plain(Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Struct) {
      Struct s = (Struct) value;
      Map<String, Object> out = new LinkedHashMap<>();
      for (Field f : s.schema().fields()) {
        out.put(f.name(), plain(f.schema(), s.get(f)));
      }
      return out;
    }
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      ((Map<?, ?>) value).forEach((k, v) -> out.put(String.valueOf(k), plain(valueSchema, v)));
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      Schema valueSchema = schema == null ? null : schema.valueSchema();
      ((List<?>) value).forEach(v -> out.add(plain(valueSchema, v)));
      return out;
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return Base64.getEncoder().encodeToString(bytes("", value));
    }
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof java.util.Date) {
      return isoText("", schema, value);
    }
    return value;
  }

  private static String plainText(Schema schema, Object value) {
    if (value instanceof String) {
      return (String) value;
    }
    if (value instanceof Struct || value instanceof Map || value instanceof List) {
      return json("", schema, value);
    }
    return String.valueOf(value);
  }

  /** Text as Feishu stores it: at most 100,000 characters, lone surrogates (which UTF-8 cannot carry) as U+FFFD. */
  private static String text(String column, String s) {
    int chars = s.codePointCount(0, s.length());
    if (chars > MAX_TEXT_CHARS) {
      throw new BadValueException(column, chars + " characters; a Feishu text cell holds at most " + MAX_TEXT_CHARS);
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone = Character.isHighSurrogate(c)
          ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
      if (lone && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        out.append(lone ? '\uFFFD' : c);
      }
    }
    return out == null ? s : out.toString();
  }

  private static String describe(Object value) {
    String s = String.valueOf(value);
    return value.getClass().getSimpleName() + " " + (s.length() > 40 ? s.substring(0, 37) + "..." : s);
  }
}
