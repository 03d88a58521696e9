package dev.ofsync.sink.writer;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.Failure;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.mapping.BadValueException;
import dev.ofsync.sink.mapping.Change;
import dev.ofsync.sink.mapping.RowMapper;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.table.TableState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns records into Bitable writes. Each change goes to the {@link Lane} of the table it belongs
 * in: where the index says its key's row is, or, for a new key, where the {@link TableRoller}
 * places it. Lanes write side by side on their own threads while {@link #put} goes on reading, so
 * the quota is used continuously; {@code sync.max_buffered_records} bounds what waits (put()
 * blocks beyond it). All changes of a key go through one lane, in order.
 */
public final class SinkWriter implements AutoCloseable, Lane.Writer {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);
  private static final long BUFFER_WAIT_SECONDS = 60;
  private static final long FLUSH_WAIT_SECONDS = 120;

  private final FeishuSinkConfig config;
  private final BitableClient client;
  private final TableRoller roller;
  private final RowMapper mapper;
  private final IndexLog log;
  private final ErrantRecordReporter reporter;
  private final boolean upsert;
  private final RowIndex index = new RowIndex();
  private final SinkCounters counters = new SinkCounters();
  private final OffsetTracker offsets = new OffsetTracker();
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  /** The lane that holds (or is writing) the latest change of each key. */
  private final Map<String, Lane> keyLanes = new ConcurrentHashMap<>();
  private final Map<String, FieldSpec> columns = new LinkedHashMap<>();
  private final Set<String> tablesToReread = ConcurrentHashMap.newKeySet();
  private final Semaphore buffer;
  private final ExecutorService pool;
  private final AtomicReference<ConnectException> fatal = new AtomicReference<>();
  private volatile FeishuCallException lastFailure;
  private long appendSeq;

  public SinkWriter(FeishuSinkConfig config, BitableClient client, TableRoller roller, RowMapper mapper, IndexLog log,
      ErrantRecordReporter reporter) {
    this.config = config;
    this.client = client;
    this.roller = roller;
    this.mapper = mapper;
    this.log = log;
    this.reporter = reporter;
    this.upsert = config.writeMode() == FeishuSinkConfig.WriteMode.UPSERT;
    this.buffer = new Semaphore(config.maxBufferedRecords());
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "feishu-sink-lane-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public SinkCounters counters() {
    return counters;
  }

  public RowIndex index() {
    return index;
  }

  // ---- start: tables, index ----

  /** Finds the tables, loads the key index, and reads back the tables whose index may be incomplete. */
  public void start() throws InterruptedException {
    roller.discover();
    loadIndex();
  }

  /**
   * Loads the key index again: after a rebalance this task may own keys another task wrote since
   * the index was loaded.
   */
  public void reloadIndex() throws InterruptedException {
    flush();
    keyLanes.clear();
    roller.refresh();
    index.clear();
    loadIndex();
  }

  private void loadIndex() throws InterruptedException {
    if (!upsert) {
      return;
    }
    IndexLog.Snapshot snapshot = log.load();
    index.putAll(snapshot.entries());
    Set<String> reread = new HashSet<>();
    boolean anyRows = roller.tables().stream().anyMatch(t -> t.rows() > 0);
    if (!log.durable() || (snapshot.entries().isEmpty() && anyRows)) {
      roller.tables().forEach(t -> reread.add(t.tableId()));
    } else {
      roller.tables().stream().map(TableState::tableId).filter(snapshot.dirtyTables()::contains).forEach(reread::add);
    }
    for (TableState t : roller.tables()) {
      if (reread.contains(t.tableId())) {
        reread(t);
      }
    }
  }

  /** Rebuilds a table's index entries from its rows; a key found twice keeps its first row, the others are deleted. */
  private void reread(TableState t) throws InterruptedException {
    long start = System.nanoTime();
    index.forgetTables(Set.of(t.tableId()));
    roller.ensureFields(t, List.of());
    String primary = t.primaryField();
    List<String> duplicates = new ArrayList<>();
    Map<String, RowIndex.Location> found = new HashMap<>();
    client.scan(t.tableId(), null, r -> {
      Map<String, Object> cells = new HashMap<>();
      if (r.getFields() != null) {
        r.getFields().forEach((name, value) -> cells.put(name, PrimaryText.cell(value)));
      }
      cells.remove(primary);
      String key = PrimaryText.of(r.getFields() == null ? null : r.getFields().get(primary));
      if (found.containsKey(key) || index.get(key) != null) {
        duplicates.add(r.getRecordId());
      } else {
        found.put(key, new RowIndex.Location(t.tableId(), r.getRecordId(), RowMapper.hash(key, cells)));
      }
    });
    for (int i = 0; i < duplicates.size(); i += 500) {
      List<String> chunk = duplicates.subList(i, Math.min(duplicates.size(), i + 500));
      client.batchDelete(t.tableId(), chunk);
      t.removed(chunk.size());
    }
    if (!duplicates.isEmpty()) {
      LOG.warn("Table {} held {} rows whose key was already present (left by an interrupted write); deleted them",
          t, duplicates.size());
    }
    index.putAll(found);
    found.forEach(log::put);
    log.markClean(Set.of(t.tableId()));
    log.flush();
    tablesToReread.remove(t.tableId());
    LOG.info("Read {} keys back from table {} in {} ms", found.size(), t, (System.nanoTime() - start) / 1_000_000);
  }

  // ---- the task's thread ----

  public void put(Collection<SinkRecord> records) throws InterruptedException {
    checkFatal();
    Map<String, Pending> fresh = new LinkedHashMap<>();
    for (SinkRecord r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.kafkaPartition());
      offsets.seen(tp, r.kafkaOffset());
      Change change;
      try {
        change = mapper.map(r);
      } catch (BadValueException e) {
        badRecord(r, r.key(), e.getMessage(), e);
        continue;
      }
      if (change.kind() == Change.Kind.SKIP) {
        continue;
      }
      remember(change);
      Pending p = Pending.of(upsert ? change.key() : "\u0000" + (appendSeq++), r, change);
      Pending earlier = fresh.get(p.key);
      if (earlier != null) {
        fresh.put(p.key, earlier.replacedBy(p));
        continue;
      }
      Lane lane = upsert ? keyLanes.get(p.key) : null;
      if (lane != null) {
        enqueue(lane, p);
        continue;
      }
      RowIndex.Location loc = upsert ? index.get(p.key) : null;
      lane = loc == null ? null : roller.table(loc.tableId()).map(this::lane).orElse(null);
      if (change.kind() == Change.Kind.DELETE) {
        if (lane != null) {
          enqueue(lane, p);
        }
      } else if (lane == null) {
        fresh.put(p.key, p);
      } else if (loc.hash() == change.hash()) {
        counters.unchanged.increment();
      } else {
        enqueue(lane, p);
      }
    }
    List<Pending> creates = new ArrayList<>();
    for (Pending p : fresh.values()) {
      if (p.change.kind() != Change.Kind.DELETE) {
        creates.add(p);
      }
    }
    place(creates);
    checkFatal();
  }

  private synchronized void remember(Change change) {
    change.columns().forEach(c -> columns.putIfAbsent(c.name(), c.fieldSpec()));
  }

  private synchronized List<FieldSpec> columns() {
    return new ArrayList<>(columns.values());
  }

  /** New rows: the roller picks their tables, and each goes to its table's lane with its place reserved. */
  private void place(List<Pending> creates) throws InterruptedException {
    for (Placed placed : assign(creates)) {
      enqueue(placed.lane, placed.change);
    }
  }

  /** A new row and the lane of the table it was placed in. */
  private record Placed(Lane lane, Pending change) {}

  private List<Placed> assign(List<Pending> creates) throws InterruptedException {
    List<Placed> out = new ArrayList<>(creates.size());
    if (creates.isEmpty()) {
      return out;
    }
    List<FieldSpec> newTableFields = new ArrayList<>();
    newTableFields.add(FieldSpec.text(upsert ? mapper.keyFieldName() : "Row"));
    columns().stream().filter(f -> !f.name().equals(newTableFields.get(0).name())).forEach(newTableFields::add);
    int next = 0;
    for (TableRoller.Assignment a : roller.assign(creates.size(), config.writeBatchSize(), newTableFields,
        t -> lane(t).backlog())) {
      Lane lane = lane(a.table());
      for (Pending p : creates.subList(next, next + a.rows())) {
        out.add(new Placed(lane, p.withReservation(true)));
      }
      next += a.rows();
    }
    return out;
  }

  private void enqueue(Lane lane, Pending p) throws InterruptedException {
    if (!buffer.tryAcquire(BUFFER_WAIT_SECONDS, TimeUnit.SECONDS)) {
      checkFatal();
      FeishuCallException last = lastFailure;
      throw new RetriableException("Feishu has not taken a write for " + BUFFER_WAIT_SECONDS + " s"
          + (last == null ? "" : "; last failure: " + last.getMessage()));
    }
    offsets.open(p.partition, p.firstOffset);
    if (upsert) {
      keyLanes.put(p.key, lane);
    }
    lane.add(p);
  }

  private Lane lane(TableState t) {
    return lanes.computeIfAbsent(t.tableId(), id -> new Lane(t, this, config.writeBatchSize(), config.lingerMs(),
        Math.max(1_000, config.retryBackoffMs() * 10)));
  }

  /** Writes everything waiting, then answers; throws when writing stopped for good. */
  public void flush() throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(FLUSH_WAIT_SECONDS);
    for (Lane lane : lanes.values()) {
      lane.flush();
    }
    for (Lane lane : lanes.values()) {
      lane.awaitIdle(deadline);
    }
    checkFatal();
    long created = counters.created.sumThenReset();
    long updated = counters.updated.sumThenReset();
    long deleted = counters.deleted.sumThenReset();
    long unchanged = counters.unchanged.sumThenReset();
    counters.createdTotal.add(created);
    counters.updatedTotal.add(updated);
    counters.deletedTotal.add(deleted);
    counters.unchangedTotal.add(unchanged);
    if (created + updated + deleted + unchanged > 0 || offsets.openCount() > 0) {
      LOG.info("Since the last commit: {} rows created, {} updated, {} deleted, {} unchanged; {} still waiting; "
              + "{} Feishu calls so far; tables: {}", created, updated, deleted, unchanged, offsets.openCount(),
          client.counters().calls.sum(), roller.tables().stream().map(t -> t.name() + "=" + t.rows()).toList());
    }
  }

  public Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
    return offsets.safe();
  }

  /** Partitions this task no longer owns: their waiting changes go to the new owner by replay. */
  public void dropPartitions(Collection<TopicPartition> partitions) {
    offsets.forget(partitions);
  }

  private void checkFatal() {
    ConnectException e = fatal.get();
    if (e != null) {
      throw e;
    }
  }

  // ---- the lanes' threads ----

  @Override
  public void submit(Runnable lane) {
    pool.execute(lane);
  }

  @Override
  public boolean stopped() {
    return fatal.get() != null;
  }

  @Override
  public void merged(Pending older, Pending newer) {
    offsets.close(newer.partition, newer.firstOffset);
    buffer.release();
  }

  @Override
  public List<Pending> write(Lane lane, List<Pending> batch) throws InterruptedException {
    TableState table = lane.table;
    List<Pending> again = new ArrayList<>();
    try {
      if (tablesToReread.contains(table.tableId())) {
        reread(table);
      }
      Map<Pending, String> deletes = new LinkedHashMap<>();
      Map<Pending, String> updates = new LinkedHashMap<>();
      List<Pending> creates = new ArrayList<>();
      List<Pending> elsewhere = new ArrayList<>();
      for (Pending p : batch) {
        RowIndex.Location loc = upsert ? index.get(p.key) : null;
        if (loc != null && !loc.tableId().equals(table.tableId())) {
          elsewhere.add(p);
        } else if (p.change.kind() == Change.Kind.DELETE) {
          if (loc == null) {
            done(lane, p);
          } else {
            deletes.put(p, loc.recordId());
          }
        } else if (loc != null) {
          if (loc.hash() == p.change.hash()) {
            counters.unchanged.increment();
            done(lane, p);
          } else {
            updates.put(p, loc.recordId());
          }
        } else if (p.reserved) {
          creates.add(p);
        } else {
          elsewhere.add(p);
        }
      }
      move(lane, elsewhere);
      if (deletes.isEmpty() && updates.isEmpty() && creates.isEmpty()) {
        return again;
      }
      boolean creating = upsert && !creates.isEmpty();
      if (creating) {
        log.markDirty(Set.of(table.tableId()));
        log.flush();
        if (table.seq() == TableState.BASE) {
          roller.namePrimaryField(table, mapper.keyFieldName());
        }
      }
      TableWork.Result r = new TableWork(client, roller, table, config.writeBatchSize(), columns(), deletes, updates,
          creates.isEmpty() ? List.of() : List.of(creates)).call();
      apply(lane, r);
      if (r.error != null) {
        lastFailure = r.error;
        if (creating) {
          tablesToReread.add(table.tableId()); // a create whose answer never came may have been written
        }
        ConnectException translated = translate(r.error);
        if (!(translated instanceof RetriableException)) {
          fatal.compareAndSet(null, translated);
        }
        LOG.warn("Writing to table {} failed; {} changes wait for the next try: {}", table, r.retry.size(),
            r.error.getMessage());
        again.addAll(r.retry);
      } else {
        List<Pending> moved = new ArrayList<>();
        for (Pending p : r.retry) {
          moved.add(p.withReservation(false)); // the table turned out full
        }
        move(lane, moved);
        if (creating) {
          log.markClean(Set.of(table.tableId()));
        }
      }
      log.flush();
    } catch (FeishuCallException e) {
      lastFailure = e;
      ConnectException translated = translate(e);
      if (!(translated instanceof RetriableException)) {
        fatal.compareAndSet(null, translated);
      }
      again.addAll(batch);
    } catch (ConnectException e) {
      fatal.compareAndSet(null, e);
      again.addAll(batch);
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, new ConnectException("writing to Feishu failed unexpectedly: " + e, e));
      again.addAll(batch);
    }
    return again;
  }

  private void apply(Lane lane, TableWork.Result r) {
    for (Pending p : r.deleted) {
      index.remove(p.key);
      log.remove(p.key);
      counters.deleted.increment();
      done(lane, p);
    }
    for (Pending p : r.updated) {
      RowIndex.Location old = index.get(p.key);
      RowIndex.Location now = new RowIndex.Location(old.tableId(), old.recordId(), p.change.hash());
      index.put(p.key, now);
      log.put(p.key, now);
      counters.updated.increment();
      done(lane, p);
    }
    for (Map.Entry<Pending, String> e : r.created.entrySet()) {
      Pending p = e.getKey();
      if (upsert) {
        RowIndex.Location now = new RowIndex.Location(r.table.tableId(), e.getValue(), p.change.hash());
        index.put(p.key, now);
        log.put(p.key, now);
      }
      counters.created.increment();
      done(lane, p);
    }
    List<Pending> stale = new ArrayList<>();
    for (Pending p : r.stale) {
      index.remove(p.key);
      log.remove(p.key);
      stale.add(p.withReservation(false));
    }
    try {
      move(lane, stale);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Map.Entry<Pending, FeishuCallException> e : r.bad.entrySet()) {
      try {
        badRecord(e.getKey().record, e.getKey().change.key(), e.getValue().getMessage(), e.getValue());
      } catch (ConnectException fail) {
        fatal.compareAndSet(null, fail);
      }
      done(lane, e.getKey());
    }
  }

  /** Changes that belong in another table: the table of their key's row, or (new rows) wherever the roller places them. */
  private void move(Lane from, List<Pending> changes) throws InterruptedException {
    List<Pending> creates = new ArrayList<>();
    for (Pending p : changes) {
      Pending merged = p;
      Pending newer = from.take(p.key);
      if (newer != null) {
        merged = p.replacedBy(newer);
        offsets.close(newer.partition, newer.firstOffset);
        buffer.release();
      }
      RowIndex.Location loc = upsert ? index.get(p.key) : null;
      Lane to = loc == null ? null : roller.table(loc.tableId()).map(this::lane).orElse(null);
      if (to != null) {
        keyLanes.put(p.key, to);
        to.add(merged);
      } else if (merged.change.kind() == Change.Kind.DELETE) {
        done(from, merged);
      } else {
        creates.add(merged);
      }
    }
    for (Placed placed : assign(creates)) {
      if (upsert) {
        keyLanes.put(placed.change.key, placed.lane);
      }
      placed.lane.add(placed.change);
    }
  }

  /** The change is in Feishu (or needed no write). */
  private void done(Lane lane, Pending p) {
    offsets.close(p.partition, p.firstOffset);
    buffer.release();
    if (upsert && !lane.holds(p.key)) {
      keyLanes.remove(p.key, lane);
    }
  }

  private void badRecord(SinkRecord record, Object key, String reason, Exception cause) {
    counters.badRecords.increment();
    String where = "topic " + record.topic() + ", partition " + record.kafkaPartition() + ", offset "
        + record.kafkaOffset() + ", key " + key;
    if (reporter == null) {
      throw new ConnectException("Cannot write the record at " + where + " to Feishu: " + reason
          + ". Fix the value at its source, or set errors.tolerance=all with errors.deadletterqueue.topic.name "
          + "to send such records to a dead-letter queue.", cause);
    }
    LOG.warn("Sending the record at {} to the dead-letter queue: {}", where, reason);
    try {
      reporter.report(record, new ConnectException(reason, cause)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("interrupted while reporting a bad record", e);
    } catch (ExecutionException e) {
      throw new ConnectException("could not report the bad record at " + where + ": " + e.getCause(), e.getCause());
    }
  }

  /** A Feishu failure as the framework should see it: retriable later, or fatal with what to fix. */
  static ConnectException translate(FeishuCallException e) {
    if (e.failure() == Failure.TRANSIENT || e.failure() == Failure.RATE_LIMITED || e.failure() == Failure.TOKEN_EXPIRED
        || e.failure() == Failure.TABLE_FULL) {
      return new RetriableException(e.getMessage(), e);
    }
    return new ConnectException(e.withAdvice(), e);
  }

  @Override
  public void close() {
    pool.shutdownNow();
    log.close();
  }
}
