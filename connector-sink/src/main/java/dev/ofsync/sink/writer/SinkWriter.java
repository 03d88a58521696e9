package dev.ofsync.sink.writer;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.mapping.BadValueException;
import dev.ofsync.sink.mapping.Change;
import dev.ofsync.sink.mapping.Column;
import dev.ofsync.sink.mapping.ColumnKind;
import dev.ofsync.sink.mapping.RowMapper;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.table.TableState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  /** This writer's run, for the client_tokens of its creates ({@code TableWork}). */
  private final String run = java.util.UUID.randomUUID().toString();
  private final Backlog backlog;
  private final ErrantRecordReporter reporter;
  private final boolean upsert;
  private final RowIndex index = new RowIndex();
  private final SinkCounters counters = new SinkCounters();
  private final OffsetTracker offsets = new OffsetTracker();
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  /**
   * Table id to the instant (System.nanoTime()) until which an update of it that got no answer (or a
   * write still under way when a rebalance stopped waiting for it) may still be carried out by
   * Feishu. Recorded in the index log as it begins ({@link #recordPause}) and again at a rebalance
   * ({@link #passOnUncertainUpdates}), for whichever task owns the partitions next.
   */
  private final Map<String, Long> uncertainUntil = new ConcurrentHashMap<>();
  /** The lane that holds (or is writing) the latest change of each key. */
  private final Map<String, Lane> keyLanes = new ConcurrentHashMap<>();
  private final Map<String, FieldSpec> columns = new LinkedHashMap<>();
  private final Set<String> tablesToReread = ConcurrentHashMap.newKeySet();
  /** The partitions this task owns now: changes of partitions it gave up are not written. */
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();
  private final Semaphore buffer;
  private final ExecutorService pool;
  private final AtomicReference<ConnectException> fatal = new AtomicReference<>();
  /** Guards the routing of changes to lanes: {@link #keyLanes}, and what a lane holds, change together under it. */
  private final Object routing = new Object();
  private volatile FeishuCallException lastFailure;
  private long appendSeq;
  /** Of the records put lately, the share that were new rows (decaying counts): the backlog is taken as alike. */
  private double recentNew;
  private double recentRecords;

  public SinkWriter(FeishuSinkConfig config, BitableClient client, TableRoller roller, RowMapper mapper, IndexLog log,
      Backlog backlog, ErrantRecordReporter reporter) {
    this.config = config;
    this.client = client;
    this.roller = roller;
    this.mapper = mapper;
    this.log = log;
    this.backlog = backlog;
    this.reporter = reporter;
    this.upsert = config.writeMode() == FeishuSinkConfig.WriteMode.UPSERT;
    this.buffer = new Semaphore(config.maxBufferedRecords());
    roller.records(new TableRecords(log, config.taskId()), log.durable());
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

  // ---- start: tables, index ----

  /**
   * Finds the tables, and reads back those of this task whose creates an earlier run of it left
   * under way (a crash): before the task joins its consumer group, so that the other tasks, whose
   * load comes with the rebalance that join makes, find them clean and need not read them
   * themselves. The key index is loaded again when partitions are assigned ({@link #reloadIndex}),
   * from where this load stopped.
   */
  public void start() throws InterruptedException {
    roller.discover();
    if (!upsert || !log.durable()) {
      return;
    }
    IndexLog.Snapshot snapshot = readLog();
    for (TableState t : roller.tables()) {
      // the task's own tables only: one inherited from a task removed by a lower tasks.max may still
      // be written by it while it stops, and is read back at the first load, as before
      if (t.mineForNewRows() && !t.inherited() && snapshot.dirtyTables().contains(t.tableId())) {
        try {
          reread(t, true);
        } catch (FeishuCallException e) {
          if (!e.failure().passes()) {
            throw e;
          }
          // still marked: the load when partitions are assigned reads it, and retries a passing failure
          LOG.warn("Reading table {} back must wait for the first load of the key index: {}", t, e.getMessage());
        }
      }
    }
  }

  /**
   * Loads the key index (again): partitions just assigned may hold keys another task wrote since
   * this task last loaded it. Reads back the tables whose index may be incomplete, and counts the
   * rows of this task's own tables again.
   */
  public void reloadIndex() throws InterruptedException {
    flush();
    roller.refresh();
    loadIndex();
  }

  /**
   * Loads the index; keys with a change on its way keep what this task knows of them. Counts the
   * tables' rows where the index does not show them full.
   */
  private void loadIndex() throws InterruptedException {
    if (!upsert) {
      roller.recount(tableId -> 0);
      return;
    }
    IndexLog.Snapshot snapshot = readLog();
    boolean anyEntries;
    Map<String, Integer> keysByTable;
    synchronized (routing) {
      anyEntries = !index.isEmpty();
      keysByTable = index.countByTable();
    }
    forgetTables(tablesNoLongerThere(keysByTable.keySet()));
    roller.recount(tableId -> keysByTable.getOrDefault(tableId, 0));
    Set<String> reread = new HashSet<>();
    boolean anyRows = roller.tables().stream().anyMatch(t -> t.rows() > 0);
    if (!log.durable() || (!anyEntries && anyRows)) {
      roller.tables().forEach(t -> reread.add(t.tableId()));
    } else {
      roller.tables().stream().map(TableState::tableId).filter(snapshot.dirtyTables()::contains).forEach(reread::add);
    }
    for (TableState t : roller.tables()) {
      if (reread.contains(t.tableId())) {
        reread(t, snapshot.dirtyTables().contains(t.tableId()));
      }
    }
  }

  /**
   * Reads the index's log (whole, or what was appended since the last read) into the index; keys
   * with a change on its way keep what this task knows of them. Takes up the tables the log says
   * this task created.
   */
  private IndexLog.Snapshot readLog() {
    Set<String> listedBefore = roller.tableIds();
    IndexLog.Snapshot snapshot = log.load();
    roller.claim(snapshot.tableOwners(), snapshot.intents(), listedBefore);
    holdBackUncertainUpdates(snapshot.quiet());
    log.flush(); // the tables it took up are recorded as its own, pauses that are over forgotten
    synchronized (routing) {
      if (!snapshot.whole()) {
        // each key's last record since the previous load: other tasks' writes, and this task's own again
        snapshot.changes().forEach((key, loc) -> {
          if (keyLanes.containsKey(key)) {
            return; // a change on its way knows better
          }
          if (loc == null) {
            index.remove(key);
          } else {
            index.put(key, loc);
          }
        });
      } else if (index.isEmpty() && keyLanes.isEmpty()) {
        index.adopt(snapshot.entries()); // the first load: no copy of a million keys
      } else if (log.durable()) {
        // the log is the truth for keys with no change on its way: a row another task deleted (or
        // moved) since this task last loaded must not be written to by its old record id
        index.replaceAll(snapshot.entries(), keyLanes::containsKey);
      } else {
        snapshot.entries().forEach((key, loc) -> {
          if (!keyLanes.containsKey(key)) {
            index.put(key, loc);
          }
        });
      }
    }
    return snapshot;
  }

  /**
   * Holds back this task's writes to the tables on which an update another task (or an earlier run
   * of this one) got no answer for may still land ({@link #recordPause}, {@link
   * #passOnUncertainUpdates}), until it no longer can; and clears this task's own records of pauses
   * that are over (and those of the removed tasks whose tables fall to it). A pause is taken for at
   * most three request timeouts and a second, whatever the record says: a worker's clock ahead of
   * the others, or a damaged record, must not stop a table's writes.
   */
  private void holdBackUncertainUpdates(Map<String, Map<Integer, Long>> quiet) {
    long nowMillis = System.currentTimeMillis();
    long longest = 3L * config.requestTimeoutMs() + 1_000;
    quiet.forEach((tableId, byTask) -> {
      long untilMillis = Long.MIN_VALUE;
      for (Map.Entry<Integer, Long> e : byTask.entrySet()) {
        int task = e.getKey();
        if (e.getValue() <= nowMillis && task == config.taskId()) {
          clearPauseIfOver(tableId); // stored at the flush after the load
        } else if (e.getValue() <= nowMillis && task >= config.tasksMax() && task % config.tasksMax() == config.taskId()) {
          log.clearQuiet(tableId, task); // of a task removed by a lower tasks.max: nobody else would
        }
        untilMillis = Math.max(untilMillis, e.getValue());
      }
      long waitMillis = untilMillis - nowMillis;
      if (waitMillis <= 0 || roller.table(tableId).isEmpty()) {
        return;
      }
      if (waitMillis > longest) {
        LOG.warn("The key index says an update of table {} may still land for {} ms, longer than an update can wait "
            + "({} ms: three feishu.request_timeout_ms and a second): is a worker's clock ahead? Holding its writes {} ms", tableId,
            waitMillis, longest, longest);
        waitMillis = longest;
      }
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      Long known = uncertainUntil.get(tableId);
      holdUntil(tableId, until); // passed on again at the next rebalance
      Lane lane = lanes.get(tableId); // a lane made later takes it up when it is made (lane())
      if (lane != null) {
        lane.quietUntil(until);
      }
      if (known == null || until - known > TimeUnit.MILLISECONDS.toNanos(100)) { // not one an earlier load read
        LOG.info("An update of table {} that got no answer may still be carried out by Feishu; the table's next write "
            + "waits {} ms, so that it cannot land after a newer one", roller.table(tableId).get(), waitMillis);
      }
    });
  }

  /**
   * The tables among {@code named} (those the key index places rows in) that the base no longer
   * has: deleted, or renamed so that they no longer carry the prefix. The base's tables are listed
   * again first, as another task may have made one since this task last looked.
   */
  private Set<String> tablesNoLongerThere(Set<String> named) throws InterruptedException {
    Set<String> unknown = new HashSet<>();
    for (String tableId : named) {
      if (roller.table(tableId).isEmpty()) {
        unknown.add(tableId);
      }
    }
    if (!unknown.isEmpty()) {
      roller.refresh();
      unknown.removeIf(tableId -> roller.table(tableId).isPresent());
    }
    return unknown;
  }

  /**
   * Drops the index entries of tables the base no longer has, here and in the index's log. Kept,
   * they would send each change of those keys to a table no lane writes to, and back, for ever;
   * dropped, the keys are new rows again when their records come (all of them in a full resync).
   */
  private void forgetTables(Set<String> gone) {
    if (gone.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>();
    synchronized (routing) {
      index.forEach((key, loc) -> {
        if (gone.contains(loc.tableId())) {
          keys.add(key);
        }
      });
      keys.forEach(index::remove);
    }
    keys.forEach(log::remove);
    log.flush();
    LOG.warn("The key index places {} rows in table(s) {} that base {} no longer has (deleted, or renamed so that "
        + "the name no longer starts with '{}'). Those rows are written anew, into the tables of the sequence, when "
        + "their records come again; to bring all of them back, replay the topic (a full resync)", keys.size(), gone,
        client.appToken(), config.tableNamePrefix());
  }

  /**
   * Rebuilds a table's index entries from its rows. A key found twice keeps its first row; the
   * others are deleted only when {@code interrupted} (a create of ours may have been written twice),
   * since otherwise they may be the user's own rows.
   *
   * <p>A table another task fills with new rows is only read: its creates may be under way (the
   * mark that they are is that task's, and so is deleting what an interrupted one left twice). Marked
   * clean here, a create of that task that lands after this read, followed by a crash of that task
   * before it stored its entries, would find the table clean after the restart, and the replay
   * would write those rows again.
   */
  private void reread(TableState t, boolean interrupted) throws InterruptedException {
    boolean ownTable = t.mineToReadBack();
    long start = System.nanoTime();
    roller.ensureFields(t, List.of());
    String primary = t.primaryField();
    List<String> duplicates = new ArrayList<>();
    Map<String, RowIndex.Location> found = new HashMap<>();
    int[] rows = {0};
    client.scan(t.tableId(), null, r -> {
      rows[0]++;
      Map<String, Object> cells = new HashMap<>();
      if (r.getFields() != null) {
        r.getFields().forEach((name, value) -> cells.put(name, PrimaryText.cell(value)));
      }
      cells.remove(primary);
      String key = PrimaryText.of(r.getFields() == null ? null : r.getFields().get(primary));
      RowIndex.Location elsewhere = index.get(key);
      if (found.containsKey(key) || (elsewhere != null && !elsewhere.tableId().equals(t.tableId()))) {
        duplicates.add(r.getRecordId());
      } else {
        found.put(key, new RowIndex.Location(t.tableId(), r.getRecordId(), RowMapper.hash(key, cells)));
      }
    });
    int deleted = 0;
    if (interrupted && ownTable) {
      for (int i = 0; i < duplicates.size(); i += 500) {
        List<String> chunk = duplicates.subList(i, Math.min(duplicates.size(), i + 500));
        client.batchDelete(t.tableId(), chunk);
        deleted += chunk.size();
      }
    }
    if (!duplicates.isEmpty() && interrupted && !ownTable) {
      LOG.info("Table {} holds {} rows whose key is already present; the task that fills it removes them", t,
          duplicates.size());
    } else if (!duplicates.isEmpty()) {
      LOG.warn(interrupted
              ? "Table {} held {} rows whose key was already present, left by an interrupted write; deleted them"
              : "Table {} holds {} rows whose key is already present; only the first of each is kept in sync",
          t, duplicates.size());
    }
    t.counted(rows[0] - deleted);
    synchronized (routing) {
      // keys whose change is on its way in another table's lane know better; this table's lane is the caller
      Lane own = lanes.get(t.tableId());
      index.replaceTable(t.tableId(), found, key -> {
        Lane l = keyLanes.get(key);
        return l != null && l != own;
      });
    }
    found.forEach(log::put);
    if (ownTable) {
      log.markClean(Set.of(t.tableId()));
    }
    log.flush();
    tablesToReread.remove(t.tableId());
    LOG.info("Read {} keys back from table {} in {} ms", found.size(), t, (System.nanoTime() - start) / 1_000_000);
  }

  // ---- the task's thread ----

  public void put(Collection<SinkRecord> records) throws InterruptedException {
    checkFatal();
    Map<String, Pending> fresh = new LinkedHashMap<>();
    for (SinkRecord r : records) {
      offsets.seen(new TopicPartition(r.topic(), r.kafkaPartition()), r.kafkaOffset());
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
      // Without a dead-letter queue a bad record only needs its place named: the record itself (its
      // value and the consumer's raw bytes, ~2 KB) is not held while the change waits.
      Pending p = Pending.of(upsert ? change.key() : "\u0000" + (appendSeq++), reporter != null ? r : Pending.origin(r),
          change);
      Pending earlier = fresh.get(p.key);
      if (earlier != null) {
        fresh.put(p.key, earlier.replacedBy(p));
        continue;
      }
      acquire();
      Route route;
      synchronized (routing) {
        route = route(p) ? Route.QUEUED : classify(p);
      }
      if (route != Route.QUEUED) {
        buffer.release(); // a new row takes its permit again when it is placed
        if (route == Route.NEW) {
          fresh.put(p.key, p);
        }
      }
    }
    List<Pending> creates = new ArrayList<>();
    for (Pending p : fresh.values()) {
      if (p.change.kind() != Change.Kind.DELETE) {
        creates.add(p);
      }
    }
    noteNewShare(records.size(), creates.size());
    place(creates);
    checkFatal();
  }

  private synchronized void noteNewShare(int records, int created) {
    if (records > 0) {
      recentNew = recentNew / 2 + created;
      recentRecords = recentRecords / 2 + records;
    }
  }

  /**
   * New rows expected from now on: {@code placing} being placed now, and the records still to come
   * on this task's partitions, as many of them new rows as of the records put lately.
   */
  private long expectedNewRows(int placing) {
    double share;
    synchronized (this) {
      share = recentRecords == 0 ? 1 : recentNew / recentRecords;
    }
    return placing + Math.round(backlog.recordsAhead(offsets.next()) * share);
  }

  private enum Route { QUEUED, NEW, NOTHING_TO_DO }

  /** Queues the change in the lane of its key or its row's table (routing lock held); false when it is new or needs nothing. */
  private boolean route(Pending p) {
    Lane lane = upsert ? keyLanes.get(p.key) : null;
    if (lane == null) {
      RowIndex.Location loc = upsert ? index.get(p.key) : null;
      lane = loc == null ? null : roller.table(loc.tableId()).map(this::lane).orElse(null);
      if (lane == null || (p.change.kind() == Change.Kind.UPSERT && loc.hash() == p.change.hash())) {
        return false;
      }
    }
    open(lane, p);
    return true;
  }

  /** Why {@link #route} did not queue a change. */
  private Route classify(Pending p) {
    RowIndex.Location loc = upsert ? index.get(p.key) : null;
    boolean rowKnown = loc != null && roller.table(loc.tableId()).isPresent();
    if (p.change.kind() == Change.Kind.DELETE) {
      return Route.NOTHING_TO_DO;
    }
    if (rowKnown) {
      counters.unchanged.increment();
      return Route.NOTHING_TO_DO;
    }
    return Route.NEW;
  }

  private void acquire() throws InterruptedException {
    acquire(1);
  }

  /** Takes {@code n} places in the buffer at once, or none (RetriableException after the wait). */
  private void acquire(int n) throws InterruptedException {
    if (!buffer.tryAcquire(n, BUFFER_WAIT_SECONDS, TimeUnit.SECONDS)) {
      checkFatal();
      FeishuCallException last = lastFailure;
      throw new RetriableException("Feishu has not taken a write for " + BUFFER_WAIT_SECONDS + " s"
          + (last == null ? "" : "; last failure: " + last.getMessage()));
    }
  }

  /** Puts a change in a lane (routing lock held, its buffer permit taken). */
  private void open(Lane lane, Pending p) {
    p.firstOffsets.forEach(offsets::open);
    if (upsert) {
      keyLanes.put(p.key, lane);
    }
    lane.add(p);
  }

  private synchronized void remember(Change change) {
    for (Column c : change.columns()) {
      if (c.kind() != ColumnKind.UNTYPED) {
        columns.putIfAbsent(c.name(), c.fieldSpec());
      }
    }
  }

  private synchronized List<FieldSpec> columns() {
    return new ArrayList<>(columns.values());
  }

  /**
   * New rows: the roller picks their tables, and each goes to its table's lane with its place
   * reserved. A batch at a time, so that lanes start writing while the rest waits for buffer room.
   */
  private void place(List<Pending> creates) throws InterruptedException {
    int slice = Math.max(1, Math.min(config.writeBatchSize(), config.maxBufferedRecords()));
    // All the put's new rows take their places in the buffer at once when they fit: a put that
    // gives up waiting (RetriableException) has then placed none of them, and Connect's second
    // delivery of the same records does not queue any twice (in append mode no key would merge them).
    boolean takenAll = creates.size() > slice && creates.size() <= config.maxBufferedRecords();
    if (takenAll) {
      acquire(creates.size());
    }
    for (int from = 0; from < creates.size(); from += slice) {
      List<Pending> part = creates.subList(from, Math.min(creates.size(), from + slice));
      if (!takenAll) {
        acquire(part.size());
      }
      // Placing may wait for a table being created: not under the routing lock, which lanes need
      // to finish their writes. Only this thread routes keys that have no lane yet, so none of
      // these keys can be routed elsewhere meanwhile.
      List<Placed> placed;
      try {
        placed = assign(part, creates.size() - from);
      } catch (InterruptedException | RuntimeException e) {
        buffer.release(takenAll ? creates.size() - from : part.size());
        throw e;
      }
      synchronized (routing) {
        for (Placed p : placed) {
          open(p.lane, p.change);
        }
      }
    }
  }

  /** A new row and the lane of the table it was placed in. */
  private record Placed(Lane lane, Pending change) {}

  /** Tables for new rows; {@code placing} rows (these and later ones of the same put) are being placed now. */
  private List<Placed> assign(List<Pending> creates, int placing) throws InterruptedException {
    List<Placed> out = new ArrayList<>(creates.size());
    if (creates.isEmpty()) {
      return out;
    }
    List<FieldSpec> newTableFields = new ArrayList<>();
    newTableFields.add(FieldSpec.text(upsert ? mapper.keyFieldName() : "Row"));
    columns().stream().filter(f -> !f.name().equals(newTableFields.get(0).name())).forEach(newTableFields::add);
    int next = 0;
    for (TableRoller.Assignment a : roller.assign(creates.size(), expectedNewRows(Math.max(placing, creates.size())),
        config.writeBatchSize(), newTableFields, t -> lane(t).backlog())) {
      Lane lane = lane(a.table());
      for (Pending p : creates.subList(next, next + a.rows())) {
        out.add(new Placed(lane, p.withReservation(true)));
      }
      next += a.rows();
    }
    return out;
  }

  /** Notes that an update of the table may still land until {@code until} (System.nanoTime()), keeping the later instant. */
  private void holdUntil(String tableId, long until) {
    uncertainUntil.merge(tableId, until, (a, b) -> b - a > 0 ? b : a);
  }

  /**
   * Notes the pause after an update of this task that got no answer, and records it in the key index
   * topic at once: should this task die before it gives up its partitions, the task that takes them
   * over reads it there and waits too (a record made only at the revocation would be lost with the task).
   */
  private void recordPause(String tableId, long until) {
    String ifItDies = "should this task die before it gives up its partitions, ";
    synchronized (uncertainUntil) { // never between the check and the removal of clearPauseIfOver
      holdUntil(tableId, until);
      try {
        log.markQuiet(tableId, config.taskId(), epochMillis(uncertainUntil.get(tableId)));
      } catch (RuntimeException e) { // the index's producer closed by the task's stop
        warnPauseNotStored(List.of(tableId), ifItDies, e);
        return;
      }
    }
    storePauses(List.of(tableId), ifItDies);
  }

  /**
   * Waits until the pause records just appended are stored. A failure only warns: the writes go on,
   * and the next owner of the partitions may then write those tables sooner.
   */
  private void storePauses(List<String> tableIds, String when) {
    if (fatal.get() != null) {
      return; // the task is stopping, maybe because Kafka takes no writes: waiting for it would hold up the stop
    }
    try {
      log.flush();
    } catch (RuntimeException e) { // Kafka's too: an interrupt at the task's stop, a producer closed by it
      warnPauseNotStored(tableIds, when, e);
    }
  }

  private static void warnPauseNotStored(List<String> tableIds, String when, RuntimeException e) {
    LOG.warn("Could not record in the key index topic that an update of table(s) {} may still land; {}the next owner "
        + "of their partitions may write them sooner: {}", tableIds, when, e.toString());
  }

  /** Removes this task's record of a pause of the table that is over, unless a newer one began meanwhile. */
  private void clearPauseIfOver(String tableId) {
    synchronized (uncertainUntil) {
      Long until = uncertainUntil.get(tableId);
      if (until == null || until - System.nanoTime() <= 0) {
        log.clearQuiet(tableId, config.taskId());
      }
    }
  }

  /** The wall-clock instant (ms) of a System.nanoTime() instant, rounded up: other workers read it. */
  private static long epochMillis(long nanoInstant) {
    return System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(nanoInstant - System.nanoTime()) + 1;
  }

  private Lane lane(TableState t) {
    return lanes.computeIfAbsent(t.tableId(), id -> {
      Lane lane = new Lane(t, this, config.writeBatchSize(), config.lingerMs(), Math.max(1_000, config.retryBackoffMs() * 10));
      Long until = uncertainUntil.get(id);
      if (until != null) {
        lane.quietUntil(until); // an update another task got no answer for may still land
      }
      return lane;
    });
  }

  /**
   * At an offset commit: answers at once (the offsets to commit are those already in Feishu) and
   * leaves the lanes to their linger. Waiting here would stop put() and leave the quota idle at
   * every commit; and writing partial batches at each commit (every second in the launcher) would
   * double the calls a caught-up pipeline makes, for changes the linger sends within a second anyway.
   */
  public void requestFlush() {
    checkFatal();
    summarize();
  }

  /** Writes everything waiting and waits for it (at most two minutes); throws when writing stopped for good. */
  public void flush() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLUSH_WAIT_SECONDS);
    for (Lane lane : lanes.values()) {
      lane.flush();
    }
    boolean idle = true;
    for (Lane lane : lanes.values()) {
      idle &= lane.awaitIdle(deadline);
    }
    checkFatal();
    if (!idle) {
      FeishuCallException last = lastFailure;
      LOG.warn("Changes are still waiting for Feishu after {} s; their offsets are not committed{}", FLUSH_WAIT_SECONDS,
          last == null ? "" : "; last failure: " + last.getMessage());
    }
    summarize();
  }

  /** One line per commit: what was written since the last. */
  private void summarize() {
    long created = counters.created.sumThenReset();
    long updated = counters.updated.sumThenReset();
    long deleted = counters.deleted.sumThenReset();
    long unchanged = counters.unchanged.sumThenReset();
    counters.createdTotal.add(created);
    counters.updatedTotal.add(updated);
    counters.deletedTotal.add(deleted);
    counters.unchangedTotal.add(unchanged);
    BitableClient.Counters c = client.counters();
    long writes = c.writes.sumThenReset();
    long prepare = c.writePrepareNanos.sumThenReset();
    long budget = c.writeBudgetNanos.sumThenReset();
    long answer = c.writeAnswerNanos.sumThenReset();
    if (created + updated + deleted + unchanged > 0 || offsets.openCount() > 0) {
      int writing = 0;
      int holding = 0;
      for (Lane lane : lanes.values()) {
        writing += lane.writing() ? 1 : 0;
        holding += lane.backlog() > 0 ? 1 : 0;
      }
      LOG.info("Since the last commit: {} rows created, {} updated, {} deleted, {} unchanged; {} still waiting; "
              + "{} Feishu calls so far; {} record writes, on average {} ms to build, {} ms waiting for the quota, {} ms "
              + "for Feishu's answer; tables writing now: {}, with rows waiting: {}; tables: {}", created, updated,
          deleted, unchanged, offsets.openCount(), c.calls.sum(), writes, millis(prepare, writes), millis(budget, writes),
          millis(answer, writes), writing, holding, roller.tables().stream().map(t -> t.name() + "=" + t.rows()).toList());
    }
  }

  private static long millis(long nanos, long count) {
    return count == 0 ? 0 : nanos / count / 1_000_000;
  }

  public Map<TopicPartition, OffsetAndMetadata> safeOffsets() {
    return offsets.safe();
  }

  /** Partitions assigned to this task: their changes may be written. */
  public void assigned(Collection<TopicPartition> partitions) {
    owned.addAll(partitions);
  }

  /**
   * Partitions this task no longer owns. Their changes still waiting are dropped: the next owner
   * replays them from the committed offsets. Writes under way are waited for (their index entries
   * are stored before they finish), so the next owner's index knows every row this task wrote and
   * no change of these partitions is written once this returns: a lane that kept writing them would
   * race the next owner, creating keys twice and overwriting newer values with older ones. Should
   * the wait run out, the write sends nothing more, and its table is paused for the next owner for
   * three request timeouts, while the try under way may still land.
   */
  public void dropPartitions(Collection<TopicPartition> partitions) throws InterruptedException {
    owned.removeAll(partitions);
    int dropped = 0;
    for (Lane lane : lanes.values()) {
      for (Pending p : lane.takeAll(p -> !owned(p))) {
        abandon(lane, p);
        dropped++;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.revocationWaitMs());
    List<String> stillWriting = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      if (!lane.awaitWriteDone(deadline)) {
        stillWriting.add(lane.table.tableId());
      }
      // what a write under way gave back to try again: not this task's to write any more (left
      // queued, a change of the partition put again after a quick reassignment would merge with it
      // and close its new offsets, while its own were forgotten here)
      for (Pending p : lane.takeAll(p -> !owned(p))) {
        abandon(lane, p);
        dropped++;
      }
    }
    offsets.forget(partitions);
    if (!stillWriting.isEmpty()) {
      // its try under way may still land after what the next owner writes: that owner waits as long as
      // after an update sent now that got no answer (no later try is sent: BitableClient.Work#abandoned)
      long until = System.nanoTime() + 3 * TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs());
      stillWriting.forEach(tableId -> holdUntil(tableId, until));
      LOG.warn("Gave up partitions {} while a write to Feishu was still under way after {} ms, to table(s) {}; their "
          + "next owner waits three feishu.request_timeout_ms before writing to them", partitions,
          config.revocationWaitMs(), stillWriting);
    }
    passOnUncertainUpdates();
    if (dropped > 0) {
      LOG.info("Gave up partitions {}; their {} changes not yet in Feishu are left to the next owner", partitions, dropped);
    }
  }

  /**
   * Records, for the next owner of the partitions given up, the tables on which an update this task
   * gave up on (or a write still under way when the wait for it ran out) may still land, and until
   * when: its rows may be among those partitions, and a newer
   * value the next owner wrote sooner would be overwritten by the late one for good. Wall-clock
   * time, as the next owner may run on another worker.
   */
  private void passOnUncertainUpdates() {
    long now = System.nanoTime();
    List<String> marked = new ArrayList<>();
    synchronized (uncertainUntil) { // a lane recording a later pause meanwhile must not be overwritten by this one
      uncertainUntil.forEach((tableId, until) -> {
        if (until - now > 0) {
          log.markQuiet(tableId, config.taskId(), epochMillis(until));
          marked.add(tableId);
        } else {
          uncertainUntil.remove(tableId, until);
        }
      });
    }
    if (!marked.isEmpty()) {
      // giving up partitions must not fail: the next owner then has only the records made when the pauses began
      storePauses(marked, "");
    }
  }

  /**
   * A write that failed part-way. If its partitions were given up and the failure passes (a call not
   * sent, or not tried again for that reason), its changes are the next owner's: no failure of this task.
   */
  private void noteWriteFailure(TableState table, FeishuCallException e, int changes, boolean givenUp) {
    if (!e.sent() || (givenUp && e.failure().passes())) {
      LOG.info("Stopped writing to table {}: its partitions went to another task, which writes its changes ({})", table,
          e.getMessage());
      return;
    }
    lastFailure = e;
    noteFailure(translate(e));
    LOG.warn("Writing to table {} failed; {} changes wait for the next try: {}", table, changes, e.getMessage());
  }

  /** Whether a partition of any of the changes was given up. */
  private boolean givenUp(Collection<Pending> changes) {
    for (Pending p : changes) { // every change of a batch: no stream
      if (!owned(p)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the change belongs to a partition this task owns (a key seen in several: any of them). */
  private boolean owned(Pending p) {
    for (TopicPartition tp : p.firstOffsets.keySet()) { // every change of every batch: no stream
      if (owned.contains(tp)) {
        return true;
      }
    }
    return false;
  }

  /** A change of a partition given up: not written here; its place and reservation are freed. */
  private void abandon(Lane lane, Pending p) {
    if (p.reserved) {
      lane.table.settle(1, 0);
    }
    release(lane, p);
  }

  private void checkFatal() {
    ConnectException e = fatal.get();
    if (e != null) {
      throw e instanceof RetriableException ? new ConnectException(e.getMessage(), e) : e;
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
  public void died(Lane lane, Throwable cause) {
    LOG.error("Writing to table {} stopped: {}", lane.table, cause.toString(), cause);
    fatal.compareAndSet(null, new ConnectException("writing to Feishu table " + lane.table + " stopped: " + cause, cause));
  }

  @Override
  public void merged(Pending older, Pending newer) {
    newer.firstOffsets.forEach((tp, o) -> {
      Long kept = older.firstOffsets.get(tp);
      if (kept != null) {
        offsets.close(tp, Math.max(kept, o)); // the merged change keeps the smaller one open
      }
    });
    buffer.release();
  }

  @Override
  public List<Pending> write(Lane lane, List<Pending> given) throws InterruptedException {
    TableState table = lane.table;
    roller.tookBatch(); // the table's load dropped: new rows waiting for a place may go to it
    List<Pending> batch = new ArrayList<>(given.size());
    for (Pending p : given) {
      if (owned(p)) {
        batch.add(p);
      } else {
        abandon(lane, p); // its partition was given up since it was queued
      }
    }
    if (batch.isEmpty()) {
      return List.of();
    }
    List<Pending> again = new ArrayList<>();
    List<Pending> completed = new ArrayList<>();
    // changes handed to another lane (or dropped with their partition): no longer this batch's
    Set<Pending> handed = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Pending> settled = Collections.newSetFromMap(new IdentityHashMap<>());
    // once a partition of the batch is given up, no new call starts and a failing one is not tried
    // again (but for a create or a delete still learning its outcome while the rebalance waits): the
    // partition's next owner must not be raced
    long[] mayLandUntil = {BitableClient.NONE};
    BitableClient.during(new BitableClient.Work() {
      @Override
      public boolean givenUp() {
        return SinkWriter.this.givenUp(batch);
      }

      @Override
      public boolean abandoned() {
        return lane.writeAbandoned();
      }

      @Override
      public void updateMayLand(long nanoTime) {
        // nothing newer goes to this table from this task until the try can no longer land, nor from
        // the next owner of its partitions, even if this task dies first (the pause is recorded now)
        long until = nanoTime + 2 * TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs());
        lane.quietUntil(until);
        recordPause(table.tableId(), until);
        mayLandUntil[0] = until;
      }
    });
    try {
      if (tablesToReread.contains(table.tableId())) {
        reread(table, true);
      }
      Map<Pending, String> deletes = new LinkedHashMap<>();
      Map<Pending, String> updates = new LinkedHashMap<>();
      List<Pending> creates = new ArrayList<>();
      List<Pending> elsewhere = new ArrayList<>();
      for (Pending p : batch) {
        RowIndex.Location loc = upsert ? index.get(p.key) : null;
        boolean create = false;
        if (loc != null && !loc.tableId().equals(table.tableId())) {
          elsewhere.add(p);
        } else if (p.change.kind() == Change.Kind.DELETE) {
          if (loc == null) {
            completed.add(p);
          } else {
            deletes.put(p, loc.recordId());
          }
        } else if (loc != null) {
          if (loc.hash() == p.change.hash()) {
            counters.unchanged.increment();
            completed.add(p);
          } else {
            updates.put(p, loc.recordId());
          }
        } else if (p.reserved) {
          creates.add(p);
          create = true;
        } else {
          elsewhere.add(p);
        }
        if (p.reserved && !create) {
          table.settle(1, 0); // not a new row of this table after all
          settled.add(p);
        }
      }
      handed.addAll(elsewhere);
      moveOrStop(lane, unreserved(elsewhere));
      if (!deletes.isEmpty() || !updates.isEmpty() || !creates.isEmpty()) {
        again.addAll(execute(lane, deletes, updates, creates, completed, handed, settled));
      }
    } catch (RetriableException e) {
      again.addAll(leftOver(batch, completed, handed, settled));
      LOG.warn("Writing to table {} must wait: {}", table, e.getMessage());
    } catch (FeishuCallException e) {
      again.addAll(leftOver(batch, completed, handed, settled));
      noteWriteFailure(table, e, batch.size(), givenUp(batch));
    } catch (ConnectException e) {
      fatal.compareAndSet(null, e);
      again.addAll(leftOver(batch, completed, handed, settled));
    } catch (RuntimeException e) {
      fatal.compareAndSet(null, new ConnectException("writing to Feishu failed unexpectedly: " + e, e));
      again.addAll(leftOver(batch, completed, handed, settled));
    } finally {
      BitableClient.workDone();
      long until = mayLandUntil[0];
      if (until != BitableClient.NONE) {
        LOG.info("An update of table {} had a try with no answer (a timeout, a dropped connection or a 5xx) that Feishu "
            + "may still carry out; the table's next write waits {} ms, so that it cannot land after a newer one", table,
            Math.max(0, (until - System.nanoTime()) / 1_000_000));
      }
    }
    for (Pending p : completed) {
      done(lane, p);
    }
    return again;
  }

  /** One batch's calls; records the outcome in the index and its log, then completes what is in Feishu. */
  private List<Pending> execute(Lane lane, Map<Pending, String> deletes, Map<Pending, String> updates,
      List<Pending> creates, List<Pending> completed, Set<Pending> handed, Set<Pending> settled)
      throws InterruptedException {
    TableState table = lane.table;
    boolean creating = upsert && !creates.isEmpty();
    if (creating) {
      log.markDirty(Set.of(table.tableId()));
      log.flush();
      if (table.seq() == TableState.BASE) {
        roller.namePrimaryField(table, mapper.keyFieldName());
      }
    }
    List<Pending> written = new ArrayList<>(); // completed once their index entries are stored
    TableWork.Result r = new TableWork(client, roller, table, config.writeBatchSize(), columns(), deletes, updates,
        creates.isEmpty() ? List.of() : List.of(creates), run).call();
    for (Pending p : r.deleted) {
      index.remove(p.key);
      log.remove(p.key);
      table.removed(1);
      counters.deleted.increment();
      written.add(p);
    }
    for (Pending p : r.gone) {
      index.remove(p.key);
      log.remove(p.key);
      written.add(p);
    }
    for (Pending p : r.updated) {
      RowIndex.Location old = index.get(p.key);
      if (old != null) {
        RowIndex.Location now = new RowIndex.Location(old.tableId(), old.recordId(), p.change.hash());
        index.put(p.key, now);
        log.put(p.key, now);
      }
      counters.updated.increment();
      written.add(p);
    }
    for (Map.Entry<Pending, String> e : r.created.entrySet()) {
      Pending p = e.getKey();
      if (upsert) {
        RowIndex.Location now = new RowIndex.Location(table.tableId(), e.getValue(), p.change.hash());
        index.put(p.key, now);
        log.put(p.key, now);
      }
      table.settle(1, 1);
      counters.created.increment();
      written.add(p);
    }
    List<Pending> retry = new ArrayList<>(r.retry.size());
    for (Pending p : r.retry) {
      retry.add(settled.contains(p) ? p.withReservation(false) : p); // its reservation ended in write()
    }
    for (Map.Entry<Pending, FeishuCallException> e : r.bad.entrySet()) {
      Pending p = e.getKey();
      if (p.reserved) {
        table.settle(1, 0);
        settled.add(p);
      }
      try {
        badRecord(p.record, p.change.key(), e.getValue().getMessage(), e.getValue());
        written.add(p); // in the dead-letter queue: done
      } catch (RetriableException fail) {
        noteFailure(fail);
        retry.add(p.withReservation(false)); // the queue could not take it now: again later
      } catch (ConnectException fail) {
        // no dead-letter queue (or it refused the record): the task stops, and the record's offset
        // stays open, so that after the fix and a restart it is read and written again
        noteFailure(fail);
      }
    }
    List<Pending> moving = new ArrayList<>();
    for (Pending p : r.stale) {
      index.remove(p.key);
      log.remove(p.key);
      handed.add(p);
      moving.add(settled.contains(p) ? p.withReservation(false) : p);
    }
    for (Pending p : r.full) {
      table.settle(1, 0);
      handed.add(p);
      moving.add(p.withReservation(false));
    }
    if (creating && !r.createUnanswered) {
      log.markClean(Set.of(table.tableId())); // every create sent was answered
    }
    // entries first, then offsets: an offset is committed only once its row's index entry is stored
    try {
      log.flush();
    } catch (ConnectException e) {
      // the rows are in Feishu but their index entries may be lost; the table stays marked dirty in
      // the index topic (its clean mark was not stored either), so a restart reads it back from
      // Feishu. Until then nothing more may be counted as done: the task stops, these rows'
      // offsets open, so they are read again rather than skipped or written twice.
      tablesToReread.add(table.tableId());
      fatal.compareAndSet(null, new ConnectException("Cannot store the sink's key index in Kafka (" + e.getMessage()
          + "); the task stops so that no row is counted as written without it. Restart it once Kafka takes writes "
          + "again: the tables written meanwhile are read back from Feishu.", e));
      return List.of();
    }
    completed.addAll(written);
    if (creating && r.createUnanswered) {
      tablesToReread.add(table.tableId()); // a create whose answer never came may have been written
    }
    if (r.error != null) {
      noteWriteFailure(table, r.error, r.retry.size(), givenUp(r.retry));
    }
    moveOrStop(lane, moving);
    return retry;
  }

  /**
   * Moves changes to the lanes of their tables. They have left this batch already, so a failure
   * part-way (a table that cannot be counted or created) would leave some in no lane at all, their
   * offsets open for good while the task went on: it stops the task instead, and a restart reads
   * them again.
   */
  private void moveOrStop(Lane from, List<Pending> changes) throws InterruptedException {
    try {
      move(from, changes);
    } catch (RuntimeException e) {
      String why = e instanceof FeishuCallException f ? f.withAdvice() : e.toString();
      fatal.compareAndSet(null, new ConnectException("Could not place " + changes.size() + " changes in the table "
          + "that holds their rows: " + why + ". Restart the task; the changes are read again.", e));
    }
  }

  /**
   * What a batch interrupted by a failure must try again: its changes neither completed nor handed
   * elsewhere, without the reservation of those whose reservation was already settled.
   */
  private static List<Pending> leftOver(List<Pending> batch, List<Pending> completed, Set<Pending> handed,
      Set<Pending> settled) {
    Set<Pending> done = Collections.newSetFromMap(new IdentityHashMap<>());
    done.addAll(completed);
    done.addAll(handed);
    List<Pending> out = new ArrayList<>();
    for (Pending p : batch) {
      if (!done.contains(p)) {
        out.add(settled.contains(p) ? p.withReservation(false) : p);
      }
    }
    return out;
  }

  /** A fatal failure stops every lane; a passing one only waits for the next try. */
  private void noteFailure(ConnectException e) {
    if (!(e instanceof RetriableException)) {
      fatal.compareAndSet(null, e);
    }
  }

  private static List<Pending> unreserved(List<Pending> changes) {
    List<Pending> out = new ArrayList<>(changes.size());
    changes.forEach(p -> out.add(p.reserved ? p.withReservation(false) : p));
    return out;
  }

  /**
   * Changes that belong in another lane: the table of their key's row, or (new rows) wherever the
   * roller places them. Their permits and open offsets go with them.
   */
  private void move(Lane from, List<Pending> changes) throws InterruptedException {
    if (changes.isEmpty()) {
      return;
    }
    synchronized (routing) {
      List<Pending> creates = new ArrayList<>();
      for (Pending p : changes) {
        if (!owned(p)) {
          abandon(from, p);
          continue;
        }
        Pending merged = mergeWaiting(from, p);
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
      for (Placed placed : assign(creates, creates.size())) {
        Pending merged = mergeWaiting(from, placed.change); // put() may have queued a newer change meanwhile
        if (upsert) {
          keyLanes.put(merged.key, placed.lane);
        }
        placed.lane.add(merged);
      }
    }
  }

  /** The change merged with a newer one of its key waiting in {@code lane} (which gives it up). */
  private Pending mergeWaiting(Lane lane, Pending p) {
    Pending newer = lane.take(p.key);
    if (newer == null) {
      return p;
    }
    merged(p, newer);
    if (newer.reserved) {
      lane.table.settle(1, 0);
    }
    return p.replacedBy(newer.withReservation(false));
  }

  /** The change is in Feishu (or needed no write). */
  private void done(Lane lane, Pending p) {
    p.firstOffsets.forEach(offsets::close);
    release(lane, p);
  }

  /** A change leaves the lane for good (written, or given up): its buffer place, and its key's route unless a newer change waits. */
  private void release(Lane lane, Pending p) {
    buffer.release();
    if (upsert) {
      synchronized (routing) {
        if (!lane.holds(p.key)) {
          keyLanes.remove(p.key, lane);
        }
      }
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
  public static ConnectException translate(FeishuCallException e) {
    if (e.failure().passes()) {
      return new RetriableException(e.getMessage(), e);
    }
    return new ConnectException(e.withAdvice(), e);
  }

  @Override
  public void close() {
    pool.shutdownNow();
    roller.close();
    backlog.close();
    log.close();
  }
}
