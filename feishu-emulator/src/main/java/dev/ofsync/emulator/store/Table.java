package dev.ofsync.emulator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** A table of a base. Readers and writers take {@link #lock}; one write call at a time holds {@link #writing}. */
public final class Table {
  private static final int CLIENT_TOKENS_KEPT = 10_000;

  final String id;
  volatile String name;
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final List<Field> fields = new ArrayList<>();
  final Map<String, Field> fieldsByName = new HashMap<>();
  final Map<String, Field> fieldsById = new HashMap<>();
  final Rows rows = new Rows();
  /** The record ids (as {@link Row#key}s) that batch_create calls made, by client_token, so a retried call writes nothing twice. */
  final Map<String, long[]> clientTokens = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > CLIENT_TOKENS_KEPT;
    }
  };
  private final AtomicBoolean writing = new AtomicBoolean();
  int nextSlot;
  /** The fields as of the last change, for reading a body before the lock is taken; see {@link #schemaChanged}. */
  private volatile Schema schema = new Schema(0, Map.of(), 0);
  volatile boolean deleted;

  Table(String id, String name) {
    this.id = id;
    this.name = name;
  }

  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** Marks the table as being written; false when another write holds it (a write conflict). */
  public boolean tryBeginWrite() {
    return writing.compareAndSet(false, true);
  }

  public void endWrite() {
    writing.set(false);
  }

  public int rowCount() {
    lock.readLock().lock();
    try {
      return rows.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  Field addField(String fieldId, String fieldName, FieldType type, ObjectNode property) {
    Field f = new Field(fieldId, nextSlot++, fields.isEmpty(), fieldName, type, property);
    fields.add(f);
    fieldsByName.put(fieldName, f);
    fieldsById.put(fieldId, f);
    schemaChanged();
    return f;
  }

  /**
   * The fields by name, and a version that every change of a field's name or type moves on. A
   * batch_create body is decoded against it before the write lock is taken; under the lock, the
   * write checks that the version is still current, and decodes again if not.
   */
  record Schema(long version, Map<String, Field> byName, int slots) {}

  Schema schema() {
    return schema;
  }

  /** Call, holding the write lock, after a field is added, renamed or changes type (after the change). */
  void schemaChanged() {
    schema = new Schema(schema.version + 1, Map.copyOf(fieldsByName), nextSlot);
  }
}
