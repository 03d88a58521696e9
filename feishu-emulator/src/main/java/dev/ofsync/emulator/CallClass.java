package dev.ofsync.emulator;

import java.util.Locale;

/** The classes of calls that Feishu rate-limits separately, per app. */
public enum CallClass {
  /** tenant_access_token requests. */
  TOKEN,
  /** Record batch_create, batch_update and batch_delete: 50 per second per app. */
  RECORD_WRITE,
  /** Record search and list, table list, field list: 20 per second per app. */
  READ,
  /** Table create and delete, field create and update: 10 per second per app. */
  SCHEMA_WRITE;

  /** The name used in stats and fault rules, e.g. {@code record_write}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CallClass fromWireName(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }
}
