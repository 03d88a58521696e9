package dev.ofsync.source.config;

/** A table as Oracle's dictionary names it; schema null means the login user's schema. */
public record TableId(String schema, String table) {

  /** SQL text, both parts quoted. */
  public String sql() {
    return schema == null ? Identifiers.quote(table) : Identifiers.quote(schema) + "." + Identifiers.quote(table);
  }

  /** The name in the source partition and logs: SCHEMA.TABLE, or TABLE when no schema was given. */
  public String qualified() {
    return schema == null ? table : schema + "." + table;
  }

  /** The same table with the schema filled in, so partitions do not depend on how the user wrote it. */
  public TableId withDefaultSchema(String defaultSchema) {
    return schema == null && defaultSchema != null ? new TableId(defaultSchema, table) : this;
  }
}
