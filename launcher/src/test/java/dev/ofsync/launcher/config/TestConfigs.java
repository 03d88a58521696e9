package dev.ofsync.launcher.config;

/** config.yaml texts for tests that need a config the launcher accepts, not a database or Feishu behind it. */
public final class TestConfigs {
  private TestConfigs() {}

  /** The oracle and feishu keys a config must have, then {@code more} lines (indented for the feishu section, or new sections). */
  public static String minimal(String... more) {
    return String.join("\n",
        "oracle:",
        "  url: \"jdbc:oracle:thin:@//db.invalid:1521/ORCL\"",
        "  username: \"app\"",
        "  password: \"secret\"",
        "  table_name: \"ORDERS\"",
        "  primary_key: \"ID\"",
        "  sync_column: \"UPDATED_AT\"",
        "feishu:",
        "  app_id: \"cli_a\"",
        "  app_secret: \"s\"",
        "  app_token: \"bascnOne\"",
        String.join("\n", more),
        "");
  }
}
