package dev.ofsync.sink.writer;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.Failure;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.mapping.BadValueException;
import dev.ofsync.sink.mapping.Change;
import dev.ofsync.sink.mapping.Column;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns records into Bitable writes. Changes wait in {@link PendingChanges} (one per key) until a
 * batch is full, the linger has passed or the framework commits; then one flush sorts them into
 * deletes, updates (rows the index knows; unchanged ones cost nothing) and creates (placed by the
 * {@link TableRoller}), and writes each table's share in order, tables side by side.
 */
public final class SinkWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

  private final FeishuSinkConfig config;
  private final BitableClient client;
  private final TableRoller roller;
  private final RowMapper mapper;
  private final IndexLog log;
  private final ErrantRecordReporter reporter;
  private final RowIndex index = new RowIndex();
  private final PendingChanges pending = new PendingChanges();
  private final SinkCounters counters = new SinkCounters();
  private final ExecutorService pool;
  private final boolean upsert;
  private final Set<String> tablesToReread = new HashSet<>();

  public SinkWriter(FeishuSinkConfig config, BitableClient client, TableRoller roller, RowMapper mapper, IndexLog log,
      ErrantRecordReporter reporter) {
    this.config = config;
    this.client = client;
    this.roller = roller;
    this.mapper = mapper;
    this.log = log;
    this.reporter = reporter;
    this.upsert = config.writeMode() == FeishuSinkConfig.WriteMode.UPSERT;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(Math.max(4, config.tablesInParallel()), r -> {
      Thread t = new Thread(r, "feishu-sink-writer-" + n.incrementAndGet());
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

  /** Finds the tables, loads the key index, and reads back the tables whose index may be incomplete. */
  public void start() throws InterruptedException {
    roller.discover();
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
    reread(reread);
  }

  /** Rebuilds the index entries of the tables from their rows; a key found twice keeps its first row. */
  private void reread(Set<String> tableIds) throws InterruptedException {
    if (tableIds.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    index.forgetTables(tableIds);
    int rows = 0;
    for (TableState t : roller.tables()) {
      if (!tableIds.contains(t.tableId())) {
        continue;
      }
      roller.ensureFields(t, List.of());
      String primary = t.primaryField();
      List<String> duplicates = new ArrayList<>();
      Map<String, RowIndex.Location> found = new HashMap<>();
      client.scan(t.tableId(), null, r -> {
        Map<String, Object> cells = new HashMap<>();
        if (r.getFields() != null) {
          r.getFields().forEach((name, value) -> cells.put(name, PrimaryText.cell(value)));
        }
        String key = String.valueOf(cells.remove(primary) == null ? "" : PrimaryText.of(r.getFields().get(primary)));
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
      rows += found.size();
    }
    log.markClean(tableIds);
    log.flush();
    tablesToReread.removeAll(tableIds);
    LOG.info("Read {} keys back from {} table(s) in {} ms", rows, tableIds.size(), (System.nanoTime() - start) / 1_000_000);
  }

  public void put(Collection<SinkRecord> records) throws InterruptedException {
    for (SinkRecord r : records) {
      Change change;
      try {
        change = mapper.map(r);
      } catch (BadValueException e) {
        badRecord(r, r.key(), e.getMessage(), e);
        pending.consumedOnly(r);
        continue;
      }
      pending.add(r, change, upsert);
    }
    int full = config.writeBatchSize() * config.tablesInParallel();
    if (pending.size() >= Math.min(full, config.maxBufferedRecords()) || pending.size() >= config.maxBufferedRecords()
        || (pending.size() > 0 && pending.oldestAgeMillis() >= config.lingerMs())) {
      flush();
    }
  }

  public Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
    return pending.safeOffsets();
  }

  public void dropPartitions(Collection<TopicPartition> partitions) {
    pending.dropPartitions(partitions);
  }

  /** Writes every pending change; throws when some could not be written (they stay pending). */
  public void flush() throws InterruptedException {
    if (!tablesToReread.isEmpty()) {
      reread(new HashSet<>(tablesToReread));
    }
    List<Pending> changes = pending.snapshot();
    if (changes.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    long callsBefore = client.counters().calls.sum();
    Map<TableState, Map<Pending, String>> deletes = new LinkedHashMap<>();
    Map<TableState, Map<Pending, String>> updates = new LinkedHashMap<>();
    List<Pending> creates = new ArrayList<>();
    int unchanged = 0;
    for (Pending p : changes) {
      RowIndex.Location loc = upsert ? index.get(p.key) : null;
      TableState table = loc == null ? null : roller.table(loc.tableId()).orElse(null);
      if (loc != null && table == null) {
        index.remove(p.key); // its table is gone
        loc = null;
      }
      if (p.change.kind() == Change.Kind.DELETE) {
        if (loc == null) {
          pending.done(p);
        } else {
          deletes.computeIfAbsent(table, k -> new LinkedHashMap<>()).put(p, loc.recordId());
        }
      } else if (loc == null) {
        creates.add(p);
      } else if (loc.hash() == p.change.hash()) {
        unchanged++;
        pending.done(p);
      } else {
        updates.computeIfAbsent(table, k -> new LinkedHashMap<>()).put(p, loc.recordId());
      }
    }
    counters.unchanged.add(unchanged);

    Map<String, FieldSpec> columns = new LinkedHashMap<>();
    for (Pending p : creates) {
      p.change.columns().forEach(c -> columns.putIfAbsent(c.name(), c.fieldSpec()));
    }
    updates.values().forEach(m -> m.keySet().forEach(p -> p.change.columns()
        .forEach(c -> columns.putIfAbsent(c.name(), c.fieldSpec()))));
    List<FieldSpec> fields = new ArrayList<>(columns.values());
    List<FieldSpec> newTableFields = new ArrayList<>();
    String keyField = mapper.keyFieldName();
    newTableFields.add(FieldSpec.text(upsert ? keyField : "Row"));
    fields.stream().filter(f -> !f.name().equals(newTableFields.get(0).name())).forEach(newTableFields::add);

    Map<TableState, List<List<Pending>>> createChunks = new LinkedHashMap<>();
    int next = 0;
    for (TableRoller.Assignment a : roller.assign(creates.size(), config.writeBatchSize(), newTableFields)) {
      createChunks.computeIfAbsent(a.table(), k -> new ArrayList<>()).add(creates.subList(next, next + a.rows()));
      next += a.rows();
    }
    Set<String> dirty = new HashSet<>();
    createChunks.keySet().forEach(t -> dirty.add(t.tableId()));
    if (upsert && !dirty.isEmpty()) {
      log.markDirty(dirty);
      log.flush();
    }
    for (TableState t : createChunks.keySet()) {
      if (t.seq() == TableState.BASE && upsert) {
        roller.namePrimaryField(t, keyField);
      }
    }

    Set<TableState> touched = new java.util.LinkedHashSet<>();
    touched.addAll(deletes.keySet());
    touched.addAll(updates.keySet());
    touched.addAll(createChunks.keySet());
    List<Future<TableWork.Result>> futures = new ArrayList<>();
    for (TableState t : touched) {
      futures.add(pool.submit(new TableWork(client, roller, t, config.writeBatchSize(), fields,
          deletes.getOrDefault(t, Map.of()), updates.getOrDefault(t, Map.of()), createChunks.getOrDefault(t, List.of()))));
    }
    FeishuCallException firstError = null;
    int created = 0;
    int updated = 0;
    int deleted = 0;
    int retried = 0;
    for (Future<TableWork.Result> f : futures) {
      TableWork.Result r;
      try {
        r = f.get();
      } catch (ExecutionException e) {
        throw new ConnectException("writing to Feishu failed unexpectedly: " + e.getCause(), e.getCause());
      }
      for (Pending p : r.deleted) {
        index.remove(p.key);
        log.remove(p.key);
        pending.done(p);
      }
      for (Pending p : r.updated) {
        RowIndex.Location old = index.get(p.key);
        RowIndex.Location now = new RowIndex.Location(old.tableId(), old.recordId(), p.change.hash());
        index.put(p.key, now);
        log.put(p.key, now);
        pending.done(p);
      }
      for (Map.Entry<Pending, String> e : r.created.entrySet()) {
        Pending p = e.getKey();
        if (upsert) {
          RowIndex.Location now = new RowIndex.Location(r.table.tableId(), e.getValue(), p.change.hash());
          index.put(p.key, now);
          log.put(p.key, now);
        }
        pending.done(p);
      }
      for (Pending p : r.stale) {
        index.remove(p.key);
        log.remove(p.key);
      }
      for (Map.Entry<Pending, FeishuCallException> e : r.bad.entrySet()) {
        badRecord(e.getKey().record, e.getKey().change.key(), e.getValue().getMessage(), e.getValue());
        pending.done(e.getKey());
      }
      if (r.error != null) {
        if (firstError == null) {
          firstError = r.error;
        }
        if (createChunks.containsKey(r.table)) {
          // a create whose answer never came may have been written: read the table back before writing again
          tablesToReread.add(r.table.tableId());
          dirty.remove(r.table.tableId());
        }
      }
      created += r.created.size();
      updated += r.updated.size();
      deleted += r.deleted.size();
      retried += r.retry.size() + r.stale.size();
    }
    log.markClean(dirty);
    log.flush();
    counters.created.add(created);
    counters.updated.add(updated);
    counters.deleted.add(deleted);
    counters.flushes.increment();
    LOG.info("Flushed {} changes in {} ms with {} Feishu calls: {} created, {} updated, {} deleted, {} unchanged, "
            + "{} to retry; tables: {}", changes.size(), (System.nanoTime() - start) / 1_000_000,
        client.counters().calls.sum() - callsBefore, created, updated, deleted, unchanged, retried,
        touched.stream().map(t -> t.name() + "=" + t.rows()).toList());
    if (firstError != null) {
      throw translate(firstError);
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
