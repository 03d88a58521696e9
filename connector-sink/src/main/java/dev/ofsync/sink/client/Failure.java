package dev.ofsync.sink.client;

/** What a failed Feishu call means for the caller. */
public enum Failure {
  /** Passing: throttled, write conflict, data not ready, 5xx, timeout, dropped connection. Retry with backoff. */
  TRANSIENT,
  /** Over the per-app quota (429): wait for x-ogw-ratelimit-reset, then retry. */
  RATE_LIMITED,
  /** The token expired or was revoked (99991663): get a new one and retry once. */
  TOKEN_EXPIRED,
  /** A value in the batch cannot be written (does not fit its field, cell too large). */
  BAD_RECORD,
  /** The table is full (1254103): the rows belong in the next table. */
  TABLE_FULL,
  /** A name is taken (1254013 table, 1254014 field): someone else created it first. */
  NAME_TAKEN,
  /** A field named in the batch does not exist (1254045): the field list is stale. */
  FIELD_MISSING,
  /** Retrying cannot help: a setting is wrong, a permission or the monthly quota is missing. */
  FATAL;

  /** Whether the failure passes: the same call (or its rows, elsewhere) may succeed later, so it must not stop the task. */
  public boolean passes() {
    return this == TRANSIENT || this == RATE_LIMITED || this == TOKEN_EXPIRED || this == TABLE_FULL;
  }
}
