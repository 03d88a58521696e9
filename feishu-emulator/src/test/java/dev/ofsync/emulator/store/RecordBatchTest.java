package dev.ofsync.emulator.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * batch_create decodes records while it reads the body, straight from the parser's tokens for the
 * common values. What it stores and what it refuses must be what decoding the trees afterwards
 * gives, value for value: each body here goes both ways, into two tables of the same fields, and the
 * answers, errors and stored cells are compared.
 */
class RecordBatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String APP = "bascnBatchTest01";
  private static final String FIELDS = "[{\"field_name\":\"T\",\"type\":1},{\"field_name\":\"N\",\"type\":2},"
      + "{\"field_name\":\"D\",\"type\":5},{\"field_name\":\"C\",\"type\":7},{\"field_name\":\"S\",\"type\":3},"
      + "{\"field_name\":\"M\",\"type\":4},{\"field_name\":\"U\",\"type\":15},{\"field_name\":\"P\",\"type\":13},"
      + "{\"field_name\":\"Us\",\"type\":11},{\"field_name\":\"L\",\"type\":22},{\"field_name\":\"A\",\"type\":17},"
      + "{\"field_name\":\"K\",\"type\":18},{\"field_name\":\"F\",\"type\":20}]";

  private final EmulatorSettings settings = EmulatorSettings.fast().maxTextCellChars(5);
  private BitableStore store;
  private Base base;

  @BeforeEach
  void setUp() throws Exception {
    store = new BitableStore(settings);
    store.createBase(APP, "Batch", Set.of(), "Base");
    base = store.base(APP, null);
  }

  /** Values of every kind the fast path takes, and the near misses it must hand to the codec. */
  static Stream<String> cells() {
    return Stream.of(
        "\"T\":\"abc\"", "\"T\":\"\"", "\"T\":\"数据\"", "\"T\":\"\\ud83d\\ude00\"", "\"T\":\"a\\ud800b\"",
        "\"T\":\"\\udc00\"", "\"T\":\"\\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\"", "\"T\":\"abcdef\"",
        "\"T\":\"a\\\"b\\\\c\\n\"", "\"T\":42", "\"T\":true", "\"T\":null", "\"T\":[]", "\"T\":{}",
        "\"N\":1", "\"N\":-5", "\"N\":1.5", "\"N\":1e308", "\"N\":1e309", "\"N\":-0.0", "\"N\":0.1",
        "\"N\":12345678901234567890", "\"N\":9007199254740993", "\"N\":\"12\"", "\"N\":true", "\"N\":null",
        "\"N\":2.2250738585072011e-308", "\"N\":[1]",
        "\"D\":1700000000000", "\"D\":-1", "\"D\":1.5", "\"D\":1e3", "\"D\":12345678901234567890", "\"D\":\"x\"",
        "\"D\":9223372036854775807",
        "\"C\":true", "\"C\":false", "\"C\":1", "\"C\":\"true\"",
        "\"S\":\"a\"", "\"S\":\"\\ud800\"", "\"S\":\"long option name\"", "\"S\":7", "\"S\":[\"a\"]",
        "\"M\":[]", "\"M\":[\"a\",\"b\"]", "\"M\":[\"a\",1]", "\"M\":[\"\\ud800\",\"数\"]", "\"M\":\"a\"",
        "\"M\":[[\"a\"]]", "\"M\":[null]", "\"M\":[\"a\",{\"b\":[1,2]}]", "\"M\":" + manyOptions(200),
        "\"U\":{\"link\":\"l\"}", "\"U\":{\"text\":\"t\",\"link\":\"l\"}", "\"U\":{\"text\":null,\"link\":\"l\"}",
        "\"U\":{\"link\":\"l\",\"text\":\"t\",\"x\":[1,{\"y\":2}]}", "\"U\":{\"text\":\"t\"}", "\"U\":{\"link\":5}",
        "\"U\":{\"text\":5,\"link\":\"l\"}", "\"U\":{\"link\":\"a\",\"link\":\"b\"}", "\"U\":{\"link\":null}",
        "\"U\":\"http://x\"", "\"U\":[]", "\"U\":{}", "\"U\":{\"link\":\"l\",\"text\":{\"a\":1}}",
        "\"U\":{\"link\":\"\\ud800数\",\"text\":\"a\\udc00\"}", "\"U\":{\"text\":null,\"text\":\"t\",\"link\":\"l\"}",
        "\"U\":{\"x\":1,\"link\":\"" + "l".repeat(300) + "\"}",
        "\"P\":\"+86 123\"", "\"P\":\"abc\"", "\"P\":5",
        "\"Us\":[{\"id\":\"ou_1\"}]", "\"Us\":[{\"x\":1}]", "\"Us\":\"ou\"",
        "\"L\":\"1,2\"", "\"L\":5", "\"A\":[{\"file_token\":\"f\",\"size\":12}]", "\"A\":[1]",
        "\"K\":[\"recX\"]", "\"K\":[1]", "\"F\":\"x\"", "\"F\":null",
        "\"Nope\":1", "\"T\":\"a\",\"T\":\"b\"", "\"T\":5,\"T\":\"b\"", "\"N\":1,\"T\":\"x\",\"M\":[\"q\"],\"N\":2");
  }

  private static String manyOptions(int n) {
    return IntStream.range(0, n).mapToObj(i -> "\"o" + i + "\"").collect(Collectors.joining(",", "[", "]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void aValueIsStoredOrRefusedAsTheCodecDecidesIt(String fields) throws Exception {
    // alone, and after a good record (so the error names the second), and before one
    assertSameBothWays("{\"records\":[{\"fields\":{" + fields + "}}]}");
    assertSameBothWays("{\"records\":[{\"fields\":{\"T\":\"ok\",\"N\":3}},{\"fields\":{" + fields + "}}]}");
    assertSameBothWays("{\"records\":[{\"fields\":{" + fields + "}},{\"fields\":{\"T\":\"ok\",\"M\":[\"x\"]}}]}");
  }

  @Test
  void aUtf8BodyReadForATableIsDecodedAsItIsReadAndOtherwiseKeptAsTrees() throws Exception {
    Table table = table("Prepared");
    String body = "{\"records\":[{\"fields\":{\"T\":\"a\",\"M\":[\"x\"],\"U\":{\"link\":\"l\"}}}]}";

    assertThat(RecordBatch.parse(bytes(body), table, 5).preparedRows(table)).isNotNull();
    assertThat(RecordBatch.parse(body.getBytes(StandardCharsets.UTF_16LE), table, 5).preparedRows(table)).isNull();
    assertThat(RecordBatch.parse(bytes(body)).preparedRows(table)).isNull();
  }

  @Test
  void theFirstErrorOfTheBatchIsTheOneAnswered() throws Exception {
    assertSameBothWays("{\"records\":[{\"fields\":{\"T\":\"ok\"}},{\"fields\":{\"N\":\"x\",\"Nope\":1}},"
        + "{\"fields\":{\"C\":3}}]}");
    assertSameBothWays("{\"records\":[{\"fields\":{\"Nope\":1,\"N\":\"x\"}},{\"fields\":{\"C\":3}}]}");
  }

  @Test
  void repeatedKeysCountAsTheLastOne() throws Exception {
    assertSameBothWays("{\"records\":[{\"fields\":{\"T\":1},\"fields\":{\"T\":\"b\"}}]}");
    assertSameBothWays("{\"records\":[{\"fields\":{\"T\":\"a\"}}],\"records\":[{\"fields\":{\"N\":2}}]}");
    assertSameBothWays("{\"records\":[{\"fields\":{\"T\":\"a\"}},{\"fields\":{\"T\":2}}],"
        + "\"records\":[{\"fields\":{\"N\":2}}]}");
  }

  @Test
  void aBodyInUtf16IsReadAsTreesAndAnsweredAlike() throws Exception {
    String body = "{\"records\":[{\"fields\":{\"T\":\"数据\",\"M\":[\"a\"],\"U\":{\"link\":\"l\"}}}]}";
    Table a = table("A");
    Table b = table("B");

    Outcome utf16 = outcome(a, () -> RecordBatch.parse(body.getBytes(StandardCharsets.UTF_16BE), a, 5));
    Outcome utf8 = outcome(b, () -> RecordBatch.parse(body.getBytes(StandardCharsets.UTF_8), b, 5));

    assertThat(utf16).isEqualTo(utf8);
    assertThat(utf16.error).isNull();
  }

  @Test
  void aFieldAddedBetweenReadingAndWritingIsTakenAsTheWriteFindsIt() throws Exception {
    Table table = table("Changing");
    RecordBatch batch = RecordBatch.parse(bytes("{\"records\":[{\"fields\":{\"T\":\"a\",\"Later\":5}}]}"), table, 5);

    store.createField(table, JSON.readTree("{\"field_name\":\"Later\",\"type\":2}"));
    store.batchCreate(table, batch, null);

    assertThat(snapshot(table).records()).extracting(TableSnapshot.RecordInfo::fields)
        .containsExactly(Map.of("T", "a", "Later", 5.0));
  }

  @Test
  void aFieldWhoseTypeChangedBetweenReadingAndWritingIsDecodedAsItIsNow() throws Exception {
    Table table = table("Retyped");
    RecordBatch batch = RecordBatch.parse(bytes("{\"records\":[{\"fields\":{\"N\":\"12\"}}]}"), table, 5);
    String numberField = snapshot(table).field("N").orElseThrow().fieldId();

    store.updateField(table, numberField, JSON.readTree("{\"field_name\":\"N\",\"type\":1}"));
    store.batchCreate(table, batch, null);

    assertThat(snapshot(table).records()).extracting(TableSnapshot.RecordInfo::fields)
        .containsExactly(Map.of("N", "12"));
  }

  // ---- both ways ----

  private void assertSameBothWays(String body) throws Exception {
    Table direct = table("Direct" + System.nanoTime());
    Table trees = table("Trees" + System.nanoTime());

    Outcome fast = outcome(direct, () -> RecordBatch.parse(bytes(body), direct, settings.maxTextCellChars()));
    Outcome slow = outcome(trees, () -> RecordBatch.parse(bytes(body)));

    assertThat(fast).as(body).isEqualTo(slow);
  }

  private interface BatchSource {
    RecordBatch read();
  }

  /** What a client would see: the error, or the answer's fields and the cells stored, with ids left out. */
  private record Outcome(String error, List<JsonNode> answered, List<Map<String, Object>> stored) {}

  private Outcome outcome(Table table, BatchSource source) throws Exception {
    try {
      JsonNode data = JSON.readTree(JSON.writeValueAsBytes(store.batchCreate(table, source.read(), null)));
      List<JsonNode> answered = new ArrayList<>();
      for (JsonNode record : data.path("records")) {
        assertThat(Ids.isKeyedRecordId(record.path("record_id").asText())).isTrue();
        answered.add(record.path("fields"));
      }
      List<Map<String, Object>> stored = snapshot(table).records().stream().map(TableSnapshot.RecordInfo::fields)
          .collect(Collectors.toList());
      return new Outcome(null, answered, stored);
    } catch (ApiException e) {
      assertThat(table.rowCount()).as("a failing batch writes nothing").isZero();
      return new Outcome(e.code() + " " + e.getMessage().replace(table.id(), "<table>"), null, null);
    }
  }

  private Table table(String name) throws Exception {
    String id = store.createTable(base, JSON.readTree("{\"table\":{\"name\":\"" + name + "\",\"fields\":" + FIELDS
        + "}}")).path("table_id").asText();
    return store.table(base, id);
  }

  private TableSnapshot snapshot(Table table) {
    return store.snapshot(APP, true).stream().filter(t -> t.tableId().equals(table.id())).findFirst().orElseThrow();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
