package dev.ofsync.source.schema;

import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads one column of the current row as the Connect value its schema promises. */
@FunctionalInterface
public interface ValueReader {
  Object read(ResultSet rs, int index) throws SQLException;
}
