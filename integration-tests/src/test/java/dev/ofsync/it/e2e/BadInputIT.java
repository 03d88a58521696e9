package dev.ofsync.it.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.it.ConnectRest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5: input that Oracle holds but JSON, Kafka Connect or Feishu may not. Each case either
 * lands faithfully (as Feishu stores it) or is reported, through the dead-letter queue or a task
 * failure whose message names the row's key and the column, and nothing else is lost. Bad settings
 * are refused by the connectors' validation, one clear message on each key at fault.
 */
class BadInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDateTime STAMP = LocalDateTime.of(2024, 5, 1, 12, 0);
  private static Pipeline pipeline;
  private final List<String> connectors = new ArrayList<>();

  @BeforeAll
  static void start() {
    pipeline = Pipeline.start("bad-input", 2, EmulatorSettings.fast());
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  /** Each case's connectors go with it, so none keeps working (or failing) under the next. */
  @AfterEach
  void removeConnectors() throws Exception {
    for (String c : connectors) {
      pipeline.rest().delete("connectors/" + c);
    }
  }

  /** A table of {@code columns} (besides ID, UPDATED_AT and DELETED) with one row per entry of {@code rows}. */
  private static void table(String name, String columns, List<Object[]> rows) throws Exception {
    pipeline.db().execute("CREATE TABLE " + name + " (ID NUMBER(10) PRIMARY KEY, " + columns
        + ", UPDATED_AT TIMESTAMP(6) NOT NULL, DELETED NUMBER(1) DEFAULT 0 NOT NULL)");
    int values = rows.get(0).length;
    try (Connection c = pipeline.db().connect();
         PreparedStatement ps = c.prepareStatement("INSERT INTO " + name + " VALUES (" + "?, ".repeat(values)
             + "?, 0)")) {
      for (Object[] row : rows) {
        for (int i = 0; i < values; i++) {
          ps.setObject(i + 1, row[i]);
        }
        ps.setObject(values + 1, STAMP);
        ps.executeUpdate();
      }
    }
  }

  private static Object[] row(Object... values) {
    return values;
  }

  /** Source and sink for one table, writing tables named {@code prefix}, both running. */
  private void deploy(String table, String sqlName, String prefix, Map<String, String> sinkExtra) throws Exception {
    deploy(table, sqlName, prefix, sinkExtra, true);
  }

  /** {@code awaitRunning} false: for a case that may fail its tasks before anyone sees them run. */
  private void deploy(String table, String sqlName, String prefix, Map<String, String> sinkExtra,
      boolean awaitRunning) throws Exception {
    connectors.add(prefix + "-source");
    connectors.add(prefix + "-sink");
    Map<String, String> source = pipeline.sourceConfig(sqlName);
    Map<String, String> sink = pipeline.sinkConfig(Pipeline.topic(table), prefix, 20_000);
    sink.putAll(sinkExtra);
    if (awaitRunning) {
      pipeline.deploy(prefix + "-source", source);
      pipeline.deploy(prefix + "-sink", sink);
    } else {
      pipeline.create(prefix + "-source", source);
      pipeline.create(prefix + "-sink", sink);
    }
  }

  private static Map<String, String> deadLetterQueue(String topic) {
    return Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", topic,
        "errors.deadletterqueue.topic.replication.factor", "1", "errors.deadletterqueue.context.headers.enable", "true");
  }

  private static Expectation expect(String sqlName, String prefix) {
    return new Expectation(sqlName, "ID", "DELETED", "1", prefix, 20_000, Set.of());
  }

  @Test
  void valuesAtAndBeyondWhatFeishuHoldsLandFaithfullyOrGoToTheDeadLetterQueue() throws Exception {
    String atLimit = "😀".repeat(10) + "x".repeat(99_990); // 100,000 characters, 100,010 UTF-16 units
    List<Object[]> rows = List.of(
        row(1, "x".repeat(100_001), null, null, null, null, null, null, null),   // over Feishu's 100,000
        row(2, atLimit, null, null, null, null, null, null, null),
        row(3, null, new BigDecimal("1E+400"), null, null, null, null, null, null), // beyond double range
        row(4, null, new BigDecimal("-1E-130"), null, null, null, null, null, null),
        row(5, null, null, new BigDecimal("1E+37"), null, null, null, null, null),  // NUMBER(38)
        row(6, null, null, null, 123_456_789_012_345_678L, null, null, null, null), // beyond 2^53
        row(7, null, null, null, null, new BigDecimal("9999999999999.99"), null, null, null),
        row(8, null, null, null, null, null, LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000), null, null),
        row(9, null, null, null, null, null, LocalDateTime.of(1, 1, 1, 0, 0), null, null),
        row(10, null, null, null, null, null, LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_000_000), null, null),
        row(11, null, null, null, null, null, LocalDateTime.of(10_000, 1, 1, 0, 0), null, null),
        row(12, null, null, null, null, null, null, OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(8)), null),
        row(13, null, null, null, null, null, null, OffsetDateTime.of(12_000, 6, 30, 12, 0, 0, 0, ZoneOffset.UTC), null),
        row(14, null, null, null, null, null, null, null, "a\uD800b lone high surrogate"),
        row(15, null, null, null, null, null, null, null, "\uDC00 lone low surrogate"),
        row(16, null, null, null, null, null, null, null, "controls \u0001\u0007\u001B\t\r\n\u0000\u007F end"),
        row(17, null, null, null, null, null, null, null, "emoji 😀, 中文, العربية, 𝄞"));
    table("ODDITIES", "NOTE CLOB, BIG NUMBER, WIDE NUMBER(38), ORDER_NO NUMBER(18), AMOUNT NUMBER(15,2), "
        + "TS TIMESTAMP(3), TZ TIMESTAMP WITH TIME ZONE, TXT NVARCHAR2(400)", rows);
    deploy("ODDITIES", "ODDITIES", "Oddities", deadLetterQueue("e2e-dlq-oddities"));

    List<ConsumerRecord<byte[], byte[]>> dlq = new ArrayList<>();
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
      dlq.clear();
      pipeline.connect().kafka().consume(1, 1_000, "e2e-dlq-oddities").forEach(dlq::add);
      assertThat(dlq).isNotEmpty();
    });
    Map<String, String> reported = reportedByKey("e2e-dlq-oddities");
    assertThat(reported).as("rows in the dead-letter queue, with the reason").containsOnlyKeys("1");
    assertThat(reported.get("1")).contains("column 'NOTE'").contains("100001 characters").contains("100000");

    pipeline.awaitBitableEqualsTable(expect("ODDITIES", "Oddities").withReported(Set.of("1")), Duration.ofMinutes(1));
    Map<String, Object> lone = record("Oddities", "14");
    assertThat(lone).containsEntry("TXT", "a\uFFFDb lone high surrogate"); // as Feishu stores it (UTF-8)
    assertThat(record("Oddities", "6")).containsEntry("ORDER_NO", "123456789012345678");
    assertThat(record("Oddities", "9")).containsEntry("TS",
        LocalDateTime.of(1, 1, 1, 0, 0).atOffset(pipeline.db().offset()).toInstant().toEpochMilli());
  }

  @Test
  void nanAndInfinitiesStopTheSourceNamingKeyAndColumnAndLandOnceFixed() throws Exception {
    table("FLOATS", "V BINARY_DOUBLE, W BINARY_FLOAT", List.of(
        row(1, 1.5, 1.5f), row(2, 2.5, null), row(3, -3.25, 3f), row(4, Double.NaN, 4f),
        row(5, 5.0, Float.POSITIVE_INFINITY), row(6, 6.5, 6f), row(7, Double.NEGATIVE_INFINITY, 7f)));
    deploy("FLOATS", "FLOATS", "Floats", deadLetterQueue("e2e-dlq-floats"), false);

    String trace = pipeline.awaitFailedTasks("Floats-source", Duration.ofMinutes(1));
    assertThat(trace).contains("table FLOATS, row with key 4").contains("column V holds NaN")
        .contains("set it to NULL or a finite number");
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
        assertThat(keys("Floats")).as("the rows before the NaN").containsExactlyInAnyOrder("1", "2", "3"));

    pipeline.db().execute("UPDATE FLOATS SET V = 4.5, UPDATED_AT = LOCALTIMESTAMP WHERE ID = 4",
        "UPDATE FLOATS SET W = 5.5, UPDATED_AT = LOCALTIMESTAMP WHERE ID = 5",
        "UPDATE FLOATS SET V = -7.5, UPDATED_AT = LOCALTIMESTAMP WHERE ID = 7");
    pipeline.connect().restartTask("Floats-source", 0);
    pipeline.awaitBitableEqualsTable(expect("FLOATS", "Floats"), Duration.ofMinutes(1));
    assertThat(pipeline.records("e2e-dlq-floats")).as("nothing reached the sink's dead-letter queue").isZero();
  }

  @Test
  void columnNamesWithSpacesUnicodeReservedWordsAndCharactersFeishuForbidsInTableNamesLand() throws Exception {
    table("\"Odd Names\"", "\"ORDER DATE\" DATE, \"金额\" NUMBER(10,2), \"SELECT\" VARCHAR2(20), \"FROM\" NUMBER(5), "
        + "\"a/b\\c?d*e:f[g]h\" VARCHAR2(20), \"lower case\" VARCHAR2(20), \"TAB\tAND\"\"QUOTE\" VARCHAR2(20)",
        List.of(row(1, STAMP, new BigDecimal("12.50"), "select *", 7, "slashes", "lower", "odd"),
            row(2, null, new BigDecimal("-0.01"), null, null, "?*:", null, "x")));
    deploy("Odd_Names", "\"Odd Names\"", "OddNames", Map.of());

    pipeline.awaitBitableEqualsTable(expect("\"Odd Names\"", "OddNames"), Duration.ofMinutes(1));
    TableSnapshot t = pipeline.feishu().table(Pipeline.APP_TOKEN, "OddNames").orElseThrow();
    assertThat(t.fields()).extracting(TableSnapshot.FieldInfo::name).contains("ORDER DATE", "金额", "SELECT", "FROM",
        "a/b\\c?d*e:f[g]h", "lower case", "TAB\tAND\"QUOTE");
  }

  @Test
  void aColumnNameLongerThanAFeishuFieldNameStopsTheSinkNamingIt() throws Exception {
    String longName = "C".repeat(101);
    table("LONG_NAMES", "\"" + longName + "\" VARCHAR2(10)", List.of(row(1, "a"), row(2, "b")));
    deploy("LONG_NAMES", "LONG_NAMES", "LongNames", Map.of(), false);

    String traces = pipeline.awaitFailedTasks("LongNames-sink", Duration.ofMinutes(1));
    assertThat(traces).contains("Column '" + longName + "'").contains("101 characters").contains("100")
        .contains("oracle.columns").containsPattern("key [12]");
  }

  @Test
  void moreColumnsThanATableMayHoldStopTheSinkSayingWhatToChange() throws Exception {
    StringBuilder columns = new StringBuilder();
    Object[] values = new Object[301];
    values[0] = 1;
    for (int i = 1; i <= 300; i++) {
      columns.append(i == 1 ? "" : ", ").append(String.format("C%03d NUMBER(5)", i));
      values[i] = i;
    }
    table("WIDE", columns.toString(), List.<Object[]>of(values));
    deploy("WIDE", "WIDE", "Wide", Map.of(), false);

    assertThat(pipeline.awaitFailedTasks("Wide-sink", Duration.ofMinutes(1))).contains("303 fields").contains("300")
        .contains("C300, UPDATED_AT, DELETED").contains("oracle.columns");
  }

  @Test
  void badSettingsGiveOneClearErrorOnEachKeyAtFault() throws Exception {
    Map<String, String> sink = pipeline.sinkConfig("e2e.NOWHERE", "Bad", 20_000);
    sink.put("feishu.table_name_prefix", "Sales/2024");
    sink.put("feishu.max_rows_per_table", "0");
    sink.put("sync.write_batch_size", "501");
    sink.put("feishu.base_url", "ftp://open.feishu.cn");
    sink.put("sync.write_mode", "merge");
    sink.put("feishu.base_table_id", "orders");
    sink.put("sync.max_requests_per_second", "100");
    Map<String, List<String>> sinkErrors = validate(Pipeline.SINK, sink);
    assertThat(sinkErrors).containsOnlyKeys("feishu.table_name_prefix", "feishu.max_rows_per_table",
        "sync.write_batch_size", "feishu.base_url", "sync.write_mode", "feishu.base_table_id",
        "sync.max_requests_per_second");
    assertThat(sinkErrors.values()).allSatisfy(m -> assertThat(m).hasSize(1));
    assertThat(sinkErrors.get("feishu.table_name_prefix").get(0)).contains("'/'").contains("Feishu forbids");
    assertThat(sinkErrors.get("feishu.base_url").get(0)).contains("http(s) URL");
    assertThat(sinkErrors.get("sync.write_mode").get(0)).contains("upsert, append");
    assertThat(sinkErrors.get("feishu.base_table_id").get(0)).contains("tbl");

    Map<String, String> source = pipeline.sourceConfig("ORDERS");
    source.put("oracle.port", "70000");
    source.put("sync.read_batch_size", "0");
    source.put("mode", "fastest");
    source.put("oracle.table_name", "A.B.C");
    source.put("oracle.sync_column", "\"unbalanced");
    source.put("topic.template", "orders");
    Map<String, List<String>> sourceErrors = validate(Pipeline.SOURCE, source);
    assertThat(sourceErrors).containsOnlyKeys("oracle.port", "sync.read_batch_size", "mode", "oracle.table_name",
        "oracle.sync_column", "topic.template");
    assertThat(sourceErrors.values()).allSatisfy(m -> assertThat(m).hasSize(1));
    assertThat(sourceErrors.get("topic.template").get(0)).contains("${table}");
  }

  @Test
  void aTablePrefixFeishuRejectsIsRefusedWhenTheConnectorIsCreated() throws Exception {
    Map<String, String> sink = pipeline.sinkConfig("e2e.NOWHERE", "Orders: 2024", 20_000);
    ConnectRest.Answer created = pipeline.rest().put("connectors/bad-prefix-sink/config", sink);

    assertThat(created.status()).isEqualTo(400);
    assertThat(created.body()).contains("feishu.table_name_prefix").contains("':'").contains("Feishu forbids");
    assertThat(pipeline.connect().connectors()).doesNotContain("bad-prefix-sink");
  }

  /** The validate call's errors, by key (keys without errors left out). */
  private static Map<String, List<String>> validate(String connectorClass, Map<String, String> config) throws Exception {
    Map<String, String> body = new LinkedHashMap<>(config);
    body.put("name", "validate-only"); // what POST /connectors adds from the request's "name"
    ConnectRest.Answer answer = pipeline.rest().put("connector-plugins/" + connectorClass + "/config/validate", body);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    Map<String, List<String>> errors = new TreeMap<>();
    for (JsonNode c : answer.json().path("configs")) {
      List<String> messages = new ArrayList<>();
      c.path("value").path("errors").forEach(e -> messages.add(e.asText()));
      if (!messages.isEmpty()) {
        errors.put(c.path("value").path("name").asText(), messages);
      }
    }
    System.out.println("[e2e] validate " + connectorClass + ": " + errors);
    return errors;
  }

  /** Key (the ID) to the exception message of each record in the dead-letter queue. */
  private static Map<String, String> reportedByKey(String topic) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : pipeline.connect().kafka().consumeAll(10_000, topic)) {
      JsonNode key = JSON.readTree(r.key());
      Header message = r.headers().lastHeader("__connect.errors.exception.message");
      out.put(key.path("payload").path("ID").asText(),
          message == null ? "(no message header)" : new String(message.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static Set<String> keys(String prefix) {
    Set<String> out = new HashSet<>();
    BitableComparison.ours(pipeline.feishu().tables(Pipeline.APP_TOKEN), prefix)
        .forEach(t -> t.records().forEach(r -> out.add(String.valueOf(r.fields().get("ID")))));
    return out;
  }

  private static Map<String, Object> record(String prefix, String key) {
    return BitableComparison.ours(pipeline.feishu().tables(Pipeline.APP_TOKEN), prefix).stream()
        .flatMap(t -> t.records().stream()).filter(r -> key.equals(r.fields().get("ID"))).findFirst().orElseThrow()
        .fields();
  }
}
