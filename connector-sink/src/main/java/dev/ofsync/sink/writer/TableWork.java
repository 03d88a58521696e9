package dev.ofsync.sink.writer;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.CellValue;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.Failure;
import dev.ofsync.sink.client.FieldInfo;
import dev.ofsync.sink.client.FieldSpec;
import dev.ofsync.sink.mapping.Column;
import dev.ofsync.sink.mapping.ColumnKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.table.TableState;

/**
 * One flush's calls to one table, made in order (Feishu takes one write per table at a time):
 * deletes, updates, then creates. A batch that Feishu refuses for a bad value is split until the
 * bad record is alone, so the others are still written.
 */
final class TableWork implements Callable<TableWork.Result> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableWork.class);
  /** Fields of another type than their column's, already told in the log: table id / field name. */
  private static final java.util.Set<String> TOLD_MISMATCHES = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** What happened to each change. */
  static final class Result {
    final TableState table;
    final List<Pending> deleted = new ArrayList<>();
    /** Deletes whose row was already gone (someone removed it in Feishu). */
    final List<Pending> gone = new ArrayList<>();
    final List<Pending> updated = new ArrayList<>();
    final Map<Pending, String> created = new LinkedHashMap<>();
    /** Not written now, to be tried again (after an error) or elsewhere ({@link #full}). */
    final List<Pending> retry = new ArrayList<>();
    /** New rows the table had no room for: Feishu said it is full. */
    final List<Pending> full = new ArrayList<>();
    /** Their index entry points at a row that is gone: forget it and create the row again. */
    final List<Pending> stale = new ArrayList<>();
    final Map<Pending, FeishuCallException> bad = new LinkedHashMap<>();
    FeishuCallException error;
    /**
     * A batch_create was sent and failed: unless Feishu refused every try, its rows may be in the
     * table (the table is read back rather than trust a guess).
     */
    boolean createUnanswered;

    Result(TableState table) {
      this.table = table;
    }
  }

  private final BitableClient client;
  private final TableRoller roller;
  private final TableState table;
  private final int batchSize;
  private final List<FieldSpec> fields;
  private final Map<Pending, String> deletes;
  private final Map<Pending, String> updates;
  private final List<List<Pending>> creates;
  private final Result result;
  private boolean fieldsRefreshed;

  /** This run of the task: part of every client_token, so tokens are not reused across runs. */
  private final String run;

  TableWork(BitableClient client, TableRoller roller, TableState table, int batchSize, List<FieldSpec> fields,
      Map<Pending, String> deletes, Map<Pending, String> updates, List<List<Pending>> creates, String run) {
    this.run = run;
    this.client = client;
    this.roller = roller;
    this.table = table;
    this.batchSize = batchSize;
    this.fields = fields;
    this.deletes = deletes;
    this.updates = updates;
    this.creates = creates;
    this.result = new Result(table);
  }

  /** Makes the calls; every change ends in exactly one of the result's lists. Reservations are the caller's. */
  @Override
  public Result call() throws InterruptedException {
    try {
      if (!updates.isEmpty() || !creates.isEmpty()) {
        roller.ensureFields(table, fields);
      }
      for (List<Pending> chunk : chunks(new ArrayList<>(deletes.keySet()), Math.min(batchSize, 500))) {
        delete(chunk);
      }
      for (List<Pending> chunk : chunks(new ArrayList<>(updates.keySet()), batchSize)) {
        update(chunk);
      }
      for (List<Pending> chunk : creates) {
        create(chunk);
      }
    } catch (FeishuCallException e) {
      result.error = e;
      java.util.Set<Pending> finished = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      finished.addAll(result.deleted);
      finished.addAll(result.gone);
      finished.addAll(result.full);
      finished.addAll(result.updated);
      finished.addAll(result.created.keySet());
      finished.addAll(result.bad.keySet());
      finished.addAll(result.stale);
      finished.addAll(result.retry);
      List<Pending> all = new ArrayList<>(deletes.keySet());
      all.addAll(updates.keySet());
      creates.forEach(all::addAll);
      for (Pending p : all) {
        if (!finished.contains(p)) {
          result.retry.add(p);
        }
      }
    }
    return result;
  }

  private static List<List<Pending>> chunks(List<Pending> all, int size) {
    List<List<Pending>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }

  private void delete(List<Pending> chunk) throws InterruptedException {
    try {
      client.batchDelete(table.tableId(), chunk.stream().map(deletes::get).toList());
      result.deleted.addAll(chunk);
    } catch (FeishuCallException e) {
      if (e.code() == 1254043 || e.code() == 1254006) { // a row already gone: find which by halves
        if (chunk.size() == 1) {
          result.gone.addAll(chunk);
          return;
        }
        delete(chunk.subList(0, chunk.size() / 2));
        delete(chunk.subList(chunk.size() / 2, chunk.size()));
        return;
      }
      throw e;
    }
  }

  private void update(List<Pending> chunk) throws InterruptedException {
    Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    for (Pending p : chunk) {
      rows.put(updates.get(p), cells(p, false));
    }
    try {
      client.batchUpdate(table.tableId(), rows);
      result.updated.addAll(chunk);
    } catch (FeishuCallException e) {
      if (e.failure() == Failure.FIELD_MISSING && refreshFields()) {
        update(chunk);
      } else if (e.failure() == Failure.BAD_RECORD || e.code() == 1254043) {
        if (chunk.size() == 1) {
          if (e.code() == 1254043) {
            result.stale.add(chunk.get(0));
          } else {
            result.bad.put(chunk.get(0), e);
          }
          return;
        }
        update(chunk.subList(0, chunk.size() / 2));
        update(chunk.subList(chunk.size() / 2, chunk.size()));
      } else {
        throw e;
      }
    }
  }

  /**
   * The create's client_token: the same for the same rows in the same table within one run of the
   * task, so a batch tried again after its answer was lost (the client's own retries spent, the
   * lane trying the batch later) is not written twice, in append mode too, where no key index
   * would find the rows. A new run (a restart, a replay) gets new tokens.
   */
  private String clientToken(List<Pending> chunk) {
    StringBuilder what = new StringBuilder(run).append('|').append(table.tableId());
    for (Pending p : chunk) {
      what.append('|').append(p.key).append(':').append(p.change.hash());
      // almost always one partition; several (a key met in more than one) in a fixed order
      Map<org.apache.kafka.common.TopicPartition, Long> offsets = p.firstOffsets.size() == 1 ? p.firstOffsets
          : new java.util.TreeMap<>(java.util.Comparator.comparing(Object::toString));
      if (offsets != p.firstOffsets) {
        offsets.putAll(p.firstOffsets);
      }
      offsets.forEach((tp, offset) -> what.append(':').append(tp).append('@').append(offset));
    }
    return uuidV4Of(what.toString());
  }

  /**
   * A digest of {@code name} in the form of a UUIDv4, the only form Feishu takes as a client_token:
   * the version and variant bits of a random UUID, and 122 bits of SHA-256 where its random bits would
   * be, so that the same name gives the same token.
   */
  static String uuidV4Of(String name) {
    byte[] digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    digest[6] = (byte) ((digest[6] & 0x0f) | 0x40); // version 4
    digest[8] = (byte) ((digest[8] & 0x3f) | 0x80); // the IETF variant
    java.nio.ByteBuffer bits = java.nio.ByteBuffer.wrap(digest, 0, 16);
    return new java.util.UUID(bits.getLong(), bits.getLong()).toString();
  }

  private void create(List<Pending> chunk) throws InterruptedException {
    List<Map<String, Object>> rows = new ArrayList<>(chunk.size());
    String primary = table.primaryField();
    for (Pending p : chunk) {
      Map<String, Object> row = new LinkedHashMap<>();
      if (p.change.key() != null) {
        row.put(primary, p.change.key());
      }
      row.putAll(cells(p, true));
      rows.add(row);
    }
    try {
      List<String> ids = client.batchCreate(table.tableId(), rows, clientToken(chunk));
      for (int i = 0; i < chunk.size(); i++) {
        result.created.put(chunk.get(i), ids.get(i));
      }
    } catch (FeishuCallException e) {
      if (e.failure() == Failure.TABLE_FULL) {
        table.close();
        result.full.addAll(chunk);
      } else if (e.failure() == Failure.FIELD_MISSING && refreshFields()) {
        create(chunk);
      } else if (e.failure() == Failure.BAD_RECORD) {
        if (chunk.size() == 1) {
          result.bad.put(chunk.get(0), e);
          return;
        }
        create(chunk.subList(0, chunk.size() / 2));
        create(chunk.subList(chunk.size() / 2, chunk.size()));
      } else {
        result.createUnanswered |= e.sent();
        throw e;
      }
    }
  }

  private boolean refreshFields() throws InterruptedException {
    if (fieldsRefreshed) {
      return false;
    }
    fieldsRefreshed = true;
    table.fields(client.listFields(table.tableId()));
    roller.ensureFields(table, fields);
    return true;
  }

  /** The change's cells in the types of this table's fields; on create empty cells are left out, on update they clear. */
  private Map<String, Object> cells(Pending p, boolean create) {
    Map<String, FieldInfo> tableFields = table.fields();
    Map<String, Object> out = new LinkedHashMap<>();
    List<Column> columns = p.change.columns();
    int i = 0;
    for (Map.Entry<String, Object> e : p.change.cells().entrySet()) {
      Column column = i < columns.size() ? columns.get(i) : null;
      i++;
      Object v = e.getValue();
      FieldInfo f = tableFields == null ? null : tableFields.get(e.getKey());
      if (v == null) {
        // a column seen only with nulls has no field unless the table had it: nothing to clear then
        if (!create && (f != null || column == null || column.kind() != ColumnKind.UNTYPED)) {
          out.put(e.getKey(), CellValue.CLEAR);
        }
        continue;
      }
      if (f != null && column != null && f.type() != column.kind().fieldType()
          && TOLD_MISMATCHES.add(table.tableId() + "/" + e.getKey())) {
        LOG.warn("Field '{}' of table {} ({}) is of Feishu type {}, and its column is {}: values are converted to the "
            + "field's type where they can be (numbers kept as text lose no digit; text read as a number keeps what a "
            + "double holds), and a value that cannot be converted is refused by Feishu. Change the field's type in "
            + "Feishu, or let the sink make its fields (a new feishu.table_name_prefix)", e.getKey(), table.name(),
            table.tableId(), f.type(), column.kind().name().toLowerCase(java.util.Locale.ROOT));
      }
      out.put(e.getKey(), f == null || column == null ? v : adapt(v, column, f.type()));
    }
    return out;
  }

  /** A cell for a field whose type differs from the column's (a table made by hand): convert where it can be. */
  static Object adapt(Object v, Column column, int fieldType) {
    if (fieldType == column.kind().fieldType()) {
      return v;
    }
    switch (fieldType) {
      case FieldSpec.TEXT:
        if (column.kind() == ColumnKind.DATE && v instanceof Long) {
          return Instant.ofEpochMilli((Long) v).atOffset(ZoneOffset.UTC).toString();
        }
        if (v instanceof Double && ((Double) v) == Math.rint((Double) v) && Math.abs((Double) v) < 1e15) {
          return String.valueOf(((Double) v).longValue());
        }
        return String.valueOf(v);
      case FieldSpec.NUMBER:
        if (v instanceof String) {
          try {
            return new BigDecimal(((String) v).trim()).doubleValue();
          } catch (NumberFormatException e) {
            return v;
          }
        }
        return v;
      case FieldSpec.DATE:
        if (v instanceof String) {
          try {
            return OffsetDateTime.parse((String) v).toInstant().toEpochMilli();
          } catch (java.time.format.DateTimeParseException e) {
            return v;
          }
        }
        return v;
      default:
        return v;
    }
  }
}
