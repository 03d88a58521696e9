package dev.ofsync.source.schema;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.connection.OracleErrors;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads a table's columns and key from the database and checks them against the settings. */
public final class TableInspector {
  private final OracleSourceConfig config;
  private final TypeMapper types;

  public TableInspector(OracleSourceConfig config, TypeMapper types) {
    this.config = config;
    this.types = types;
  }

  /** The table's schema, or the problems that stop it from being read. */
  public record Result(TableSchema schema, List<TableProblem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public Result inspect(Connection connection, TableId table) throws SQLException {
    List<TableProblem> problems = new ArrayList<>();
    List<MappedColumn> columns = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<UnmappableTypeException> unmappable = new ArrayList<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table.sql() + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String name = md.getColumnName(i);
        try {
          columns.add(types.map(name, md.getColumnType(i), md.getColumnTypeName(i), md.getPrecision(i), md.getScale(i),
              md.isNullable(i) != ResultSetMetaData.columnNoNulls));
        } catch (UnmappableTypeException e) {
          unmappable.add(e);
        }
      }
    } catch (SQLException e) {
      if (OracleErrors.isTransient(e)) {
        throw e;
      }
      problems.add(new TableProblem(OracleSourceConfig.TABLE_NAME, "cannot read table " + table.qualified() + ": "
          + OracleErrors.explain(e, config)));
      return new Result(null, problems);
    }

    List<String> keyNames = config.primaryKey();
    if (keyNames.isEmpty()) {
      keyNames = primaryKeyFromMetadata(connection, table);
      if (keyNames.isEmpty()) {
        problems.add(new TableProblem(OracleSourceConfig.PRIMARY_KEY, "table " + table.qualified()
            + " has no primary key in the database; name its unique, non-null key columns in oracle.primary_key"
            + (table.schema() == null ? " (a view has none; for a table reached through a synonym, the key is looked "
            + "up in your own schema: name the owner too, OWNER." + table.table() + ")" : "")));
      }
    }
    List<String> wanted = config.columns();
    List<MappedColumn> inTable = columns; // a name not found is told against these, not only the columns selected
    if (!wanted.isEmpty()) {
      columns = selected(table, columns, wanted, keyNames, unmappable, problems);
    }
    for (UnmappableTypeException e : unmappable) {
      if (!wanted.isEmpty() && !wanted.contains(e.column())) {
        continue;
      }
      if (config.skipUnmappable()) {
        skipped.add(e.column() + " (" + e.type() + ")");
      } else {
        problems.add(new TableProblem(OracleSourceConfig.TABLE_NAME, "table " + table.qualified() + ": " + e.getMessage()));
      }
    }
    int[] keyIndexes = new int[keyNames.size()];
    for (int k = 0; k < keyNames.size(); k++) {
      keyIndexes[k] = indexOf(columns, keyNames.get(k));
      if (keyIndexes[k] < 0) {
        problems.add(new TableProblem(OracleSourceConfig.PRIMARY_KEY, "table " + table.qualified() + " has no column "
            + keyNames.get(k) + existing(inTable)));
      } else if (columns.get(keyIndexes[k]).keyKind() == null) {
        problems.add(new TableProblem(OracleSourceConfig.PRIMARY_KEY, "key column " + keyNames.get(k) + " of "
            + table.qualified() + " has type " + columns.get(keyIndexes[k]).oracleType()
            + ", which cannot order pages; use number, text, date or timestamp key columns"));
      } else if (columns.get(keyIndexes[k]).schema().isOptional()) {
        // Pages after the first ask for keys above the last one read, which a NULL key never is:
        // such a row would be passed over unseen, not reported.
        problems.add(new TableProblem(OracleSourceConfig.PRIMARY_KEY, "key column " + keyNames.get(k) + " of "
            + table.qualified() + " is not declared NOT NULL: a row with no value in it (an empty string is NULL in "
            + "Oracle) cannot be read page by page and would be passed over. Declare it: ALTER TABLE "
            + table.sql() + " MODIFY (" + columns.get(keyIndexes[k]).quoted() + " NOT NULL) (Oracle refuses it while "
            + "such rows exist, and names none: find them with WHERE ... IS NULL), or set oracle.primary_key to columns "
            + "that are NOT NULL"));
      }
    }

