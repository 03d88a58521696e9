package dev.ofsync.sink.writer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Where each key's row is: table, record id and a digest of what was last written (0: unknown).
 *
 * <p>It holds every key the sink has written (a million keys for a million rows), so it is kept
 * compact: an open-addressing table (linear probing) of parallel arrays, one small byte array per
 * key with the key and the record id in UTF-8, the table as a number, the digest as a long. About
 * 70 bytes a key, against about 300 for a HashMap of Strings and records. {@link Location}s are
 * made when asked for.
 */
public final class RowIndex {
  /** A row's place. */
  public record Location(String tableId, String recordId, long hash) {}

  private static final int MIN_CAPACITY = 16;

  private final List<String> tableIds = new ArrayList<>();
  private final Map<String, Integer> tableNumbers = new HashMap<>();
  /** Per slot: the key's length (1-3 bytes, 7 bits each), the key, then the record id; null when free. */
  private byte[][] entries = new byte[MIN_CAPACITY][];
  private int[] tables = new int[MIN_CAPACITY];
  private long[] hashes = new long[MIN_CAPACITY];
  private int size;

  public synchronized Location get(String key) {
    int slot = find(utf8(key));
    return slot < 0 ? null : location(slot);
  }

  public synchronized void put(String key, Location location) {
    byte[] k = utf8(key);
    int slot = find(k);
    if (slot < 0) {
      if ((size + 1) * 4L > entries.length * 3L) {
        resize(entries.length * 2);
      }
      slot = free(k);
      size++;
    }
    byte[] rec = location.recordId().getBytes(StandardCharsets.UTF_8);
    byte[] entry = slot >= 0 && entries[slot] != null && sameRecord(entries[slot], rec) ? entries[slot] : entry(k, rec);
    entries[slot] = entry;
    tables[slot] = tableNumber(location.tableId());
    hashes[slot] = location.hash();
  }

  public synchronized void remove(String key) {
    int slot = find(utf8(key));
    if (slot >= 0) {
      delete(slot);
    }
  }

  /**
   * Makes {@code other} the whole index, except for keys {@code busy} (a change of theirs is on its
   * way and knows better): a key missing from {@code other} is forgotten, as after another task
   * deleted its row.
   */
  public synchronized void replaceAll(RowIndex other, Predicate<String> busy) {
    List<String> gone = new ArrayList<>();
    forEach((key, loc) -> {
      if (!busy.test(key) && other.get(key) == null) {
        gone.add(key);
      }
    });
    gone.forEach(this::remove);
    other.forEach((key, loc) -> {
      if (!busy.test(key)) {
        put(key, loc);
      }
    });
  }

  /** Takes over the entries of {@code other} (left empty), when this index has none of its own. */
  public void adopt(RowIndex other) {
    synchronized (this) {
      synchronized (other) {
        if (size != 0) {
          throw new IllegalStateException("the index already holds entries");
        }
        tableIds.clear();
        tableNumbers.clear();
        tableIds.addAll(other.tableIds);
        tableNumbers.putAll(other.tableNumbers);
        entries = other.entries;
        tables = other.tables;
        hashes = other.hashes;
        size = other.size;
        other.entries = new byte[MIN_CAPACITY][];
        other.tables = new int[MIN_CAPACITY];
        other.hashes = new long[MIN_CAPACITY];
        other.size = 0;
      }
    }
  }

