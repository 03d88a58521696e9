package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.WRONG_REQUEST_BODY;
import static dev.ofsync.emulator.api.ErrorCodes.WRONG_REQUEST_JSON;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.ofsync.emulator.api.ApiException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch_create body, read as a stream: each record's field names and values, without building a
 * tree (a map per record) that the write path would only throw away. The write path's main cost.
 */
public final class RecordBatch {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final List<String[]> names = new ArrayList<>();
  private final List<JsonNode[]> values = new ArrayList<>();

  private RecordBatch() {}

  public int size() {
    return names.size();
  }

  String[] names(int record) {
    return names.get(record);
  }

  JsonNode[] values(int record) {
    return values.get(record);
  }

  /** Reads {@code {"records": [{"fields": {...}}, ...]}}, refusing what Feishu refuses. */
  public static RecordBatch parse(byte[] body) {
    RecordBatch batch = new RecordBatch();
    if (body.length == 0) {
      throw missingRecords();
    }
    try (JsonParser p = MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: the body must be a JSON object");
      }
      boolean sawRecords = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (!name.equals("records")) {
          p.skipChildren();
          continue;
        }
        sawRecords = true;
        if (t != JsonToken.START_ARRAY) {
          throw missingRecords();
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
          batch.readRecord(p);
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
    return batch;
  }

  private void readRecord(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw noFields();
    }
    String[] recordNames = null;
    JsonNode[] recordValues = null;
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
      List<String> n = new ArrayList<>();
      List<JsonNode> v = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        n.add(p.currentName());
        p.nextToken();
        v.add(value(p));
      }
      recordNames = n.toArray(new String[0]);
      recordValues = v.toArray(new JsonNode[0]);
    }
    if (recordNames == null) {
      throw noFields();
    }
    names.add(recordNames);
    values.add(recordValues);
  }

  private static JsonNode value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case VALUE_STRING:
        return TextNode.valueOf(p.getText());
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? JsonNodeFactory.instance.numberNode(p.getBigIntegerValue())
            : JsonNodeFactory.instance.numberNode(p.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return DoubleNode.valueOf(p.getDoubleValue());
      case VALUE_TRUE:
        return BooleanNode.TRUE;
      case VALUE_FALSE:
        return BooleanNode.FALSE;
      case VALUE_NULL:
        return NullNode.instance;
      default:
        return p.readValueAsTree();
    }
  }

  private static ApiException missingRecords() {
    return ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: batch_create needs a \"records\" array");
  }

  private static ApiException noFields() {
    return ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: every record needs a \"fields\" object");
  }

  /** The answer's records: each id with the fields as sent, written straight to the answer. */
  JsonSerializable echo(String[] ids) {
    return new JsonSerializable.Base() {
      @Override
      public void serialize(JsonGenerator gen, SerializerProvider provider) throws IOException {
        // every record repeats the same field names: encode each once
        java.util.Map<String, com.fasterxml.jackson.core.io.SerializedString> encoded = new java.util.HashMap<>();
        gen.writeStartArray();
        for (int i = 0; i < ids.length; i++) {
          gen.writeStartObject();
          gen.writeStringField("record_id", ids[i]);
          gen.writeObjectFieldStart("fields");
          if (i < size()) {
            String[] n = names.get(i);
            JsonNode[] v = values.get(i);
            for (int j = 0; j < n.length; j++) {
              gen.writeFieldName(encoded.computeIfAbsent(n[j], com.fasterxml.jackson.core.io.SerializedString::new));
              ((JsonSerializable) v[j]).serialize(gen, provider); // not writeTree: that sets up a serializer per value
            }
          }
          gen.writeEndObject();
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
}
