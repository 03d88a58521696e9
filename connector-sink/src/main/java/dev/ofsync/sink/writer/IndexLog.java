package dev.ofsync.sink.writer;

import java.util.Map;
import java.util.Set;

/**
 * Where the key index survives a restart. Entries are written after their Feishu write succeeded;
 * a table is marked dirty before rows are created in it and clean once their entries are written,
 * so a crash in between is known at the next start and only that table is read back. Each table a
 * task creates is recorded as that task's, so the task takes it up again after a restart and no
 * other task fills it; and before a task asks Feishu for a numbered table it records that it set out
 * to make that name, so a table whose creator stopped before recording it is still known as its.
 */
public interface IndexLog extends AutoCloseable {
  /**
   * What the log holds: the index entries (all of them, or, when {@code entries} is null, the
   * {@code changes} since this log's previous load, a null location for a key removed), the tables
   * left dirty, which task created each table, which tasks set out to create a table of each
   * name and have not recorded the outcome ({@link #markIntent}), and, per table and task that
   * recorded it, until when (epoch milliseconds) an update that task gave up on may still land
   * ({@link #markQuiet}; past ones too, until their task clears them).
   */
  record Snapshot(RowIndex entries, Map<String, RowIndex.Location> changes, Set<String> dirtyTables,
      Map<String, Integer> tableOwners, Map<String, Set<Integer>> intents, Map<String, Map<Integer, Long>> quiet) {
    public Snapshot(RowIndex entries, Set<String> dirtyTables, Map<String, Integer> tableOwners,
        Map<String, Set<Integer>> intents, Map<String, Map<Integer, Long>> quiet) {
      this(entries, null, dirtyTables, tableOwners, intents, quiet);
    }

    /** Whether this holds every entry, rather than the changes since the previous load. */
    public boolean whole() {
      return entries != null;
    }
  }

  /** Whether entries survive a restart; when not, each start reads the Bitable back. */
  boolean durable();

  /** Every entry the first time, afterwards the changes since the previous load (or every entry again). */
  Snapshot load();

  void put(String key, RowIndex.Location location);

  void remove(String key);

  void markDirty(Set<String> tableIds);

  void markClean(Set<String> tableIds);

  /** Records that task {@code taskId} created the table and alone puts new rows in it; stored at the next flush. */
  void markOwner(String tableId, int taskId);

  /**
   * Records that task {@code taskId} is about to ask Feishu for a table named {@code tableName}
   * (stored at the next flush, which the caller makes before asking). Should the task stop before it
   * records the table as its own ({@link #markOwner}), the table is still known as its.
   */
  void markIntent(String tableName, int taskId);

  /** Forgets the intent: the table was made and recorded as the task's. Stored at the next flush. */
  void dropIntent(String tableName, int taskId);

  /**
   * Records that an update of the table that may still be carried out by Feishu (its try got no
   * answer) could land until {@code untilEpochMillis}, for the next owner of the rows' partitions
   * to write nothing newer to it before then. Stored at the next flush.
   */
  void markQuiet(String tableId, int taskId, long untilEpochMillis);

  /** Forgets task {@code taskId}'s pause of the table, once it is over. Stored at the next flush. */
  void clearQuiet(String tableId, int taskId);

  /** Waits until everything the calling thread appended is stored. */
  void flush();

  @Override
  void close();

  /** No log: the index lives in memory only. */
  IndexLog NONE = new IndexLog() {
    @Override
    public boolean durable() {
      return false;
    }

    @Override
    public Snapshot load() {
      return new Snapshot(new RowIndex(), Set.of(), Map.of(), Map.of(), Map.of());
    }

    @Override
    public void put(String key, RowIndex.Location location) {}

    @Override
    public void remove(String key) {}

    @Override
    public void markDirty(Set<String> tableIds) {}

    @Override
    public void markClean(Set<String> tableIds) {}

    @Override
    public void markOwner(String tableId, int taskId) {}

    @Override
    public void markIntent(String tableName, int taskId) {}

    @Override
    public void dropIntent(String tableName, int taskId) {}

    @Override
    public void markQuiet(String tableId, int taskId, long untilEpochMillis) {}

    @Override
    public void clearQuiet(String tableId, int taskId) {}

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
}
