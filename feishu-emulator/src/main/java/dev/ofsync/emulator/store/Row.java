package dev.ofsync.emulator.store;

/**
 * One record: the number its id spells, its times, and its cells packed into one byte array by
 * {@link CellPacker} (with the rare cells that are JSON trees beside it).
 *
 * <p>A full base holds two million rows, and every one of them survives each young collection that
 * sees it: one row is two objects here, where a row of boxed cells, lists and a map entry was twenty.
 */
class Row {
  /** The 64-bit number the record id spells ({@link Ids#recordId(long)}). */
  final long key;
  long createdMillis;
  long modifiedMillis;
  /** Where the row sits in its table's creation order ({@link Rows}). */
  int position;
  private byte[] packed;
  private Object[] trees;

  Row(long key, long createdMillis) {
    this.key = key;
    this.createdMillis = createdMillis;
    this.modifiedMillis = createdMillis;
  }

  String id() {
    return Ids.recordId(key);
  }

  /** The stored cell of a slot (see {@link CellCodec} for the forms), or null where empty. */
  Object cell(int slot) {
    return CellPacker.cell(packed, trees, slot);
  }

  /** Every cell, by slot; {@code slots} long at least. */
  Object[] cells(int slots) {
    return CellPacker.cells(packed, trees, slots);
  }

  void set(int slot, Object value) {
    Object[] cells = cells(slot + 1);
    cells[slot] = value;
    CellPacker.packInto(this, cells);
  }

  /** This row's cells under another id: for the one-in-2^64 chance that a new id is taken. */
  Row rekeyed(long newKey) {
    Row row = new Row(newKey, createdMillis);
    row.modifiedMillis = modifiedMillis;
    row.setPacked(packed, trees);
    return row;
  }

  void setPacked(byte[] packed, Object[] trees) {
    this.packed = packed;
    this.trees = trees;
  }

  /** A row whose id was read from a state file and spells no 64-bit number; found by its id string. */
  static final class Named extends Row {
    private final String id;

    Named(String id, long createdMillis) {
      super(0, createdMillis);
      this.id = id;
    }

    @Override
    String id() {
      return id;
    }
  }
}
