package dev.ofsync.it.e2e;

import java.util.HashSet;
import java.util.Set;

/**
 * What a synced table should look like in the Bitable.
 *
 * @param table the database table
 * @param keyColumn its key column: the Bitable's primary field holds its value as text
 * @param softDeleteColumn the column that flags a row deleted (null: none); such rows must be absent
 * @param softDeleteValue the flag's value meaning deleted, compared as text
 * @param prefix the sink's table name prefix: tables {@code prefix}, {@code prefix_001}, ...
 * @param maxRowsPerTable the sink's {@code feishu.max_rows_per_table}
 * @param reported keys whose rows were reported (dead-letter queue) and so must be absent
 */
record Expectation(String table, String keyColumn, String softDeleteColumn, String softDeleteValue, String prefix,
    int maxRowsPerTable, Set<String> reported) {

  Expectation withReported(Set<String> keys) {
    Set<String> all = new HashSet<>(reported);
    all.addAll(keys);
    return new Expectation(table, keyColumn, softDeleteColumn, softDeleteValue, prefix, maxRowsPerTable, Set.copyOf(all));
  }

  Expectation withoutSoftDelete() {
    return new Expectation(table, keyColumn, null, null, prefix, maxRowsPerTable, reported);
  }
}
