package dev.ofsync.source.schema;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Oracle column type to Connect schema and value, exact by default. The JDBC type codes below
 * that are not in {@link Types} are Oracle's ({@code oracle.jdbc.OracleTypes}).
 */
public final class TypeMapper {
  /** Parameter the sink reads to choose a number field or exact text. */
  public static final String PRECISION_PARAMETER = "connect.decimal.precision";
  /** The sink maps this schema name (Debezium's) to a date field; the value is ISO-8601 text with offset. */
  public static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
  /** Parameter naming the Oracle type, for readers of the schema. */
  public static final String ORACLE_TYPE_PARAMETER = "oracle.type";

  static final int BINARY_FLOAT = 100;
  static final int BINARY_DOUBLE = 101;
  static final int TIMESTAMPTZ = -101;
  static final int TIMESTAMPLTZ = -102;
  static final int INTERVALYM = -103;
  static final int INTERVALDS = -104;
  static final int ORACLE_JSON = 2016;
  static final int OPAQUE = 2007;
  /** Oracle reports NUMBER without precision (and FLOAT) with this scale. */
  static final int UNCONSTRAINED_SCALE = -127;
  private static final int ORACLE_MAX_PRECISION = 38;

  private final ZoneId zone;
  private final int lobMax;

  /**
   * @param zone the zone DATE and TIMESTAMP values are read in
   * @param lobMax largest CLOB (characters) or BLOB (bytes) read
   */
  public TypeMapper(ZoneId zone, int lobMax) {
    this.zone = zone;
    this.lobMax = lobMax;
  }

  /** The column as Connect sees it; optional unless the database says NOT NULL. */
  public MappedColumn map(String name, int jdbcType, String typeName, int precision, int scale, boolean nullable)
      throws UnmappableTypeException {
    String type = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
    String described = describe(type, precision, scale);
    switch (jdbcType) {
      case Types.NUMERIC:
      case Types.DECIMAL:
        return number(name, described, type, precision, scale, nullable);
      case Types.TINYINT:
        return integer(name, described, 2, nullable);
      case Types.SMALLINT:
        return integer(name, described, 4, nullable);
      case Types.INTEGER:
        return integer(name, described, 9, nullable);
      case Types.BIGINT:
        return integer(name, described, 18, nullable);
      case BINARY_FLOAT:
      case Types.REAL:
        return column(name, described, SchemaBuilder.float32(), nullable, (rs, i) -> {
          float v = rs.getFloat(i);
          return rs.wasNull() ? null : finite(name, v);
        }, null);
      case Types.FLOAT:
        if (type.equals("FLOAT") || type.equals("NUMBER")) {
          // Oracle FLOAT(b) is a NUMBER of up to 38 digits, not a binary double.
          return number(name, described, type, 0, UNCONSTRAINED_SCALE, nullable);
        }
        return column(name, described, SchemaBuilder.float64(), nullable, (rs, i) -> {
          double v = rs.getDouble(i);
          return rs.wasNull() ? null : finite(name, v);
        }, null);
      case BINARY_DOUBLE:
      case Types.DOUBLE:
        return column(name, described, SchemaBuilder.float64(), nullable, (rs, i) -> {
          double v = rs.getDouble(i);
          return rs.wasNull() ? null : finite(name, v);
        }, null);
      case Types.BOOLEAN:
      case Types.BIT:
        return column(name, described, SchemaBuilder.bool(), nullable, (rs, i) -> {
          boolean v = rs.getBoolean(i);
          return rs.wasNull() ? null : v;
        }, null);
      case Types.CHAR:
      case Types.VARCHAR:
      case Types.NCHAR:
      case Types.NVARCHAR:
        return column(name, described, SchemaBuilder.string(), nullable, ResultSet::getString, KeyKind.TEXT);
      case Types.LONGVARCHAR:
      case Types.LONGNVARCHAR:
        return column(name, described, SchemaBuilder.string(), nullable, (rs, i) -> limited(name, rs.getString(i)), null);
      case Types.CLOB:
      case Types.NCLOB:
        return column(name, described, SchemaBuilder.string(), nullable, (rs, i) -> clob(name, rs.getClob(i)), null);
      case Types.BINARY:
      case Types.VARBINARY:
        return column(name, described, SchemaBuilder.bytes(), nullable, ResultSet::getBytes, KeyKind.BYTES);
      case Types.LONGVARBINARY:
        return column(name, described, SchemaBuilder.bytes(), nullable, (rs, i) -> limited(name, rs.getBytes(i)), null);
      case Types.BLOB:
        return column(name, described, SchemaBuilder.bytes(), nullable, (rs, i) -> blob(name, rs.getBlob(i)), null);
      case Types.DATE:
      case Types.TIMESTAMP:
        return column(name, described, Timestamp.builder(), nullable, this::localTimestamp, KeyKind.TIMESTAMP);
      case TIMESTAMPTZ:
      case Types.TIMESTAMP_WITH_TIMEZONE:
        return column(name, described, SchemaBuilder.string().name(ZONED_TIMESTAMP), nullable, TypeMapper::zoned,
            KeyKind.ZONED_TIMESTAMP);
      case TIMESTAMPLTZ:
        return column(name, described, Timestamp.builder(), nullable, (rs, i) -> {
          java.sql.Timestamp t = rs.getTimestamp(i);
          return t == null ? null : new java.util.Date(t.getTime());
        }, null);
      case INTERVALYM:
      case INTERVALDS:
        return column(name, described, SchemaBuilder.string(), nullable, (rs, i) -> IntervalText.toIso(rs.getString(i)), null);
      case Types.ROWID:
        return column(name, described, SchemaBuilder.string(), nullable, ResultSet::getString, null);
      case Types.SQLXML:
      case OPAQUE:
        if (type.contains("XMLTYPE")) {
          return textVia(name, described, nullable, "XMLSERIALIZE(CONTENT %s AS CLOB)");
        }
        break;
      case ORACLE_JSON:
        return textVia(name, described, nullable, "JSON_SERIALIZE(%s RETURNING CLOB)");
      default:
        break;
    }
    if (type.startsWith("INTERVAL")) {
      return column(name, described, SchemaBuilder.string(), nullable, (rs, i) -> IntervalText.toIso(rs.getString(i)), null);
    }
    if (type.equals("JSON")) {
      return textVia(name, described, nullable, "JSON_SERIALIZE(%s RETURNING CLOB)");
    }
    throw new UnmappableTypeException(name, described);
  }

