package dev.ofsync.source.query;

import java.util.List;

/**
 * The last row read of a table: its sync value (null in bulk mode) and key values, as the
 * keyset query binds them. Reading continues strictly after it.
 */
public record Position(Object sync, List<Object> key) {
  public Position {
    key = List.copyOf(key);
  }
}
