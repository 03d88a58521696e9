package dev.ofsync.sink.table;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.FieldInfo;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.client.Failure;
import dev.ofsync.sink.client.TableInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which table a new row goes to: the base table first, then {prefix}_001, _002, ... each
 * filled to the row cap and never beyond, including rows that were there before. With {@code
 * parallel} > 1, up to that many tables take new rows side by side while the backlog is larger
 * than the first of them still takes ({@link #assign}); the next tables are created ahead, in the
 * background. On start it finds the tables that exist and goes on from them.
 *
 * <p>With several tasks, a table takes new rows from one task only, so no two writers can push it
 * past the cap: a created table from its creator, recorded in the key index ({@link #claim}) so a
 * restarted task takes up its own tables again while the others go on with theirs. Any task may
 * create the missing base table then. A task records the name of a numbered table before it asks
 * for it, so a table whose creator stopped before recording it as its own (a crash during the call)
 * goes back to that task, when no other task set out to make that name. A base table nobody
 * recorded (given as feishu.base_table_id, made by hand, or with no index topic) takes new rows from
 * task 0; a numbered table nobody recorded or set out to make takes no more. Existing rows are
 * updated wherever they are.
 */
public final class TableRoller {
  private static final Logger LOG = LoggerFactory.getLogger(TableRoller.class);
  private static final int NAME_RACE_TRIES = 20;
  /** Fields a Feishu table may hold. */
  static final int MAX_FIELDS = 300;

  /** New rows for one table. */
  public record Assignment(TableState table, int rows) {}

  /**
   * Where a task records the tables it creates, so that after a restart it takes them up again and
   * no other task fills them (the key index topic). Called outside the roller's lock.
   */
  public interface Records {
    /** No record: nothing survives a restart. */
    Records NONE = new Records() {
      @Override
      public void intend(String name) {}

      @Override
      public void abandon(String name) {}

      @Override
      public void created(TableState table) {}
    };

    /** This task is about to ask Feishu for a numbered table of this name; returns once that is stored. */
    void intend(String name);

    /** The name is another writer's, and no try of this task's can have made it: the intent is void. */
    void abandon(String name);

    /** The table is this task's (created, or taken up by {@link #claim}), before any new row goes in. */
    void created(TableState table);
  }

  private final BitableClient client;
  private final String prefix;
  private final String baseTableId;
  private final int cap;
  private final int parallel;
  private final int taskId;
  private final int tasks;
  private final Pattern numbered;
  private final Map<String, TableState> tables = new LinkedHashMap<>();
  /** The longest pause between tries of a table creation that failed for a passing reason. */
  private static final int MAX_CREATE_PAUSE_SECONDS = 30;
  /** How long a table creation is tried again before its failure stops the task (within Connect's poll interval). */
  private static final int MAX_CREATE_RETRY_SECONDS = 120;
  /** Tables queued for creation (the base table among them when {@link #basePending}). */
  private int queued;
  private boolean basePending;
  /** The name and number of the table being created now, if any. */
  private String inFlight;
  private int inFlightSeq = -1;
  private final ExecutorService creator;
  /** Why a table could not be created; thrown once a row has nowhere else to go. */
  private RuntimeException failure;
  private int maxSeq;
  private boolean baseMissing;
  /** The current round of tables filled side by side ({@link #round}): where it starts in the sequence, how many. */
  private int roundFirstSeq;
  private int roundSize;
  private volatile Records records = Records.NONE;
  /** Whether creators are recorded (in the key index topic): then any task may create the base table. */
  private volatile boolean creatorsRecorded;

  public TableRoller(BitableClient client, String prefix, String baseTableId, int cap, int parallel, int taskId, int tasks) {
    this.client = client;
    this.prefix = prefix;
    this.baseTableId = baseTableId;
    this.cap = cap;
    this.parallel = parallel;
    this.taskId = taskId;
    this.tasks = Math.max(1, tasks);
    this.numbered = Pattern.compile(Pattern.quote(prefix) + "_(\\d{3,})");
    // one table at a time, in sequence: Feishu lists a base's tables in the order they were made
    this.creator = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "feishu-sink-new-tables-" + prefix);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Finds the base table and the numbered tables. Their rows are counted once the key index is
   * loaded ({@link #recount}): until then they take no new rows.
   */
  public synchronized void discover() throws InterruptedException {
    tables.clear();
    maxSeq = 0;
    roundSize = 0;
    List<TableInfo> listed = client.listTables();
    TableInfo base = null;
    for (TableInfo t : listed) {
      if (baseTableId.isEmpty() ? t.name().equals(prefix) : t.tableId().equals(baseTableId)) {
        base = t;
      }
    }
    if (base == null && !baseTableId.isEmpty()) {
      throw new ConnectException("feishu.base_table_id " + baseTableId + " is not a table of base " + client.appToken()
          + "; its tables are " + listed.stream().map(t -> t.name() + " (" + t.tableId() + ")").toList()
          + ". Set feishu.base_table_id to one of them, or leave it empty to use a table named '" + prefix + "'");
    }
    baseMissing = base == null;
    if (base != null) {
      tables.put(base.tableId(), new TableState(base.tableId(), base.name(), TableState.BASE, TableState.UNCOUNTED,
          taskId == 0));
    }
    for (TableInfo t : listed) {
      Matcher m = numbered.matcher(t.name());
      if (m.matches() && (base == null || !t.tableId().equals(base.tableId()))) {
        int seq = Integer.parseInt(m.group(1));
        maxSeq = Math.max(maxSeq, seq);
        // a lone task owns every table; with several, only a recorded creator does (see claim)
        tables.put(t.tableId(), new TableState(t.tableId(), t.name(), seq, TableState.UNCOUNTED, tasks == 1));
      }
    }
    LOG.info("Tables of base {} with prefix '{}': {}", client.appToken(), prefix,
        tables.values().stream().map(TableState::name).toList());
  }

  /**
   * Learns of tables other tasks created since; they stay theirs for new rows (this task only
   * updates and deletes rows in them), so no table gets two writers of new rows.
   */
  public synchronized void refresh() throws InterruptedException {
    for (TableInfo t : client.listTables()) {
      if (tables.containsKey(t.tableId()) || t.name().equals(inFlight)) {
        continue; // known, or one of ours whose creation is finishing
      }
      Matcher m = numbered.matcher(t.name());
      if (m.matches()) {
        int seq = Integer.parseInt(m.group(1));
        maxSeq = Math.max(maxSeq, seq);
        add(t, seq, false);
      } else if (baseTableId.isEmpty() ? t.name().equals(prefix) : t.tableId().equals(baseTableId)) {
        baseMissing = false;
        // made since this task started: by another task when creators are recorded (claim tells)
        add(t, TableState.BASE, tasks == 1 || (taskId == 0 && !creatorsRecorded));
      }
    }
  }

  /** Where this task records its tables; {@code durable}: the records survive a restart. */
  public synchronized void records(Records records, boolean durable) {
    this.records = records;
    this.creatorsRecorded = durable;
  }

  /** The ids of the tables known now. */
  public synchronized Set<String> tableIds() {
    return Set.copyOf(tables.keySet());
  }

  /**
   * Takes up the tables that {@code owners} (table id to the task that created it) says this task
   * created, as after a restart, and gives up those another task created. Tables with no recorded
   * creator keep what {@link #discover} decided, but for one case: a numbered table that {@code
   * intents} (table name to the tasks that set out to create it) says this task alone asked for is
   * this task's (its creation was under way when an earlier run of this task stopped, or its
   * answer was lost), and is recorded as such. Only tables among {@code listedBefore}, those known
   * before {@code owners} and {@code intents} were read, are taken up so: another task's intent is
   * stored before it asks for the table, so it is among the intents read of any table listed
   * before, but maybe not of one listed since.
   */
  public void claim(Map<String, Integer> owners, Map<String, Set<Integer>> intents, Set<String> listedBefore) {
    List<TableState> adopted = new ArrayList<>();
    List<String> settled = new ArrayList<>();
    synchronized (this) {
      if (tasks == 1) {
        return;
      }
      for (TableState t : tables.values()) {
        Integer owner = owners.get(t.tableId());
        Set<Integer> askedBy = intents.getOrDefault(t.name(), Set.of());
        if (owner != null) {
          // created by a task that no longer exists (tasks.max lowered): it falls to task owner % tasks,
          // which fills it and clears its marks (reading it back only once that task has stopped)
          boolean inherited = owner >= tasks && owner % tasks == taskId;
          if (inherited && !t.mineForNewRows()) {
            adopted.add(t);
            LOG.info("Table {} ({}) was filled by task {}, which no longer exists (tasks.max is {}); task {} fills it now",
                t.name(), t.tableId(), owner, tasks, taskId);
          }
          t.mineForNewRows(owner == taskId || inherited);
          t.inheritMarks(inherited);
          if (owner != taskId && askedBy.contains(taskId)) {
            settled.add(t.name()); // a name race this task lost, settled now that the winner is recorded
          }
        } else if (t.seq() != TableState.BASE && !t.mineForNewRows() && askedBy.size() == 1
            && fallsToThisTask(askedBy.iterator().next()) && listedBefore.contains(t.tableId())) {
          // no other task asked for this name, so the table is the one this task asked for
          t.mineForNewRows(true);
          adopted.add(t);
          LOG.info("Table {} ({}) was made for task {} by a request whose outcome it did not record (it stopped, or "
              + "the answer was lost); it puts new rows in it", t.name(), t.tableId(), taskId);
        }
      }
    }
    adopted.forEach(records::created);
    settled.forEach(records::abandon);
  }

  /** Whether what task {@code id} made is this task's: its own, or a task no longer there whose work falls to it. */
  private boolean fallsToThisTask(int id) {
    return id == taskId || (id >= tasks && id % tasks == taskId);
  }

  private TableState add(TableInfo t, int seq, boolean mine) throws InterruptedException {
    TableState s = new TableState(t.tableId(), t.name(), seq, client.rowCount(t.tableId()), mine);
    tables.put(t.tableId(), s);
    return s;
  }

  public synchronized Collection<TableState> tables() {
    return new ArrayList<>(tables.values());
  }

  public synchronized Optional<TableState> table(String tableId) {
    return Optional.ofNullable(tables.get(tableId));
  }

  /**
   * Places {@code n} new rows in chunks of at most {@code batchSize}, {@code expected} being the new
   * rows expected in all (these and the backlog still to come; at least {@code n}).
   *
   * <p>Tables fill in sequence, each to the cap: the base table, then {@code _001}, {@code _002},
   * ... The expected rows are laid over that sequence, and a chunk may go to any table they reach
   * in the current {@link #round} of at most {@code parallel} tables: so tables fill side by side
   * only while the backlog is larger than what the first table still takes, and every table but
   * the last one the backlog reaches ends full. With {@code parallel} 1 this is the seed's strict
   * order. Among the tables a chunk may go to, it goes to the one with the fewest batches waiting
   * ({@code load}), then the most room, so the tables of a round fill evenly and end together.
   *
   * <p>The tables the expected rows reach are created ahead, in the background, up to the next
   * round's (with {@code fields}, the first being the primary field), so a chunk waits for a table
   * only when none it may go to exists yet, or all of those have a batch waiting while one is still
   * being created.
   */
  public synchronized List<Assignment> assign(int n, long expected, int batchSize, List<FieldSpec> fields,
      ToIntFunction<TableState> load) throws InterruptedException {
    if (tables.values().stream().anyMatch(t -> !t.isCounted())) {
      recount(tableId -> 0); // not counted yet (no partitions were assigned): a table's rows decide where new ones go
    }
    List<Assignment> out = new ArrayList<>();
    try {
      place(n, Math.max(expected, n), batchSize, fields, load, out);
    } catch (InterruptedException | RuntimeException e) {
      out.forEach(a -> a.table().settle(a.rows(), 0)); // nothing placed: no place stays reserved
      throw e;
    }
    return out;
  }

  private void place(int n, long expected, int batchSize, List<FieldSpec> fields, ToIntFunction<TableState> load,
      List<Assignment> out) throws InterruptedException {
    long coming = expected;
    int remaining = n;
    while (remaining > 0) {
      List<Slot> slots = sequence();
      List<Slot> round = round(slots, coming);
      int wanted = Math.min(tablesFor(slots, coming), roundSize + parallel);
      if (slots.size() < wanted && failure == null) {
        createAhead(wanted - slots.size(), fields);
        slots = sequence();
        round = members(slots);
      }
      Slot best = null;
      Slot idlest = null;
      boolean creating = false;
      long prefix = 0;
      for (Slot s : round) {
        long share = Math.min(s.room, coming - prefix);
        prefix += s.room;
        if (s.table == null) {
          creating = true;
          continue;
        }
        if (share <= 0) {
          continue;
        }
        s.share = share;
        s.load = load.applyAsInt(s.table) + assignedTo(out, s.table);
        if (best == null || better(s, best, batchSize)) {
          best = s;
        }
        if (idlest == null || s.load < idlest.load) {
          idlest = s;
        }
      }
      if (creating && best != null && best.load >= batchSize && idlest.load < batchSize) {
        best = idlest; // a table with no full batch waiting takes it rather than wait for the one being made
      }
      if (best == null || (creating && best.load >= batchSize)) {
        if (!creating) {
          throw failure != null ? failure : new IllegalStateException("no table to place new rows in");
        }
        wait(1_000); // woken when a table is made (or failed, or the task stops), or a table took a batch (tookBatch)
        continue;
      }
      int take = (int) Math.min(Math.min(batchSize - best.load % batchSize, remaining), best.share);
      best.table.reserve(take);
      out.add(new Assignment(best.table, take));
      remaining -= take;
      coming -= take;
    }
  }

  /**
   * A table's lane took a batch to write, so the table may have room for the next one: a chunk
   * waiting in {@link #assign} for a table being created looks again. (Without this it waited for
   * the next table to be made, and the tables already there ran out of work meanwhile.)
   */
  public synchronized void tookBatch() {
    notifyAll();
  }

  /** A place in the sequence of tables this task fills: a table with room, or one being created (table null). */
  private static final class Slot {
    final TableState table;
    final int seq;
    final long room;
    long share;
    int load;

    Slot(TableState table, int seq, long room) {
      this.table = table;
      this.seq = seq;
      this.room = room;
    }
  }

  /**
   * A table with at most one full batch waiting (it has work for its next write) before one with
   * more, then fewer full batches first; among those, one whose partial batch the chunk completes
   * (so that lanes write full batches); then more room, so the tables side by side end together. A
   * table that joined the round late (the backlog turned out larger) has the most room: it is kept
   * busy first, and the others, given rows only as the buffer frees, make way for it in the quota
   * until it has caught up.
   */
  private static boolean better(Slot a, Slot b, int batchSize) {
    int fullA = busy(a.load / batchSize);
    int fullB = busy(b.load / batchSize);
    if (fullA != fullB) {
      return fullA < fullB;
    }
    boolean partialA = a.load % batchSize != 0;
    boolean partialB = b.load % batchSize != 0;
    if (partialA != partialB) {
      return partialA;
    }
    return a.room > b.room;
  }

  /** Full batches waiting, where none and one count alike: either way the table has its next write ready soon. */
  private static int busy(int fullBatches) {
    return fullBatches <= 1 ? 0 : fullBatches;
  }

  /**
   * The tables of the current round that still take new rows (or are being created). A round is
   * a group of tables, consecutive in the sequence, filled side by side; the next round starts
   * only once every table of this one is full, so the tables of a round start together and, filled
   * evenly, end together (a round that let new tables in as its first ones filled would leave the
   * last tables of a load starting late and filling alone, one write at a time). A round takes
   * {@link #roundSize} tables, and more when the backlog turns out larger.
   */
  private List<Slot> round(List<Slot> slots, long coming) {
    List<Slot> members = members(slots);
    int size = roundSize(tablesFor(slots, coming));
    if (!members.isEmpty() && size > roundSize) {
      roundSize = size; // the backlog turned out larger (its first estimate came before Kafka's answer): more side by side
      members = members(slots);
    }
    if (parallel > 1 && !members.isEmpty() && members.stream().allMatch(m -> m.table != null)
        && members.size() * 2 <= Math.min(parallel, roundSize) && roomOf(members) < coming) {
      // Only a few of the round's tables still take rows (those that joined it late, when the backlog
      // turned out larger, and have not caught up): the next round starts beside them rather than
      // after them, or too few tables would write side by side until they are full.
      int ahead = tablesFor(slots, coming) - members.size();
      roundFirstSeq = members.get(0).seq;
      roundSize = tablesUpTo(members.get(members.size() - 1).seq) + roundSize(Math.max(1, ahead));
      members = members(slots);
    }
    if (members.isEmpty()) {
      if (!slots.isEmpty() && slots.get(0).table != null) {
        roundFirstSeq = slots.get(0).seq;
      } else {
        // the next table made: the base table, the one being made now, or the next number
        roundFirstSeq = basePending || (baseMissing && (taskId == 0 || creatorsRecorded)) ? TableState.BASE
            : inFlightSeq >= 0 ? inFlightSeq : maxSeq + 1;
      }
      roundSize = size;
      members = members(slots);
    }
    return members;
  }

  private static long roomOf(List<Slot> slots) {
    long sum = 0;
    for (Slot s : slots) {
      sum += s.room;
    }
    return sum;
  }

  /** This task's tables (full or not) from the round's first up to {@code lastSeq}. */
  private int tablesUpTo(int lastSeq) {
    int n = 0;
    for (TableState t : tables.values()) {
      if (t.mineForNewRows() && t.seq() >= roundFirstSeq && t.seq() <= lastSeq) {
        n++;
      }
    }
    return n;
  }

  /** The slots of the current round's tables: this task's first {@code roundSize} tables from its first, in sequence. */
  private List<Slot> members(List<Slot> slots) {
    if (roundSize == 0) {
      return List.of();
    }
    List<TableState> from = new ArrayList<>();
    for (TableState t : tables.values()) {
      if (t.mineForNewRows() && t.seq() >= roundFirstSeq) {
        from.add(t);
      }
    }
    from.sort(java.util.Comparator.comparingInt(TableState::seq));
    java.util.Set<TableState> in = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    in.addAll(from.subList(0, Math.min(roundSize, from.size())));
    int pendingIn = Math.max(0, roundSize - from.size());
    List<Slot> out = new ArrayList<>();
    for (Slot s : slots) {
      if (s.table != null ? in.contains(s.table) : pendingIn-- > 0) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * How many tables fill side by side, {@code tablesAhead} being the tables the expected rows reach
   * (those of the round under way included, so the figure holds still while a round fills): the
   * tables split into rounds of about {@code parallel}, as evenly as whole rounds allow (50 tables
   * at 20: three rounds of 17, rather than 20, 20 and 10). The count of rounds is rounded to the
   * nearest, so a round takes from 3/4 to 1.5 times {@code parallel} tables: 28 tables make one
   * round rather than 20 and 8, since the last tables of a load fill side by side only with each
   * other, and a small last round writes slowly (one write at a time per table, a few a second
   * each). With {@code parallel} 1, one table at a time.
   */
  int roundSize(int tablesAhead) {
    if (parallel == 1) {
      return 1;
    }
    int rounds = Math.max(1, (tablesAhead + parallel / 2) / parallel);
    return Math.min(parallel + parallel / 2, (tablesAhead + rounds - 1) / rounds);
  }

  /**
   * Counts the rows of the tables not counted yet, and again those of this task's tables that still
   * had room. Called when partitions are assigned, once the key index is loaded: the previous
   * instance of this task (stopped on another worker, perhaps after the worker stopped waiting for
   * it) may have written to them after they were last counted. A table for which the index holds
   * {@code indexed} keys of at least the row cap is full (each key is a row written there; rows
   * deleted by hand since only leave room unused), and a table counted full stays full: neither
   * costs a call. So a restart after a million rows counts only the last, partly filled tables.
   */
  public synchronized void recount(ToIntFunction<String> indexed) throws InterruptedException {
    int calls = 0;
    for (TableState t : tables.values()) {
      if (!t.isCounted() || (t.mineForNewRows() && t.room(cap) > 0)) {
        int keys = indexed.applyAsInt(t.tableId());
        if (keys >= cap) {
          t.counted(keys);
        } else {
          t.counted(client.rowCount(t.tableId()));
          calls++;
        }
      }
    }
    LOG.info("Rows of the tables of base {} with prefix '{}' ({} counted in Feishu, the others full by the key index): {}",
        client.appToken(), prefix, calls, tables.values().stream().map(t -> t.name() + "=" + t.rows()).toList());
  }

  /** How many tables of the sequence (those there and, after them, new ones) {@code rows} rows reach. */
  private int tablesFor(List<Slot> slots, long rows) {
    int n = 0;
    long before = 0;
    while (n < slots.size() && before < rows) {
      before += slots.get(n).room;
      n++;
    }
    if (before < rows) {
      n += (int) Math.min(Integer.MAX_VALUE - n, (rows - before + cap - 1) / cap);
    }
    return Math.max(1, n);
  }

  private static int assignedTo(List<Assignment> out, TableState t) {
    int sum = 0;
    for (Assignment a : out) {
      if (a.table() == t) {
        sum += a.rows();
      }
    }
    return sum;
  }

  /** Tables this task fills with new rows and that have room, and those being created, in sequence order. */
  private List<Slot> sequence() {
    List<Slot> out = new ArrayList<>();
    for (TableState t : tables.values()) {
      int room = t.mineForNewRows() ? t.room(cap) : 0;
      if (room > 0) {
        out.add(new Slot(t, t.seq(), room));
      }
    }
    if (basePending) {
      out.add(new Slot(null, TableState.BASE, cap));
    }
    for (int i = basePending ? 1 : 0; i < queued; i++) {
      out.add(new Slot(null, Integer.MAX_VALUE, cap)); // numbered when made: after every table there is
    }
    out.sort(java.util.Comparator.comparingInt(s -> s.seq));
    return out;
  }

  /**
   * Queues the creation of the next {@code count} tables of the sequence. They are made one after
   * another and each takes its number when it is made, so the base lists them in order and a name
   * race with another task leaves no gap.
   */
  private void createAhead(int count, List<FieldSpec> fields) {
    List<FieldSpec> columns = List.copyOf(fields);
    for (int i = 0; i < count; i++) {
      // the base table comes first, whichever task needs a table first (task 0 may have no rows at all);
      // without a record of who created it, only task 0 may, as only task 0 fills an unrecorded base
      boolean base = baseMissing && (taskId == 0 || creatorsRecorded);
      if (base) {
        baseMissing = false;
        basePending = true;
      }
      queued++;
      creator.execute(() -> createInBackground(base, columns));
    }
  }

  private String numberedName(int seq) {
    return prefix + "_" + String.format("%03d", seq);
  }

  /**
   * Creates the next table of the sequence (the base table first when it is missing); when
   * another task took the name, the next free one. The table joins the sequence (or the failure
   * is kept for {@link #assign} to throw) and waiting callers are woken. A passing failure (5xx,
   * throttling, a timeout) that outlasted the client's own retries is tried again after a pause,
   * under the same name, for up to {@link #MAX_CREATE_RETRY_SECONDS}; if it lasts longer the task
   * stops saying to restart it (kept as a passing failure, every put() would be retried with no
   * table ever made, and the task would hang without failing).
   */
  private void createInBackground(boolean base, List<FieldSpec> fields) {
    String[] name = {base ? prefix : null};
    RuntimeException failed = null;
    try {
      long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_CREATE_RETRY_SECONDS);
      int retrySeq = -1;
      for (int pauseSeconds = 1; ; pauseSeconds = Math.min(MAX_CREATE_PAUSE_SECONDS, pauseSeconds * 2)) {
        try {
          failed = createNext(base, fields, name, retrySeq);
          return;
        } catch (FeishuCallException e) {
          if (!e.failure().passes() || System.nanoTime() + TimeUnit.SECONDS.toNanos(pauseSeconds) - giveUpAt > 0) {
            throw e;
          }
          synchronized (this) {
            // the name stays in flight (a refresh meanwhile does not take it for another task's):
            // whether Feishu made it is not known, so the next try asks for it again. With one
            // task a table found under it is this task's; with several it cannot be told from a
            // rival's, and is left to that one (empty, if it was this task's lost create)
            retrySeq = inFlightSeq;
          }
          LOG.warn("Could not create table {} for now, trying again in {} s: {}", name[0], pauseSeconds, e.getMessage());
          Thread.sleep(pauseSeconds * 1_000L); // close() interrupts it
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed = new ConnectException("interrupted while creating table " + name[0], e);
    } catch (FeishuCallException e) {
      if (e.code() == 1254100) {
        failed = new ConnectException("cannot start table " + name[0] + ": " + e.withAdvice(), e);
      } else if (e.failure().passes()) {
        failed = new ConnectException("Feishu did not create table " + name[0] + " for " + MAX_CREATE_RETRY_SECONDS
            + " s: " + e.getMessage() + ". Restart the task once Feishu answers again; it goes on from the tables there.", e);
      } else {
        failed = e;
      }
    } catch (RuntimeException e) {
      failed = e;
    } finally {
      synchronized (this) {
        queued = Math.max(0, queued - 1); // close() may have cleared the queue
        if (base) {
          basePending = false;
        }
        inFlight = null;
        inFlightSeq = -1;
        if (failed != null && failure == null) {
          failure = failed;
          LOG.warn("Could not create table {}: {}", name[0], failed.getMessage());
        }
        notifyAll();
      }
    }
  }

  /**
   * One try at {@link #createInBackground}: answers a failure that stops creating tables, or null
   * when done. {@code retrySeq} is the numbered table an earlier try may have made (else -1).
   */
  private RuntimeException createNext(boolean base, List<FieldSpec> fields, String[] name, int retrySeq)
      throws InterruptedException {
    if (base && create(prefix, TableState.BASE, fields, false).isPresent()) {
      return null;
    }
    if (retrySeq > 0 && create(name[0], retrySeq, fields, true).isPresent()) {
      return null;
    }
    for (int attempt = 0; ; attempt++) {
      int seq;
      synchronized (this) {
        if (failure != null) {
          return null; // creating stopped for good
        }
        seq = ++maxSeq;
        name[0] = numberedName(seq);
        inFlight = name[0];
        inFlightSeq = seq;
      }
      if (tasks > 1 && creatorsRecorded) {
        records.intend(name[0]);
      }
      if (create(name[0], seq, fields, false).isPresent()) {
        return null;
      }
      if (attempt + 1 >= NAME_RACE_TRIES) {
        return new ConnectException("could not create a table after " + NAME_RACE_TRIES
            + " names were taken by others; is another connector writing tables named '" + prefix
            + "_NNN' to base " + client.appToken() + "?");
      }
    }
  }

  /**
   * Stops creating tables (a creation under way may still finish in Feishu); a caller waiting for
   * one gets an error rather than waiting for ever.
   */
  public void close() {
    creator.shutdownNow();
    synchronized (this) {
      if (failure == null) {
        failure = new ConnectException("the task is stopping; no more tables are created");
      }
      queued = 0;
      basePending = false;
      notifyAll();
    }
  }

  /**
   * Creates a table; empty when another task took the name first (it is that task's table) or it
   * exists already full. Registers what it finds.
   */
  private Optional<TableState> create(String name, int seq, List<FieldSpec> fields, boolean afterUncertainTry)
      throws InterruptedException {
    try {
      BitableClient.CreatedTable created = client.createTable(name, fields);
      TableInfo info = created.table();
      TableState s = new TableState(info.tableId(), name, seq, 0, true);
      s.fields(created.fields() != null ? created.fields() : client.listFields(info.tableId()));
      synchronized (this) {
        tables.put(info.tableId(), s);
      }
      records.created(s);
      LOG.info("Created table {} ({}) in base {}; task {} of {} puts new rows in it", name, info.tableId(),
          client.appToken(), taskId, tasks);
      return Optional.of(s);
    } catch (FeishuCallException e) {
      boolean mayHaveLanded = afterUncertainTry || BitableClient.lastCallMayHaveLanded();
      if (e.failure() != Failure.NAME_TAKEN) {
        if (e.code() == 1254100) {
          throw new ConnectException("cannot start table " + name + ": " + e.withAdvice(), e);
        }
        if (e.code() == 1254105 && fields.size() > MAX_FIELDS) {
          List<String> over = fields.subList(MAX_FIELDS, fields.size()).stream().map(FieldSpec::name).toList();
          throw new ConnectException("cannot create table " + name + ": it would have " + fields.size() + " fields (the "
              + "key and " + (fields.size() - 1) + " columns), and a Feishu table holds at most " + MAX_FIELDS
              + ". Send at most " + (MAX_FIELDS - 1) + " columns besides the key, e.g. leave out "
              + String.join(", ", over) + " (the source's oracle.columns lists the columns to send). " + e.getMessage(), e);
        }
        throw e;
      }
      boolean ours = tasks == 1 || seq == TableState.BASE;
      List<TableInfo> listed = client.listTables();
      if (ours) {
        // a create whose answer was lost and was retried, or the base table made by another run of this task
        for (TableInfo t : listed) {
          if (t.name().equals(name)) {
            // with several tasks, a base table another task just created is that task's
            boolean mine = tasks == 1 || (taskId == 0 && !creatorsRecorded);
            TableState s = new TableState(t.tableId(), name, seq, client.rowCount(t.tableId()), mine);
            s.fields(client.listFields(t.tableId()));
            synchronized (this) {
              TableState known = tables.putIfAbsent(t.tableId(), s);
              s = known != null ? known : s;
            }
            LOG.info("Table {} ({}) exists already; {}", name, t.tableId(), s.mineForNewRows() ? "using it"
                : "another task fills it");
            return s.room(cap) > 0 && s.mineForNewRows() ? Optional.of(s) : Optional.empty();
          }
        }
      }
      LOG.info("Table name {} was taken by another writer; it fills that table, this task takes the next name", name);
      if (!mayHaveLanded) {
        records.abandon(name); // Feishu refused every try: the table is not one this task made
      }
      for (TableInfo t : listed) {
        Matcher m = numbered.matcher(t.name());
        boolean known;
        synchronized (this) {
          if (m.matches()) {
            maxSeq = Math.max(maxSeq, Integer.parseInt(m.group(1)));
          }
          known = tables.containsKey(t.tableId());
        }
        if (!known && (m.matches() || t.name().equals(prefix))) {
          TableState other = new TableState(t.tableId(), t.name(), m.matches() ? Integer.parseInt(m.group(1)) : 0,
              client.rowCount(t.tableId()), false);
          synchronized (this) {
            tables.putIfAbsent(t.tableId(), other);
          }
        }
      }
      return Optional.empty();
    }
  }

  /** Makes sure the table has a field for each column; the table's field list is read when first needed. */
  public void ensureFields(TableState t, List<FieldSpec> wanted) throws InterruptedException {
    if (t.fields() == null) {
      t.fields(client.listFields(t.tableId()));
    }
    for (FieldSpec f : wanted) {
      if (t.fields().containsKey(f.name())) {
        continue;
      }
      try {
        client.createField(t.tableId(), f);
      } catch (FeishuCallException e) {
        if (e.failure() != Failure.NAME_TAKEN) {
          if (e.code() == 1254105) {
            throw new ConnectException("table " + t + " cannot take field '" + f.name() + "': " + e.withAdvice(), e);
          }
          throw e;
        }
      }
      t.fields(client.listFields(t.tableId()));
    }
  }

  /**
   * The base table's primary field takes the key's name when the table is still empty (a new base
   * table's primary field is a default "Text" column).
   */
  public void namePrimaryField(TableState t, String keyField) throws InterruptedException {
    if (t.fields() == null) {
      t.fields(client.listFields(t.tableId()));
    }
    String primary = t.primaryField();
    if (primary == null || primary.equals(keyField) || t.rows() != 0 || t.fields().containsKey(keyField)) {
      return;
    }
    FieldInfo f = t.fields().get(primary);
    client.updateField(t.tableId(), f.fieldId(), FieldSpec.text(keyField));
    t.fields(client.listFields(t.tableId()));
  }
}
