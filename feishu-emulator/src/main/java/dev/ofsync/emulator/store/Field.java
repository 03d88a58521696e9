package dev.ofsync.emulator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One column of a table. Its slot indexes the cells of every row and never changes. */
final class Field {
  final String id;
  final int slot;
  final boolean primary;
  volatile String name;
  volatile FieldType type;
  volatile ObjectNode property;

  Field(String id, int slot, boolean primary, String name, FieldType type, ObjectNode property) {
    this.id = id;
    this.slot = slot;
    this.primary = primary;
    this.name = name;
    this.type = type;
    this.property = property;
  }
}