  /** How many keys each table holds, by table id (tables with none are absent). */
  public synchronized Map<String, Integer> countByTable() {
    int[] counts = new int[tableIds.size()];
    for (int slot = 0; slot < entries.length; slot++) {
      if (entries[slot] != null) {
        counts[tables[slot]]++;
      }
    }
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        out.put(tableIds.get(i), counts[i]);
      }
    }
    return out;
  }

  public synchronized int size() {
    return size;
  }

  public synchronized boolean isEmpty() {
    return size == 0;
  }

  /** Every key and its location (the index may not change meanwhile: the caller holds no other lock it needs). */
  public synchronized void forEach(BiConsumer<String, Location> each) {
    for (int slot = 0; slot < entries.length; slot++) {
      if (entries[slot] != null) {
        each.accept(key(entries[slot]), location(slot));
      }
    }
  }

  /**
   * Makes {@code found} the table's entries: keys no longer found there are forgotten, except those
   * {@code busy} (a change of theirs is on its way and knows better).
   */
  public synchronized void replaceTable(String tableId, Map<String, Location> found, Predicate<String> busy) {
    Integer number = tableNumbers.get(tableId);
    if (number != null) {
      List<String> gone = new ArrayList<>();
      for (int slot = 0; slot < entries.length; slot++) {
        if (entries[slot] != null && tables[slot] == number) {
          String key = key(entries[slot]);
          if (!busy.test(key) && !found.containsKey(key)) {
            gone.add(key);
          }
        }
      }
      gone.forEach(this::remove);
    }
    found.forEach((key, loc) -> {
      if (!busy.test(key)) {
        put(key, loc);
      }
    });
  }

  // ---- the table ----

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] entry(byte[] key, byte[] recordId) {
    int header = header(key.length);
    byte[] e = new byte[header + key.length + recordId.length];
    int n = key.length;
    for (int i = 0; i < header; i++) {
      e[i] = (byte) ((n & 0x7f) | (i + 1 < header ? 0x80 : 0));
      n >>>= 7;
    }
    System.arraycopy(key, 0, e, header, key.length);
    System.arraycopy(recordId, 0, e, header + key.length, recordId.length);
    return e;
  }

  private static int header(int keyLength) {
    return keyLength < 1 << 7 ? 1 : keyLength < 1 << 14 ? 2 : 3;
  }

  /** The key's length, read from the entry's first bytes. */
  private static int keyLength(byte[] e) {
    int n = 0;
    for (int i = 0, shift = 0; i < 3; i++, shift += 7) {
      n |= (e[i] & 0x7f) << shift;
      if ((e[i] & 0x80) == 0) {
        break;
      }
    }
    return n;
  }

  private static String key(byte[] e) {
    int n = keyLength(e);
    return new String(e, header(n), n, StandardCharsets.UTF_8);
  }

  private Location location(int slot) {
    byte[] e = entries[slot];
    int n = keyLength(e);
    int from = header(n) + n;
    return new Location(tableIds.get(tables[slot]), new String(e, from, e.length - from, StandardCharsets.UTF_8),
        hashes[slot]);
  }

  private static boolean sameKey(byte[] e, byte[] key) {
    int n = keyLength(e);
    int h = header(n);
    return n == key.length && Arrays.equals(e, h, h + n, key, 0, n);
  }

  private static boolean sameRecord(byte[] e, byte[] recordId) {
    int n = keyLength(e);
    int from = header(n) + n;
    return Arrays.equals(e, from, e.length, recordId, 0, recordId.length);
  }

  /**
   * The key's hash, well mixed: keys are often consecutive numbers, whose plain polynomial hashes
   * are consecutive too and would form long runs under linear probing.
   */
  private static int spread(byte[] key, int from, int length) {
    int h = 1;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + key[i];
    }
    h ^= h >>> 16; // MurmurHash3's finalizer
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  private int home(byte[] e) {
    int n = keyLength(e);
    return spread(e, header(n), n) & (entries.length - 1);
  }

  /** The slot holding the key, or -1. */
  private int find(byte[] key) {
    int mask = entries.length - 1;
    for (int slot = spread(key, 0, key.length) & mask; entries[slot] != null; slot = (slot + 1) & mask) {
      if (sameKey(entries[slot], key)) {
        return slot;
      }
    }
    return -1;
  }

  /** The free slot where the key goes (it is not in the table). */
  private int free(byte[] key) {
    int mask = entries.length - 1;
    int slot = spread(key, 0, key.length) & mask;
    while (entries[slot] != null) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Empties a slot, moving back the entries after it that would otherwise no longer be found. */
  private void delete(int slot) {
    int mask = entries.length - 1;
    int hole = slot;
    for (int j = (hole + 1) & mask; entries[j] != null; j = (j + 1) & mask) {
      int h = home(entries[j]);
      // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
      boolean staysPut = hole <= j ? hole < h && h <= j : hole < h || h <= j;
      if (!staysPut) {
        entries[hole] = entries[j];
        tables[hole] = tables[j];
        hashes[hole] = hashes[j];
        hole = j;
      }
    }
    entries[hole] = null;
    size--;
  }

  private void resize(int capacity) {
    byte[][] oldEntries = entries;
    int[] oldTables = tables;
    long[] oldHashes = hashes;
    entries = new byte[capacity][];
    tables = new int[capacity];
    hashes = new long[capacity];
    for (int i = 0; i < oldEntries.length; i++) {
      if (oldEntries[i] != null) {
        int slot = home(oldEntries[i]);
        while (entries[slot] != null) {
          slot = (slot + 1) & (capacity - 1);
        }
        entries[slot] = oldEntries[i];
        tables[slot] = oldTables[i];
        hashes[slot] = oldHashes[i];
      }
    }
  }

  private int tableNumber(String tableId) {
    Integer n = tableNumbers.get(tableId);
    if (n == null) {
      n = tableIds.size();
      tableIds.add(tableId);
      tableNumbers.put(tableId, n);
    }
    return n;
  }
}
