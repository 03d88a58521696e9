package dev.ofsync.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.sink.config.FeishuSinkConfig.DatetimeMode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

class CellConverterTest {
  private final ColumnMapper mapper = new ColumnMapper(DatetimeMode.DATE);

  private Object cell(Schema schema, Object value) {
    return CellConverter.cell(mapper.column("C", schema), schema, value);
  }

  private static Schema decimal(int scale, int precision) {
    return Decimal.builder(scale).parameter("connect.decimal.precision", String.valueOf(precision)).build();
  }

  @Test
  void decimalsADoubleHoldsAreNumbersFormattedToTheirScale() {
    Column c = mapper.column("AMOUNT", decimal(2, 12));

    assertThat(c.kind()).isEqualTo(ColumnKind.NUMBER);
    assertThat(c.formatter()).isEqualTo("0.00");
    assertThat(cell(decimal(2, 12), new BigDecimal("1234567890.12"))).isEqualTo(1234567890.12);
  }

  @Test
  void widerDecimalsAndUnknownPrecisionsAreTextDigitForDigit() {
    assertThat(mapper.column("X", decimal(2, 38)).kind()).isEqualTo(ColumnKind.EXACT_TEXT);
    assertThat(mapper.column("X", Decimal.schema(0)).kind()).as("NUMBER without precision").isEqualTo(ColumnKind.EXACT_TEXT);
    assertThat(cell(decimal(10, 38), new BigDecimal("12345678901234567890.0123456789")))
        .isEqualTo("12345678901234567890.0123456789");
    assertThat(cell(SchemaBuilder.int64().parameter("connect.decimal.precision", "18").build(), 9_007_199_254_740_993L))
        .isEqualTo("9007199254740993");
  }

