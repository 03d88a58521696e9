package dev.ofsync.sink.writer;

import java.util.concurrent.atomic.LongAdder;

/** What the writer did: since the last commit (for its summary line) and in total (for metrics). */
public final class SinkCounters {
  public final LongAdder created = new LongAdder();
  public final LongAdder updated = new LongAdder();
  public final LongAdder deleted = new LongAdder();
  public final LongAdder unchanged = new LongAdder();
  public final LongAdder createdTotal = new LongAdder();
  public final LongAdder updatedTotal = new LongAdder();
  public final LongAdder deletedTotal = new LongAdder();
  public final LongAdder unchangedTotal = new LongAdder();
  public final LongAdder badRecords = new LongAdder();
  public final LongAdder flushes = new LongAdder();
}
