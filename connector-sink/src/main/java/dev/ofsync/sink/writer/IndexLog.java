package dev.ofsync.sink.writer;

import java.util.Set;

/**
 * Where the key index survives a restart. Entries are written after their Feishu write succeeded;
 * a table is marked dirty before rows are created in it and clean once their entries are written,
 * so a crash in between is known at the next start and only that table is read back.
 */
public interface IndexLog extends AutoCloseable {
  /** What the log held: the index entries and the tables left dirty. */
  record Snapshot(RowIndex entries, Set<String> dirtyTables) {}

  /** Whether entries survive a restart; when not, each start reads the Bitable back. */
  boolean durable();

  Snapshot load();

  void put(String key, RowIndex.Location location);

  void remove(String key);

  void markDirty(Set<String> tableIds);

  void markClean(Set<String> tableIds);

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
      return new Snapshot(new RowIndex(), Set.of());
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
    public void flush() {}

    @Override
    public void close() {}
  };
}