  @Test
  void integersBeyondTwoToThe53AndNonFiniteFloatsAreRefusedNamingTheColumn() {
    assertThatThrownBy(() -> cell(Schema.INT64_SCHEMA, 9_007_199_254_740_993L))
        .isInstanceOf(BadValueException.class).hasMessageContaining("'C'").hasMessageContaining("2^53");
    assertThatThrownBy(() -> cell(Schema.FLOAT64_SCHEMA, Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> cell(Schema.FLOAT64_SCHEMA, Double.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
  }

  @Test
  void timesBecomeMillisecondsOrIsoText() {
    java.util.Date t = new java.util.Date(-86_400_000L * 365);
    assertThat(cell(Timestamp.SCHEMA, t)).isEqualTo(-31_536_000_000L);
    assertThat(cell(Date.SCHEMA, new java.util.Date(86_400_000L * 3))).isEqualTo(259_200_000L);
    assertThat(cell(SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build(), 1_500_000L)).isEqualTo(1_500L);
    assertThat(cell(SchemaBuilder.int32().name("io.debezium.time.Date").build(), 2)).isEqualTo(172_800_000L);
    assertThat(cell(SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build(), "2024-01-01T08:00:00+08:00"))
        .isEqualTo(1_704_067_200_000L);
    ColumnMapper text = new ColumnMapper(DatetimeMode.TEXT);
    assertThat(CellConverter.cell(text.column("T", Timestamp.SCHEMA), Timestamp.SCHEMA, new java.util.Date(0)))
        .isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(CellConverter.cell(text.column("D", Date.SCHEMA), Date.SCHEMA, new java.util.Date(0))).isEqualTo("1970-01-01");
  }

  @Test
  void bytesStructsMapsAndArraysBecomeText() {
    assertThat(cell(Schema.BYTES_SCHEMA, new byte[] {1, 2, 3})).isEqualTo("AQID");
    Schema s = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).field("b", Schema.STRING_SCHEMA).build();
    assertThat(cell(s, new Struct(s).put("a", 1).put("b", "x"))).isEqualTo("{\"a\":1,\"b\":\"x\"}");
    assertThat(cell(SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of(1, 2))).isEqualTo("[1,2]");
    assertThat(cell(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), Map.of("k", 1)))
        .isEqualTo("{\"k\":1}");
  }

  @Test
  void textIsCheckedAgainstFeishusCellLimitAndMadeValidUtf8() {
    assertThat(cell(Schema.STRING_SCHEMA, "😀".repeat(100_000))).as("characters, not UTF-16 units")
        .isEqualTo("😀".repeat(100_000));
    assertThatThrownBy(() -> cell(Schema.STRING_SCHEMA, "x".repeat(100_001)))
        .isInstanceOf(BadValueException.class).hasMessageContaining("100001");
    assertThat(cell(Schema.STRING_SCHEMA, "a\uD800b\uDC00")).isEqualTo("a\uFFFDb\uFFFD");
    assertThat(cell(Schema.STRING_SCHEMA, "tab\tnul\u0000")).isEqualTo("tab\tnul\u0000");
  }

  @Test
  void schemalessValuesGetAFieldFromTheirJavaType() {
    assertThat(mapper.column("a", (Object) 5L).kind()).isEqualTo(ColumnKind.NUMBER);
    assertThat(mapper.column("a", (Object) true).kind()).isEqualTo(ColumnKind.CHECKBOX);
    assertThat(mapper.column("a", (Object) "s").kind()).isEqualTo(ColumnKind.TEXT);
    assertThat(mapper.column("a", (Object) Map.of()).kind()).isEqualTo(ColumnKind.JSON_TEXT);
  }

  private static Schema debezium(String type, Schema base) {
    return new SchemaBuilder(base.type()).name("io.debezium.time." + type).optional().build();
  }

  @Test
  void zoneLessDateTimesAreTheirWallClockTimeInTheConfiguredZone() {
    ColumnMapper shanghai = new ColumnMapper(DatetimeMode.DATE, java.time.ZoneId.of("Asia/Shanghai"));
    long eightAm = java.time.LocalDateTime.parse("2024-01-01T08:00:00").toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    long midnightUtc = java.time.Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    Schema dbzTimestamp = debezium("Timestamp", Schema.INT64_SCHEMA); // Oracle DATE as Debezium sends it
    Schema micro = debezium("MicroTimestamp", Schema.INT64_SCHEMA);
    Schema nano = debezium("NanoTimestamp", Schema.INT64_SCHEMA);
    Schema days = debezium("Date", Schema.INT32_SCHEMA);

    assertThat(CellConverter.cell(shanghai.column("D", dbzTimestamp), dbzTimestamp, eightAm, shanghai.localZone()))
        .as("08:00 in Shanghai is 00:00 UTC").isEqualTo(midnightUtc);
    assertThat(CellConverter.cell(shanghai.column("D", micro), micro, eightAm * 1000 + 7, shanghai.localZone()))
        .isEqualTo(midnightUtc);
    assertThat(CellConverter.cell(shanghai.column("D", nano), nano, eightAm * 1_000_000, shanghai.localZone()))
        .isEqualTo(midnightUtc);
    assertThat(CellConverter.cell(shanghai.column("D", days), days, 19_723, shanghai.localZone()))
        .as("2024-01-01 starts at 16:00 UTC the day before").isEqualTo(midnightUtc - 8 * 3_600_000L);
    assertThat(CellConverter.cell(shanghai.column("D", Date.SCHEMA), Date.SCHEMA, new java.util.Date(19_723 * 86_400_000L),
        shanghai.localZone())).isEqualTo(midnightUtc - 8 * 3_600_000L);
    assertThat(CellConverter.cell(shanghai.column("T", Timestamp.SCHEMA), Timestamp.SCHEMA, new java.util.Date(midnightUtc),
        shanghai.localZone())).as("Connect's Timestamp is an instant: not moved").isEqualTo(midnightUtc);
    assertThat(CellConverter.cell(mapper.column("D", dbzTimestamp), dbzTimestamp, eightAm)).as("UTC by default")
        .isEqualTo(eightAm);
    assertThat(CellConverter.cell(shanghai.column("s", (Object) "x"), null, "2024-01-01T08:00:00", shanghai.localZone()))
        .as("schemaless text is text").isEqualTo("2024-01-01T08:00:00");
  }

  @Test
  void datesAndTimesAsTextHaveOneWidthPerTypeSoTextOrderIsTimeOrder() {
    ColumnMapper text = new ColumnMapper(DatetimeMode.TEXT, java.time.ZoneId.of("Asia/Shanghai"));
    long eightAm = java.time.LocalDateTime.parse("2024-01-01T08:00:00").toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    Schema dbzTimestamp = debezium("Timestamp", Schema.INT64_SCHEMA);
    Schema micro = debezium("MicroTimestamp", Schema.INT64_SCHEMA);
    Schema nanoTime = debezium("NanoTime", Schema.INT64_SCHEMA);
    Schema time = debezium("Time", Schema.INT32_SCHEMA);

    assertThat(CellConverter.cell(text.column("T", dbzTimestamp), dbzTimestamp, eightAm, text.localZone()))
        .as("a wall-clock time, without a zone").isEqualTo("2024-01-01T08:00:00.000");
    assertThat(CellConverter.cell(text.column("T", dbzTimestamp), dbzTimestamp, eightAm + 30_500, text.localZone()))
        .isEqualTo("2024-01-01T08:00:30.500");
    assertThat(CellConverter.cell(text.column("T", micro), micro, eightAm * 1000 + 7, text.localZone()))
        .as("every digit of a TIMESTAMP(6)").isEqualTo("2024-01-01T08:00:00.000007");
    assertThat(CellConverter.cell(text.column("T", nanoTime), nanoTime, 3_600_000_000_001L, text.localZone()))
        .isEqualTo("01:00:00.000000001");
    assertThat(CellConverter.cell(text.column("T", time), time, 45_296_789, text.localZone())).isEqualTo("12:34:56.789");
    assertThat(CellConverter.cell(text.column("T", Timestamp.SCHEMA), Timestamp.SCHEMA, new java.util.Date(-1),
        text.localZone())).isEqualTo("1969-12-31T23:59:59.999Z");
  }

  @Test
  void binaryFloatsKeepTheDigitsTheyWereWrittenWith() {
    assertThat(cell(Schema.FLOAT32_SCHEMA, 0.1f)).isEqualTo(0.1);
    assertThat(cell(Schema.FLOAT32_SCHEMA, 3.4e38f)).isEqualTo(3.4e38);
    assertThat(cell(Schema.FLOAT64_SCHEMA, 0.1)).isEqualTo(0.1);
  }

  @Test
  void keysOfDebeziumsNumberDecimalAndTimeTypesAreReadableText() {
    Schema vsd = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
        .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
    Struct twelveThousand = new Struct(vsd).put("scale", 0)
        .put("value", java.math.BigInteger.valueOf(12_345).toByteArray());

    assertThat(CellConverter.keyText(vsd, twelveThousand)).isEqualTo("12345");
    assertThat(CellConverter.keyText(new SchemaBuilder(Schema.Type.INT32).name("io.debezium.time.Year").build(), 2024))
        .isEqualTo("2024");
    assertThat(CellConverter.keyText(debezium("Date", Schema.INT32_SCHEMA), 19_723)).isEqualTo("2024-01-01");
  }

  @Test
  void anIntegerBeyondTwoToThe53SaysHowToHaveItWrittenAsText() {
    assertThatThrownBy(() -> cell(Schema.INT64_SCHEMA, 9_007_199_254_740_993L))
        .hasMessageContaining("column.propagate.source.type").hasMessageContaining("NUMBER(16)");
  }
}
