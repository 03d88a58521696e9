package dev.ofsync.emulator.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A table's records, held in arrays instead of objects. A full base is two million records, and
 * every one survives each young collection that sees it: objects per record would be copied, one by
 * one, again and again. Here a record is a slot in a few arrays (its id's number, its times, where
 * its cells are) and its cells packed by {@link CellPacker} into pages of bytes shared by many
 * records, so a collection copies a few large arrays at memory speed, if at all.
 *
 * <p>Records keep the order they were created in, by index. A deleted record leaves its index
 * unused, and an updated one leaves its old bytes in a page, until {@link #compact} rewrites the
 * table, which it does only when the waste has grown as large as what is kept. Record ids this
 * emulator makes spell a 64-bit number ({@link Ids#recordId(long)}): they are found through an
 * open-addressing table of those numbers. An id read from a state file that spells no number is kept
 * as a String, in a small map beside it. Not thread-safe: the table's lock guards it.
 */
final class Rows implements Iterable<Row> {
  private static final int FIRST_PAGE = 4 * 1024;
  /** Small enough that G1 does not take a page for a humongous object, which would waste a region's rest. */
  private static final int MAX_PAGE = 256 * 1024;
  private static final int DELETED = -1;

  // by record index
  private long[] keys = new long[16];
  private long[] created = new long[16];
  private long[] modified = new long[16];
  /** Page number << 32 | offset of the record's packed cells. */
  private long[] where = new long[16];
  /** Bytes of the packed cells; {@link #DELETED} for a deleted record. */
  private int[] lengths = new int[16];
  /** The cells kept as objects ({@link CellPacker}'s trees), by record; null until a record has some. */
  private Object[][] trees;
  /** Ids that spell no number, by record; null until a record has one. */
  private String[] namedIds;
  private int end;
  private int size;

  private byte[][] pages = new byte[4][];
  private int pageCount;
  private int pageUsed;
  private long liveBytes;
  private long deadBytes;

  /**
   * Key to record index, by linear probing over pairs (key, index) in one array, so that a probe
   * touches one cache line; key 0 marks a free slot, and the record of key 0 is {@link #zeroRow}.
   */
  private long[] hash = new long[2 * 16];
  private int zeroRow = -1;
  private int hashed;
  private Map<String, Integer> named;

  int size() {
    return size;
  }

  /** The index of the record with this id, or -1. */
  int find(String recordId) {
    if (Ids.isKeyedRecordId(recordId)) {
      return findKey(Ids.recordKey(recordId));
    }
    if (named == null) {
      return -1;
    }
    Integer index = named.get(recordId);
    return index == null ? -1 : index;
  }

  /** A view of the record at {@code index}. */
  Row row(int index) {
    return new Row(this, index);
  }

  /**
   * Adds row {@code i} of {@code batch} last, under the id of {@code key}; answers its index, or -1
   * (and adds nothing) when a record has that id already.
   */
  int add(long key, long createdMillis, long modifiedMillis, PackedRows batch, int i) {
    if (!putKey(key, end)) {
      return -1;
    }
    return append(key, createdMillis, modifiedMillis, batch.bytes(), batch.start(i), batch.length(i), batch.trees(i));
  }

  /** Adds a record whose id (from a state file) spells no number; -1 when a record has that id already. */
  int addNamed(String id, long createdMillis, long modifiedMillis, PackedRows batch, int i) {
    if (named == null) {
      named = new HashMap<>();
    }
    if (named.containsKey(id)) {
      return -1;
    }
    int index = append(0, createdMillis, modifiedMillis, batch.bytes(), batch.start(i), batch.length(i),
        batch.trees(i));
    if (namedIds == null) {
      namedIds = new String[keys.length];
    }
    namedIds[index] = id;
    named.put(id, index);
    return index;
  }

  /** Deletes the record at {@code index}; false when it is deleted already. Indexes stay as they are. */
  boolean remove(int index) {
    if (lengths[index] == DELETED) {
      return false;
    }
    if (namedIds != null && namedIds[index] != null) {
      named.remove(namedIds[index]);
      namedIds[index] = null;
    } else {
      removeKey(keys[index]);
    }
    liveBytes -= lengths[index];
    deadBytes += lengths[index];
    lengths[index] = DELETED;
    if (trees != null) {
      trees[index] = null;
    }
    size--;
    return true;
  }

  String id(int index) {
    return namedIds != null && namedIds[index] != null ? namedIds[index] : Ids.recordId(keys[index]);
  }

  long created(int index) {
    return created[index];
  }

  long modified(int index) {
    return modified[index];
  }

  Object cell(int index, int slot) {
    long at = where[index];
    return CellPacker.cell(pages[(int) (at >>> 32)], (int) at, lengths[index], trees == null ? null : trees[index],
        slot);
  }

  Object[] cells(int index, int slots) {
    long at = where[index];
    return CellPacker.cells(pages[(int) (at >>> 32)], (int) at, lengths[index], trees == null ? null : trees[index],
        slots);
  }

  /** Replaces the cells of the record at {@code index}; its old bytes stay, unused, until {@link #compact}. */
  void replace(int index, Object[] cells, long modifiedMillis) {
    PackedRows one = new PackedRows(256);
    new CellPacker().pack(cells, one);
    liveBytes -= lengths[index];
    deadBytes += lengths[index];
    where[index] = store(one.bytes(), one.start(0), one.length(0));
    lengths[index] = one.length(0);
    liveBytes += lengths[index];
    setTrees(index, one.trees(0));
    modified[index] = modifiedMillis;
  }

  /**
   * Rewrites the table without its deleted records and unused bytes, when those have grown as large
   * as what is kept. Indexes change: call between operations, never while holding a {@link Row}.
   */
  void compactIfWasteful() {
    if (end - size > Math.max(64, size) || deadBytes > Math.max(64 * 1024, liveBytes)) {
      compact();
    }
  }

  @Override
  public Iterator<Row> iterator() {
    return new Iterator<>() {
      private int next = skipDeleted(0);

      @Override
      public boolean hasNext() {
        return next < end;
      }

      @Override
      public Row next() {
        if (next >= end) {
          throw new NoSuchElementException();
        }
        Row row = new Row(Rows.this, next);
        next = skipDeleted(next + 1);
        return row;
      }
    };
  }

  private int skipDeleted(int from) {
    while (from < end && lengths[from] == DELETED) {
      from++;
    }
    return from;
  }

  // ---- storing ----

  private int append(long key, long createdMillis, long modifiedMillis, byte[] src, int off, int length,
      Object[] rowTrees) {
    if (end == keys.length) {
      grow();
    }
    int index = end++;
    keys[index] = key;
    created[index] = createdMillis;
    modified[index] = modifiedMillis;
    where[index] = store(src, off, length);
    lengths[index] = length;
    liveBytes += length;
    setTrees(index, rowTrees);
    size++;
    return index;
  }

  private void setTrees(int index, Object[] rowTrees) {
    if (rowTrees != null && trees == null) {
      trees = new Object[keys.length][];
    }
    if (trees != null) {
      trees[index] = rowTrees;
    }
  }

  private void grow() {
    int capacity = keys.length * 2;
    keys = Arrays.copyOf(keys, capacity);
    created = Arrays.copyOf(created, capacity);
    modified = Arrays.copyOf(modified, capacity);
    where = Arrays.copyOf(where, capacity);
    lengths = Arrays.copyOf(lengths, capacity);
    if (trees != null) {
      trees = Arrays.copyOf(trees, capacity);
    }
    if (namedIds != null) {
      namedIds = Arrays.copyOf(namedIds, capacity);
    }
  }

  /** Copies packed cells into the last page (a new one when they do not fit); answers where they went. */
  private long store(byte[] src, int off, int length) {
    if (pageCount == 0 || pageUsed + length > pages[pageCount - 1].length) {
      int size = pageCount == 0 ? FIRST_PAGE : Math.min(MAX_PAGE, pages[pageCount - 1].length * 2);
      if (pageCount == pages.length) {
        pages = Arrays.copyOf(pages, pageCount * 2);
      }
      pages[pageCount++] = new byte[Math.max(size, length)];
      pageUsed = 0;
    }
    System.arraycopy(src, off, pages[pageCount - 1], pageUsed, length);
    long at = ((long) (pageCount - 1) << 32) | pageUsed;
    pageUsed += length;
    return at;
  }

  private void compact() {
    Rows fresh = new Rows();
    for (int i = 0; i < end; i++) {
      if (lengths[i] == DELETED) {
        continue;
      }
      long at = where[i];
      int index = fresh.append(keys[i], created[i], modified[i], pages[(int) (at >>> 32)], (int) at, lengths[i],
          trees == null ? null : trees[i]);
      if (namedIds != null && namedIds[i] != null) {
        if (fresh.named == null) {
          fresh.named = new HashMap<>();
          fresh.namedIds = new String[fresh.keys.length];
        }
        if (fresh.namedIds.length < fresh.keys.length) {
          fresh.namedIds = Arrays.copyOf(fresh.namedIds, fresh.keys.length);
        }
        fresh.namedIds[index] = namedIds[i];
        fresh.named.put(namedIds[i], index);
      } else {
        fresh.putKey(keys[i], index);
      }
    }
    keys = fresh.keys;
    created = fresh.created;
    modified = fresh.modified;
    where = fresh.where;
    lengths = fresh.lengths;
    trees = fresh.trees;
    namedIds = fresh.namedIds;
    end = fresh.end;
    size = fresh.size;
    pages = fresh.pages;
    pageCount = fresh.pageCount;
    pageUsed = fresh.pageUsed;
    liveBytes = fresh.liveBytes;
    deadBytes = 0;
    hash = fresh.hash;
    zeroRow = fresh.zeroRow;
    hashed = fresh.hashed;
    named = fresh.named;
  }

  // ---- the id table ----

  private int findKey(long key) {
    if (key == 0) {
      return zeroRow;
    }
    int mask = hash.length / 2 - 1;
    for (int i = index(key, mask); ; i = (i + 1) & mask) {
      long k = hash[2 * i];
      if (k == key) {
        return (int) hash[2 * i + 1];
      }
      if (k == 0) {
        return -1;
      }
    }
  }

  /** Maps {@code key} to record {@code row}; false (and nothing changed) when the key is taken. */
  private boolean putKey(long key, int row) {
    if (key == 0) {
      if (zeroRow >= 0) {
        return false;
      }
      zeroRow = row;
      return true;
    }
    if (4 * (hashed + 1) > 3 * (hash.length / 2)) {
      rehash(hash.length);
    }
    int mask = hash.length / 2 - 1;
    int i = index(key, mask);
    for (long k; (k = hash[2 * i]) != 0; i = (i + 1) & mask) {
      if (k == key) {
        return false;
      }
    }
    hash[2 * i] = key;
    hash[2 * i + 1] = row;
    hashed++;
    return true;
  }

  /** Removes by backward shift, so lookups never meet tombstones. */
  private void removeKey(long key) {
    if (key == 0) {
      zeroRow = -1;
      return;
    }
    int mask = hash.length / 2 - 1;
    int i = index(key, mask);
    while (hash[2 * i] != key) {
      if (hash[2 * i] == 0) {
        return;
      }
      i = (i + 1) & mask;
    }
    for (int j = (i + 1) & mask; hash[2 * j] != 0; j = (j + 1) & mask) {
      int home = index(hash[2 * j], mask);
      // the entry at j may fill the hole at i unless its home lies cyclically in (i, j]
      boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        hash[2 * i] = hash[2 * j];
        hash[2 * i + 1] = hash[2 * j + 1];
        i = j;
      }
    }
    hash[2 * i] = 0;
    hashed--;
  }

  private void rehash(int slots) {
    long[] old = hash;
    hash = new long[2 * slots];
    int mask = slots - 1;
    for (int j = 0; j < old.length; j += 2) {
      if (old[j] != 0) {
        int i = index(old[j], mask);
        while (hash[2 * i] != 0) {
          i = (i + 1) & mask;
        }
        hash[2 * i] = old[j];
        hash[2 * i + 1] = old[j + 1];
      }
    }
  }

  private static int index(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
