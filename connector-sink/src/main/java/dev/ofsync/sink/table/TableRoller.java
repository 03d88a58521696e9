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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which table a new row goes to: the base table first, then {prefix}_001, _002, ... each
 * filled to the row cap and never beyond; with {@code parallel} > 1, that many tables take new rows
 * side by side. On start it finds the tables that exist and goes on from them.
 *
 * <p>With several tasks, a table takes new rows from one task only, so no two writers can push it
 * past the cap: a created table from its creator, recorded in the key index ({@link #claim}) so a
 * restarted task takes up its own tables again while the others go on with theirs. Any task may
 * create the missing base table then. A base table nobody recorded (given as feishu.base_table_id,
 * made by hand, or with no index topic) takes new rows from task 0; a partly filled numbered table
 * nobody recorded takes no more. Existing rows are updated wherever they are.
 */
public final class TableRoller {
  private static final Logger LOG = LoggerFactory.getLogger(TableRoller.class);
  private static final int NAME_RACE_TRIES = 20;
  /** Fields a Feishu table may hold. */
  static final int MAX_FIELDS = 300;

  /** New rows for one table. */
  public record Assignment(TableState table, int rows) {}

  private final BitableClient client;
  private final String prefix;
  private final String baseTableId;
  private final int cap;
  private final int parallel;
  private final int taskId;
  private final int tasks;
  private final Pattern numbered;
  private final Map<String, TableState> tables = new LinkedHashMap<>();
  private int maxSeq;
  private boolean baseMissing;
  private java.util.function.Consumer<TableState> onCreate = t -> {};
  /** Whether creators are recorded (in the key index topic): then any task may create the base table. */
  private boolean creatorsRecorded;

  public TableRoller(BitableClient client, String prefix, String baseTableId, int cap, int parallel, int taskId, int tasks) {
    this.client = client;
    this.prefix = prefix;
    this.baseTableId = baseTableId;
    this.cap = cap;
    this.parallel = parallel;
    this.taskId = taskId;
    this.tasks = Math.max(1, tasks);
    this.numbered = Pattern.compile(Pattern.quote(prefix) + "_(\\d{3,})");
  }

  /** Finds the base table and the numbered tables, with their row counts. */
  public synchronized void discover() throws InterruptedException {
    tables.clear();
    maxSeq = 0;
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
      add(base, TableState.BASE, taskId == 0);
    }
    for (TableInfo t : listed) {
      Matcher m = numbered.matcher(t.name());
      if (m.matches() && (base == null || !t.tableId().equals(base.tableId()))) {
        int seq = Integer.parseInt(m.group(1));
        maxSeq = Math.max(maxSeq, seq);
        // a lone task owns every table; with several, only a recorded creator does (see claim)
        add(t, seq, tasks == 1);
      }
    }
    LOG.info("Tables of base {} with prefix '{}': {}", client.appToken(), prefix, tables.values().stream()
        .map(t -> t.name() + "=" + t.rows()).toList());
  }

  /**
   * Learns of tables other tasks created since; they stay theirs for new rows (this task only
   * updates and deletes rows in them), so no table gets two writers of new rows.
   */
  public synchronized void refresh() throws InterruptedException {
    for (TableInfo t : client.listTables()) {
      if (tables.containsKey(t.tableId())) {
        continue;
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

  /**
   * Called with each table this task creates, before any row goes into it, to record it as this
   * task's where {@link #claim} will find it after a restart; {@code durable}: the record survives.
   */
  public synchronized void onCreate(java.util.function.Consumer<TableState> listener, boolean durable) {
    this.onCreate = listener;
    this.creatorsRecorded = durable;
  }

  /**
   * Takes up the tables that {@code owners} (table id to the task that created it) says this task
   * created, as after a restart, and gives up those another task created. Tables with no recorded
   * creator keep what {@link #discover} decided.
   */
  public synchronized void claim(Map<String, Integer> owners) {
    if (tasks == 1) {
      return;
    }
    for (TableState t : tables.values()) {
      Integer owner = owners.get(t.tableId());
      if (owner != null) {
        t.mineForNewRows(owner == taskId);
      }
    }
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
   * Places {@code n} new rows in chunks of at most {@code batchSize}. Each chunk goes to the open
   * table with the least work waiting ({@code backlog}); when every open table already has a full
   * batch waiting and fewer than {@code parallel} are open, a new table is started (with {@code
   * fields}, the first being the primary field). With {@code parallel} 1 this is the strict order:
   * one table until it is full, then the next.
   */
  public synchronized List<Assignment> assign(int n, int batchSize, List<FieldSpec> fields,
      java.util.function.ToIntFunction<TableState> backlog) throws InterruptedException {
    List<Assignment> out = new ArrayList<>();
    List<TableState> open = new ArrayList<>();
    int remaining = n;
    while (remaining > 0) {
      open.removeIf(t -> t.room(cap) == 0);
      // a table that filled up makes way for the next of this task's tables with room, before any new table
      for (TableState t : ownWithRoom()) {
        if (open.size() >= parallel) {
          break;
        }
        if (!open.contains(t)) {
          open.add(t);
        }
      }
      TableState best = null;
      int bestLoad = Integer.MAX_VALUE;
      for (TableState t : open) {
        int load = backlog.applyAsInt(t) + assignedTo(out, t);
        if (load < bestLoad) {
          best = t;
          bestLoad = load;
        }
      }
      if (best == null || (bestLoad >= batchSize && open.size() < parallel)) {
        best = newTable(fields);
        open.add(best);
      }
      int take = Math.min(Math.min(batchSize, remaining), best.room(cap));
      best.reserve(take);
      out.add(new Assignment(best, take));
      remaining -= take;
    }
    return out;
  }

  private static int assignedTo(List<Assignment> out, TableState t) {
    return out.stream().filter(a -> a.table() == t).mapToInt(Assignment::rows).sum();
  }

  /** Tables this task fills with new rows that have room left, in sequence order. */
  private List<TableState> ownWithRoom() {
    List<TableState> own = new ArrayList<>();
    for (TableState t : tables.values()) {
      if (t.mineForNewRows() && t.room(cap) > 0) {
        own.add(t);
      }
    }
    own.sort(java.util.Comparator.comparingInt(TableState::seq));
    return own;
  }

  /**
   * Counts again the rows of the tables this task puts new rows in. Called when partitions are
   * assigned: the previous instance of this task (stopped on another worker, perhaps after the
   * worker stopped waiting for it) may have written to them after {@link #discover} counted.
   */
  public synchronized void recountOwn() throws InterruptedException {
    for (TableState t : tables.values()) {
      if (t.mineForNewRows()) {
        t.counted(client.rowCount(t.tableId()));
      }
    }
  }

  private TableState newTable(List<FieldSpec> fields) throws InterruptedException {
    // the base table comes first, whichever task needs a table first (task 0 may have no rows at all);
    // without a record of who created it, only task 0 may, as only task 0 fills an unrecorded base
    if (baseMissing && (taskId == 0 || creatorsRecorded)) {
      baseMissing = false;
      Optional<TableState> base = create(prefix, TableState.BASE, fields);
      if (base.isPresent()) {
        return base.get();
      }
    }
    for (int attempt = 0; attempt < NAME_RACE_TRIES; attempt++) {
      int seq = maxSeq + 1;
      String name = prefix + "_" + String.format("%03d", seq);
      Optional<TableState> created = create(name, seq, fields);
      maxSeq = Math.max(maxSeq, seq);
      if (created.isPresent()) {
        return created.get();
      }
    }
    throw new ConnectException("could not create a table after " + NAME_RACE_TRIES + " names were taken by others;"
        + " is another connector writing tables named '" + prefix + "_NNN' to base " + client.appToken() + "?");
  }

  /** Creates a table; empty when another task took the name first (it is that task's table). */
  private Optional<TableState> create(String name, int seq, List<FieldSpec> fields) throws InterruptedException {
    try {
      BitableClient.CreatedTable created = client.createTable(name, fields);
      TableInfo info = created.table();
      TableState s = new TableState(info.tableId(), name, seq, 0, true);
      s.fields(created.fields() != null ? created.fields() : client.listFields(info.tableId()));
      tables.put(info.tableId(), s);
      onCreate.accept(s);
      LOG.info("Created table {} ({}) in base {}; task {} of {} puts new rows in it", name, info.tableId(),
          client.appToken(), taskId, tasks);
      return Optional.of(s);
    } catch (FeishuCallException e) {
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
      if (ours) {
        // a create whose answer was lost and was retried, or the base table made by another run of this task
        for (TableInfo t : client.listTables()) {
          if (t.name().equals(name)) {
            // with several tasks, a base table another task just created is that task's
            boolean mine = tasks == 1 || (taskId == 0 && !creatorsRecorded);
            TableState s = new TableState(t.tableId(), name, seq, client.rowCount(t.tableId()), mine);
            s.fields(client.listFields(t.tableId()));
            tables.put(t.tableId(), s);
            LOG.info("Table {} ({}) exists already; {}", name, t.tableId(), mine ? "using it" : "another task fills it");
            return mine && s.room(cap) > 0 ? Optional.of(s) : Optional.empty();
          }
        }
      }
      LOG.info("Table name {} was taken by another writer; it fills that table, this task takes the next name", name);
      for (TableInfo t : client.listTables()) {
        Matcher m = numbered.matcher(t.name());
        if (m.matches()) {
          maxSeq = Math.max(maxSeq, Integer.parseInt(m.group(1)));
        }
        if (!tables.containsKey(t.tableId()) && (m.matches() || t.name().equals(prefix))) {
          tables.put(t.tableId(), new TableState(t.tableId(), t.name(), m.matches() ? Integer.parseInt(m.group(1)) : 0,
              client.rowCount(t.tableId()), false));
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
    if (primary == null || primary.equals(keyField) || t.rows() > 0 || t.fields().containsKey(keyField)) {
      return;
    }
    FieldInfo f = t.fields().get(primary);
    client.updateField(t.tableId(), f.fieldId(), FieldSpec.text(keyField));
    t.fields(client.listFields(t.tableId()));
  }
}
