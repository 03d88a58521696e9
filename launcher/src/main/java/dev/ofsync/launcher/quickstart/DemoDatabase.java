package dev.ofsync.launcher.quickstart;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The quickstart's stand-in for Oracle: an H2 database in Oracle mode holding an {@code ORDERS}
 * table with the column types a real one has (NUMBER, DATE, TIMESTAMP, VARCHAR2, CLOB), and a
 * small stream of new and changed orders while the quickstart runs.
 */
public final class DemoDatabase implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DemoDatabase.class);
  public static final String TABLE = "ORDERS";
  private static final String[] STATUSES = {"NEW", "PAID", "SHIPPED", "DELIVERED", "RETURNED"};
  private static final String[] CITIES = {"北京", "上海", "深圳", "杭州", "成都", "Singapore", "London"};

  private final String url;
  private final Connection keepAlive;
  private final AtomicLong nextId;
  private final AtomicLong inserted = new AtomicLong();
  private final AtomicLong updated = new AtomicLong();
  private ScheduledExecutorService changes;

  private DemoDatabase(String url, Connection keepAlive, long rows) {
    this.url = url;
    this.keepAlive = keepAlive;
    this.nextId = new AtomicLong(rows + 1);
  }

  /** Creates the database (in memory, named {@code name}) with {@code rows} orders. */
  public static DemoDatabase create(String name, long rows) throws SQLException {
    String url = "jdbc:h2:mem:" + name + ";MODE=Oracle;DB_CLOSE_DELAY=-1";
    Connection c = DriverManager.getConnection(url, "sa", "");
    try (Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + TABLE);
      st.execute("CREATE TABLE " + TABLE + " (ID NUMBER(12) PRIMARY KEY, CUSTOMER VARCHAR2(100) NOT NULL, "
          + "CITY NVARCHAR2(50), AMOUNT NUMBER(12,2), QUANTITY NUMBER(6), ORDER_DATE DATE, STATUS VARCHAR2(20), "
          + "NOTE CLOB, UPDATED_AT TIMESTAMP(3) NOT NULL)");
      st.execute("CREATE INDEX ORDERS_SYNC ON " + TABLE + " (UPDATED_AT, ID)");
      // Rows stamped over the past days, oldest first; the last change is a minute ago.
      st.execute("INSERT INTO " + TABLE + " SELECT X, 'customer ' || MOD(X * 7919, 50000), "
          + "CASEWHEN(MOD(X, 7) = 0, '北京', CASEWHEN(MOD(X, 7) = 1, '上海', CASEWHEN(MOD(X, 7) = 2, 'Singapore', '深圳'))), "
          + "ROUND(MOD(X * 37, 100000) / 7.0, 2), MOD(X, 20) + 1, "
          + "DATEADD('DAY', -MOD(X, 365), TRUNC(SYSDATE)), '" + STATUSES[1] + "', "
          + "'order ' || X || ': gift wrap, leave at the door', "
          + "DATEADD('MILLISECOND', -60000 - (" + rows + " - X) * 10, LOCALTIMESTAMP) FROM SYSTEM_RANGE(1, " + rows + ")");
    }
    return new DemoDatabase(url, c, rows);
  }

  public String url() {
    return url;
  }

  /** From now on, every second: a few new orders and a few changed ones. */
  public void startChanges(int insertsPerSecond, int updatesPerSecond) {
    changes = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-database-changes");
      t.setDaemon(true);
      return t;
    });
    changes.scheduleAtFixedRate(() -> change(insertsPerSecond, updatesPerSecond), 1, 1, TimeUnit.SECONDS);
  }

  private void change(int inserts, int updates) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?, ?, ?, ?, TRUNC(SYSDATE), "
          + "'NEW', ?, LOCALTIMESTAMP)")) {
        for (int i = 0; i < inserts; i++) {
          long id = nextId.getAndIncrement();
          ins.setLong(1, id);
          ins.setString(2, "customer " + random.nextInt(50_000));
          ins.setString(3, CITIES[random.nextInt(CITIES.length)]);
          ins.setBigDecimal(4, java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
          ins.setInt(5, 1 + random.nextInt(20));
          ins.setString(6, "new order " + id);
          ins.addBatch();
        }
        inserted.addAndGet(ins.executeBatch().length);
      }
      try (PreparedStatement upd = c.prepareStatement("UPDATE " + TABLE + " SET STATUS = ?, AMOUNT = AMOUNT + 1, "
          + "UPDATED_AT = LOCALTIMESTAMP WHERE ID = ?")) {
        for (int i = 0; i < updates; i++) {
          upd.setString(1, STATUSES[random.nextInt(STATUSES.length)]);
          upd.setLong(2, 1 + random.nextLong(nextId.get() - 1));
          upd.addBatch();
        }
        updated.addAndGet(upd.executeBatch().length);
      }
    } catch (SQLException e) {
      log.warn("Demo changes failed this second (the next second tries again): {}", e.getMessage(), e);
    }
  }

  public long inserted() {
    return inserted.get();
  }

  public long updated() {
    return updated.get();
  }

  /** Rows in the table now. */
  public long rows() throws SQLException {
    try (Statement st = keepAlive.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM " + TABLE)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    if (changes != null) {
      changes.shutdownNow();
    }
    keepAlive.close();
  }
}
