package dev.ofsync.it.e2e;

import dev.ofsync.emulator.TableSnapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one comparison every scenario ends with: the database table against the Bitable as the
 * emulator holds it. Lists every way they differ (with a few examples of each), so a failing
 * scenario says what went wrong rather than only that something did.
 */
final class BitableComparison {
  private static final int EXAMPLES = 8;

  /** How the two sides differ; empty when the Bitable equals the table. */
  record Result(List<String> problems, int expectedRows, int bitableRows, Map<String, Integer> rowsPerTable) {
    boolean equal() {
      return problems.isEmpty();
    }

    String report() {
      return "the Bitable differs from the table (" + expectedRows + " rows expected, " + bitableRows
          + " in the Bitable, tables " + rowsPerTable + "):\n  " + String.join("\n  ", problems);
    }
  }

  private BitableComparison() {}

  static Result compare(OracleStandIn db, List<TableSnapshot> allTables, Expectation e) {
    ExpectedCells cells = new ExpectedCells(db.offset());
    Map<String, Map<String, Object>> expected = new HashMap<>();
    Map<String, Integer> fieldTypes = new LinkedHashMap<>();
    int softDeleted = 0;
    try (Connection c = db.connect(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT * FROM " + e.table())) {
      ResultSetMetaData md = rs.getMetaData();
      List<ExpectedCells.ColumnType> columns = new ArrayList<>();
      int keyIndex = -1;
      int deleteIndex = -1;
      for (int i = 1; i <= md.getColumnCount(); i++) {
        ExpectedCells.ColumnType t = ExpectedCells.ColumnType.of(md, i);
        columns.add(t);
        if (t.name().equals(e.keyColumn())) {
          keyIndex = i;
        } else {
          fieldTypes.put(t.name(), cells.fieldType(t));
        }
        if (t.name().equals(e.softDeleteColumn())) {
          deleteIndex = i;
        }
      }
      if (keyIndex < 0) {
        throw new IllegalArgumentException(e.table() + " has no column " + e.keyColumn());
      }
      while (rs.next()) {
        String key = ExpectedCells.keyText(rs, keyIndex, columns.get(keyIndex - 1));
        if (deleteIndex > 0 && e.softDeleteValue().equals(String.valueOf(rs.getObject(deleteIndex)).trim())) {
          softDeleted++;
          continue;
        }
        if (e.reported().contains(key)) {
          continue;
        }
        Map<String, Object> row = new TreeMap<>();
        for (int i = 1; i <= columns.size(); i++) {
          if (i != keyIndex) {
            Object v = cells.cell(rs, i, columns.get(i - 1));
            if (v != null) {
              row.put(columns.get(i - 1).name(), v);
            }
          }
        }
        expected.put(key, row);
      }
    } catch (SQLException ex) {
      throw new IllegalStateException("cannot read " + e.table(), ex);
    }

    List<String> problems = new ArrayList<>();
    List<TableSnapshot> tables = ours(allTables, e.prefix());
    Map<String, Integer> rowsPerTable = new LinkedHashMap<>();
    tables.forEach(t -> rowsPerTable.put(t.name(), t.rowCount()));
    checkNames(tables, e.prefix(), problems);
    for (TableSnapshot t : tables) {
      if (t.rowCount() > e.maxRowsPerTable()) {
        problems.add("table " + t.name() + " holds " + t.rowCount() + " rows, over its maximum of " + e.maxRowsPerTable());
      }
      for (Map.Entry<String, Integer> f : fieldTypes.entrySet()) {
        t.field(f.getKey()).filter(field -> field.type() != f.getValue()).ifPresent(field ->
            problems.add("table " + t.name() + ": field " + f.getKey() + " is of type " + field.type() + ", expected "
                + f.getValue()));
      }
    }

    Map<String, List<String>> seen = new HashMap<>();
    Map<String, Map<String, Object>> actual = new HashMap<>();
    int bitableRows = 0;
    for (TableSnapshot t : tables) {
      for (TableSnapshot.RecordInfo r : t.records()) {
        bitableRows++;
        Map<String, Object> fields = new TreeMap<>(r.fields());
        Object key = fields.remove(e.keyColumn());
        String k = key == null ? "(no key)" : key.toString();
        seen.computeIfAbsent(k, x -> new ArrayList<>()).add(t.name() + "/" + r.recordId());
        actual.put(k, fields);
      }
    }
    List<String> duplicates = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    seen.forEach((k, where) -> {
      if (where.size() > 1) {
        duplicates.add(k + " " + where);
      }
      if (!expected.containsKey(k)) {
        extra.add(k);
      }
    });
    List<String> missing = new ArrayList<>();
    List<String> different = new ArrayList<>();
    int differentRows = 0;
    for (Map.Entry<String, Map<String, Object>> row : new TreeMap<>(expected).entrySet()) {
      Map<String, Object> got = actual.get(row.getKey());
      if (got == null) {
        missing.add(row.getKey());
        continue;
      }
      if (!row.getValue().equals(got)) {
        differentRows++;
        if (different.size() < EXAMPLES) {
          different.add("key " + row.getKey() + ": " + differences(row.getValue(), got));
        }
      }
    }
    report(problems, "keys in the Bitable more than once", duplicates);
    report(problems, "keys in the Bitable that the table does not hold (or holds soft-deleted: " + softDeleted
        + " rows are, " + e.reported().size() + " were reported)", extra);
    report(problems, "keys of the table missing from the Bitable", missing);
    if (differentRows > 0) {
      problems.add(differentRows + " rows with other values than the table's, e.g.:\n    "
          + String.join("\n    ", different));
    }
    return new Result(problems, expected.size(), bitableRows, rowsPerTable);
  }

  /** The base table {@code prefix} and the numbered tables {@code prefix_NNN}, in sequence order. */
  static List<TableSnapshot> ours(List<TableSnapshot> all, String prefix) {
    Pattern numbered = Pattern.compile(Pattern.quote(prefix) + "_(\\d{3,})");
    List<TableSnapshot> out = new ArrayList<>();
    for (TableSnapshot t : all) {
      if (t.name().equals(prefix) || numbered.matcher(t.name()).matches()) {
        out.add(t);
      }
    }
    out.sort(java.util.Comparator.comparingInt(t -> seq(t.name(), numbered)));
    return out;
  }

  private static int seq(String name, Pattern numbered) {
    Matcher m = numbered.matcher(name);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static void checkNames(List<TableSnapshot> tables, String prefix, List<String> problems) {
    List<String> names = tables.stream().map(TableSnapshot::name).toList();
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      wanted.add(i == 0 ? prefix : prefix + "_" + String.format("%03d", i));
    }
    if (!names.equals(wanted)) {
      problems.add("tables are " + names + ", not the sequence " + wanted);
    }
  }

  private static String differences(Map<String, Object> want, Map<String, Object> got) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> names = new java.util.TreeSet<>(want.keySet());
    names.addAll(got.keySet());
    for (String n : names) {
      Object w = want.get(n);
      Object g = got.get(n);
      if (!Objects.equals(w, g)) {
        out.add(n + " expected " + describe(w) + " but is " + describe(g));
      }
    }
    return String.join(", ", out);
  }

  private static String describe(Object v) {
    if (v == null) {
      return "empty";
    }
    String s = v.toString();
    return (s.length() > 60 ? s.substring(0, 57) + "...(" + s.length() + " chars)" : s) + " (" + v.getClass().getSimpleName() + ")";
  }

  private static void report(List<String> problems, String what, List<String> keys) {
    if (!keys.isEmpty()) {
      List<String> sorted = new ArrayList<>(keys);
      java.util.Collections.sort(sorted);
      problems.add(keys.size() + " " + what + ", e.g. " + sorted.subList(0, Math.min(EXAMPLES, sorted.size())));
    }
  }
}