  private MappedColumn textVia(String name, String described, boolean nullable, String template) {
    return new MappedColumn(name, described, optional(SchemaBuilder.string(), nullable, described),
        (rs, i) -> clob(name, rs.getClob(i)), null, template);
  }

  private MappedColumn number(String name, String described, String type, int precision, int scale, boolean nullable) {
    boolean unconstrained = scale == UNCONSTRAINED_SCALE || precision <= 0 || precision > ORACLE_MAX_PRECISION
        || type.equals("DECFLOAT");
    if (unconstrained) {
      // NUMBER without precision holds up to 40 digits at any scale, which no single Connect
      // Decimal scale can carry losslessly: send the exact digits as text.
      return column(name, described, SchemaBuilder.string(), nullable, (rs, i) -> {
        BigDecimal d = rs.getBigDecimal(i);
        return d == null ? null : d.stripTrailingZeros().toPlainString();
      }, KeyKind.NUMBER);
    }
    if (scale <= 0) {
      // NUMBER(p,-s) holds integers of up to p+s digits, rounded to 10^s.
      return integer(name, described, precision - scale, nullable);
    }
    return decimal(name, described, precision, scale, nullable);
  }

  private MappedColumn integer(String name, String described, int digits, boolean nullable) {
    if (digits <= 2) {
      return column(name, described, SchemaBuilder.int8(), nullable, (rs, i) -> {
        byte v = rs.getByte(i);
        return rs.wasNull() ? null : v;
      }, KeyKind.NUMBER);
    }
    if (digits <= 4) {
      return column(name, described, SchemaBuilder.int16(), nullable, (rs, i) -> {
        short v = rs.getShort(i);
        return rs.wasNull() ? null : v;
      }, KeyKind.NUMBER);
    }
    if (digits <= 9) {
      return column(name, described, SchemaBuilder.int32(), nullable, (rs, i) -> {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
      }, KeyKind.NUMBER);
    }
    if (digits <= 18) {
      // the precision tells the sink whether a number field holds every value (up to 15 digits) or text must
      return column(name, described, SchemaBuilder.int64().parameter(PRECISION_PARAMETER, String.valueOf(digits)),
          nullable, (rs, i) -> {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
      }, KeyKind.NUMBER);
    }
    return decimal(name, described, digits, 0, nullable);
  }

