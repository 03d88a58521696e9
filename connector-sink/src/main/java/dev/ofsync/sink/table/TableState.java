package dev.ofsync.sink.table;

import dev.ofsync.sink.client.FieldInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** A table the sink writes: its id, name, place in the sequence and how full it is. */
public final class TableState {
  /** Sequence number of the base table; numbered tables {prefix}_001... have 1, 2, ... */
  public static final int BASE = 0;
  /** The rows of a table found but not counted yet: it takes no new rows until it is. */
  static final int UNCOUNTED = -1;

  private final String tableId;
  private final String name;
  private final int seq;
  private boolean mineForNewRows;
  /** Set for the table of a task that no longer exists (tasks.max lowered), when its marks fall to this task. */
  private boolean inheritedMarks;
  private int rows;
  private int reserved;
  private boolean closed;
  private Map<String, FieldInfo> fields;

  TableState(String tableId, String name, int seq, int rows, boolean mineForNewRows) {
    this.tableId = tableId;
    this.name = name;
    this.seq = seq;
    this.rows = rows;
    this.mineForNewRows = mineForNewRows;
  }

  public String tableId() {
    return tableId;
  }

  public String name() {
    return name;
  }

  public int seq() {
    return seq;
  }

  /** Rows in the table as far as this task knows; {@link #UNCOUNTED} (-1) before it was counted. */
  public synchronized int rows() {
    return rows;
  }

  synchronized boolean isCounted() {
    return rows != UNCOUNTED;
  }

  synchronized int room(int cap) {
    return closed || rows == UNCOUNTED ? 0 : Math.max(0, cap - rows - reserved);
  }

  synchronized void reserve(int n) {
    reserved += n;
  }

  /** {@code written} of the reserved rows were created; the rest of the reservation is released. */
  public synchronized void settle(int reservedRows, int written) {
    reserved -= reservedRows;
    rows += written;
  }

  /** The rows counted by reading the table back. */
  public synchronized void counted(int n) {
    rows = n;
  }

  public synchronized void removed(int n) {
    if (rows != UNCOUNTED) {
      rows = Math.max(0, rows - n);
    }
  }

  /** Feishu said the table is full (someone else filled it): no new rows go here. */
  public synchronized void close() {
    closed = true;
  }

  public synchronized boolean mineForNewRows() {
    return mineForNewRows;
  }

  synchronized void mineForNewRows(boolean mine) {
    mineForNewRows = mine;
  }

  /**
   * Whether this task reads the table back after an interrupted create and clears its mark: a
   * table it puts new rows in, or one whose task no longer exists and whose marks fall to it.
   */
  public synchronized boolean mineToReadBack() {
    return mineForNewRows || inheritedMarks;
  }

  synchronized void inheritMarks(boolean inherit) {
    inheritedMarks = inherit;
  }

  /** Whether the table was created by a task that no longer exists (tasks.max lowered) and fell to this one. */
  public synchronized boolean inherited() {
    return inheritedMarks;
  }

  /** Fields by name; null until listed. */
  public synchronized Map<String, FieldInfo> fields() {
    return fields;
  }

  public synchronized void fields(Iterable<FieldInfo> list) {
    Map<String, FieldInfo> m = new LinkedHashMap<>();
    list.forEach(f -> m.put(f.name(), f));
    this.fields = m;
  }

  /** The primary field's name: where the key goes. */
  public synchronized String primaryField() {
    if (fields == null) {
      return null;
    }
    return fields.values().stream().filter(FieldInfo::primary).map(FieldInfo::name).findFirst()
        .orElseGet(() -> fields.keySet().iterator().next());
  }

  @Override
  public String toString() {
    return name + " (" + tableId + ")";
  }
}
