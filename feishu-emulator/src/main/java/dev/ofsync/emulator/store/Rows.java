package dev.ofsync.emulator.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A table's rows in creation order, found by record id. Ids this emulator makes spell a 64-bit
 * number, so rows sit in an open-addressing table of those numbers: no String, map entry or box per
 * row. A row whose id came from a state file and spells no number ({@link Row.Named}) is found in a
 * small map beside it. Not thread-safe: the table's lock guards it.
 */
final class Rows implements Iterable<Row> {
  /** Rows in creation order; deleted ones leave null until {@link #compact}. */
  private Row[] order = new Row[16];
  private int end;
  private int size;
  /**
   * Linear probing over {@link Row#key}, at most 3/4 full: the keys sit in an array of their own,
   * so a probe reads no row (a row is a cache miss). Key 0 marks a free slot; the row whose key is
   * 0 (one id in 2^64) is kept in {@link #zero}.
   */
  private long[] keys = new long[32];
  private Row[] slots = new Row[32];
  private Row zero;
  private final Map<String, Row> named = new HashMap<>();

  int size() {
    return size;
  }

  /** The row of {@code recordId}, or null. */
  Row get(String recordId) {
    if (Ids.isKeyedRecordId(recordId)) {
      return find(Ids.recordKey(recordId));
    }
    return named.get(recordId);
  }

  /** Adds a row last; false (and nothing added) when a row has its id already. */
  boolean add(Row row) {
    if (row instanceof Row.Named) {
      if (named.putIfAbsent(row.id(), row) != null) {
        return false;
      }
    } else if (!putKey(row)) {
      return false;
    }
    if (end == order.length) {
      if (size < end / 2) {
        compact();
      } else {
        order = Arrays.copyOf(order, order.length * 2);
      }
    }
    row.position = end;
    order[end++] = row;
    size++;
    return true;
  }

  /** Removes {@code row}; false when it is not (or no longer) here. */
  boolean remove(Row row) {
    if (row.position >= end || order[row.position] != row) {
      return false;
    }
    if (row instanceof Row.Named) {
      named.remove(row.id());
    } else {
      removeKey(row.key);
    }
    order[row.position] = null;
    size--;
    return true;
  }

  @Override
  public Iterator<Row> iterator() {
    return new Iterator<>() {
      private int next = advance(0);

      private int advance(int from) {
        while (from < end && order[from] == null) {
          from++;
        }
        return from;
      }

      @Override
      public boolean hasNext() {
        return next < end;
      }

      @Override
      public Row next() {
        if (next >= end) {
          throw new NoSuchElementException();
        }
        Row row = order[next];
        next = advance(next + 1);
        return row;
      }
    };
  }

  private Row find(long key) {
    if (key == 0) {
      return zero;
    }
    int mask = keys.length - 1;
    for (int i = index(key, mask); ; i = (i + 1) & mask) {
      long k = keys[i];
      if (k == key) {
        return slots[i];
      }
      if (k == 0) {
        return null;
      }
    }
  }

  /** Adds the row under its key; false when the key is taken. */
  private boolean putKey(Row row) {
    long key = row.key;
    if (key == 0) {
      if (zero != null) {
        return false;
      }
      zero = row;
      return true;
    }
    if (4 * (size + 1) > 3 * keys.length) {
      rehash(keys.length * 2);
    }
    int mask = keys.length - 1;
    int i = index(key, mask);
    for (long k; (k = keys[i]) != 0; i = (i + 1) & mask) {
      if (k == key) {
        return false;
      }
    }
    keys[i] = key;
    slots[i] = row;
    return true;
  }

  /** Removes by backward shift, so lookups never need tombstones. */
  private void removeKey(long key) {
    if (key == 0) {
      zero = null;
      return;
    }
    int mask = keys.length - 1;
    int i = index(key, mask);
    while (keys[i] != key) {
      if (keys[i] == 0) {
        return;
      }
      i = (i + 1) & mask;
    }
    for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = index(keys[j], mask);
      // slots[j] may fill the hole at i unless its home lies cyclically in (i, j]
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        keys[i] = keys[j];
        slots[i] = slots[j];
        i = j;
      }
    }
    keys[i] = 0;
    slots[i] = null;
  }

  private void rehash(int capacity) {
    long[] oldKeys = keys;
    Row[] oldSlots = slots;
    keys = new long[capacity];
    slots = new Row[capacity];
    int mask = capacity - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int i = index(oldKeys[j], mask);
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        slots[i] = oldSlots[j];
      }
    }
  }

  /** Closes the gaps deleted rows left in {@link #order}. */
  private void compact() {
    int to = 0;
    for (int from = 0; from < end; from++) {
      Row r = order[from];
      if (r != null) {
        r.position = to;
        order[to++] = r;
      }
    }
    Arrays.fill(order, to, end, null);
    end = to;
  }

  private static int index(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
