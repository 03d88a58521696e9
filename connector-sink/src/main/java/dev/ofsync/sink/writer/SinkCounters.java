package dev.ofsync.sink.writer;

import java.util.concurrent.atomic.LongAdder;

/** What the writer did, for metrics and the flush summary. */
public final class SinkCounters {
  public final LongAdder created = new LongAdder();
  public final LongAdder updated = new LongAdder();
  public final LongAdder deleted = new LongAdder();
  public final LongAdder unchanged = new LongAdder();
  public final LongAdder badRecords = new LongAdder();
  public final LongAdder flushes = new LongAdder();
}
