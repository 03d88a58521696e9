package dev.ofsync.sink.config;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators with a {@code toString} that says the rule, as the Connect REST validate call shows it. */
final class Validators {
  private static final String FORBIDDEN_TABLE_CHARS = "/\\?*:[]";

  private Validators() {}

  static final ConfigDef.Validator HTTP_URL = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      try {
        URI uri = URI.create(s);
        if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new ConfigException(name, value, "must be an http(s) URL such as " + FeishuSinkConfig.BASE_URL_DEFAULT);
        }
      } catch (IllegalArgumentException e) {
        throw new ConfigException(name, value, "must be an http(s) URL such as " + FeishuSinkConfig.BASE_URL_DEFAULT);
      }
    }

    @Override
    public String toString() {
      return "an http(s) URL, e.g. https://open.feishu.cn or https://open.larksuite.com";
    }
  };

  static final ConfigDef.Validator ZONE = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      try {
        java.time.ZoneId.of(s);
      } catch (java.time.DateTimeException e) {
        throw new ConfigException(name, value, "not a time zone; use a region such as Asia/Shanghai, an offset such as "
            + "+08:00, or UTC");
      }
    }

    @Override
    public String toString() {
      return "a zone id such as Asia/Shanghai, +08:00 or UTC";
    }
  };

  static final ConfigDef.Validator EMPTY_OR_TABLE_ID = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString().trim();
      if (!s.isEmpty() && !s.matches("tbl[A-Za-z0-9]{6,32}")) {
        throw new ConfigException(name, value, "a table id starts with 'tbl' (find it in the table's URL: ...?table=tbl...)");
      }
    }

    @Override
    public String toString() {
      return "empty, or a table id tbl...";
    }
  };

  /** The prefix plus "_999" must still be a valid Feishu table name. */
  static final ConfigDef.Validator TABLE_NAME_PREFIX = new ConfigDef.Validator() {
    @Override
    public void ensureValid(String name, Object value) {
      String s = value == null ? "" : value.toString();
      if (s.isBlank() || s.length() > 96) {
        throw new ConfigException(name, value, "must be 1-96 characters, so that '_001' fits within Feishu's 100");
      }
      for (char c : s.toCharArray()) {
        if (FORBIDDEN_TABLE_CHARS.indexOf(c) >= 0) {
          throw new ConfigException(name, value, "contains '" + c + "', which Feishu forbids in table names (/ \\ ? * : [ ])");
        }
      }
    }

    @Override
    public String toString() {
      return "1-96 characters, none of / \\ ? * : [ ]";
    }
  };

  static <E extends Enum<E>> ConfigDef.Validator oneOf(Class<E> type) {
    String allowed = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
    return new ConfigDef.Validator() {
      @Override
      public void ensureValid(String name, Object value) {
        try {
          Enum.valueOf(type, String.valueOf(value).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(name, value, "must be one of " + allowed);
        }
      }

      @Override
      public String toString() {
        return "one of " + allowed;
      }
    };
  }
}
