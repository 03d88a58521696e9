package dev.ofsync.emulator.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON trees as plain Java values. */
final class JsonPlain {
  private JsonPlain() {}

  static Object toPlain(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      node.forEach(item -> out.add(toPlain(item)));
      return out;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), toPlain(e.getValue())));
    return out;
  }
}
