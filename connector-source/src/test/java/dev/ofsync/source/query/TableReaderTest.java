package dev.ofsync.source.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.source.config.OracleSourceConfig;
import dev.ofsync.source.config.TableId;
import dev.ofsync.source.dialect.Oracle12cDialect;
import dev.ofsync.source.schema.TableInspector;
import dev.ofsync.source.schema.TableSchema;
import dev.ofsync.source.schema.TypeMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLRecoverableException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TableReaderTest {
  private Connection db;

  @BeforeEach
  void setUp() throws Exception {
    db = DriverManager.getConnection("jdbc:h2:mem:reader;MODE=Oracle;DB_CLOSE_DELAY=-1", "sa", "");
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE T (ID NUMBER(5) PRIMARY KEY)");
      st.execute("INSERT INTO T SELECT X FROM SYSTEM_RANGE(1, 10)");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("DROP ALL OBJECTS");
    }
    db.close();
  }

  /** A call on a query's result set: handled here, or passed on to the real one. */
  private interface ResultSetCall {
    Object handle(ResultSet real, java.lang.reflect.Method m, Object[] a) throws Throwable;
  }

  /** The real connection, except that each query's result set goes through {@code calls}, made for it. */
  private static Connection withResultSets(Connection real, java.util.function.Supplier<ResultSetCall> calls) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (p, m, a) -> {
          Object result = invoke(real, m, a);
          if (!m.getName().equals("prepareStatement")) {
            return result;
          }
          PreparedStatement ps = (PreparedStatement) result;
          return Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
              (p2, m2, a2) -> {
                Object r2 = invoke(ps, m2, a2);
                if (!m2.getName().equals("executeQuery")) {
                  return r2;
                }
                ResultSet rs = (ResultSet) r2;
                ResultSetCall call = calls.get();
                return Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                    (p3, m3, a3) -> call.handle(rs, m3, a3));
              });
        });
  }

  /** The real connection, except that the result set breaks after {@code rows} rows, once. */
  private static Connection breakingAfter(Connection real, int rows) {
    AtomicInteger nexts = new AtomicInteger();
    return withResultSets(real, () -> (rs, m, a) -> {
      if (m.getName().equals("next") && nexts.incrementAndGet() > rows) {
        throw new SQLRecoverableException("IO Error: Connection reset", "08006", 17002);
      }
      return invoke(rs, m, a);
    });
  }

  /**
   * The real connection, except that its result sets read columns the way Oracle's driver does
   * when a row has a LONG or LONG RAW column, which it streams: a column before the last one
   * read in the row is gone (ORA-17027). H2 has no such column, so the rule is applied to all.
   */
  private static Connection columnsInOrderOnly(Connection real) {
    return withResultSets(real, () -> {
      int[] last = {0};
      return (rs, m, a) -> {
        if (m.getName().equals("next")) {
          last[0] = 0;
        } else if (m.getName().startsWith("get") && a != null && a.length > 0 && a[0] instanceof Integer column) {
          if (column < last[0]) {
            throw new java.sql.SQLException("Stream has already been closed", "99999", 17027);
          }
          last[0] = column;
        }
        return invoke(rs, m, a);
      };
    });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] a) throws Throwable {
    try {
      return m.invoke(target, a);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void aConnectionLostMidPageDoesNotMoveThePosition() throws Exception {
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "T"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(db, new TableId(null, "T")).schema();
    TableReader reader = new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 4, false), null, "t", 4, 0, 0,
        ZoneOffset.UTC, "1");

    List<Object> ids = new ArrayList<>();
    reader.readPage(db, null).forEach(r -> ids.add(((Struct) r.key()).get("ID")));
    assertThatThrownBy(() -> reader.readPage(breakingAfter(db, 2), null)).isInstanceOf(SQLRecoverableException.class);
    for (int i = 0; i < 3; i++) {
      for (SourceRecord r : reader.readPage(db, null)) {
        ids.add(((Struct) r.key()).get("ID"));
      }
    }
    assertThat(ids).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void aDateStampedInTheSecondUnderWayIsReadOnlyOnceThatSecondIsOver() throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE D (ID NUMBER(5) PRIMARY KEY, UPDATED_AT DATE)");
      st.execute("INSERT INTO D VALUES (900, TIMESTAMP '2024-01-01 12:00:00')");
      st.execute("INSERT INTO D VALUES (5, TIMESTAMP '2024-01-01 11:00:00')");
    }
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "D", "oracle.sync_column", "UPDATED_AT"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(db, new TableId(null, "D")).schema();
    TableReader reader = new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 100, true), null, "d", 100, 0,
        0, ZoneOffset.UTC, "1");
    List<Object> ids = new ArrayList<>();

    reader.readPage(db, java.time.OffsetDateTime.parse("2024-01-01T12:00:00.300Z"))
        .forEach(r -> ids.add(((Struct) r.key()).get("ID")));
    try (Statement st = db.createStatement()) {
      // an auto-committed update in the same second: SYSDATE gives it the same DATE
      st.execute("UPDATE D SET UPDATED_AT = TIMESTAMP '2024-01-01 12:00:00' WHERE ID = 5");
    }
    reader.readPage(db, java.time.OffsetDateTime.parse("2024-01-01T12:00:01.100Z"))
        .forEach(r -> ids.add(((Struct) r.key()).get("ID")));

    assertThat(ids).containsExactly(5, 5, 900);
  }

  @Test
  void aTableIsCaughtUpToThePageBoundOnlyOnceAPageComesBackShort() throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE C (ID NUMBER(5) PRIMARY KEY, UPDATED_AT TIMESTAMP)");
      st.execute("INSERT INTO C SELECT X, TIMESTAMP '2024-01-01 11:00:00' FROM SYSTEM_RANGE(1, 5)");
    }
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "C", "oracle.sync_column", "UPDATED_AT"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(db, new TableId(null, "C")).schema();
    TableReader reader = new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 3, true), null, "c", 3, 0,
        2000, ZoneOffset.UTC, "1");

    assertThat(reader.readPage(db, java.time.OffsetDateTime.parse("2024-01-01T12:00:00.700Z"))).hasSize(3);
    assertThat(reader.caughtUpToMs()).as("a full page: more rows may follow").isZero();
    assertThat(reader.readPage(db, java.time.OffsetDateTime.parse("2024-01-01T12:00:10.700Z"))).hasSize(2);
    // the clock less the 2 s delay, down to the second
    assertThat(reader.caughtUpToMs()).isEqualTo(java.time.Instant.parse("2024-01-01T12:00:08Z").toEpochMilli());
  }

  @Test
  void aRowIsReadColumnByColumnInOrderAsOraclesDriverNeedsForALongColumn() throws Exception {
    try (Statement st = db.createStatement()) {
      // the key and the sync column after a column Oracle would stream (a LONG): read out of order, it is lost
      st.execute("CREATE TABLE L (NOTE VARCHAR2(4000), ID NUMBER(5) PRIMARY KEY, BODY VARCHAR2(4000), UPDATED_AT TIMESTAMP)");
      st.execute("INSERT INTO L SELECT 'note ' || X, X, 'body ' || X, TIMESTAMP '2024-01-01 11:00:00' FROM SYSTEM_RANGE(1, 3)");
    }
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "L", "oracle.sync_column", "UPDATED_AT"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(db, new TableId(null, "L")).schema();
    TableReader reader = new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 100, true), null, "l", 100, 0,
        0, ZoneOffset.UTC, "1");

    List<SourceRecord> page = reader.readPage(columnsInOrderOnly(db), java.time.OffsetDateTime.parse("2024-01-01T12:00:00Z"));

    assertThat(page).extracting(r -> ((Struct) r.value()).get("BODY")).containsExactly("body 1", "body 2", "body 3");
    assertThat(page).extracting(r -> ((Struct) r.key()).get("ID")).containsExactly(1, 2, 3);
    assertThat(reader.readPage(db, java.time.OffsetDateTime.parse("2024-01-01T12:00:00Z")))
        .as("the position moved past the three rows").isEmpty();
  }

  @Test
  void aKeyColumnNotDeclaredNotNullIsRefusedBeforeAnyPageIsRead() throws Exception {
    try (Statement st = db.createStatement()) {
      // no primary key in the database: the user names one, and part of it is not declared NOT NULL.
      // A row with (2, NULL) would follow (1, 'B') and never match "key > (1, 'B')": passed over.
      st.execute("CREATE TABLE N (GRP NUMBER(3) NOT NULL, CODE VARCHAR2(10), NAME VARCHAR2(20))");
      st.execute("INSERT INTO N VALUES (1, 'A', 'first'), (1, 'B', 'second'), (2, NULL, 'no code')");
    }
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "N", "oracle.primary_key", "GRP,CODE"));

    TableInspector.Result inspected = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000))
        .inspect(db, new TableId(null, "N"));

    assertThat(inspected.schema()).isNull();
    assertThat(inspected.problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("oracle.primary_key");
      assertThat(p.message()).contains("key column CODE of N is not declared NOT NULL").doesNotContain("column GRP");
    });
  }

  /**
   * A timestamp-mode reader of {@code table} by its UPDATED_AT, with no oracle.timezone: the page
   * bound follows the offset the database clock shows at each page.
   */
  private TableReader localTimeReader(String table, long delayMs) throws Exception {
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", table, "oracle.sync_column", "UPDATED_AT"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.ofHours(2), 1000))
        .inspect(db, new TableId(null, table)).schema();
    return new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 100, true), null, table.toLowerCase(), 100,
        0, delayMs, null, "1");
  }

  @Test
  void rowsStampedInTheHourRepeatedWhenDaylightSavingTimeEndsAreReadNotPassedOver() throws Exception {
    try (Statement st = db.createStatement()) {
      // stamped by SYSDATE in the database's local time: 02:00-03:00 comes twice on 27 October
      st.execute("CREATE TABLE W (ID NUMBER(5) PRIMARY KEY, UPDATED_AT DATE)");
      st.execute("INSERT INTO W VALUES (1, TIMESTAMP '2024-10-27 02:10:00'), (2, TIMESTAMP '2024-10-27 02:50:00')");
    }
    TableReader reader = localTimeReader("W", 0);
    assertThat(reader.readPage(db, java.time.OffsetDateTime.parse("2024-10-27T02:59:30+02:00")))
        .extracting(r -> ((Struct) r.key()).get("ID")).containsExactly(1, 2);

    // 03:00 summer time was 02:00 winter time; then a row is stamped 02:20 a second time round
    try (Statement st = db.createStatement()) {
      st.execute("INSERT INTO W VALUES (3, TIMESTAMP '2024-10-27 02:20:00')");
    }
    List<SourceRecord> after = reader.readPage(db, java.time.OffsetDateTime.parse("2024-10-27T02:30:00+01:00"));

    assertThat(after).extracting(r -> ((Struct) r.key()).get("ID")).as("row 1 again (unchanged), and row 3")
        .containsExactly(1, 3);
    assertThat(reader.readPage(db, java.time.OffsetDateTime.parse("2024-10-27T03:00:00+01:00")))
        .extracting(r -> ((Struct) r.key()).get("ID")).as("row 2 again as the clock passes it a second time")
        .containsExactly(2);
  }

  @Test
  void withNoZoneSetThePageBoundFollowsTheDatabaseClocksOffsetAcrossADaylightSavingChange() throws Exception {
    try (Statement st = db.createStatement()) {
      // stamped by SYSDATE in the database's local time, which went from +02:00 to +01:00 overnight
      st.execute("CREATE TABLE Z (ID NUMBER(5) PRIMARY KEY, UPDATED_AT DATE)");
      st.execute("INSERT INTO Z VALUES (1, TIMESTAMP '2024-10-27 10:00:00'), (2, TIMESTAMP '2024-10-27 10:30:00')");
    }
    // a 10-minute delay: a row stamped in the last 10 minutes may belong to a transaction still open
    TableReader reader = localTimeReader("Z", 600_000);

    List<SourceRecord> page = reader.readPage(db, java.time.OffsetDateTime.parse("2024-10-27T10:35:00+01:00"));

    assertThat(page).extracting(r -> ((Struct) r.key()).get("ID")).as("10:30 is within the delay of 10:35 local time")
        .containsExactly(1);
    assertThat(reader.caughtUpToMs()).isEqualTo(java.time.OffsetDateTime.parse("2024-10-27T10:25:00+01:00")
        .toInstant().toEpochMilli());
  }

  @Test
  void aPageOfLargeValuesEndsEarlyAndTheNextPageGoesOnFromItsLastRow() throws Exception {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE B (ID NUMBER(5) PRIMARY KEY, DOC CLOB)");
      st.execute("INSERT INTO B SELECT X, REPEAT('x', 1000) FROM SYSTEM_RANGE(1, 10)");
    }
    OracleSourceConfig config = new OracleSourceConfig(Map.of("oracle.url", "jdbc:h2:mem:reader", "oracle.username", "sa",
        "oracle.password", "", "oracle.table_name", "B"));
    TableSchema schema = new TableInspector(config, new TypeMapper(ZoneOffset.UTC, 1000)).inspect(db, new TableId(null, "B")).schema();
    TableReader reader = new TableReader(schema, new PageQuery(schema, new Oracle12cDialect(), 100, false), null, "b", 100, 0,
        0, ZoneOffset.UTC, "1");
    reader.pageBudget(5_000); // two and a half rows of 1,000 characters (2 bytes each)

    List<Integer> sizes = new ArrayList<>();
    List<Object> ids = new ArrayList<>();
    for (int page = 0; page < 5; page++) {
      List<SourceRecord> records = reader.readPage(db, null);
      sizes.add(records.size());
      records.forEach(r -> ids.add(((Struct) r.key()).get("ID")));
    }

    assertThat(sizes).as("pages end once they hold 5,000 bytes").containsExactly(3, 3, 3, 1, 0);
    assertThat(ids).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }
}
