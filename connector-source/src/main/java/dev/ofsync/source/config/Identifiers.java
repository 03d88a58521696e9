package dev.ofsync.source.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Oracle identifier rules: an unquoted name is folded to upper case, a quoted one is kept as
 * written. Lists are split on commas and names on dots, except inside double quotes.
 */
public final class Identifiers {
  private Identifiers() {}

  /** Splits {@code a, "b,c", d} into three items, keeping the quotes of each item. */
  public static List<String> splitList(String text) {
    return split(text == null ? "" : text, ',');
  }

  /** One identifier as Oracle stores it in its dictionary. */
  public static String normalize(String part) {
    String p = part.trim();
    if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
      return p.substring(1, p.length() - 1).replace("\"\"", "\"");
    }
    if (p.isEmpty() || p.contains("\"")) {
      throw new IllegalArgumentException("'" + part + "' is not a valid name");
    }
    return p.toUpperCase(Locale.ROOT);
  }

  /** A name quoted for SQL, so case and special characters survive. */
  public static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** Parses {@code schema.table}, {@code "Schema"."Table"} or {@code table}. */
  public static TableId parseTable(String text) {
    List<String> parts = split(text, '.');
    if (parts.size() == 1) {
      return new TableId(null, normalize(parts.get(0)));
    }
    if (parts.size() == 2) {
      return new TableId(normalize(parts.get(0)), normalize(parts.get(1)));
    }
    throw new IllegalArgumentException("'" + text + "' should be TABLE or SCHEMA.TABLE");
  }

  /** Names of a comma-separated column list, normalized. */
  public static List<String> columns(String text) {
    List<String> out = new ArrayList<>();
    for (String item : splitList(text)) {
      out.add(normalize(item));
    }
    return out;
  }

  private static List<String> split(String text, char separator) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        add(out, current);
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unbalanced double quote in '" + text + "'");
    }
    add(out, current);
    return out;
  }

  private static void add(List<String> out, StringBuilder item) {
    String s = item.toString().trim();
    if (!s.isEmpty()) {
      out.add(s);
    }
  }
}
