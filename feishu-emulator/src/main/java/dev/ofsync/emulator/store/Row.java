package dev.ofsync.emulator.store;

/**
 * One record of a table, as a view onto its {@link Rows}: made when a record is read, never stored.
 * Valid while the table's lock is held, until {@link Rows#compactIfWasteful} renumbers the records.
 */
final class Row {
  private final Rows rows;
  private final int index;

  Row(Rows rows, int index) {
    this.rows = rows;
    this.index = index;
  }

  int index() {
    return index;
  }

  String id() {
    return rows.id(index);
  }

  long createdMillis() {
    return rows.created(index);
  }

  long modifiedMillis() {
    return rows.modified(index);
  }

  /** The stored cell of a slot (see {@link CellCodec} for the forms), or null where empty. */
  Object cell(int slot) {
    return rows.cell(index, slot);
  }

  /** Every cell, by slot, in an array of at least {@code slots}. */
  Object[] cells(int slots) {
    return rows.cells(index, slots);
  }

  /** Replaces every cell and marks the record modified at {@code now}. */
  void update(Object[] cells, long now) {
    rows.replace(index, cells, now);
  }
}
