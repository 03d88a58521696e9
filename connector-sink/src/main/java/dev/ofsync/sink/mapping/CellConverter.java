package dev.ofsync.sink.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
  static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
  static final String DBZ_TIMESTAMP = "io.debezium.time.Timestamp";
  static final String DBZ_MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
  static final String DBZ_NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
  static final String DBZ_ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
  static final String DBZ_DATE = "io.debezium.time.Date";
  static final String DBZ_TIME = "io.debezium.time.Time";
  static final String DBZ_MICRO_TIME = "io.debezium.time.MicroTime";
  static final String DBZ_NANO_TIME = "io.debezium.time.NanoTime";
  static final String DBZ_ZONED_TIME = "io.debezium.time.ZonedTime";
  private static final DateTimeFormatter DATE_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd");
  private static final DateTimeFormatter INSTANT_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");
  /** Milli, micro and nano precision. */
  private static final DateTimeFormatter[] TIME_TEXT = {DateTimeFormatter.ofPattern("HH:mm:ss.SSS"),
      DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS"), DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSSSS")};
  private static final DateTimeFormatter[] WALL_TEXT = {DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS"),
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS"),
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS")};

  private CellConverter() {}

  /** The cell for {@code value}, date-times that carry no zone taken in UTC; null for a null value. */
  public static Object cell(Column column, Schema schema, Object value) {
    return cell(column, schema, value, ZoneOffset.UTC);
  }

  /**
   * The cell for {@code value}; null for a null value. {@code schema} is null for schemaless records.
   * Date-times that carry no zone (Debezium's Timestamp, Date, Time and their micro and nano forms,
   * Connect's Date and Time) hold a wall-clock time: a date field gets the instant that wall-clock
   * time is in {@code localZone}, so Feishu shows it unchanged to people in that zone.
   */
  public static Object cell(Column column, Schema schema, Object value, ZoneId localZone) {
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
        return epochMillis(column.name(), schema, value, localZone);
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
    if (VARIABLE_SCALE_DECIMAL.equals(logical) && value instanceof Struct) {
      return exactDigits("key", schema, value); // Oracle NUMBER without a scale, as Debezium sends it by default
    }
    if (value instanceof java.util.Date || isDateTime(logical)) {
      return isoText("key", schema, value);
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return Base64.getEncoder().encodeToString(bytes("key", value));
    }
    return plainText(schema, value);
  }

  /** Logical types that hold a date, a time or both (not Debezium's durations, intervals or years). */
  private static boolean isDateTime(String logical) {
    if (logical == null) {
      return false;
    }
    switch (logical) {
      case Timestamp.LOGICAL_NAME:
      case Date.LOGICAL_NAME:
      case Time.LOGICAL_NAME:
      case DBZ_TIMESTAMP:
      case DBZ_MICRO_TIMESTAMP:
      case DBZ_NANO_TIMESTAMP:
      case DBZ_ZONED_TIMESTAMP:
      case DBZ_DATE:
      case DBZ_TIME:
      case DBZ_MICRO_TIME:
      case DBZ_NANO_TIME:
      case DBZ_ZONED_TIME:
        return true;
      default:
        return false;
    }
  }

  private static Object number(String column, Schema schema, Object value) {
    if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    if (value instanceof Long) {
      long v = (Long) value;
      if (v > MAX_EXACT_LONG || v < -MAX_EXACT_LONG) {
        throw new BadValueException(column, v + " is beyond 2^53, more than a Feishu number field holds exactly. "
            + "Declare the column's precision so that it is written as text, digit for digit: this project's source "
            + "does for NUMBER(16) and wider; with Debezium set column.propagate.source.type to the column (it adds "
            + "__debezium.source.column.length), or decimal.handling.mode=string; the field, once made a number "
            + "field, has to be deleted in Feishu first");
      }
      return v;
    }
    if (value instanceof Float || value instanceof Double) {
      double d = value instanceof Float
          ? Double.parseDouble(value.toString()) // 0.1f as 0.1, not the 0.10000000149011612 its bits widen to
          : (Double) value;
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

  private static long epochMillis(String column, Schema schema, Object value, ZoneId zone) {
    String logical = schema == null ? null : schema.name();
    if (logical != null && !logical.equals(Timestamp.LOGICAL_NAME)) {
      if (logical.equals(DBZ_ZONED_TIMESTAMP)) {
        return parseInstant(column, value.toString(), zone).toEpochMilli();
      }
      LocalDateTime wall = wallClock(column, logical, value);
      if (wall != null) {
        return wall.atZone(zone).toInstant().toEpochMilli();
      }
    }
    if (value instanceof java.util.Date) {
      return ((java.util.Date) value).getTime(); // Connect's Timestamp: an instant
    }
    if (value instanceof String) {
      return parseInstant(column, (String) value, zone).toEpochMilli();
    }
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    throw new BadValueException(column, "expected a timestamp for a date field, got " + describe(value));
  }

  /** A zone-less date-time of a logical type as the wall-clock time it holds, to the type's precision; null for others. */
  private static LocalDateTime wallClock(String column, String logical, Object value) {
    switch (logical) {
      case Date.LOGICAL_NAME:
      case Time.LOGICAL_NAME:
        return utcWall(millis(column, value), 1_000L);
      case DBZ_TIMESTAMP:
      case DBZ_TIME:
        return utcWall(longValue(column, value), 1_000L);
      case DBZ_MICRO_TIMESTAMP:
      case DBZ_MICRO_TIME:
        return utcWall(longValue(column, value), 1_000_000L);
      case DBZ_NANO_TIMESTAMP:
      case DBZ_NANO_TIME:
        return utcWall(longValue(column, value), 1_000_000_000L);
      case DBZ_DATE:
        return LocalDate.ofEpochDay(longValue(column, value)).atStartOfDay();
      default:
        return null;
    }
  }

  private static LocalDateTime utcWall(long count, long perSecond) {
    long seconds = Math.floorDiv(count, perSecond);
    int nanos = (int) (Math.floorMod(count, perSecond) * (1_000_000_000L / perSecond));
    return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
  }

  private static long millis(String column, Object value) {
    if (value instanceof java.util.Date) {
      return ((java.util.Date) value).getTime();
    }
    return longValue(column, value);
  }

  private static long longValue(String column, Object value) {
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    throw new BadValueException(column, "expected a whole number for a date or time, got " + describe(value));
  }

  private static Instant parseInstant(String column, String s, ZoneId zone) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e2) {
        try {
          return LocalDateTime.parse(s).atZone(zone).toInstant(); // a wall-clock time, in the local zone
        } catch (DateTimeParseException e3) {
          try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant();
          } catch (DateTimeParseException e4) {
            throw new BadValueException(column, "'" + s + "' is not an ISO-8601 timestamp");
          }
        }
      }
    }
  }

  /**
   * A date or time as ISO-8601 text of a fixed width for its type, so that text order is time
   * order: dates {@code 2024-01-31}; times {@code 08:00:00.000}; zone-less date-times
   * {@code 2024-01-31T08:00:00.000} (6 or 9 fraction digits for the micro and nano types); instants
   * in UTC {@code 2024-01-31T08:00:00.000Z}; zoned values as they came.
   */
  private static String isoText(String column, Schema schema, Object value) {
    String logical = schema == null ? null : schema.name();
    if (DBZ_ZONED_TIMESTAMP.equals(logical) || DBZ_ZONED_TIME.equals(logical)) {
      return value.toString();
    }
    LocalDateTime wall = logical == null || logical.equals(Timestamp.LOGICAL_NAME) ? null
        : wallClock(column, logical, value);
    if (wall == null) {
      Instant instant = Instant.ofEpochMilli(epochMillis(column, schema, value, ZoneOffset.UTC));
      return INSTANT_TEXT.format(instant.atOffset(ZoneOffset.UTC));
    }
    switch (logical) {
      case Date.LOGICAL_NAME:
      case DBZ_DATE:
        return DATE_TEXT.format(wall);
      case Time.LOGICAL_NAME:
      case DBZ_TIME:
        return TIME_TEXT[0].format(wall);
      case DBZ_MICRO_TIME:
        return TIME_TEXT[1].format(wall);
      case DBZ_NANO_TIME:
        return TIME_TEXT[2].format(wall);
      case DBZ_MICRO_TIMESTAMP:
        return WALL_TEXT[1].format(wall);
      case DBZ_NANO_TIMESTAMP:
        return WALL_TEXT[2].format(wall);
      default:
        return WALL_TEXT[0].format(wall);
    }
  }

  private static String exactDigits(String column, Schema schema, Object value) {
    if (value instanceof BigDecimal) {
      return ((BigDecimal) value).toPlainString();
    }
    if (value instanceof Struct && VARIABLE_SCALE_DECIMAL.equals(schema == null ? null : schema.name())) {
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
