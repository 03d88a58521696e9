package dev.ofsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code {"name": ..., "config": {...}}} file, the body a user POSTs to {@code /connectors}.
 * The config keeps the file's order so messages list keys as the file does.
 */
public record ConnectorFile(Path path, String name, Map<String, String> config) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static ConnectorFile read(Path path) throws IOException {
    JsonNode root = JSON.readTree(path.toFile());
    if (!root.path("name").isTextual() || !root.path("config").isObject()) {
      throw new IllegalArgumentException(path + " is not {\"name\": ..., \"config\": {...}}");
    }
    Map<String, String> config = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("config").properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        // Connect takes strings only; a number here is refused by the REST API.
        throw new IllegalArgumentException(path + ": " + e.getKey() + " must be a JSON string, not " + e.getValue());
      }
      config.put(e.getKey(), e.getValue().asText());
    }
    return new ConnectorFile(path, root.path("name").asText(), config);
  }

  /** A copy of the config to change for one environment; the file's own map stays as committed. */
  public Map<String, String> configCopy() {
    return new LinkedHashMap<>(config);
  }
}
