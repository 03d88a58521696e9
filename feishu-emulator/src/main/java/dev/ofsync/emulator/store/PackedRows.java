package dev.ofsync.emulator.store;

import java.util.Arrays;

/** Rows packed by {@link CellPacker}, one after another in one array: a batch before its table takes it. */
final class PackedRows {
  private byte[] bytes;
  private int used;
  private int[] ends = new int[16];
  /** A row's cells that are kept as objects ({@link CellPacker}'s trees), or null: most rows have none. */
  private Object[][] trees;
  private int count;

  PackedRows(int expectedBytes) {
    this(new byte[Math.max(16, expectedBytes)]);
  }

  /** Rows packed into {@code buffer} (and into larger arrays, should they not fit). */
  PackedRows(byte[] buffer) {
    bytes = buffer;
  }

  int count() {
    return count;
  }

  byte[] bytes() {
    return bytes;
  }

  int start(int row) {
    return row == 0 ? 0 : ends[row - 1];
  }

  int length(int row) {
    return ends[row] - start(row);
  }

  Object[] trees(int row) {
    return trees == null ? null : trees[row];
  }

  /** Adds a row of {@code length} bytes from {@code src}, with its trees (or null). */
  void add(byte[] src, int off, int length, Object[] rowTrees) {
    if (used + length > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + length));
    }
    System.arraycopy(src, off, bytes, used, length);
    used += length;
    if (count == ends.length) {
      ends = Arrays.copyOf(ends, count * 2);
      if (trees != null) {
        trees = Arrays.copyOf(trees, count * 2);
      }
    }
    if (rowTrees != null) {
      if (trees == null) {
        trees = new Object[ends.length][];
      }
      trees[count] = rowTrees;
    }
    ends[count++] = used;
  }
}
