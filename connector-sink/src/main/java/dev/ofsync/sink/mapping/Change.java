package dev.ofsync.sink.mapping;

import java.util.List;
import java.util.Map;

/**
 * What one record asks of the Bitable: upsert a row (its key and cells by column), delete the
 * key's row, or nothing (a Debezium truncate or message).
 *
 * @param cells the non-key cells, by column name, nulls included (they clear a cell on update)
 * @param columns the columns of {@code cells}, in order
 * @param hash a digest of the key and cells: equal hashes mean the row is unchanged
 */
public record Change(Kind kind, String key, Map<String, Object> cells, List<Column> columns, long hash) {
  public enum Kind { UPSERT, DELETE, SKIP }

  static Change skip() {
    return new Change(Kind.SKIP, null, Map.of(), List.of(), 0);
  }

  static Change delete(String key) {
    return new Change(Kind.DELETE, key, Map.of(), List.of(), 0);
  }
}
