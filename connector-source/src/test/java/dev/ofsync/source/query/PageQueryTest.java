package dev.ofsync.source.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.source.config.Mode;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.dialect.Oracle11gDialect;
import dev.ofsync.source.dialect.Oracle12cDialect;
import dev.ofsync.source.schema.TableSchema;
import dev.ofsync.source.schema.TypeMapper;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
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

  /** A PreparedStatement that only records what is bound. */
  private static PreparedStatement recorder(List<Object> bound) {
    return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, (p, m, a) -> {
          if (m.getName().equals("setObject")) {
            bound.add(a[0] + "=" + a[1]);
            return null;
          }
          throw new UnsupportedOperationException(m.getName());
        });
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
  void bindsThePositionInThePredicatesOrderThenTheUpperBound() throws Exception {
    PageQuery q = new PageQuery(orderLines(true), new Oracle12cDialect(), 500, true);
    LocalDateTime t = LocalDateTime.of(2024, 1, 1, 12, 0);
    LocalDateTime bound = LocalDateTime.of(2024, 6, 1, 0, 0);
    List<Object> bound1 = new ArrayList<>();
    q.bind(recorder(bound1), new Position(t, List.of(new BigDecimal(7), new BigDecimal(3))), bound);
    assertThat(bound1).containsExactly("1=" + t, "2=" + t, "3=" + t, "4=7", "5=" + t, "6=7", "7=3", "8=" + bound);
  }

  @Test
  void elevenGPagesAreWrappedInRownumAndBulkOrdersByKeyOnly() throws Exception {
    PageQuery q = new PageQuery(orderLines(false), new Oracle11gDialect(), 1000, false);
    assertThat(q.nextPageSql()).isEqualTo("SELECT * FROM (SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " WHERE \"order id\" >= ? AND (\"order id\" > ? OR (\"order id\" = ? AND \"LINE\" > ?))"
        + " ORDER BY \"order id\", \"LINE\") WHERE ROWNUM <= 1000");
    assertThat(q.firstPageSql()).isEqualTo("SELECT * FROM (SELECT \"order id\", \"LINE\", \"CHANGED\", \"NOTE\" FROM \"SALES\".\"order lines\""
        + " ORDER BY \"order id\", \"LINE\") WHERE ROWNUM <= 1000");
    List<Object> bound = new ArrayList<>();
    q.bind(recorder(bound), new Position(null, List.of(new BigDecimal(7), new BigDecimal(3))), null);
    assertThat(bound).containsExactly("1=7", "2=7", "3=7", "4=3");
  }

  @Test
  void aSyncColumnThatIsAlsoTheKeyIsOrderedOnce() throws Exception {
    var columns = List.of(TYPES.map("ID", Types.NUMERIC, "NUMBER", 18, 0, false));
    TableSchema s = new TableSchema(new TableId(null, "LOG"), Mode.INCREMENTING, columns, new int[] {0}, 0, -1, List.of());
    PageQuery q = new PageQuery(s, new Oracle12cDialect(), 10, false);
    assertThat(q.nextPageSql()).isEqualTo("SELECT \"ID\" FROM \"LOG\" WHERE \"ID\" > ? ORDER BY \"ID\" FETCH FIRST 10 ROWS ONLY");
  }
}
