package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.api.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The bases, tables, fields and records, and every rule about them. Knows nothing of HTTP: each
 * operation takes the request's JSON and answers the {@code data} of Feishu's reply, or throws an
 * {@link ApiException}. A failing write changes nothing.
 */
public final class BitableStore {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String FORBIDDEN_TABLE_NAME_CHARS = "/\\?*:[]";
  private static final int MAX_NAME_LENGTH = 100;

  private final EmulatorSettings settings;
  private final Map<String, Base> bases = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  public BitableStore(EmulatorSettings settings) {
    this.settings = settings;
  }

  /** Counts every change, so a saver can tell whether there is anything new to save. */
  public long changes() {
    return changes.get();
  }

  private void changed() {
    changes.incrementAndGet();
  }

  // ---- bases (admin) ----

  /** Creates a base usable by {@code apps}, with one table named {@code baseTableName}; answers the table's id. */
  public String createBase(String appToken, String name, Set<String> apps, String baseTableName) {
    if (!Ids.isAppToken(appToken)) {
      throw new IllegalArgumentException("app_token '" + appToken + "' must be 8-64 letters, digits, '_' or '-'");
    }
    Base base = new Base(appToken, name, apps);
    if (bases.putIfAbsent(appToken, base) != null) {
      throw new IllegalArgumentException("a base with app_token " + appToken + " exists already");
    }
    Table table = new Table(Ids.table(), baseTableName);
    table.addField(Ids.field(), "Text", FieldType.TEXT, null);
    synchronized (base) {
      base.tables.put(table.id, table);
    }
    changed();
    return table.id;
  }

  public void clear() {
    bases.clear();
    changed();
  }

  /** Lets more apps use an existing base (a standalone emulator restarted on its state file with another app). */
  public void grant(String appToken, Set<String> appIds) {
    Base base = bases.get(appToken);
    if (base != null) {
      base.apps.addAll(appIds);
    }
  }

  public List<String> appTokens() {
    return new ArrayList<>(bases.keySet());
  }

  /** The base for a call by {@code appId}, checking the token's form, existence and the app's access. */
  public Base base(String appToken, String appId) {
    if (!Ids.isAppToken(appToken)) {
      throw ApiException.of(WRONG_BASE_TOKEN, "WrongBaseToken: '" + appToken + "' is not an app_token");
    }
    Base base = bases.get(appToken);
    if (base == null) {
      throw ApiException.of(BASE_NOT_FOUND, "BaseTokenNotFound: no base has app_token " + appToken);
    }
    if (appId != null && !base.apps.contains(appId)) {
      throw ApiException.of(PERMISSION_DENIED, "Permission denied: app " + appId
          + " is not a collaborator of base " + appToken + "; add the app to the base");
    }
    return base;
  }

  public Table table(Base base, String tableId) {
    if (!Ids.isTableId(tableId)) {
      throw ApiException.of(WRONG_TABLE_ID, "WrongTableId: '" + tableId + "' is not a table id");
    }
    synchronized (base) {
      Table table = base.tables.get(tableId);
      if (table == null) {
        throw ApiException.of(TABLE_NOT_FOUND, "TableIdNotFound: base " + base.appToken + " has no table " + tableId);
      }
      return table;
    }
  }

  // ---- tables ----

