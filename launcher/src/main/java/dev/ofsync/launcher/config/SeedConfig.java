package dev.ofsync.launcher.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ofsync.launcher.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The seed's {@code config.yaml}, as it is: nested sections ({@code oracle:}, {@code feishu:},
 * {@code sync:}) flattened to dotted keys ({@code oracle.host}), scalars as text, lists joined with
 * commas. Values may be config-provider references such as {@code ${env:ORACLE_PASSWORD}}.
 */
public final class SeedConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path file;
  private final Map<String, String> values;

  private SeedConfig(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  public static SeedConfig load(Path file) throws UserError {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file (pass --config with the path of your config.yaml)");
    } catch (IOException e) {
      throw new UserError(file + ": cannot read it: " + e.getMessage(), e);
    }
    return parse(file, text);
  }

  static SeedConfig parse(Path file, String text) throws UserError {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new UserError(file + ": not valid YAML" + where + ": " + UserError.oneLine(e.getOriginalMessage()), e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (root != null && !root.isMissingNode() && !root.isNull()) {
      if (!root.isObject()) {
        throw new UserError(file + ": expected sections such as oracle:, feishu: and sync:, found " + root.getNodeType());
      }
      flatten("", root, values);
    }
    return new SeedConfig(file, values);
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      if (value.isObject()) {
        flatten(key, value, out);
      } else if (value.isArray()) {
        StringJoiner joined = new StringJoiner(",");
        value.forEach(v -> joined.add(v.asText()));
        out.put(key, joined.toString());
      } else if (!value.isNull()) {
        out.put(key, value.asText());
      }
    }
  }

  public Path file() {
    return file;
  }

  /** Every key with a value, in the file's order. */
  public Map<String, String> values() {
    return values;
  }

  public String get(String key) {
    return values.get(key);
  }
}
