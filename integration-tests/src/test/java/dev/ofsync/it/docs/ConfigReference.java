package dev.ofsync.it.docs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Markdown reference of connectors' settings, written from their {@link ConfigDef}s: what Kafka's
 * {@code ConfigDef.toEnrichedRst()} gives in reStructuredText, as tables a repository page shows.
 * One section per connector, one table per group in the order the ConfigDef defines its groups,
 * keys in their order within the group. Internal keys are left out; a password's default is never
 * printed.
 */
public final class ConfigReference {
  /** How to rebuild the committed file; printed in it and in the test that compares it. */
  public static final String REGENERATE = "mvn -B -ntp install -DskipTests && "
      + "mvn -B -ntp verify -pl integration-tests -Dit.test=ConfigReferenceIT -Dconfig.docs.write=true";

  private static final String OTHER_GROUP = "Other";

  /** One connector: a heading, its class and its settings. */
  public record Section(String title, String connectorClass, String summary, ConfigDef def) {}

  private ConfigReference() {}

  public static String markdown(List<Section> sections) {
    StringBuilder out = new StringBuilder();
    out.append("# Configuration reference\n\n");
    out.append("<!-- Generated from the connectors' ConfigDefs by ").append(ConfigReference.class.getName())
        .append(". Do not edit by hand; regenerate with:\n     ").append(REGENERATE).append(" -->\n\n");
    out.append("Every setting of the connectors, as their `ConfigDef`s define them in the plugin zips. ")
        .append("Settings every connector has (`connector.class`, `tasks.max`, converters, `transforms`, `errors.*`, ")
        .append("`topic.creation.*`) are Kafka Connect's own: see the Kafka Connect documentation. ")
        .append("A secret (type password) is best given through a config provider, e.g. `${env:NAME}` or ")
        .append("`${file:/path/secrets.properties:key}`.\n\n");
    for (Section s : sections) {
      out.append("- [").append(s.title()).append("](#").append(anchor(s.title())).append(")\n");
    }
    for (Section s : sections) {
      out.append("\n## ").append(s.title()).append("\n\n");
      out.append("`connector.class`: `").append(s.connectorClass()).append("`. ").append(s.summary()).append("\n");
      for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : groups(s.def()).entrySet()) {
        out.append("\n### ").append(group.getKey()).append("\n\n");
        out.append("| Setting | Type | Default | Valid values | Importance | Description |\n");
        out.append("|---|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : group.getValue()) {
          out.append("| `").append(key.name).append("` | ")
              .append(key.type.name().toLowerCase(Locale.ROOT)).append(" | ")
              .append(defaultText(key)).append(" | ")
              .append(key.validator == null ? "" : escape(key.validator.toString())).append(" | ")
              .append(key.importance == null ? "" : key.importance.name().toLowerCase(Locale.ROOT)).append(" | ")
              .append(escape(key.documentation == null ? "" : key.documentation)).append(" |\n");
        }
      }
    }
    return out.toString();
  }

  /** Public keys by group, groups in definition order, ungrouped keys last. */
  static Map<String, List<ConfigDef.ConfigKey>> groups(ConfigDef def) {
    Map<String, List<ConfigDef.ConfigKey>> byGroup = new LinkedHashMap<>();
    for (String group : def.groups()) {
      byGroup.put(group, new ArrayList<>());
    }
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      byGroup.computeIfAbsent(key.group == null ? OTHER_GROUP : key.group, g -> new ArrayList<>()).add(key);
    }
    byGroup.values().removeIf(List::isEmpty);
    byGroup.values().forEach(keys -> keys.sort(Comparator.comparingInt((ConfigDef.ConfigKey k) -> k.orderInGroup)));
    return byGroup;
  }

  static String defaultText(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "*(required)*";
    }
    if (key.type == ConfigDef.Type.PASSWORD) {
      return key.defaultValue == null ? "*(none)*" : "*(hidden)*";
    }
    if (key.defaultValue == null) {
      return "*(none)*";
    }
    String text = ConfigDef.convertToString(key.defaultValue, key.type);
    return text.isEmpty() ? "`\"\"`" : "`" + text.replace("|", "\\|") + "`";
  }

  /**
   * Table-cell text: one line, and the characters Markdown would read as syntax made literal.
   * Underscores stay as they are (setting names in descriptions stay searchable): GitHub's Markdown
   * does not emphasize inside words.
   */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.replaceAll("\\s*\\R\\s*", " ").toCharArray()) {
      switch (c) {
        case '\\', '|', '*', '`' -> out.append('\\').append(c);
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** GitHub's heading anchor: lower case, spaces to dashes, other punctuation dropped. */
  static String anchor(String heading) {
    return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
  }
}
