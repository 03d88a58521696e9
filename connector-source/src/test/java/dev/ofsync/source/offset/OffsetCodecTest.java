package dev.ofsync.source.offset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.query.Position;
import dev.ofsync.source.schema.KeyKind;
import dev.ofsync.source.schema.TableSchema;
import dev.ofsync.source.schema.TypeMapper;
import java.math.BigDecimal;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffsetCodecTest {
  private static final TypeMapper TYPES = new TypeMapper(ZoneOffset.UTC, 1000);

  private static TableSchema schema() throws Exception {
    var columns = List.of(
        TYPES.map("ID", Types.NUMERIC, "NUMBER", 38, 0, false),
        TYPES.map("CODE", Types.VARCHAR, "VARCHAR2", 10, 0, false),
        TYPES.map("UPDATED_AT", Types.TIMESTAMP, "TIMESTAMP", 26, 9, true));
    return new TableSchema(new TableId("HR", "T"), Mode.TIMESTAMP, columns, new int[] {0, 1}, 2, -1, List.of());
  }

  @Test
  void roundTripsWithJsonSafeValuesAndAVersion() throws Exception {
    LocalDateTime t = LocalDateTime.of(2024, 1, 1, 12, 0, 0, 123_456_789);
    Position p = new Position(t, List.of(new BigDecimal("42"), "A-1"));
    Map<String, Object> offset = OffsetCodec.encode(p, schema());
    assertThat(offset).isEqualTo(Map.of("v", 1, "sync", "2024-01-01T12:00:00.123456789", "pk0", 42L, "pk1", "A-1",
        "sync_column", "UPDATED_AT", "key_columns", "ID,CODE"));
    Position back = OffsetCodec.decode(offset, schema());
    assertThat(back.sync()).isEqualTo(t);
    assertThat(back.key()).containsExactly(new BigDecimal("42"), "A-1");
  }

  @Test
  void numbersBeyondALongAndDecimalsTravelAsExactText() {
    assertThat(OffsetCodec.encodeValue(KeyKind.NUMBER, new BigDecimal("123456789012345678901234567890"))).isEqualTo("123456789012345678901234567890");
    assertThat(OffsetCodec.encodeValue(KeyKind.NUMBER, new BigDecimal("1.50"))).isEqualTo("1.5");
    assertThat(OffsetCodec.encodeValue(KeyKind.NUMBER, new BigDecimal("1E+3"))).isEqualTo(1000L);
    assertThat(OffsetCodec.decodeValue(KeyKind.NUMBER, "123456789012345678901234567890")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
    assertThat(OffsetCodec.decodeValue(KeyKind.NUMBER, 5)).isEqualTo(new BigDecimal(5));
    assertThat(OffsetCodec.encodeValue(KeyKind.BYTES, new byte[] {(byte) 0xCA, (byte) 0xFE})).isEqualTo("cafe");
    assertThat((byte[]) OffsetCodec.decodeValue(KeyKind.BYTES, "cafe")).containsExactly(0xCA, 0xFE);
    OffsetDateTime z = OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(8));
    assertThat(OffsetCodec.decodeValue(KeyKind.ZONED_TIMESTAMP, OffsetCodec.encodeValue(KeyKind.ZONED_TIMESTAMP, z))).isEqualTo(z);
  }

  @Test
  void aPositionWrittenForOtherColumnsIsRefusedRatherThanComparedWithTheNewOnes() throws Exception {
    Map<String, Object> written = new java.util.HashMap<>(Map.of("v", 1, "sync", "2024-01-01T00:00", "pk0", 1L,
        "pk1", "a"));

    written.put("sync_column", "CREATED_AT");
    assertThatThrownBy(() -> OffsetCodec.decode(written, schema())).hasMessageContaining("sync column CREATED_AT")
        .hasMessageContaining("now UPDATED_AT");
    written.put("sync_column", "UPDATED_AT");
    written.put("key_columns", "ID,REGION");
    assertThatThrownBy(() -> OffsetCodec.decode(written, schema())).hasMessageContaining("key column(s) ID,REGION")
        .hasMessageContaining("now ID,CODE");
    written.remove("key_columns");
    assertThat(OffsetCodec.decode(written, schema())).as("an offset from before the names were written").isNotNull();
    assertThatThrownBy(() -> OffsetCodec.checkShape(Map.of("v", 1, "pk0", 1L, "key_columns", 5L)))
        .hasMessageContaining("string of column names");
  }

  @Test
  void emptyOrNullOffsetsStartFromTheBeginning() throws Exception {
    assertThat(OffsetCodec.decode(null, schema())).isNull();
    assertThat(OffsetCodec.decode(Map.of(), schema())).isNull();
    assertThat(OffsetCodec.decode(Map.of("v", 1, "pk0", 1L, "pk1", "a"), schema())).as("written in bulk mode").isNull();
  }

  @Test
  void foreignShapesAreRefusedWithTheReason() throws Exception {
    assertThatThrownBy(() -> OffsetCodec.decode(Map.of("v", 2, "pk0", 1L), schema())).hasMessageContaining("\"v\": 1");
    assertThatThrownBy(() -> OffsetCodec.checkShape(Map.of("v", 1))).hasMessageContaining("\"pk0\"");
    assertThatThrownBy(() -> OffsetCodec.checkShape(Map.of("v", 1, "pk0", 1L, "x", 1))).hasMessageContaining("\"x\"");
    assertThatThrownBy(() -> OffsetCodec.checkShape(Map.of("v", 1, "pk0", 1L, "pk2", 1L))).hasMessageContaining("\"pk2\"");
    assertThatThrownBy(() -> OffsetCodec.checkShape(Map.of("v", 1, "pk0", List.of(1L)))).hasMessageContaining("number or a string");
    assertThatThrownBy(() -> OffsetCodec.decode(Map.of("v", 1, "sync", "2024-01-01T00:00", "pk0", 1L), schema()))
        .hasMessageContaining("1 key values").hasMessageContaining("2 columns").hasMessageContaining("DELETE /connectors");
  }

  @Test
  void thePartitionIsTheQualifiedTableName() {
    assertThat(OffsetCodec.partition(new TableId("HR", "order lines"))).isEqualTo(Map.of("table", "HR.order lines"));
    assertThat(OffsetCodec.partition(new TableId(null, "ORDERS"))).isEqualTo(Map.of("table", "ORDERS"));
  }
}
