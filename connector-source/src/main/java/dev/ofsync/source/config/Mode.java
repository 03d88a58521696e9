package dev.ofsync.source.config;

import java.util.Locale;

/** How rows are picked on each pass. */
public enum Mode {
  /** Whole table each pass, paged by primary key. */
  BULK("bulk"),
  /** Rows whose numeric sync column is past the last one seen. */
  INCREMENTING("incrementing"),
  /** Rows whose timestamp sync column is past the last one seen and older than the database clock minus the delay. */
  TIMESTAMP("timestamp"),
  /** Same reading as timestamp: the primary key always breaks ties here; the name is kept for Confluent JDBC users. */
  TIMESTAMP_INCREMENTING("timestamp+incrementing");

  private final String text;

  Mode(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  public boolean timestampBased() {
    return this == TIMESTAMP || this == TIMESTAMP_INCREMENTING;
  }

  public static Mode parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (Mode m : values()) {
      if (m.text.equals(t)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode " + text);
  }
}
