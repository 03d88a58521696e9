package dev.ofsync.sink.writer;

import java.util.HashMap;
import java.util.Map;

/** Where each key's row is: table, record id and a digest of what was last written (0: unknown). */
public final class RowIndex {
  /** A row's place. */
  public record Location(String tableId, String recordId, long hash) {}

  private final Map<String, Location> byKey = new HashMap<>();

  public synchronized Location get(String key) {
    return byKey.get(key);
  }

  public synchronized void put(String key, Location location) {
    byKey.put(key, location);
  }

  public synchronized void remove(String key) {
    byKey.remove(key);
  }

  /**
   * Makes {@code found} the table's entries: keys no longer found there are forgotten, except those
   * {@code busy} (a change of theirs is on its way and knows better).
   */
  public synchronized void replaceTable(String tableId, Map<String, Location> found, java.util.function.Predicate<String> busy) {
    byKey.entrySet().removeIf(e -> e.getValue().tableId().equals(tableId) && !busy.test(e.getKey())
        && !found.containsKey(e.getKey()));
    found.forEach((key, loc) -> {
      if (!busy.test(key)) {
        byKey.put(key, loc);
      }
    });
  }

  /**
   * Makes {@code entries} the whole index, except for keys {@code busy} (a change of theirs is on its
   * way and knows better): a key missing from {@code entries} is forgotten, as after another task
   * deleted its row.
   */
  public synchronized void replaceAll(Map<String, Location> entries, java.util.function.Predicate<String> busy) {
    byKey.keySet().removeIf(key -> !busy.test(key) && !entries.containsKey(key));
    entries.forEach((key, loc) -> {
      if (!busy.test(key)) {
        byKey.put(key, loc);
      }
    });
  }

  public synchronized void putAll(Map<String, Location> entries) {
    byKey.putAll(entries);
  }
}