  private MappedColumn decimal(String name, String described, int precision, int scale, boolean nullable) {
    SchemaBuilder b = Decimal.builder(scale).parameter(PRECISION_PARAMETER, String.valueOf(precision));
    return column(name, described, b, nullable, (rs, i) -> {
      BigDecimal d = rs.getBigDecimal(i);
      if (d == null) {
        return null;
      }
      try {
        return d.setScale(scale, RoundingMode.UNNECESSARY);
      } catch (ArithmeticException e) {
        throw new DataException("column " + name + " holds " + d.toPlainString() + ", more decimals than its scale " + scale);
      }
    }, KeyKind.NUMBER);
  }

  private static MappedColumn column(String name, String described, SchemaBuilder builder, boolean nullable,
      ValueReader reader, KeyKind keyKind) {
    return new MappedColumn(name, described, optional(builder, nullable, described), reader, keyKind, "%s");
  }

  private static Schema optional(SchemaBuilder builder, boolean nullable, String described) {
    builder.parameter(ORACLE_TYPE_PARAMETER, described);
    return nullable ? builder.optional().build() : builder.build();
  }

  private Object localTimestamp(ResultSet rs, int i) throws SQLException {
    LocalDateTime t = rs.getObject(i, LocalDateTime.class);
    return t == null ? null : java.util.Date.from(t.atZone(zone).toInstant());
  }

  /**
   * BINARY_FLOAT and BINARY_DOUBLE hold NaN and the infinities, which no JSON number carries (Kafka's
   * JsonConverter reads them back as 0) and no Feishu number field holds: refused, naming the column.
   */
  private static <T extends Number> T finite(String column, T v) {
    double d = v.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new DataException("column " + column + " holds " + d + ", which neither JSON nor a Feishu number field can "
          + "carry (Kafka's JsonConverter would turn it into 0); set it to NULL or a finite number, or leave the column "
          + "out of oracle.columns");
    }
    return v;
  }

  private static Object zoned(ResultSet rs, int i) throws SQLException {
    OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
    return t == null ? null : t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  private String clob(String column, Clob clob) throws SQLException {
    if (clob == null) {
      return null;
    }
    try {
      long length = clob.length();
      if (length > lobMax) {
        throw new DataException("column " + column + " holds " + length + " characters, more than sync.lob_max_chars ("
            + lobMax + "); raise that setting");
      }
      return clob.getSubString(1, (int) length);
    } finally {
      clob.free();
    }
  }

  private byte[] blob(String column, Blob blob) throws SQLException {
    if (blob == null) {
      return null;
    }
    try {
      long length = blob.length();
      if (length > lobMax) {
        throw new DataException("column " + column + " holds " + length + " bytes, more than sync.lob_max_chars ("
            + lobMax + "); raise that setting");
      }
      return blob.getBytes(1, (int) length);
    } finally {
      blob.free();
    }
  }

  private String limited(String column, String s) {
    if (s != null && s.length() > lobMax) {
      throw new DataException("column " + column + " holds " + s.length() + " characters, more than sync.lob_max_chars ("
          + lobMax + "); raise that setting");
    }
    return s;
  }

  private byte[] limited(String column, byte[] b) {
    if (b != null && b.length > lobMax) {
      throw new DataException("column " + column + " holds " + b.length + " bytes, more than sync.lob_max_chars ("
          + lobMax + "); raise that setting");
    }
    return b;
  }

  private static String describe(String type, int precision, int scale) {
    if ((type.equals("NUMBER") || type.equals("NUMERIC") || type.equals("DECIMAL")) && precision > 0 && scale != UNCONSTRAINED_SCALE) {
      return type + "(" + precision + "," + scale + ")";
    }
    return type;
  }
}
