package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The task against H2 in Oracle mode: what lands in records and offsets. */
class OracleSourceTaskTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private H2Db db;
  private TaskHarness harness;

  @BeforeEach
  void setUp() throws Exception {
    db = new H2Db();
    harness = new TaskHarness();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    db.close();
  }

  private static Object key(SourceRecord r, String field) {
    return ((Struct) r.key()).get(field);
  }

  private static List<Object> ids(List<SourceRecord> records) {
    return records.stream().map(r -> key(r, "ID")).collect(Collectors.toList());
  }

  private void insertEvents(int from, int to, String timestamp) throws Exception {
    try (PreparedStatement ps = db.prepare("INSERT INTO EVENTS (ID, UPDATED_AT, NOTE) VALUES (?, TIMESTAMP '" + timestamp + "', ?)")) {
      for (int id = from; id <= to; id++) {
        ps.setInt(1, id);
        ps.setString(2, "note " + id);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Test
  void threeThousandRowsSharingOneTimestampCrossPageBoundariesNeitherSkippedNorRepeated() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(40))");
    insertEvents(1, 100, "2024-01-01 00:00:00");
    insertEvents(101, 3100, "2024-01-01 12:00:00");
    insertEvents(3101, 3150, "2024-01-02 00:00:00");
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("sync.read_batch_size", "500");
    harness.start(config);

    List<Integer> pageSizes = new ArrayList<>();
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (harness.records.size() < 3150 && System.nanoTime() < end) {
      int n = harness.poll().size();
      if (n > 0) {
        pageSizes.add(n);
      }
    }
    harness.pollUntilIdle(DEADLINE);

    List<Object> ids = ids(harness.records);
    assertThat(ids).hasSize(3150).doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).containsAll(List.of(1L, 100L, 101L, 600L, 601L, 3100L, 3150L));
    assertThat(pageSizes).as("pages of at most 500 rows").allMatch(n -> n <= 500).hasSizeGreaterThanOrEqualTo(7);
    assertThat(harness.records.get(harness.records.size() - 1).sourceOffset())
        .isEqualTo(Map.of("v", 1, "sync", "2024-01-02T00:00", "pk0", 3150L, "sync_column", "UPDATED_AT", "key_columns", "ID"));
  }

  @Test
  void compositeLowerCaseQuotedKeyFromMetadataRestartsRightAfterTheLastCommittedRow() throws Exception {
    db.exec("CREATE TABLE \"order lines\" (\"order id\" NUMBER(10), \"line no\" NUMBER(4), \"qty\" NUMBER(5),"
        + " \"changed\" TIMESTAMP, PRIMARY KEY (\"order id\", \"line no\"))");
    try (PreparedStatement ps = db.prepare("INSERT INTO \"order lines\" VALUES (?, ?, ?, ?)")) {
      for (int order = 1; order <= 200; order++) {
        for (int line = 1; line <= 5; line++) {
          ps.setInt(1, order);
          ps.setInt(2, line);
          ps.setInt(3, order * line);
          // three timestamps shared by hundreds of rows each
          ps.setObject(4, java.time.LocalDateTime.of(2024, 5, 1, 10, 0).plusHours(order % 3));
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
    Map<String, String> config = db.config("\"order lines\"");
    config.put("oracle.sync_column", "\"changed\"");
    config.put("sync.read_batch_size", "70");
    config.put("topic.template", "oracle.${table}");
    harness.start(config);

    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      harness.poll().forEach(r -> seen.add(key(r, "order id") + "/" + key(r, "line no")));
    }
    assertThat(seen).hasSize(280);
    harness.restart(config);
    harness.pollUntilIdle(DEADLINE).forEach(r -> seen.add(key(r, "order id") + "/" + key(r, "line no")));

    assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
    SourceRecord last = harness.records.get(harness.records.size() - 1);
    assertThat(last.topic()).isEqualTo("oracle.order_lines");
    assertThat(last.sourcePartition()).isEqualTo(Map.of("table", "order lines"));
    assertThat(last.keySchema().fields()).extracting(f -> f.name()).containsExactly("order id", "line no");
    assertThat(((Struct) last.value()).get("qty")).isEqualTo(((Number) key(last, "order id")).intValue()
        * ((Number) key(last, "line no")).intValue());
  }

  @Test
  void typesAreMappedExactlyIncludingNullsUnicodeAndAOneMegabyteClob() throws Exception {
    db.exec("CREATE TABLE TYPES (ID NUMBER(10) PRIMARY KEY, BIG NUMBER(38), SMALL NUMBER(2), MONEY NUMBER(12,2), ANY_NUM NUMBER,"
        + " F32 BINARY_FLOAT, F64 BINARY_DOUBLE, NAME VARCHAR2(100), NNAME NVARCHAR2(100), CODE CHAR(3), DOC CLOB, BIN RAW(4),"
        + " BLOBBY BLOB, BORN DATE, AT_TS TIMESTAMP(6), AT_TZ TIMESTAMP WITH TIME ZONE, SPAN INTERVAL DAY TO SECOND,"
        + " AGE INTERVAL YEAR TO MONTH)");
    String mega = "汉字🙂".repeat(1024 * 1024 / 4) + "end";
    try (PreparedStatement ps = db.prepare("INSERT INTO TYPES VALUES (1, 12345678901234567890123456789012345678, -7, 1234567890.12,"
        + " 0.000000000000000000000000123456789012345, 1.5, 2.25, '名前 Ünïcödé 🙂', N'飞书', 'AB ', ?, HEXTORAW('CAFEBABE'), ?,"
        + " TIMESTAMP '2024-03-01 13:45:30', TIMESTAMP '2024-03-01 13:45:30.123456', TIMESTAMP WITH TIME ZONE '2024-03-01 13:45:30.5+05:30',"
        + " INTERVAL '1 02:03:04.5' DAY TO SECOND, INTERVAL '3-2' YEAR TO MONTH)")) {
      ps.setString(1, mega);
      ps.setBytes(2, "blob".getBytes(StandardCharsets.UTF_8));
      ps.executeUpdate();
    }
    db.exec("INSERT INTO TYPES (ID) VALUES (2)");
    Map<String, String> config = db.config("TYPES");
    config.put("oracle.timezone", "+08:00");
    config.put("mode", "bulk");
    harness.start(config);
    harness.pollUntil(r -> r.size() >= 2, DEADLINE);

    Struct v = (Struct) harness.records.get(0).value();
    Schema s = v.schema();
    assertThat(v.get("BIG")).isEqualTo(new BigDecimal("12345678901234567890123456789012345678"));
    assertThat(s.field("BIG").schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
    assertThat(s.field("BIG").schema().parameters()).containsEntry("connect.decimal.precision", "38");
    assertThat(v.get("SMALL")).isEqualTo((byte) -7);
    assertThat(v.get("ID")).isEqualTo(1L);
    assertThat(v.get("MONEY")).isEqualTo(new BigDecimal("1234567890.12"));
    assertThat(s.field("MONEY").schema().parameters()).containsEntry("scale", "2").containsEntry("connect.decimal.precision", "12");
    assertThat(v.get("ANY_NUM")).isEqualTo("0.000000000000000000000000123456789012345");
    assertThat(v.get("F32")).isEqualTo(1.5f);
    assertThat(v.get("F64")).isEqualTo(2.25d);
    assertThat(v.get("NAME")).isEqualTo("名前 Ünïcödé 🙂");
    assertThat(v.get("NNAME")).isEqualTo("飞书");
    assertThat(v.get("CODE")).isEqualTo("AB ");
    assertThat((String) v.get("DOC")).hasSize(mega.length()).endsWith("end").isEqualTo(mega);
    assertThat((byte[]) v.get("BIN")).containsExactly(0xCA, 0xFE, 0xBA, 0xBE);
    assertThat((byte[]) v.get("BLOBBY")).isEqualTo("blob".getBytes(StandardCharsets.UTF_8));
    assertThat(((java.util.Date) v.get("BORN")).toInstant()).isEqualTo(Instant.parse("2024-03-01T05:45:30Z"));
    assertThat(((java.util.Date) v.get("AT_TS")).toInstant()).isEqualTo(Instant.parse("2024-03-01T05:45:30.123Z"));
    assertThat(v.get("AT_TZ")).isEqualTo("2024-03-01T13:45:30.5+05:30");
    assertThat(s.field("AT_TZ").schema().name()).isEqualTo("io.debezium.time.ZonedTimestamp");
    assertThat(v.get("SPAN")).isEqualTo("PT26H3M4.5S");
    assertThat(v.get("AGE")).isEqualTo("P3Y2M");

    Struct nulls = (Struct) harness.records.get(1).value();
    for (String column : List.of("BIG", "SMALL", "MONEY", "ANY_NUM", "F32", "F64", "NAME", "DOC", "BIN", "BLOBBY", "BORN", "AT_TZ", "SPAN")) {
      assertThat(nulls.get(column)).as(column).isNull();
      assertThat(nulls.schema().field(column).schema().isOptional()).as(column).isTrue();
    }
  }

  @Test
  void aLobOverTheLimitStopsTheTaskNamingTableRowAndColumn() throws Exception {
    db.exec("CREATE TABLE DOCS (ID NUMBER(10) PRIMARY KEY, BODY CLOB)",
        "INSERT INTO DOCS VALUES (7, '" + "x".repeat(2000) + "')");
    Map<String, String> config = db.config("DOCS");
    config.put("sync.lob_max_chars", "1000");
    harness.start(config);
    assertThatThrownBy(harness::poll).isInstanceOf(ConnectException.class)
        .hasMessageContaining("DOCS").hasMessageContaining("key 7").hasMessageContaining("BODY")
        .hasMessageContaining("sync.lob_max_chars");
  }

  @Test
  void nanAndInfinitiesStopTheTaskNamingRowAndColumnOnceTheRowsBeforeThemAreHandedOver() throws Exception {
    db.exec("CREATE TABLE MEASURES (ID NUMBER(10) PRIMARY KEY, V BINARY_DOUBLE, W BINARY_FLOAT)");
    try (PreparedStatement ps = db.prepare("INSERT INTO MEASURES VALUES (?, ?, ?)")) {
      Object[][] rows = {{1, 1.5, 1f}, {2, 2.5, 2f}, {3, Double.NaN, 3f}, {4, 4.0, Float.NEGATIVE_INFINITY}};
      for (Object[] row : rows) {
        ps.setInt(1, (Integer) row[0]);
        ps.setDouble(2, (Double) row[1]);
        ps.setFloat(3, (Float) row[2]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    Map<String, String> config = db.config("MEASURES");
    config.put("mode", "bulk");
    harness.start(config);

    assertThat(ids(harness.poll())).as("the rows before the bad one").containsExactly(1L, 2L);
    assertThatThrownBy(harness::poll).isInstanceOf(ConnectException.class)
        .hasMessageContaining("MEASURES").hasMessageContaining("key 3").hasMessageContaining("column V holds NaN")
        .hasMessageContaining("NULL or a finite number");

    db.exec("UPDATE MEASURES SET V = 3.5 WHERE ID = 3");
    harness.restart(config);
    assertThatThrownBy(() -> harness.pollUntil(r -> r.size() >= 2, DEADLINE)).isInstanceOf(ConnectException.class)
        .hasMessageContaining("key 4").hasMessageContaining("column W holds -Infinity");
    assertThat(ids(harness.records)).as("read on from the last row handed over").containsExactly(3L);
  }

  @Test
  void integersOfMoreThanFifteenDigitsTellTheSinkTheirPrecision() throws Exception {
    db.exec("CREATE TABLE IDS (ID NUMBER(10) PRIMARY KEY, ORDER_NO NUMBER(18), QTY NUMBER(9))",
        "INSERT INTO IDS VALUES (1, 123456789012345678, 5)");
    Map<String, String> config = db.config("IDS");
    config.put("mode", "bulk");
    harness.start(config);
    Struct v = (Struct) harness.pollUntil(r -> !r.isEmpty(), DEADLINE).get(0).value();

    assertThat(v.get("ORDER_NO")).isEqualTo(123456789012345678L);
    assertThat(v.schema().field("ORDER_NO").schema().parameters()).containsEntry("connect.decimal.precision", "18");
    assertThat(v.schema().field("ID").schema().parameters()).containsEntry("connect.decimal.precision", "10");
  }

  @Test
  void softDeletedRowBecomesATombstoneForItsKey() throws Exception {
    db.exec("CREATE TABLE CUSTOMERS (ID NUMBER(10) PRIMARY KEY, NAME VARCHAR2(20), DELETED NUMBER(1) DEFAULT 0, UPDATED_AT TIMESTAMP)",
        "INSERT INTO CUSTOMERS VALUES (1, 'a', 0, TIMESTAMP '2024-01-01 00:00:00')",
        "INSERT INTO CUSTOMERS VALUES (2, 'b', 0, TIMESTAMP '2024-01-01 00:00:01')");
    Map<String, String> config = db.config("CUSTOMERS");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("sync.soft_delete_column", "DELETED");
    config.put("sync.soft_delete_value", "1");
    harness.start(config);
    harness.pollUntil(r -> r.size() == 2, DEADLINE);

    db.exec("UPDATE CUSTOMERS SET DELETED = 1, UPDATED_AT = LOCALTIMESTAMP - INTERVAL '1' SECOND WHERE ID = 1");
    harness.pollUntil(r -> r.size() == 3, DEADLINE);

    SourceRecord tombstone = harness.records.get(2);
    assertThat(key(tombstone, "ID")).isEqualTo(1L);
    assertThat(tombstone.value()).isNull();
    assertThat(tombstone.valueSchema()).isNull();
    assertThat(harness.records.get(1).value()).isNotNull();
  }

  @Test
  void rowsNewerThanTheClockMinusTheDelayWaitAndUpdatesAreReadOnce() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(40))");
    insertEvents(1, 10, "2024-01-01 00:00:00");
    db.exec("INSERT INTO EVENTS VALUES (11, LOCALTIMESTAMP + INTERVAL '1' HOUR, 'from the future')");
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("sync.timestamp_delay_ms", "60000");
    harness.start(config);
    harness.pollUntilIdle(DEADLINE);
    assertThat(ids(harness.records)).hasSize(10).doesNotContain(11L);

    db.exec("UPDATE EVENTS SET NOTE = 'changed', UPDATED_AT = LOCALTIMESTAMP - INTERVAL '2' MINUTE WHERE ID = 4");
    harness.pollUntil(r -> r.size() == 11, DEADLINE);
    harness.pollUntilIdle(DEADLINE);
    assertThat(harness.records).hasSize(11);
    assertThat(((Struct) harness.records.get(10).value()).get("NOTE")).isEqualTo("changed");
  }

  @Test
  void numericSyncColumnChoosesIncrementingAndNewRowsFollow() throws Exception {
    db.exec("CREATE TABLE LOG (SEQ NUMBER(18) PRIMARY KEY, MSG VARCHAR2(20))");
    for (int i = 1; i <= 25; i++) {
      db.exec("INSERT INTO LOG VALUES (" + i + ", 'm" + i + "')");
    }
    Map<String, String> config = db.config("LOG");
    config.put("oracle.sync_column", "SEQ");
    config.put("sync.read_batch_size", "10");
    harness.start(config);
    harness.pollUntil(r -> r.size() == 25, DEADLINE);
    db.exec("INSERT INTO LOG VALUES (26, 'm26')", "INSERT INTO LOG VALUES (27, 'm27')");
    harness.pollUntil(r -> r.size() == 27, DEADLINE);

    assertThat(harness.records).extracting(r -> key(r, "SEQ")).doesNotHaveDuplicates().endsWith(26L, 27L);
    assertThat(harness.records.get(26).sourceOffset()).isEqualTo(Map.of("v", 1, "sync", 27L, "pk0", 27L,
        "sync_column", "SEQ", "key_columns", "SEQ"));
  }

  @Test
  void bulkModeCopiesTheWholeTableEachPass() throws Exception {
    db.exec("CREATE TABLE CODES (CODE VARCHAR2(5) PRIMARY KEY, LABEL VARCHAR2(20))",
        "INSERT INTO CODES VALUES ('a', 'A')", "INSERT INTO CODES VALUES ('b', 'B')", "INSERT INTO CODES VALUES ('c', 'C')");
    Map<String, String> config = db.config("CODES");
    config.put("sync.read_batch_size", "2");
    harness.start(config);
    harness.pollUntil(r -> r.size() >= 6, DEADLINE);
    assertThat(harness.records.subList(0, 6)).extracting(r -> key(r, "CODE")).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void bulkModeWithASyncColumnNamedStillCopiesTheRowsThatHaveNoSyncValue() throws Exception {
    db.exec("CREATE TABLE TAGS (ID NUMBER(5) PRIMARY KEY, UPDATED_AT TIMESTAMP)",
        "INSERT INTO TAGS VALUES (1, TIMESTAMP '2024-01-01 00:00:00')", "INSERT INTO TAGS VALUES (2, NULL)",
        "INSERT INTO TAGS VALUES (3, TIMESTAMP '2023-01-01 00:00:00')");
    Map<String, String> config = db.config("TAGS");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("mode", "bulk");
    harness.start(config);
    harness.pollUntil(r -> r.size() >= 3, DEADLINE);

    assertThat(harness.records.subList(0, 3)).as("every row, in key order").extracting(r -> key(r, "ID"))
        .containsExactly(1, 2, 3);
  }

  @Test
  void aTimeSoftDeleteColumnMarksARowDeletedOnceItHoldsATimeAndANumberFlagMatchesAsANumber() throws Exception {
    db.exec("CREATE TABLE ACCOUNTS (ID NUMBER(10) PRIMARY KEY, DELETED_AT TIMESTAMP, UPDATED_AT TIMESTAMP)",
        "INSERT INTO ACCOUNTS VALUES (1, NULL, TIMESTAMP '2024-01-01 00:00:00')",
        "INSERT INTO ACCOUNTS VALUES (2, TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 00:00:01')",
        "CREATE TABLE FLAGS (ID NUMBER(10) PRIMARY KEY, REMOVED BINARY_DOUBLE, UPDATED_AT TIMESTAMP)",
        "INSERT INTO FLAGS VALUES (1, 0, TIMESTAMP '2024-01-01 00:00:00')",
        "INSERT INTO FLAGS VALUES (2, 1, TIMESTAMP '2024-01-01 00:00:01')");
    Map<String, String> accounts = db.config("ACCOUNTS");
    accounts.put("oracle.sync_column", "UPDATED_AT");
    accounts.put("sync.soft_delete_column", "DELETED_AT"); // sync.soft_delete_value left at 1: not used for a time
    harness.start(accounts);
    harness.pollUntil(r -> r.size() == 2, DEADLINE);
    assertThat(harness.records.get(0).value()).isNotNull();
    assertThat(harness.records.get(1).value()).as("row 2 has a DELETED_AT").isNull();
    Map<String, String> flags = db.config("FLAGS");
    flags.put("oracle.sync_column", "UPDATED_AT");
    flags.put("sync.soft_delete_column", "REMOVED");
    harness.restart(flags);
    harness.pollUntil(r -> r.size() == 2, DEADLINE);
    assertThat(harness.records.get(0).value()).isNotNull();
    assertThat(harness.records.get(1).value()).as("REMOVED reads as 1.0, which is 1").isNull();
  }

  @Test
  void aConfiguredColumnListShapesTheValueButKeyAndSyncAreAlwaysRead() throws Exception {
    db.exec("CREATE TABLE WIDE (ID NUMBER(10) PRIMARY KEY, A VARCHAR2(5), B VARCHAR2(5), SECRET VARCHAR2(20), UPDATED_AT TIMESTAMP)",
        "INSERT INTO WIDE VALUES (1, 'a', 'b', 'do not send', TIMESTAMP '2024-01-01 00:00:00')");
    Map<String, String> config = db.config("WIDE");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("oracle.columns", "B, A");
    harness.start(config);
    harness.pollUntil(r -> r.size() == 1, DEADLINE);
    Struct v = (Struct) harness.records.get(0).value();
    assertThat(v.schema().fields()).extracting(f -> f.name()).containsExactly("ID", "A", "B", "UPDATED_AT");
    assertThat(v.get("A")).isEqualTo("a");
  }

  @Test
  void severalTablesInOneTaskAreAllRead() throws Exception {
    db.exec("CREATE SCHEMA SALES", "CREATE TABLE SALES.A (ID NUMBER(5) PRIMARY KEY)", "CREATE TABLE SALES.B (ID NUMBER(5) PRIMARY KEY)");
    for (int i = 1; i <= 30; i++) {
      db.exec("INSERT INTO SALES.A VALUES (" + i + ")", "INSERT INTO SALES.B VALUES (" + i + ")");
    }
    Map<String, String> config = db.config("SALES.A, sales.b");
    config.put("sync.read_batch_size", "7");
    config.put("topic.template", "oracle.${schema}.${table}");
    harness.start(config);
    // bulk mode (no sync column): each pass reads a whole table again
    harness.pollUntil(r -> r.stream().filter(x -> x.topic().equals("oracle.SALES.A")).count() >= 30
        && r.stream().filter(x -> x.topic().equals("oracle.SALES.B")).count() >= 30, DEADLINE);
    Set<Long> all = java.util.stream.LongStream.rangeClosed(1, 30).boxed().collect(Collectors.toSet());
    for (String topic : List.of("oracle.SALES.A", "oracle.SALES.B")) {
      List<Object> firstPass = harness.records.stream().filter(r -> r.topic().equals(topic)).limit(30)
          .map(r -> ((Number) ((Struct) r.value()).get("ID")).longValue()).collect(Collectors.toList());
      assertThat(firstPass).as("the first pass over %s: every row once", topic).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(all);
    }
  }

  @Test
  void aDatabaseThatGoesAwayAndComesBackIsReadOnFromTheLastRow() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(40))");
    insertEvents(1, 100, "2024-01-01 00:00:00");
    Server server = Server.createTcpServer("-tcpPort", "0").start();
    int port = server.getPort();
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.url", "jdbc:h2:tcp://localhost:" + port + "/mem:" + db.name + ";MODE=Oracle");
    config.put("oracle.sync_column", "ID");
    config.put("sync.read_batch_size", "30");
    harness.start(config);
    harness.poll();
    assertThat(harness.records).hasSize(30);

    server.stop();
    assertThatThrownBy(harness::poll).isInstanceOf(RetriableException.class);
    insertEvents(101, 120, "2024-01-01 00:00:00");
    // while the backoff runs, poll() answers nothing (the worker stops tasks only between polls);
    // once it is over, the database is still down
    org.awaitility.Awaitility.await().atMost(DEADLINE).untilAsserted(() ->
        assertThatThrownBy(harness::poll).as("still down").isInstanceOf(RetriableException.class));
    server = Server.createTcpServer("-tcpPort", String.valueOf(port)).start();
    try {
      harness.pollUntil(r -> r.size() == 120, DEADLINE);
    } finally {
      server.stop();
    }
    assertThat(ids(harness.records)).doesNotHaveDuplicates().hasSize(120);
  }

  @Test
  void anOffsetWrittenForAnotherSyncColumnTypeStopsTheTaskAskingForAReset() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(40))");
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.sync_column", "UPDATED_AT");
    harness.committed.put(Map.of("table", "EVENTS"), Map.of("v", 1, "sync", 12345L, "pk0", 40L));
    harness.start(config);
    assertThatThrownBy(harness::poll).isInstanceOf(ConnectException.class)
        .hasMessageContaining("EVENTS").hasMessageContaining("DELETE /connectors/<name>/offsets");
  }

  @Test
  void anOffsetWrittenForAnotherSyncColumnOfTheSameTypeStopsTheTaskRatherThanPassOverRows() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, CREATED_AT TIMESTAMP(6), UPDATED_AT TIMESTAMP(6))");
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.sync_column", "UPDATED_AT"); // it was CREATED_AT when the position was stored
    harness.committed.put(Map.of("table", "EVENTS"), Map.of("v", 1, "sync", "2030-01-01T00:00", "pk0", 40L,
        "sync_column", "CREATED_AT", "key_columns", "ID"));
    harness.start(config);

    assertThatThrownBy(harness::poll).isInstanceOf(ConnectException.class)
        .hasMessageContaining("written for sync column CREATED_AT").hasMessageContaining("--reset-checkpoint")
        .hasMessageContaining("DELETE /connectors/<name>/offsets");
  }

  @Test
  void storedOffsetsAreTheStartingPoint() throws Exception {
    db.exec("CREATE TABLE EVENTS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP(6), NOTE VARCHAR2(40))");
    insertEvents(1, 50, "2024-01-01 00:00:00");
    Map<String, String> config = db.config("EVENTS");
    config.put("oracle.sync_column", "UPDATED_AT");
    harness.committed.put(Map.of("table", "EVENTS"), Map.of("v", 1, "sync", "2024-01-01T00:00", "pk0", 40L));
    harness.start(config);
    harness.pollUntilIdle(DEADLINE);
    Set<Object> ids = new HashSet<>(ids(harness.records));
    assertThat(ids).containsExactlyInAnyOrder(41L, 42L, 43L, 44L, 45L, 46L, 47L, 48L, 49L, 50L);
  }
}
