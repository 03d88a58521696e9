package dev.ofsync.source.config;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators with a {@code toString} that says the rule, as the Connect REST validate call shows it. */
final class Validators {
  private Validators() {}

  static final ConfigDef.Validator EMPTY_OR_JDBC_URL = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      if (!s.isEmpty() && !s.startsWith("jdbc:")) {
        throw new ConfigException(name, value, "must be empty or a JDBC URL such as jdbc:oracle:thin:@//host:1521/SERVICE");
      }
    }

    @Override
    public String toString() {
      return "empty, or a JDBC URL jdbc:oracle:thin:@//host:port/service";
    }
  };

  static final ConfigDef.Validator TABLE_LIST = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString();
      try {
        if (Identifiers.splitList(s).isEmpty()) {
          throw new ConfigException(name, value, "name at least one table");
        }
        for (String item : Identifiers.splitList(s)) {
          Identifiers.parseTable(item);
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "one or more tables, comma-separated: TABLE, SCHEMA.TABLE or \"Schema\".\"Table\"";
    }
  };

  static final ConfigDef.Validator COLUMN_LIST = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        Identifiers.columns(value == null ? "" : value.toString());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "empty, or column names, comma-separated; quote lower-case names: \"id\"";
    }
  };

  static final ConfigDef.Validator EMPTY_OR_ONE_COLUMN = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      try {
        if (Identifiers.columns(value == null ? "" : value.toString()).size() > 1) {
          throw new ConfigException(name, value, "name one column");
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, e.getMessage());
      }
    }

    @Override
    public String toString() {
      return "empty, or one column name; quote a lower-case name: \"updated_at\"";
    }
  };

  static final ConfigDef.Validator EMPTY_OR_ZONE = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      if (!s.isEmpty()) {
        try {
          ZoneId.of(s);
        } catch (DateTimeException e) {
          throw new ConfigException(name, value, "not a time zone; use a region such as Asia/Shanghai or an offset such as +08:00");
        }
      }
    }

    @Override
    public String toString() {
      return "empty (the database's zone), or a zone id such as Asia/Shanghai or +08:00";
    }
  };

  static final ConfigDef.Validator TOPIC_TEMPLATE = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      String sample = s.replace("${schema}", "S").replace("${table}", "T");
      if (!s.contains("${table}") || !sample.matches("[A-Za-z0-9._-]{1,249}")) {
        throw new ConfigException(name, value, "must contain ${table} and otherwise only letters, digits, '.', '_' and '-'");
      }
    }

    @Override
    public String toString() {
      return "a topic name containing ${table} (and optionally ${schema})";
    }
  };

  static ConfigDef.Validator emptyOrOneOf(String... allowed) {
    String list = Arrays.stream(allowed).collect(Collectors.joining(", "));
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        String s = value == null ? "" : value.toString().trim().toLowerCase(Locale.ROOT);
        if (!s.isEmpty() && !Arrays.asList(allowed).contains(s)) {
          throw new ConfigException(name, value, "must be empty or one of " + list);
        }
      }

      @Override
      public String toString() {
        return "empty (chosen from the sync column's type), or one of " + list;
      }
    };
  }
}
