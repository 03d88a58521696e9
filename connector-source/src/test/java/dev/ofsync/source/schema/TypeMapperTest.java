package dev.ofsync.source.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Types;
import java.time.ZoneOffset;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

/** Type codes and names as Oracle's driver reports them for Oracle columns. */
class TypeMapperTest {
  private final TypeMapper types = new TypeMapper(ZoneOffset.UTC, 1000);

  private Schema schema(int jdbcType, String name, int precision, int scale) throws Exception {
    return types.map("C", jdbcType, name, precision, scale, true).schema();
  }

  @Test
  void integerNumbersBecomeTheSmallestIntegerThatHoldsTheirPrecision() throws Exception {
    assertThat(schema(Types.NUMERIC, "NUMBER", 2, 0).type()).isEqualTo(Schema.Type.INT8);
    assertThat(schema(Types.NUMERIC, "NUMBER", 4, 0).type()).isEqualTo(Schema.Type.INT16);
    assertThat(schema(Types.NUMERIC, "NUMBER", 9, 0).type()).isEqualTo(Schema.Type.INT32);
    assertThat(schema(Types.NUMERIC, "NUMBER", 18, 0).type()).isEqualTo(Schema.Type.INT64);
    Schema n38 = schema(Types.NUMERIC, "NUMBER", 38, 0);
    assertThat(n38.name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(n38.parameters()).containsEntry("scale", "0").containsEntry("connect.decimal.precision", "38");
  }

  @Test
  void negativeScaleCountsTheRoundedDigits() throws Exception {
    // NUMBER(5,-2) holds up to 9,999,900: seven digits.
    assertThat(schema(Types.NUMERIC, "NUMBER", 5, -2).type()).isEqualTo(Schema.Type.INT32);
    Schema wide = schema(Types.NUMERIC, "NUMBER", 38, -5);
    assertThat(wide.name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(wide.parameters()).containsEntry("scale", "0").containsEntry("connect.decimal.precision", "43");
  }

  @Test
  void decimalsKeepPrecisionAndScale() throws Exception {
    Schema money = schema(Types.NUMERIC, "NUMBER", 12, 2);
    assertThat(money.name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(money.parameters()).containsEntry("scale", "2").containsEntry("connect.decimal.precision", "12");
    assertThat(money.isOptional()).isTrue();
  }

  @Test
  void numberWithoutPrecisionAndFloatKeepEveryDigitAsText() throws Exception {
    MappedColumn any = types.map("C", Types.NUMERIC, "NUMBER", 0, -127, false);
    assertThat(any.schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(any.schema().isOptional()).isFalse();
    assertThat(any.keyKind()).isEqualTo(KeyKind.NUMBER);
    assertThat(schema(Types.FLOAT, "FLOAT", 126, -127).type()).isEqualTo(Schema.Type.STRING);
  }

  @Test
  void oracleSpecificTypes() throws Exception {
    assertThat(schema(TypeMapper.BINARY_FLOAT, "BINARY_FLOAT", 0, 0).type()).isEqualTo(Schema.Type.FLOAT32);
    assertThat(schema(TypeMapper.BINARY_DOUBLE, "BINARY_DOUBLE", 0, 0).type()).isEqualTo(Schema.Type.FLOAT64);
    assertThat(schema(TypeMapper.TIMESTAMPTZ, "TIMESTAMP WITH TIME ZONE", 0, 6).name()).isEqualTo("io.debezium.time.ZonedTimestamp");
    assertThat(schema(TypeMapper.TIMESTAMPLTZ, "TIMESTAMP WITH LOCAL TIME ZONE", 0, 6).name()).isEqualTo(Timestamp.LOGICAL_NAME);
    assertThat(schema(Types.TIMESTAMP, "DATE", 0, 0).name()).isEqualTo(Timestamp.LOGICAL_NAME);
    assertThat(schema(TypeMapper.INTERVALDS, "INTERVALDS", 0, 0).type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema(TypeMapper.INTERVALYM, "INTERVALYM", 0, 0).type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema(Types.ROWID, "ROWID", 0, 0).type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema(Types.LONGVARCHAR, "LONG", 0, 0).type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema(Types.NCLOB, "NCLOB", 0, 0).type()).isEqualTo(Schema.Type.STRING);
    assertThat(schema(Types.VARBINARY, "RAW", 16, 0).type()).isEqualTo(Schema.Type.BYTES);
    assertThat(schema(Types.BLOB, "BLOB", 0, 0).type()).isEqualTo(Schema.Type.BYTES);
    MappedColumn xml = types.map("DOC", Types.SQLXML, "SYS.XMLTYPE", 0, 0, true);
    assertThat(xml.schema().type()).isEqualTo(Schema.Type.STRING);
    assertThat(xml.selectExpression()).isEqualTo("XMLSERIALIZE(CONTENT \"DOC\" AS CLOB) AS \"DOC\"");
    assertThat(types.map("J", TypeMapper.ORACLE_JSON, "JSON", 0, 0, true).selectExpression())
        .isEqualTo("JSON_SERIALIZE(\"J\" RETURNING CLOB) AS \"J\"");
  }

  @Test
  void typesWithoutAMappingNameTheColumnAndType() {
    assertThatThrownBy(() -> types.map("LOCATION", Types.STRUCT, "MDSYS.SDO_GEOMETRY", 0, 0, true))
        .isInstanceOf(UnmappableTypeException.class)
        .hasMessageContaining("LOCATION").hasMessageContaining("MDSYS.SDO_GEOMETRY").hasMessageContaining("sync.skip_unmappable_columns");
    assertThatThrownBy(() -> types.map("F", -13, "BFILE", 0, 0, true)).hasMessageContaining("BFILE");
  }

  @Test
  void lobsAndFloatsCannotPageATable() throws Exception {
    assertThat(types.map("C", Types.CLOB, "CLOB", 0, 0, true).keyKind()).isNull();
    assertThat(types.map("C", TypeMapper.BINARY_DOUBLE, "BINARY_DOUBLE", 0, 0, true).keyKind()).isNull();
    assertThat(types.map("C", Types.VARCHAR, "VARCHAR2", 10, 0, true).keyKind()).isEqualTo(KeyKind.TEXT);
  }

  @Test
  void intervalsBecomeIsoDurations() {
    assertThat(IntervalText.toIso("+01 02:03:04.500000")).isEqualTo("PT26H3M4.5S");
    assertThat(IntervalText.toIso("-00 00:00:01.000000")).isEqualTo("PT-1S");
    assertThat(IntervalText.toIso("+10-02")).isEqualTo("P10Y2M");
    assertThat(IntervalText.toIso("-01-06")).isEqualTo("P-1Y-6M");
    assertThat(IntervalText.toIso("INTERVAL '1 02:03:04' DAY TO SECOND")).isEqualTo("PT26H3M4S");
    assertThat(IntervalText.toIso(null)).isNull();
  }
}
