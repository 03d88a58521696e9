package dev.ofsync.emulator.store;

import java.util.Arrays;

/** One record: its id and one stored cell per field slot (null where empty). */
final class Row {
  final String id;
  final long createdMillis;
  long modifiedMillis;
  Object[] cells;

  Row(String id, long createdMillis, Object[] cells) {
    this.id = id;
    this.createdMillis = createdMillis;
    this.modifiedMillis = createdMillis;
    this.cells = cells;
  }

  Object cell(int slot) {
    return slot < cells.length ? cells[slot] : null;
  }

  void set(int slot, Object value) {
    if (slot >= cells.length) {
      if (value == null) {
        return;
      }
      cells = Arrays.copyOf(cells, slot + 1);
    }
    cells[slot] = value;
  }
}