  public ObjectNode createTable(Base base, JsonNode body) {
    JsonNode spec = body.path("table");
    if (!spec.isObject()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: body needs a \"table\" object");
    }
    String name = spec.path("name").asText(null);
    checkTableName(name);
    List<FieldSpec> fieldSpecs = new ArrayList<>();
    JsonNode fields = spec.path("fields");
    if (fields.isArray()) {
      Set<String> names = new HashSet<>();
      for (JsonNode f : fields) {
        FieldSpec fs = fieldSpec(f);
        if (!names.add(fs.name)) {
          throw ApiException.of(FIELD_NAME_DUPLICATED, "FieldNameDuplicated: field '" + fs.name + "' appears twice");
        }
        fieldSpecs.add(fs);
      }
    } else if (!fields.isMissingNode() && !fields.isNull()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: table.fields must be an array");
    }
    if (fieldSpecs.isEmpty()) {
      fieldSpecs.add(new FieldSpec("Text", FieldType.TEXT, null));
    }
    if (!fieldSpecs.get(0).type.primaryAllowed()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: the first field '" + fieldSpecs.get(0).name
          + "' becomes the primary field, which must be of type 1, 2, 5, 13, 15, 20 or 22, not "
          + fieldSpecs.get(0).type.code());
    }
    if (fieldSpecs.size() > settings.maxFieldsPerTable()) {
      throw ApiException.of(FIELD_LIMIT, "ColumnExceedLimit: a table holds at most " + settings.maxFieldsPerTable()
          + " fields, got " + fieldSpecs.size());
    }
    Table table = new Table(Ids.table(), name);
    ArrayNode fieldIds = JSON.arrayNode();
    for (FieldSpec fs : fieldSpecs) {
      fieldIds.add(table.addField(Ids.field(), fs.name, fs.type, fs.property).id);
    }
    synchronized (base) {
      for (Table t : base.tables.values()) {
        if (t.name.equals(name)) {
          throw ApiException.of(TABLE_NAME_DUPLICATED, "TableNameDuplicated: base " + base.appToken
              + " has a table named '" + name + "' already (" + t.id + ")");
        }
      }
      if (base.tables.size() >= settings.maxTablesPerBase()) {
        throw ApiException.of(TABLE_LIMIT, "TableExceedLimit: base " + base.appToken + " holds "
            + base.tables.size() + " tables, the most a base may hold");
      }
      base.tables.put(table.id, table);
    }
    changed();
    ObjectNode data = JSON.objectNode();
    data.put("table_id", table.id);
    data.put("default_view_id", Ids.view());
    data.set("field_id_list", fieldIds);
    return data;
  }

  public ObjectNode listTables(Base base, String pageSize, String pageToken) {
    int size = PageToken.pageSize(pageSize, 20, 100);
    int offset = PageToken.offset(pageToken);
    List<Table> tables;
    synchronized (base) {
      tables = new ArrayList<>(base.tables.values());
    }
    ArrayNode items = JSON.arrayNode();
    int end = Math.min(tables.size(), offset + size);
    for (int i = offset; i < end; i++) {
      Table t = tables.get(i);
      items.addObject().put("table_id", t.id).put("revision", 1).put("name", t.name);
    }
    return page(items, end, tables.size());
  }

  public ObjectNode deleteTable(Base base, Table table) {
    synchronized (base) {
      if (base.tables.size() == 1) {
        throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: table " + table.id
            + " is the last table of the base; a base keeps at least one table");
      }
      base.tables.remove(table.id);
      table.deleted = true;
    }
    changed();
    return JSON.objectNode();
  }

  private void checkTableName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: table name must be 1-" + MAX_NAME_LENGTH
          + " characters, got " + (name == null ? "none" : name.length()));
    }
    for (char c : name.toCharArray()) {
      if (FORBIDDEN_TABLE_NAME_CHARS.indexOf(c) >= 0) {
        throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: table name '" + name
            + "' contains '" + c + "'; a table name may not contain / \\ ? * : [ ]");
      }
    }
  }

  // ---- fields ----

  private record FieldSpec(String name, FieldType type, ObjectNode property) {}

  private FieldSpec fieldSpec(JsonNode f) {
    String name = f.path("field_name").asText(null);
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: field_name must be 1-" + MAX_NAME_LENGTH + " characters");
    }
    JsonNode typeNode = f.path("type");
    FieldType type = typeNode.isInt() ? FieldType.ofCode(typeNode.intValue()) : null;
    if (type == null) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: field '" + name + "' has type " + typeNode
          + ", which is not a Bitable field type");
    }
    JsonNode property = f.path("property");
    ObjectNode prop = property.isObject() ? (ObjectNode) property.deepCopy() : null;
    checkProperty(name, type, prop);
    return new FieldSpec(name, type, prop);
  }

  private static void checkProperty(String name, FieldType type, ObjectNode property) {
    if (property == null) {
      return;
    }
    if (type == FieldType.NUMBER && property.has("formatter")
        && !CellCodec.NUMBER_FORMATTERS.contains(property.path("formatter").asText())) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: field '" + name + "' has number formatter "
          + property.get("formatter") + "; one of " + new java.util.TreeSet<>(CellCodec.NUMBER_FORMATTERS) + " is needed");
    }
    if (type == FieldType.DATE_TIME && property.has("date_formatter")
        && !CellCodec.DATE_FORMATTERS.contains(property.path("date_formatter").asText())) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: field '" + name + "' has date_formatter "
          + property.get("date_formatter") + "; one of " + new java.util.TreeSet<>(CellCodec.DATE_FORMATTERS) + " is needed");
    }
  }

  public ObjectNode listFields(Table table, String pageSize, String pageToken) {
    int size = PageToken.pageSize(pageSize, 20, 100);
    int offset = PageToken.offset(pageToken);
    table.lock.readLock().lock();
    try {
      ArrayNode items = JSON.arrayNode();
      int end = Math.min(table.fields.size(), offset + size);
      for (int i = offset; i < end; i++) {
        items.add(fieldJson(table.fields.get(i)));
      }
      return page(items, end, table.fields.size());
    } finally {
      table.lock.readLock().unlock();
    }
  }

  private static ObjectNode fieldJson(Field f) {
    ObjectNode o = JSON.objectNode();
    o.put("field_id", f.id);
    o.put("field_name", f.name);
    o.put("type", f.type.code());
    o.put("ui_type", f.type.uiType());
    o.put("is_primary", f.primary);
    if (f.property != null) {
      o.set("property", f.property.deepCopy());
    } else {
      o.putNull("property");
    }
    return o;
  }

  public ObjectNode createField(Table table, JsonNode body) {
    FieldSpec fs = fieldSpec(body);
    table.lock.writeLock().lock();
    try {
      if (table.fieldsByName.containsKey(fs.name)) {
        throw ApiException.of(FIELD_NAME_DUPLICATED, "FieldNameDuplicated: table " + table.id
            + " has a field named '" + fs.name + "' already");
      }
      if (table.fields.size() >= settings.maxFieldsPerTable()) {
        throw ApiException.of(FIELD_LIMIT, "ColumnExceedLimit: table " + table.id + " has "
            + table.fields.size() + " fields, the most a table may hold");
      }
      Field f = table.addField(Ids.field(), fs.name, fs.type, fs.property);
      changed();
      ObjectNode data = JSON.objectNode();
      data.set("field", fieldJson(f));
      return data;
    } finally {
      table.lock.writeLock().unlock();
    }
  }

  public ObjectNode updateField(Table table, String fieldId, JsonNode body) {
    FieldSpec fs = fieldSpec(body);
    table.lock.writeLock().lock();
    try {
      Field f = table.fieldsById.get(fieldId);
      if (f == null) {
        throw ApiException.of(FIELD_ID_NOT_FOUND, "FieldIdNotFound: table " + table.id + " has no field " + fieldId);
      }
      Field other = table.fieldsByName.get(fs.name);
      if (other != null && other != f) {
        throw ApiException.of(FIELD_NAME_DUPLICATED, "FieldNameDuplicated: table " + table.id
            + " has a field named '" + fs.name + "' already");
      }
      if (f.primary && !fs.type.primaryAllowed()) {
        throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: '" + f.name
            + "' is the primary field, which must be of type 1, 2, 5, 13, 15, 20 or 22");
      }
      if (fs.type != f.type) {
        convertCells(table, f, fs.type);
      }
      table.fieldsByName.remove(f.name);
      f.name = fs.name;
      f.type = fs.type;
      f.property = fs.property;
      table.fieldsByName.put(f.name, f);
      table.schemaChanged();
      changed();
      ObjectNode data = JSON.objectNode();
      data.set("field", fieldJson(f));
      return data;
    } finally {
      table.lock.writeLock().unlock();
    }
  }

  /** A field changes type: cells that can be read as the new type are kept, the others cleared. */
  private void convertCells(Table table, Field f, FieldType newType) {
    Field target = new Field(f.id, f.slot, f.primary, f.name, newType, null);
    long now = System.currentTimeMillis();
    for (Row row : table.rows) {
      Object cell = row.cell(f.slot);
      if (cell == null) {
        continue;
      }
      JsonNode old = CellCodec.encode(f.type, cell, false);
      Object converted;
      try {
        if (newType == FieldType.TEXT) {
          converted = old.isTextual() ? old.textValue() : old.toString();
        } else if (newType == FieldType.NUMBER && old.isTextual()) {
          converted = Double.parseDouble(old.textValue().trim());
        } else {
          converted = CellCodec.decode(target, old, settings.maxTextCellChars(), true);
        }
      } catch (ApiException | NumberFormatException e) {
        converted = null;
      }
      Object[] cells = row.cells(f.slot + 1);
      cells[f.slot] = converted;
      row.update(cells, row.modifiedMillis()); // a change of the field, not of the record
    }
    table.rows.compactIfWasteful();
  }

  // ---- records ----

  public ObjectNode batchCreate(Table table, RecordBatch batch, String clientToken) {
    if (batch.size() == 0) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: batch_create got no records");
    }
    if (batch.size() > settings.maxRecordsPerCreate()) {
      throw ApiException.of(BATCH_SIZE_LIMIT, "RecordAddOnceExceedLimit: batch_create takes at most "
          + settings.maxRecordsPerCreate() + " records per call, got " + batch.size());
    }
    boolean idempotent = settings.clientTokenIdempotent() && clientToken != null && !clientToken.isEmpty();
    table.lock.writeLock().lock();
    try {
      if (idempotent) {
        long[] earlier = table.clientTokens.get(clientToken);
        if (earlier != null) {
          // the first call's record ids (only those are kept, to keep memory small), with this request's fields
          return answer(batch, earlier);
        }
      }
      // every record is decoded, and so checked, before any is added: a failing batch writes nothing
      PackedRows rows = batch.preparedRows(table);
      if (rows == null) {
        rows = decodeRows(table, batch);
      }
      int limit = settings.maxRowsPerTable();
      if (table.rows.size() + rows.count() > limit) {
        throw ApiException.of(ROW_LIMIT, "RecordExceedLimit: table " + table.id + " holds "
            + table.rows.size() + " rows; adding " + rows.count() + " would pass its limit of " + limit);
      }
      long now = System.currentTimeMillis();
      long[] keys = new long[rows.count()];
      for (int i = 0; i < keys.length; i++) {
        long key = Ids.recordKey();
        while (table.rows.add(key, now, now, rows, i) < 0) {
          key = Ids.recordKey(); // 2^64 ids: a clash is all but impossible, but never overwrite a row
        }
        keys[i] = key;
      }
      changed();
      if (idempotent) {
        table.clientTokens.put(clientToken, keys);
      }
      return answer(batch, keys);
    } finally {
      table.lock.writeLock().unlock();
    }
  }

  /** batch_create's data: each record id with the fields as sent, written straight to the answer. */
  private static ObjectNode answer(RecordBatch batch, long[] keys) {
    ObjectNode data = JSON.objectNode();
    data.set("records", JSON.pojoNode(batch.echo(keys)));
    return data;
  }

  /** The records of a batch held as trees, decoded into rows (their times are set when added). */
  private PackedRows decodeRows(Table table, RecordBatch batch) {
    batch.ensureTrees();
    PackedRows rows = new PackedRows(256 * batch.size());
    Object[] cells = new Object[table.nextSlot];
    CellPacker packer = new CellPacker();
    for (int r = 0; r < batch.size(); r++) {
      Arrays.fill(cells, null);
      for (int i = 0; i < batch.fieldCount(r); i++) {
        decodeInto(table, cells, batch.name(r, i), batch.value(r, i));
      }
      packer.pack(cells, rows);
    }
    return rows;
  }

  static ApiException unknownField(Table table, String name) {
    return ApiException.of(FIELD_NAME_NOT_FOUND, "FieldNameNotFound: table " + table.id + " has no field named '"
        + name + "'");
  }

  /** Decodes one cell into its field's slot; an unknown field name fails the call. */
  private void decodeInto(Table table, Object[] cells, String name, JsonNode value) {
    Field f = table.fieldsByName.get(name);
    if (f == null) {
      throw unknownField(table, name);
    }
    cells[f.slot] = CellCodec.decode(f, value, settings.maxTextCellChars(), settings.strictCellTypes());
  }

  public ObjectNode batchUpdate(Table table, JsonNode body) {
    JsonNode records = records(body, settings.maxRecordsPerUpdate(), "batch_update");
    table.lock.writeLock().lock();
    try {
      List<Row> targets = new ArrayList<>(records.size());
      List<Object[]> updates = new ArrayList<>(records.size());
      for (JsonNode record : records) {
        targets.add(existingRow(table, record.path("record_id").asText(null)));
        updates.add(decodeUpdate(table, fieldsOf(record)));
      }
      long now = System.currentTimeMillis();
      ArrayNode out = JSON.arrayNode();
      for (int i = 0; i < targets.size(); i++) {
        Row row = targets.get(i);
        Object[] update = updates.get(i);
        Object[] cells = row.cells(update.length);
        for (int slot = 0; slot < update.length; slot++) {
          if (update[slot] != UNSET) {
            cells[slot] = update[slot];
          }
        }
        row.update(cells, now);
        out.addObject().put("record_id", row.id()).set("fields", fieldsOf(records.get(i)));
      }
      changed();
      ObjectNode data = JSON.objectNode();
      data.set("records", out);
      return data;
    } finally {
      table.lock.writeLock().unlock();
    }
  }

  public ObjectNode batchDelete(Table table, JsonNode body) {
    JsonNode records = records(body, settings.maxRecordsPerDelete(), "batch_delete");
    table.lock.writeLock().lock();
    try {
      List<Row> doomed = new ArrayList<>(records.size());
      for (JsonNode r : records) {
        doomed.add(existingRow(table, r.isTextual() ? r.textValue() : null));
      }
      ArrayNode out = JSON.arrayNode();
      for (Row row : doomed) {
        out.addObject().put("deleted", true).put("record_id", row.id());
      }
      for (Row row : doomed) {
        table.rows.remove(row.index());
      }
      table.rows.compactIfWasteful();
      changed();
      ObjectNode data = JSON.objectNode();
      data.set("records", out);
      return data;
    } finally {
      table.lock.writeLock().unlock();
    }
  }

  private static JsonNode records(JsonNode body, int max, String call) {
    JsonNode records = body.path("records");
    if (!records.isArray()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: " + call + " needs a \"records\" array");
    }
    if (records.isEmpty()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: " + call + " got no records");
    }
    if (records.size() > max) {
      throw ApiException.of(BATCH_SIZE_LIMIT, "RecordAddOnceExceedLimit: " + call + " takes at most " + max
          + " records per call, got " + records.size());
    }
    return records;
  }

  private static JsonNode fieldsOf(JsonNode record) {
    JsonNode fields = record.path("fields");
    if (!fields.isObject()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: every record needs a \"fields\" object");
    }
    return fields;
  }

  private static Row existingRow(Table table, String recordId) {
    if (!Ids.isRecordId(recordId)) {
      throw ApiException.of(WRONG_RECORD_ID, "WrongRecordId: '" + recordId + "' is not a record id");
    }
    int index = table.rows.find(recordId);
    if (index < 0) {
      throw ApiException.of(RECORD_NOT_FOUND, "RecordIdNotFound: table " + table.id + " has no record " + recordId);
    }
    return table.rows.row(index);
  }

  /** Marks slots an update leaves as they are. */
  private static final Object UNSET = new Object();

  /** Decodes an update's fields into a slot array; slots it does not name are {@link #UNSET}. */
  private Object[] decodeUpdate(Table table, JsonNode fields) {
    Object[] cells = new Object[table.nextSlot];
    java.util.Arrays.fill(cells, UNSET);
    fields.fields().forEachRemaining(e -> decodeInto(table, cells, e.getKey(), e.getValue()));
    return cells;
  }

  // ---- reading ----

  public ObjectNode search(Table table, JsonNode body, String pageSize, String pageToken) {
    int size = PageToken.pageSize(pageSize, 20, 500);
    int offset = PageToken.offset(pageToken);
    boolean automatic = body.path("automatic_fields").asBoolean(false);
    table.lock.readLock().lock();
    try {
      List<Field> shown = shownFields(table, body.path("field_names"));
      Predicate<Row> filter = Filters.compile(table, body.path("filter"));
      List<Row> matched = matching(table, filter);
      sort(table, matched, body.path("sort"));
      return recordsPage(matched, shown, offset, size, true, automatic);
    } finally {
      table.lock.readLock().unlock();
    }
  }

  public ObjectNode listRecords(Table table, Map<String, String> query) {
    int size = PageToken.pageSize(query.get("page_size"), 20, 500);
    int offset = PageToken.offset(query.get("page_token"));
    boolean textAsArray = Boolean.parseBoolean(query.get("text_field_as_array"));
    boolean automatic = Boolean.parseBoolean(query.get("automatic_fields"));
    JsonNode names = JSON.missingNode();
    String fieldNames = query.get("field_names");
    if (fieldNames != null && !fieldNames.isEmpty()) {
      try {
        names = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fieldNames);
      } catch (java.io.IOException e) {
        throw ApiException.of(PARAM_INVALID, "field validation failed: field_names must be a JSON array of names");
      }
    }
    table.lock.readLock().lock();
    try {
      List<Field> shown = shownFields(table, names);
      List<Row> matched = matching(table, Filters.formula(table, query.get("filter")));
      return recordsPage(matched, shown, offset, size, textAsArray, automatic);
    } finally {
      table.lock.readLock().unlock();
    }
  }

  private static List<Field> shownFields(Table table, JsonNode names) {
    if (names == null || names.isMissingNode() || names.isNull()) {
      return table.fields;
    }
    if (!names.isArray()) {
      throw ApiException.of(WRONG_REQUEST_BODY, "WrongRequestBody: field_names must be an array of field names");
    }
    List<Field> shown = new ArrayList<>();
    for (JsonNode n : names) {
      Field f = table.fieldsByName.get(n.asText());
      if (f == null) {
        throw ApiException.of(FIELD_NAME_NOT_FOUND, "FieldNameNotFound: table " + table.id + " has no field named '"
            + n.asText() + "'");
      }
      shown.add(f);
    }
    return shown;
  }

  private static List<Row> matching(Table table, Predicate<Row> filter) {
    List<Row> out = new ArrayList<>();
    for (Row row : table.rows) {
      if (filter.test(row)) {
        out.add(row);
      }
    }
    return out;
  }

  /** A row with the cells it is sorted by, read once: a packed row would otherwise be read at every comparison. */
  private record SortKey(Row row, Comparable<?>[] cells) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void sort(Table table, List<Row> rows, JsonNode sort) {
    if (!sort.isArray() || sort.isEmpty()) {
      return;
    }
    List<Field> by = new ArrayList<>();
    Comparator<SortKey> order = null;
    for (JsonNode s : sort) {
      String name = s.path("field_name").asText(null);
      Field f = name == null ? null : table.fieldsByName.get(name);
      if (f == null) {
        throw ApiException.of(FIELD_NAME_NOT_FOUND, "FieldNameNotFound: sort names field '" + name + "', which table "
            + table.id + " does not have");
      }
      int k = by.size();
      by.add(f);
      Comparator<SortKey> byField = Comparator.comparing(r -> (Comparable) r.cells[k],
          Comparator.nullsLast(Comparator.naturalOrder()));
      if (s.path("desc").asBoolean(false)) {
        byField = byField.reversed();
      }
      order = order == null ? byField : order.thenComparing(byField);
    }
    List<SortKey> keyed = new ArrayList<>(rows.size());
    for (Row row : rows) {
      Comparable<?>[] cells = new Comparable<?>[by.size()];
      for (int k = 0; k < cells.length; k++) {
        cells[k] = comparable(row.cell(by.get(k).slot));
      }
      keyed.add(new SortKey(row, cells));
    }
    keyed.sort(order);
    for (int i = 0; i < keyed.size(); i++) {
      rows.set(i, keyed.get(i).row);
    }
  }

  private static Comparable<?> comparable(Object cell) {
    if (cell == null || cell instanceof Comparable) {
      return (Comparable<?>) cell;
    }
    return String.valueOf(CellCodec.plain(cell));
  }

  private static ObjectNode recordsPage(List<Row> rows, List<Field> shown, int offset, int size,
      boolean textAsSegments, boolean automatic) {
    ArrayNode items = JSON.arrayNode();
    int end = Math.min(rows.size(), offset + size);
    for (int i = offset; i < end; i++) {
      Row row = rows.get(i);
      ObjectNode item = items.addObject();
      ObjectNode fields = item.putObject("fields");
      for (Field f : shown) {
        Object cell = row.cell(f.slot);
        if (cell != null) {
          fields.set(f.name, CellCodec.encode(f.type, cell, textAsSegments));
        }
      }
      item.put("record_id", row.id());
      if (automatic) {
        item.put("created_time", row.createdMillis());
        item.put("last_modified_time", row.modifiedMillis());
      }
    }
    return page(items, end, rows.size());
  }

  private static ObjectNode page(ArrayNode items, int end, int total) {
    ObjectNode data = JSON.objectNode();
    boolean more = end < total;
    data.put("has_more", more);
    if (more) {
      data.put("page_token", PageToken.of(end));
    }
    data.put("total", total);
    data.set("items", items);
    return data;
  }

  // ---- admin ----

  /** The tables of a base, with their rows when {@code withRecords}; an unknown base gives an empty list. */
  public List<TableSnapshot> snapshot(String appToken, boolean withRecords) {
    Base base = bases.get(appToken);
    if (base == null) {
      return List.of();
    }
    List<Table> tables;
    synchronized (base) {
      tables = new ArrayList<>(base.tables.values());
    }
    List<TableSnapshot> out = new ArrayList<>();
    for (Table t : tables) {
      out.add(snapshot(t, withRecords));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static TableSnapshot snapshot(Table t, boolean withRecords) {
    t.lock.readLock().lock();
    try {
      List<TableSnapshot.FieldInfo> fields = new ArrayList<>();
      for (Field f : t.fields) {
        Map<String, Object> property = f.property == null ? null : (Map<String, Object>) JsonPlain.toPlain(f.property);
        fields.add(new TableSnapshot.FieldInfo(f.id, f.name, f.type.code(), f.primary, property));
      }
      List<TableSnapshot.RecordInfo> records = new ArrayList<>(withRecords ? t.rows.size() : 0);
      if (withRecords) {
        for (Row row : t.rows) {
          Map<String, Object> cells = new LinkedHashMap<>();
          for (Field f : t.fields) {
            Object cell = row.cell(f.slot);
            if (cell != null) {
              cells.put(f.name, CellCodec.plain(cell));
            }
          }
          records.add(new TableSnapshot.RecordInfo(row.id(), cells, row.createdMillis(), row.modifiedMillis()));
        }
      }
      return new TableSnapshot(t.id, t.name, List.copyOf(fields), records);
    } finally {
      t.lock.readLock().unlock();
    }
  }

  /** Rows per table, keyed {@code app_token/table name}. */
  public Map<String, Integer> rowCounts() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (Base base : bases.values()) {
      List<Table> tables;
      synchronized (base) {
        tables = new ArrayList<>(base.tables.values());
      }
      for (Table t : tables) {
        out.put(base.appToken + "/" + t.name, t.rowCount());
      }
    }
    return out;
  }

  // ---- persistence ----

  /** Writes every base to {@code out} as JSON. */
  public void save(com.fasterxml.jackson.core.JsonGenerator out) throws java.io.IOException {
    out.writeStartObject();
    out.writeArrayFieldStart("bases");
    for (Base base : bases.values()) {
      out.writeStartObject();
      out.writeStringField("app_token", base.appToken);
      out.writeStringField("name", base.name);
      out.writeArrayFieldStart("apps");
      for (String app : base.apps) {
        out.writeString(app);
      }
      out.writeEndArray();
      out.writeArrayFieldStart("tables");
      List<Table> tables;
      synchronized (base) {
        tables = new ArrayList<>(base.tables.values());
      }
      for (Table t : tables) {
        t.lock.readLock().lock();
        try {
          out.writeStartObject();
          out.writeStringField("table_id", t.id);
          out.writeStringField("name", t.name);
          out.writeArrayFieldStart("fields");
          for (Field f : t.fields) {
            out.writeTree(fieldJson(f));
          }
          out.writeEndArray();
          out.writeArrayFieldStart("records");
          for (Row row : t.rows) {
            out.writeStartObject();
            out.writeStringField("record_id", row.id());
            out.writeNumberField("created_time", row.createdMillis());
            out.writeNumberField("last_modified_time", row.modifiedMillis());
            out.writeObjectFieldStart("fields");
            for (Field f : t.fields) {
              Object cell = row.cell(f.slot);
              if (cell != null) {
                out.writeFieldName(f.id);
                out.writeTree(CellCodec.encode(f.type, cell, false));
              }
            }
            out.writeEndObject();
            out.writeEndObject();
          }
          out.writeEndArray();
          out.writeEndObject();
        } finally {
          t.lock.readLock().unlock();
        }
      }
      out.writeEndArray();
      out.writeEndObject();
    }
    out.writeEndArray();
    out.writeEndObject();
  }

  /** Replaces every base with those of a saved state. */
  public void load(JsonNode state) {
    Map<String, Base> loaded = new HashMap<>();
    for (JsonNode b : state.path("bases")) {
      Set<String> apps = new HashSet<>();
      b.path("apps").forEach(a -> apps.add(a.asText()));
      Base base = new Base(b.path("app_token").asText(), b.path("name").asText(), apps);
      for (JsonNode t : b.path("tables")) {
        Table table = new Table(t.path("table_id").asText(), t.path("name").asText());
        for (JsonNode f : t.path("fields")) {
          ObjectNode property = f.path("property").isObject() ? (ObjectNode) f.get("property") : null;
          table.addField(f.path("field_id").asText(), f.path("field_name").asText(),
              FieldType.ofCode(f.path("type").asInt()), property);
        }
        PackedRows packed = new PackedRows(64 * 1024);
        CellPacker packer = new CellPacker();
        for (JsonNode r : t.path("records")) {
          Object[] cells = new Object[table.nextSlot];
          r.path("fields").fields().forEachRemaining(e -> {
            Field f = table.fieldsById.get(e.getKey());
            if (f != null) {
              cells[f.slot] = CellCodec.decode(f, e.getValue(), Integer.MAX_VALUE, false);
            }
          });
          String id = r.path("record_id").asText();
          long created = r.path("created_time").asLong();
          long modified = r.path("last_modified_time").asLong(created);
          packer.pack(cells, packed);
          int i = packed.count() - 1;
          // a second record with the same id (a hand-edited file) is left out: the first stays
          if (Ids.isKeyedRecordId(id)) {
            table.rows.add(Ids.recordKey(id), created, modified, packed, i);
          } else {
            table.rows.addNamed(id, created, modified, packed, i);
          }
        }
        base.tables.put(table.id, table);
      }
      loaded.put(base.appToken, base);
    }
    bases.clear();
    bases.putAll(loaded);
  }
}
