package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.WRONG_REQUEST_BODY;
import static dev.ofsync.emulator.api.ErrorCodes.WRONG_REQUEST_JSON;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ofsync.emulator.api.ApiException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A batch_create body, read as a stream, without a tree (a map per record) that the write path
 * would only throw away. Where the body is UTF-8, as every client sends it, each record's {@code
 * "fields"} object is also kept as the bytes that were sent, so the answer, which repeats them,
 * copies bytes instead of writing JSON again.
 *
 * <p>Read for a table ({@link #parse(byte[], Table, int)}), each record is decoded into a packed
 * {@link Row} as its tokens go by: the common cells of the common types straight from the parser,
 * everything else through {@link CellCodec#decode}, which stays the rule for what is accepted. A
 * record's first error is kept and thrown by {@link #preparedRows}, where the write would have
 * decoded it, so errors come in the same order as before. Read without a table, or when the table's
 * fields changed meanwhile, each record is kept as field names and trees, and the write decodes those.
 */
public final class RecordBatch {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // the same doubles (correctly rounded), found sooner
      .build();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final SerializedString RECORD_ID = new SerializedString("record_id");
  private static final SerializedString FIELDS = new SerializedString("fields");

  private byte[] body;
  /** The body is {@code body[0, length)}: a pooled array may be longer. */
  private final int length;
  private int records;
  /** Where record r's fields object starts and ends in the body; -1 where unknown. */
  private int[] rawStart = new int[64];
  private int[] rawEnd = new int[64];

  // as trees: record r's fields are entries [first[r], first[r + 1]) of names and values
  private boolean trees;
  private int[] first;
  private String[] names;
  private JsonNode[] values;
  private int entries;

  // decoded for a table
  private Table table;
  private Table.Schema schema;
  private int maxTextChars;
  private CellPacker packer;
  private PackedRows rows;
  private ApiException error;
  /**
   * The field of the name met at each position of the last record. Records repeat their names in
   * the same order, and the parser hands out one String per name, so this finds most fields by
   * reference, without hashing.
   */
  private String[] lastNames = new String[16];
  private Field[] lastFields = new Field[16];

  private RecordBatch(byte[] body, int length) {
    this.body = body;
    this.length = length;
  }

  public int size() {
    return records;
  }

  int fieldCount(int record) {
    return first[record + 1] - first[record];
  }

  String name(int record, int field) {
    return names[first[record] + field];
  }

  JsonNode value(int record, int field) {
    return values[first[record] + field];
  }

  /** Reads {@code {"records": [{"fields": {...}}, ...]}} as field names and trees, refusing what Feishu refuses. */
  public static RecordBatch parse(byte[] body) {
    return parse(body, body.length);
  }

  /** As {@link #parse(byte[])}, for a body in {@code body[0, length)}. */
  public static RecordBatch parse(byte[] body, int length) {
    RecordBatch batch = new RecordBatch(body, length);
    batch.read();
    return batch;
  }

  /**
   * Reads the body as {@link #parse(byte[])} does, and decodes each record against {@code table}'s
   * fields, with strict cell types and text cells of at most {@code maxTextChars}.
   */
  public static RecordBatch parse(byte[] body, Table table, int maxTextChars) {
    return parse(body, body.length, table, maxTextChars);
  }

  /**
   * As {@link #parse(byte[], Table, int)}, for a body in {@code body[0, length)}; the packed rows go
   * into an array from {@link BytePool}. Give the arrays back with {@link #release} once answered.
   */
  public static RecordBatch parse(byte[] body, int length, Table table, int maxTextChars) {
    RecordBatch batch = new RecordBatch(body, length);
    batch.table = table;
    batch.schema = table.schema();
    batch.maxTextChars = maxTextChars;
    batch.packer = new CellPacker();
    batch.rows = new PackedRows(BytePool.take(length)); // packed rows take less room than their JSON
    batch.read();
    batch.packer = null;
    return batch;
  }

  /**
   * The records decoded as rows, when the body was read for {@code table} and its fields have not
   * changed since; null otherwise (decode the trees then). Throws the first record's error. Call
   * holding the table's write lock.
   */
  PackedRows preparedRows(Table table) {
    if (rows == null || this.table != table || table.schema().version() != schema.version()) {
      return null;
    }
    if (error != null) {
      throw error;
    }
    return rows;
  }

  /**
   * Gives the body's array and the packed rows' to {@link BytePool}, when the call is answered and
   * nothing reads this batch any more. The body's array is the caller's: {@code bodyIsPooled} says
   * whether it came from the pool.
   */
  public void release(boolean bodyIsPooled) {
    if (bodyIsPooled) {
      BytePool.give(body);
    }
    if (rows != null) {
      BytePool.give(rows.bytes());
    }
    body = null;
    rows = null;
  }

  /** Makes sure the records are held as trees, reading the body again if they were only decoded. */
  void ensureTrees() {
    if (!trees) {
      RecordBatch again = parse(body, length);
      first = again.first;
      names = again.names;
      values = again.values;
      entries = again.entries;
      trees = true;
    }
  }

  private void read() {
    if (length == 0) {
      throw missingRecords();
    }
    try (JsonParser p = FACTORY.createParser(body, 0, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: the body must be a JSON object");
      }
      if (table != null && p.currentTokenLocation().getByteOffset() < 0) {
        rows = null; // not UTF-8: no byte offsets to go back to; trees only
      }
      if (rows == null) {
        trees = true;
        first = new int[64];
        names = new String[512];
        values = new JsonNode[512];
      }
      boolean sawRecords = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (!name.equals("records")) {
          p.skipChildren();
          continue;
        }
        if (sawRecords) {
          records = 0; // a repeated key: the last one counts, as in a tree
          entries = 0;
          error = null;
          if (rows != null) {
            rows = new PackedRows(length);
          }
        }
        sawRecords = true;
        if (t != JsonToken.START_ARRAY) {
          throw missingRecords();
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
          readRecord(p);
        }
      }
      if (p.nextToken() != null) {
        throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: text after the JSON object");
      }
      if (!sawRecords) {
        throw missingRecords();
      }
    } catch (JsonProcessingException e) {
      throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: the body is not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: " + e.getMessage());
    }
    for (int r = 0; r < records; r++) {
      if (rawStart[r] < 0 && rows != null) {
        rows = null; // the answer repeats the fields from trees: keep them
        ensureTrees();
        break;
      }
    }
  }

  private void readRecord(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw noFields();
    }
    boolean sawFields = false;
    int start = -1;
    int end = -1;
    ApiException earlier = error;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      if (!key.equals("fields")) {
        p.skipChildren();
        continue;
      }
      if (t != JsonToken.START_OBJECT) {
        throw noFields();
      }
      // a repeated key: the last one counts, as in a tree
      if (trees) {
        entries = first[records];
      }
      error = earlier;
      sawFields = true;
      start = (int) p.currentTokenLocation().getByteOffset();
      if (rows != null) {
        packer.beginRow(schema.slots());
      }
      int position = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (rows == null) {
          add(name, value(p, true));
        } else if (error != null) {
          p.skipChildren(); // the batch fails: only the JSON is still checked
        } else {
          Field f = field(name, position++);
          if (f == null) {
            error = BitableStore.unknownField(table, name);
            p.skipChildren();
            continue;
          }
          try {
            cell(p, f);
          } catch (ApiException e) {
            error = e;
          }
        }
      }
      end = (int) p.currentLocation().getByteOffset();
    }
    if (!sawFields) {
      throw noFields();
    }
    if (records + 2 > rawStart.length) {
      rawStart = Arrays.copyOf(rawStart, rawStart.length * 2);
      rawEnd = Arrays.copyOf(rawEnd, rawStart.length);
    }
    boolean raw = start >= 0 && end > start && end <= length && body[start] == '{' && body[end - 1] == '}';
    rawStart[records] = raw ? start : -1;
    rawEnd[records] = raw ? end : -1;
    if (rows != null && error == null) {
      packer.finishRow(rows);
    }
    records++;
    if (trees) {
      if (records + 1 > first.length) {
        first = Arrays.copyOf(first, first.length * 2);
      }
      first[records] = entries;
    }
  }

  /** The field of {@code name}, the {@code position}th of its record; null when the table has none. */
  private Field field(String name, int position) {
    if (position < lastNames.length && lastNames[position] == name) {
      return lastFields[position];
    }
    Field f = schema.byName().get(name);
    if (position >= lastNames.length) {
      lastNames = Arrays.copyOf(lastNames, Math.max(2 * lastNames.length, position + 1));
      lastFields = Arrays.copyOf(lastFields, lastNames.length);
    }
    lastNames[position] = name;
    lastFields[position] = f;
    return f;
  }

  /**
   * Decodes the value at the parser into {@code f}'s slot of the row being packed. The common
   * values of the common types are taken from the parser's tokens, accepting and storing exactly
   * what {@link CellCodec#decode} would; any other value goes through decode itself. The whole value
   * is read before an error is thrown.
   */
  private void cell(JsonParser p, Field f) throws IOException {
    JsonToken t = p.currentToken();
    int slot = f.slot;
    if (t == JsonToken.VALUE_NULL) {
      packer.clear(slot); // decode clears a cell on null, whatever the type
      return;
    }
    switch (f.type) {
      case TEXT:
        if (t == JsonToken.VALUE_STRING && p.getTextLength() <= maxTextChars) {
          packer.putChars(slot, p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), true);
          return;
        }
        break;
      case SINGLE_SELECT:
        if (t == JsonToken.VALUE_STRING) {
          packer.putChars(slot, p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), false);
          return;
        }
        break;
      case NUMBER:
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          packer.putDouble(slot, (double) p.getLongValue());
          return;
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
          double d = p.getDoubleValue();
          if (!Double.isNaN(d) && !Double.isInfinite(d)) {
            packer.putDouble(slot, d);
            return;
          }
        }
        break;
      case DATE_TIME:
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          packer.putLong(slot, p.getLongValue());
          return;
        }
        break;
      case CHECKBOX:
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
          packer.putBoolean(slot, t == JsonToken.VALUE_TRUE);
          return;
        }
        break;
      case MULTI_SELECT:
        if (t == JsonToken.START_ARRAY) {
          multiSelect(p, f);
          return;
        }
        break;
      case URL:
        if (t == JsonToken.START_OBJECT) {
          url(p, f);
          return;
        }
        break;
      default:
        break;
    }
    packer.putValue(slot, CellCodec.decode(f, value(p, true), maxTextChars, true));
  }

  /** An array of option names; anything else in it goes to decode. */
  private void multiSelect(JsonParser p, Field f) throws IOException {
    int from = (int) p.currentTokenLocation().getByteOffset();
    int start = packer.beginList();
    int count = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_STRING) {
        packer.rewind(start);
        p.skipChildren();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          p.skipChildren();
        }
        decodeAgain(p, f, from);
        return;
      }
      packer.listItem(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      count++;
    }
    packer.endList(f.slot, start, count);
  }

  /**
   * {"text": string or null (or none), "link": string}, other keys left alone, each of the two at
   * most once; anything else goes to decode.
   */
  private void url(JsonParser p, Field f) throws IOException {
    int from = (int) p.currentTokenLocation().getByteOffset();
    int start = packer.beginUrl();
    int textFrom = -1;
    int textTo = -1;
    int linkFrom = -1;
    int linkTo = -1;
    boolean sawText = false;
    boolean fits = true;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      if (fits && key.equals("link")) {
        fits = linkFrom < 0 && t == JsonToken.VALUE_STRING;
        if (fits) {
          linkFrom = packer.mark();
          packer.urlPart(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
          linkTo = packer.mark();
        }
      } else if (fits && key.equals("text")) {
        fits = !sawText && (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL);
        sawText = true;
        if (fits && t == JsonToken.VALUE_STRING) {
          textFrom = packer.mark();
          packer.urlPart(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
          textTo = packer.mark();
        }
      }
      p.skipChildren();
    }
    if (fits && linkFrom >= 0) {
      packer.endUrl(f.slot, start, textFrom, textTo, linkFrom, linkTo);
    } else {
      packer.rewind(start);
      decodeAgain(p, f, from);
    }
  }

  /** Decodes the value that started at byte {@code from} and ends at the parser, read again as a tree. */
  private void decodeAgain(JsonParser p, Field f, int from) throws IOException {
    int to = (int) p.currentLocation().getByteOffset();
    JsonNode node;
    try (JsonParser again = FACTORY.createParser(body, from, to - from)) {
      again.nextToken();
      node = value(again, true);
    }
    packer.putValue(f.slot, CellCodec.decode(f, node, maxTextChars, true));
  }

  private void add(String name, JsonNode value) {
    if (entries == names.length) {
      names = Arrays.copyOf(names, entries * 2);
      values = Arrays.copyOf(values, entries * 2);
    }
    names[entries] = name;
    values[entries++] = value;
  }

  /**
   * The value at the parser, as a tree. A cell's own number is a long (or a big integer), as
   * before; numbers inside arrays and objects take the narrowest node, as a tree reader makes them.
   */
  private static JsonNode value(JsonParser p, boolean cell) throws IOException {
    switch (p.currentToken()) {
      case VALUE_STRING:
        return TextNode.valueOf(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case BIG_INTEGER: return JSON.numberNode(p.getBigIntegerValue());
          case INT: return cell ? LongNode.valueOf(p.getIntValue()) : JSON.numberNode(p.getIntValue());
          default: return LongNode.valueOf(p.getLongValue());
        }
      case VALUE_NUMBER_FLOAT:
        return DoubleNode.valueOf(p.getDoubleValue());
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.instance;
      case START_ARRAY: {
        ArrayNode array = JSON.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(p, false));
        }
        return array;
      }
      case START_OBJECT: {
        ObjectNode object = JSON.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          object.set(key, value(p, false));
        }
        return object;
      }
      default:
        throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: unexpected " + p.currentToken());
    }
  }

  private static ApiException missingRecords() {
    return ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: batch_create needs a \"records\" array");
  }

  private static ApiException noFields() {
    return ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: every record needs a \"fields\" object");
  }

  /** The answer's records: each id (a {@link Row#key}) with the fields as sent, written straight to the answer. */
  JsonSerializable echo(long[] keys) {
    return new JsonSerializable.Base() {
      @Override
      public void serialize(JsonGenerator gen, SerializerProvider provider) throws IOException {
        char[] id = new char[Ids.RECORD_ID_LENGTH];
        Map<String, SerializedString> encoded = null;
        gen.writeStartArray();
        for (int i = 0; i < keys.length; i++) {
          gen.writeStartObject();
          gen.writeFieldName(RECORD_ID);
          Ids.recordId(keys[i], id);
          gen.writeString(id, 0, id.length);
          gen.writeFieldName(FIELDS);
          if (i >= records) {
            gen.writeStartObject(); // an earlier call with the same client_token had more records
            gen.writeEndObject();
          } else if (rawStart[i] >= 0) {
            gen.writeRawValue(new RawJson(body, rawStart[i], rawEnd[i]));
          } else {
            ensureTrees();
            if (encoded == null) {
              encoded = new HashMap<>(); // every record repeats the same field names: encode each once
            }
            gen.writeStartObject();
            for (int j = first[i]; j < first[i + 1]; j++) {
              gen.writeFieldName(encoded.computeIfAbsent(names[j], SerializedString::new));
              ((JsonSerializable) values[j]).serialize(gen, provider); // not writeTree: that sets up a serializer per value
            }
            gen.writeEndObject();
          }
          gen.writeEndObject();
        }
        gen.writeEndArray();
      }

      @Override
      public void serializeWithType(JsonGenerator gen, SerializerProvider provider, TypeSerializer typeSer)
          throws IOException {
        serialize(gen, provider);
      }
    };
  }

  /** A JSON value as bytes of UTF-8 that the parser has read whole: written as it is. */
  private static final class RawJson implements SerializableString {
    private final byte[] bytes;
    private final int start;
    private final int length;
    private String text;

    RawJson(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.start = start;
      this.length = end - start;
    }

    @Override
    public String getValue() {
      if (text == null) {
        text = new String(bytes, start, length, StandardCharsets.UTF_8);
      }
      return text;
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return Arrays.copyOfRange(bytes, start, start + length);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (offset + length > buffer.length) {
        return -1;
      }
      System.arraycopy(bytes, start, buffer, offset, length);
      return length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      String s = getValue();
      if (offset + s.length() > buffer.length) {
        return -1;
      }
      s.getChars(0, s.length(), buffer, offset);
      return s.length();
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(bytes, start, length);
      return length;
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (length > buffer.remaining()) {
        return -1;
      }
      buffer.put(bytes, start, length);
      return length;
    }

    // quoted: the JSON string whose content is this text

    @Override
    public char[] asQuotedChars() {
      return new SerializedString(getValue()).asQuotedChars();
    }

    @Override
    public byte[] asQuotedUTF8() {
      return new SerializedString(getValue()).asQuotedUTF8();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      return new SerializedString(getValue()).appendQuotedUTF8(buffer, offset);
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      return new SerializedString(getValue()).appendQuoted(buffer, offset);
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
      return new SerializedString(getValue()).writeQuotedUTF8(out);
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
      return new SerializedString(getValue()).putQuotedUTF8(buffer);
    }
  }
}
