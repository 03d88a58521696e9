package dev.ofsync.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.sink.config.FeishuSinkConfig.DatetimeMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class RowMapperTest {
  private static final Schema KEY = SchemaBuilder.struct().field("ID", Schema.INT64_SCHEMA).build();
  private static final Schema ROW = SchemaBuilder.struct().optional()
      .field("ID", Schema.INT64_SCHEMA).field("NAME", Schema.OPTIONAL_STRING_SCHEMA).build();
  /** Debezium's change event envelope. */
  private static final Schema ENVELOPE = SchemaBuilder.struct().name("server.INVENTORY.ORDERS.Envelope")
      .field("before", ROW).field("after", ROW)
      .field("source", SchemaBuilder.struct().optional().field("connector", Schema.STRING_SCHEMA).build())
      .field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

  private final RowMapper mapper = new RowMapper(new ColumnMapper(DatetimeMode.DATE), true, true, "");

  private static SinkRecord record(Schema valueSchema, Object value) {
    return new SinkRecord("t", 0, KEY, new Struct(KEY).put("ID", 1L), valueSchema, value, 0);
  }

  private static Struct row(String name) {
    return new Struct(ROW).put("ID", 1L).put("NAME", name);
  }

  private static Struct event(String op, Struct before, Struct after) {
    return new Struct(ENVELOPE).put("op", op).put("before", before).put("after", after);
  }

  @Test
  void plainRowsUpsertWithTheKeyAsPrimaryField() {
    Change c = mapper.map(record(ROW, row("a")));

    assertThat(c.kind()).isEqualTo(Change.Kind.UPSERT);
    assertThat(c.key()).isEqualTo("1");
    assertThat(mapper.keyFieldName()).isEqualTo("ID");
    assertThat(c.cells()).containsOnlyKeys("NAME").containsEntry("NAME", "a");
  }

  @Test
  void aColumnNameLongerThanAFeishuFieldNameStopsTheTaskNamingColumnAndRecord() {
    String longName = "C".repeat(101);
    Schema wide = SchemaBuilder.struct().field("ID", Schema.INT64_SCHEMA).field(longName, Schema.OPTIONAL_STRING_SCHEMA)
        .build();

    assertThatThrownBy(() -> mapper.map(record(wide, new Struct(wide).put("ID", 1L).put(longName, "x"))))
        .isInstanceOf(org.apache.kafka.connect.errors.ConnectException.class)
        .isNotInstanceOf(BadValueException.class) // every record has the column: not one for a dead-letter queue
        .hasMessageContaining("Column '" + longName + "'").hasMessageContaining("101 characters")
        .hasMessageContaining("1 to 100").hasMessageContaining("offset 0, key 1").hasMessageContaining("oracle.columns");
    assertThat(mapper.map(record(ROW, row("a"))).cells()).as("other columns map as before").containsEntry("NAME", "a");
  }

  @Test
  void debeziumEventsUpsertTheAfterImageAndDelete() {
    assertThat(mapper.map(record(ENVELOPE, event("c", null, row("new")))).cells()).containsEntry("NAME", "new");
    assertThat(mapper.map(record(ENVELOPE, event("r", null, row("snap")))).cells()).containsEntry("NAME", "snap");
    assertThat(mapper.map(record(ENVELOPE, event("u", row("old"), row("upd")))).cells()).containsEntry("NAME", "upd");
    assertThat(mapper.map(record(ENVELOPE, event("d", row("old"), null))).kind()).isEqualTo(Change.Kind.DELETE);
    assertThat(mapper.map(record(ENVELOPE, event("t", null, null))).kind()).isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.map(record(null, null)).kind()).as("tombstone").isEqualTo(Change.Kind.DELETE);
  }

  @Test
  void flattenedDebeziumDeletesAreDeletes() {
    Schema flat = SchemaBuilder.struct().field("ID", Schema.INT64_SCHEMA).field("__deleted", Schema.STRING_SCHEMA).build();

    Change c = mapper.map(record(flat, new Struct(flat).put("ID", 1L).put("__deleted", "true")));

    assertThat(c.kind()).isEqualTo(Change.Kind.DELETE);
    assertThat(c.key()).isEqualTo("1");
  }

  @Test
  void schemalessRecordsAndCompositeKeysWork() {
    Map<String, Object> key = new LinkedHashMap<>();
    key.put("ORDER_ID", 7);
    key.put("LINE", 2);
    Map<String, Object> value = new LinkedHashMap<>(key);
    value.put("QTY", 3);

    Change c = mapper.map(new SinkRecord("t", 0, null, key, null, value, 0));

    assertThat(c.key()).isEqualTo("7|2");
    assertThat(mapper.keyFieldName()).isEqualTo("ORDER_ID_LINE");
    assertThat(c.cells()).containsEntry("QTY", 3L).containsKeys("ORDER_ID", "LINE");
  }

  @Test
  void deletesCanBeIgnored() {
    RowMapper ignoring = new RowMapper(new ColumnMapper(DatetimeMode.DATE), false, true, "");
    assertThat(ignoring.map(record(null, null)).kind()).isEqualTo(Change.Kind.SKIP);
  }

  @Test
  void aRecordWithoutKeyIsRefusedInUpsertMode() {
    assertThatThrownBy(() -> mapper.map(new SinkRecord("t", 0, null, null, ROW, row("a"), 0)))
        .isInstanceOf(BadValueException.class).hasMessageContaining("no key").hasMessageContaining("append");
  }

  @Test
  void theDigestIgnoresOrderAndEmptyCellsAndTakesNumbersReadBackAsDoubles() {
    Map<String, Object> sent = new LinkedHashMap<>();
    sent.put("NAME", "a");
    sent.put("AMOUNT", 12.5);
    sent.put("WHEN", 1_700_000_000_000L);
    sent.put("NOTE", null);
    Map<String, Object> readBack = new LinkedHashMap<>();
    readBack.put("WHEN", 1.7E12);
    readBack.put("AMOUNT", 12.5);
    readBack.put("NAME", "a");

    assertThat(RowMapper.hash("1", sent)).isEqualTo(RowMapper.hash("1", readBack));
    readBack.put("NAME", "b");
    assertThat(RowMapper.hash("1", sent)).isNotEqualTo(RowMapper.hash("1", readBack));
    assertThat(RowMapper.hash("1", Map.of())).isNotEqualTo(RowMapper.hash("2", Map.of()));
  }

  /** The digests stored in a key index must stay what they were: the old way of computing them, kept here. */
  private static long digestAsStored(String key, Map<String, ?> cells) {
    long h = mixAsStored(0xcbf29ce484222325L, key);
    for (Map.Entry<String, ?> e : new java.util.TreeMap<>(cells).entrySet()) {
      Object v = e.getValue();
      String text;
      if (v == null || (v instanceof String && ((String) v).isEmpty())) {
        continue;
      } else if (v instanceof Number) {
        double d = ((Number) v).doubleValue();
        text = d == 0 ? "0" : new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
      } else {
        text = v.toString();
      }
      h = mixAsStored(mixAsStored(h, e.getKey()), text);
    }
    return h;
  }

  private static long mixAsStored(long h, String s) {
    for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    h ^= 0xff;
    return h * 0x100000001b3L;
  }

  @Test
  void theDigestIsTheOneIndexesAlreadyHold() {
    java.util.Random random = new java.util.Random(5);
    Object[] samples = {0.0, -0.0, 1.0, -7.0, 100.0, 1e7, 12345678.0, 1e15, 1e16, 123456789012345678.0, 0.5, 12.25,
        0.001, 0.0001, 1.5e-7, 3.14159e9, -2.5e20, 7L, 1_700_000_000_000L, 42, 0.1f, "text", "ünïcödé ✓", "", true};
    for (int i = 0; i < 2_000; i++) {
      Map<String, Object> cells = new LinkedHashMap<>();
      for (int c = 0; c < 6; c++) {
        Object v = random.nextBoolean() ? samples[random.nextInt(samples.length)]
            : switch (random.nextInt(3)) {
              case 0 -> random.nextDouble() * Math.pow(10, random.nextInt(30) - 10);
              case 1 -> (double) random.nextInt(1_000_000) / 100;
              default -> random.nextLong() % 1_000_000_000_000L;
            };
        cells.put("C" + random.nextInt(20), v);
      }
      String key = random.nextBoolean() ? String.valueOf(random.nextInt()) : "k|ü" + i;

      assertThat(RowMapper.hash(key, cells)).as("%s %s", key, cells).isEqualTo(digestAsStored(key, cells));
    }
  }

  @Test
  void debeziumHeartbeatsSchemaChangesAndTransactionBoundariesAreNotRows() {
    Schema serverKey = SchemaBuilder.struct().name("io.debezium.connector.common.ServerNameKey")
        .field("serverName", Schema.STRING_SCHEMA).build();
    Schema heartbeat = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
        .field("ts_ms", Schema.INT64_SCHEMA).build();
    Schema ddlKey = SchemaBuilder.struct().name("io.debezium.connector.oracle.SchemaChangeKey")
        .field("databaseName", Schema.STRING_SCHEMA).build();
    Schema ddl = SchemaBuilder.struct().name("io.debezium.connector.oracle.SchemaChangeValue")
        .field("databaseName", Schema.STRING_SCHEMA).field("ddl", Schema.STRING_SCHEMA).build();

    assertThat(mapper.map(new SinkRecord("__debezium-heartbeat.server", 0, serverKey,
        new Struct(serverKey).put("serverName", "server"), heartbeat, new Struct(heartbeat).put("ts_ms", 5L), 0)).kind())
        .isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.map(new SinkRecord("server", 0, ddlKey, new Struct(ddlKey).put("databaseName", "ORCLPDB1"), ddl,
        new Struct(ddl).put("databaseName", "ORCLPDB1").put("ddl", "ALTER TABLE ORDERS ADD NOTE VARCHAR2(10)"), 0))
        .kind()).isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.map(new SinkRecord("__debezium-heartbeat.server", 0, null, Map.of("serverName", "server"), null,
        Map.of("ts_ms", 5L), 0)).kind()).as("without schemas").isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.map(new SinkRecord("server", 0, null, Map.of("databaseName", "ORCLPDB1"), null,
        Map.of("databaseName", "ORCLPDB1", "ddl", "DROP TABLE X", "tableChanges", List.of()), 0)).kind())
        .isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.map(new SinkRecord("server.transaction", 0, null, Map.of("id", "tx1"), null,
        Map.of("status", "END", "id", "tx1", "event_count", 2, "data_collections", List.of()), 0)).kind())
        .isEqualTo(Change.Kind.SKIP);
    assertThat(mapper.keyFieldName()).as("no key of theirs names the primary field").isEqualTo("key");
    assertThat(mapper.map(record(ROW, row("a"))).kind()).isEqualTo(Change.Kind.UPSERT);
    assertThat(mapper.keyFieldName()).isEqualTo("ID");
  }

  @Test
  void inAppendModeDeletesAreSkippedEvenWithoutAKey() {
    RowMapper append = new RowMapper(new ColumnMapper(DatetimeMode.DATE), true, false, "");

    assertThat(append.map(new SinkRecord("t", 0, null, null, ENVELOPE, event("d", row("old"), null), 0)).kind())
        .isEqualTo(Change.Kind.SKIP);
    assertThat(append.map(new SinkRecord("t", 0, null, null, null, null, 0)).kind()).isEqualTo(Change.Kind.SKIP);
    assertThat(append.map(new SinkRecord("t", 0, null, null, ROW, row("a"), 0)).kind()).isEqualTo(Change.Kind.UPSERT);
  }

  @Test
  void partsOfACompositeKeyHoldingTheSeparatorCannotMakeTwoKeysOne() {
    Map<String, Object> first = new LinkedHashMap<>();
    first.put("A", "a|b");
    first.put("B", "c");
    Map<String, Object> second = new LinkedHashMap<>();
    second.put("A", "a");
    second.put("B", "b|c");
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("A", "a");
    plain.put("B", "b");

    String one = mapper.map(new SinkRecord("t", 0, null, first, null, Map.of("N", 1), 0)).key();
    String two = mapper.map(new SinkRecord("t", 0, null, second, null, Map.of("N", 1), 0)).key();

    assertThat(one).isNotEqualTo(two).isEqualTo("a\\|b|c");
    assertThat(two).isEqualTo("a|b\\|c");
    assertThat(mapper.map(new SinkRecord("t", 0, null, plain, null, Map.of("N", 1), 0)).key()).as("as always")
        .isEqualTo("a|b");
  }

  @Test
  void aLobAnUpdateLeftUnchangedKeepsItsValueInFeishu() {
    Schema lobs = SchemaBuilder.struct().optional().field("ID", Schema.INT64_SCHEMA)
        .field("NOTE", Schema.OPTIONAL_STRING_SCHEMA).field("PHOTO", Schema.OPTIONAL_BYTES_SCHEMA)
        .field("NAME", Schema.OPTIONAL_STRING_SCHEMA).build();
    Struct after = new Struct(lobs).put("ID", 1L).put("NOTE", "__debezium_unavailable_value")
        .put("PHOTO", "__debezium_unavailable_value".getBytes(java.nio.charset.StandardCharsets.UTF_8)).put("NAME", "b");

    Change c = mapper.map(record(lobs, after));

    assertThat(c.cells()).as("left out, not cleared").containsOnlyKeys("NAME").containsEntry("NAME", "b");
    assertThat(c.columns()).extracting(Column::name).containsExactly("NAME");
  }

  @Test
  void aSchemalessColumnSeenOnlyAsNullGetsItsTypeFromItsFirstValue() {
    Map<String, Object> nothingYet = new LinkedHashMap<>();
    nothingYet.put("PRICE", null);

    Change first = mapper.map(new SinkRecord("t", 0, null, Map.of("ID", 1), null, nothingYet, 0));
    Change later = mapper.map(new SinkRecord("t", 0, null, Map.of("ID", 2), null, Map.of("PRICE", 5.75), 1));

    assertThat(first.cells()).containsEntry("PRICE", null);
    assertThat(first.columns()).singleElement().extracting(Column::kind).isEqualTo(ColumnKind.UNTYPED);
    assertThat(later.columns()).singleElement().extracting(Column::kind).isEqualTo(ColumnKind.NUMBER);
    assertThat(later.cells()).containsEntry("PRICE", 5.75);
  }

  @Test
  void anOracleNumberKeyAsDebeziumSendsItIsItsDigits() {
    Schema vsd = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
        .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
    Schema key = SchemaBuilder.struct().field("ID", vsd).build();
    Struct id = new Struct(key).put("ID", new Struct(vsd).put("scale", 0).put("value", new byte[] {0x30, 0x39}));

    Change c = mapper.map(new SinkRecord("t", 0, key, id, null, Map.of("N", 1), 0));

    assertThat(c.key()).isEqualTo("12345");
  }

  @Test
  void aValueRefusedBecauseAnEarlierSchemaFixedItsFieldSaysSo() {
    Schema numberStatus = SchemaBuilder.struct().field("ID", Schema.INT64_SCHEMA).field("STATUS", Schema.INT32_SCHEMA)
        .build();
    Schema textStatus = SchemaBuilder.struct().field("ID", Schema.INT64_SCHEMA).field("STATUS", Schema.STRING_SCHEMA)
        .build();
    mapper.map(record(numberStatus, new Struct(numberStatus).put("ID", 1L).put("STATUS", 1)));

    assertThatThrownBy(() -> mapper.map(record(textStatus, new Struct(textStatus).put("ID", 1L).put("STATUS", "A"))))
        .isInstanceOf(BadValueException.class)
        .hasMessageStartingWith("column 'STATUS': expected a number for a number field, got String A")
        .hasMessageContaining("made a number field from the first record the task met")
        .hasMessageContaining("this record's schema makes it a text field (text)");
  }
}
