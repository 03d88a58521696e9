package dev.ofsync.sink.client;

/** Feishu's classes of calls, each with its own per-app quota. */
public enum CallClass {
  /** Record batch create, update, delete: 50 per second per app. */
  RECORD_WRITE(50),
  /** Record search, table and field lists: 20 per second per app. */
  READ(20),
  /** Table and field creation and change: 10 per second per app. */
  SCHEMA_WRITE(10);

  private final int feishuLimit;

  CallClass(int feishuLimit) {
    this.feishuLimit = feishuLimit;
  }

  /** Feishu's own per-app limit for the class. */
  public int feishuLimit() {
    return feishuLimit;
  }
}