    String syncName = config.syncColumn();
    int syncIndex = -1;
    if (syncName != null) {
      syncIndex = indexOf(columns, syncName);
      if (syncIndex < 0) {
        problems.add(new TableProblem(OracleSourceConfig.SYNC_COLUMN, "table " + table.qualified() + " has no column "
            + syncName + existing(inTable)));
      } else if (columns.get(syncIndex).keyKind() == null || columns.get(syncIndex).keyKind() == KeyKind.BYTES) {
        problems.add(new TableProblem(OracleSourceConfig.SYNC_COLUMN, "sync column " + syncName + " of " + table.qualified()
            + " has type " + columns.get(syncIndex).oracleType() + "; use a DATE, TIMESTAMP or increasing NUMBER column"));
        syncIndex = -1;
      }
    }
    Mode mode = chooseMode(table, syncIndex < 0 ? null : columns.get(syncIndex), syncName != null, problems);
    if (mode == Mode.BULK) {
      syncIndex = -1; // bulk reads every row each pass, those with no sync value too: the column is only a value
    }

    int softDeleteIndex = -1;
    String softDelete = config.softDeleteColumn();
    if (softDelete != null) {
      softDeleteIndex = indexOf(columns, softDelete);
      if (softDeleteIndex < 0) {
        problems.add(new TableProblem(OracleSourceConfig.SOFT_DELETE_COLUMN, "table " + table.qualified()
            + " has no column " + softDelete + existing(inTable)));
      }
    }
    if (!problems.isEmpty()) {
      return new Result(null, problems);
    }
    return new Result(new TableSchema(table, mode, columns, keyIndexes, syncIndex, softDeleteIndex, skipped), problems);
  }

  /** The configured columns plus the key, sync and soft-delete columns, in table order. */
  private List<MappedColumn> selected(TableId table, List<MappedColumn> all, List<String> wanted, List<String> keyNames,
      List<UnmappableTypeException> unmappable, List<TableProblem> problems) {
    for (String w : wanted) {
      if (indexOf(all, w) < 0 && unmappable.stream().noneMatch(u -> u.column().equals(w))) {
        problems.add(new TableProblem(OracleSourceConfig.COLUMNS, "table " + table.qualified() + " has no column " + w + existing(all)));
      }
    }
    List<MappedColumn> out = new ArrayList<>();
    for (MappedColumn c : all) {
      String n = c.name();
      if (wanted.contains(n) || keyNames.contains(n) || n.equals(config.syncColumn()) || n.equals(config.softDeleteColumn())) {
        out.add(c);
      }
    }
    return out;
  }

  private Mode chooseMode(TableId table, MappedColumn sync, boolean syncNamed, List<TableProblem> problems) {
    Mode set = config.mode();
    if (sync == null) {
      if (set != null && set != Mode.BULK && !syncNamed) {
        problems.add(new TableProblem(OracleSourceConfig.SYNC_COLUMN, "mode " + set.text()
            + " needs a sync column; name it in oracle.sync_column"));
      }
      return Mode.BULK;
    }
    boolean time = sync.keyKind() == KeyKind.TIMESTAMP || sync.keyKind() == KeyKind.ZONED_TIMESTAMP;
    if (set == null) {
      return time ? Mode.TIMESTAMP : Mode.INCREMENTING;
    }
    if (set.timestampBased() && !time) {
      problems.add(new TableProblem(OracleSourceConfig.MODE, "mode " + set.text() + " needs a DATE or TIMESTAMP sync column, but "
          + sync.name() + " of " + table.qualified() + " is " + sync.oracleType()));
    } else if (set == Mode.INCREMENTING && sync.keyKind() != KeyKind.NUMBER) {
      problems.add(new TableProblem(OracleSourceConfig.MODE, "mode incrementing needs a NUMBER sync column, but "
          + sync.name() + " of " + table.qualified() + " is " + sync.oracleType()));
    }
    return set;
  }

  private static List<String> primaryKeyFromMetadata(Connection connection, TableId table) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    String schema = table.schema() != null ? table.schema() : connection.getSchema();
    Map<Short, String> bySeq = new TreeMap<>();
    try (ResultSet rs = meta.getPrimaryKeys(null, schema, table.table())) {
      while (rs.next()) {
        bySeq.put(rs.getShort("KEY_SEQ"), rs.getString("COLUMN_NAME"));
      }
    }
    return new ArrayList<>(bySeq.values());
  }

  private static int indexOf(List<MappedColumn> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String existing(List<MappedColumn> columns) {
    List<String> names = new ArrayList<>();
    for (MappedColumn c : columns) {
      names.add(c.name());
    }
    String list = String.join(", ", names);
    return " (it has " + (list.length() > 300 ? list.substring(0, 300) + "..." : list)
        + "; unquoted names are upper-cased, quote lower-case ones: \"id\")";
  }
}
