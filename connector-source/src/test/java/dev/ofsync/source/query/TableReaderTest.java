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

  /** The real connection, except that the result set breaks after {@code rows} rows, once. */
  private static Connection breakingAfter(Connection real, int rows) {
    AtomicInteger nexts = new AtomicInteger();
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
                return Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                    (p3, m3, a3) -> {
                      if (m3.getName().equals("next") && nexts.incrementAndGet() > rows) {
                        throw new SQLRecoverableException("IO Error: Connection reset", "08006", 17002);
                      }
                      return invoke(rs, m3, a3);
                    });
              });
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
}
