package dev.ofsync.source.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.dialect.Oracle11gDialect;
import dev.ofsync.source.dialect.Oracle12cDialect;
import dev.ofsync.source.schema.TableSchema;
import dev.ofsync.source.schema.TypeMapper;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageQueryTest {
  private static final TypeMapper TYPES = new TypeMapper(ZoneOffset.UTC, 1000);

  private static TableSchema orderLines(boolean withSync) throws Exception {
    var columns = List.of(
        TYPES.map("order id", Types.NUMERIC, "NUMBER", 10, 0, false),
        TYPES.map("LINE", Types.NUMERIC, "NUMBER", 4, 0, false),
        TYPES.map("CHANGED", Types.TIMESTAMP, "TIMESTAMP", 26, 6, true),
        TYPES.map("NOTE", Types.VARCHAR, "VARCHAR2", 20, 0, true));
    return new TableSchema(new TableId("SALES", "order lines"), withSync ? Mode.TIMESTAMP : Mode.BULK, columns,
        new int[] {0, 1}, withSync ? 2 : -1, -1, List.of());
  }

  private static final LocalDateTime T = LocalDateTime.of(2024, 1, 1, 12, 0);
  private static final LocalDateTime BOUND = LocalDateTime.of(2024, 6, 1, 0, 0);

  /**
   * SALES."order lines" in H2 (Oracle mode), with rows on each side of the position (T, 7, 3) and
   * of the upper bound; answers the (order id, line) of the rows a page query returns.
   */
  private static List<String> page(PageQuery q, Position position, LocalDateTime bound) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:page" + System.nanoTime() + ";MODE=Oracle", "sa", "");
         Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA SALES");
      st.execute("CREATE TABLE SALES.\"order lines\" (\"order id\" NUMBER(10), LINE NUMBER(4), CHANGED TIMESTAMP(6),"
          + " NOTE VARCHAR2(20), PRIMARY KEY (\"order id\", LINE))");
      String[][] rows = {
          {"6", "9", "2024-01-01 12:00:00"}, {"7", "2", "2024-01-01 12:00:00"}, {"7", "3", "2024-01-01 12:00:00"},
          {"7", "4", "2024-01-01 12:00:00"}, {"8", "1", "2024-01-01 12:00:00"}, {"1", "1", "2024-01-01 12:00:01"},
          {"2", "1", "2024-01-01 11:59:59"}, {"3", "1", "2024-06-01 00:00:00"}, {"4", "1", "2024-05-31 23:59:59"}};
      for (String[] r : rows) {
        st.execute("INSERT INTO SALES.\"order lines\" VALUES (" + r[0] + ", " + r[1] + ", TIMESTAMP '" + r[2] + "', 'x')");
      }
      try (PreparedStatement ps = c.prepareStatement(q.nextPageSql())) {
        q.bind(ps, position, bound);
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getLong(1) + "/" + rs.getLong(2));
          }
        }
        return out;
      }
    }
  }

  @Test
  void aDateSyncColumnIsComparedWithDatesSoItsIndexServes() throws Exception {
    var columns = List.of(
        TYPES.map("ID", Types.NUMERIC, "NUMBER", 10, 0, false),
        TYPES.map("UPDATED_AT", Types.TIMESTAMP, "DATE", 7, 0, true));
    TableSchema schema = new TableSchema(new TableId(null, "ORDERS"), Mode.TIMESTAMP, columns, new int[] {0}, 1, -1,
        List.of());
    PageQuery q = new PageQuery(schema, new Oracle12cDialect(), 500, true);

    assertThat(q.nextPageSql()).contains("\"UPDATED_AT\" >= CAST(? AS DATE)").contains("\"UPDATED_AT\" < CAST(? AS DATE)")
        .contains("\"ID\" > ?");
  }

  @Test
  void nextPageSpellsOutTheRowComparisonWithoutRowValuesOrOffset() throws Exception {
    PageQuery q = new PageQuery(orderLines(true), new Oracle12cDialect(), 500, true);
    assertThat(q.nextPageSql()).isEqualTo("SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " WHERE \"CHANGED\" >= ? AND (\"CHANGED\" > ? OR (\"CHANGED\" = ? AND \"order id\" > ?)"
        + " OR (\"CHANGED\" = ? AND \"order id\" = ? AND \"LINE\" > ?)) AND \"CHANGED\" < ?"
        + " ORDER BY \"CHANGED\", \"order id\", \"LINE\" FETCH FIRST 500 ROWS ONLY");
    assertThat(q.nextPageSql()).doesNotContain("OFFSET").doesNotContain("(\"CHANGED\", ");
    assertThat(q.firstPageSql()).isEqualTo("SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " WHERE \"CHANGED\" IS NOT NULL AND \"CHANGED\" < ? ORDER BY \"CHANGED\", \"order id\", \"LINE\" FETCH FIRST 500 ROWS ONLY");
  }

  @Test
  void aPageStartsRightAfterThePositionAndEndsBeforeTheUpperBound() throws Exception {
    PageQuery q = new PageQuery(orderLines(true), new Oracle12cDialect(), 500, true);

    assertThat(page(q, new Position(T, List.of(new BigDecimal(7), new BigDecimal(3))), BOUND))
        .as("in (CHANGED, order id, LINE) order, after (T, 7, 3), before the bound")
        .containsExactly("7/4", "8/1", "1/1", "4/1");
  }

  @Test
  void elevenGPagesAreWrappedInRownumAndBulkOrdersByKeyOnly() throws Exception {
    PageQuery q = new PageQuery(orderLines(false), new Oracle11gDialect(), 1000, false);
    assertThat(q.nextPageSql()).isEqualTo("SELECT * FROM (SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " WHERE \"order id\" >= ? AND (\"order id\" > ? OR (\"order id\" = ? AND \"LINE\" > ?))"
        + " ORDER BY \"order id\", \"LINE\") WHERE ROWNUM <= 1000");
    assertThat(q.firstPageSql()).isEqualTo("SELECT * FROM (SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " ORDER BY \"order id\", \"LINE\") WHERE ROWNUM <= 1000");
    assertThat(page(q, new Position(null, List.of(new BigDecimal(7), new BigDecimal(3))), null))
        .as("bulk: by key only, after (7, 3)").containsExactly("7/4", "8/1");
  }

  @Test
  void aSyncColumnThatIsAlsoTheKeyIsOrderedOnce() throws Exception {
    var columns = List.of(TYPES.map("ID", Types.NUMERIC, "NUMBER", 18, 0, false));
    TableSchema s = new TableSchema(new TableId(null, "LOG"), Mode.INCREMENTING, columns, new int[] {0}, 0, -1, List.of());
    PageQuery q = new PageQuery(s, new Oracle12cDialect(), 10, false);
    assertThat(q.nextPageSql()).isEqualTo("SELECT \"ID\" FROM \"LOG\" WHERE \"ID\" > ? ORDER BY \"ID\" FETCH FIRST 10 ROWS ONLY");
  }
}
