package dev.ofsync.sink.writer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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

  /** Forgets every key whose row is in one of the tables. */
  public synchronized void forgetTables(Set<String> tableIds) {
    byKey.values().removeIf(l -> tableIds.contains(l.tableId()));
  }

  public synchronized void clear() {
    byKey.clear();
  }

  public synchronized int size() {
    return byKey.size();
  }

  public synchronized void putAll(Map<String, Location> entries) {
    byKey.putAll(entries);
  }
}
