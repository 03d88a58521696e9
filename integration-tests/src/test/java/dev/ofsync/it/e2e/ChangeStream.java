package dev.ofsync.it.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application writing to an {@link OrdersTable} while the pipeline runs: new orders, changed
 * orders (some cells cleared, some set to text outside ASCII) and soft deletes, each its own
 * committed transaction stamped with the database clock, one every {@code period}. Seeded, so a
 * failing run can be repeated.
 */
final class ChangeStream implements AutoCloseable {
  /** What was done. */
  record Counts(long inserts, long updates, long softDeletes) {
    long total() {
      return inserts + updates + softDeletes;
    }
  }

  private final OracleStandIn db;
  private final String table;
  private final Random random;
  private final ScheduledExecutorService timer;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private Connection connection;
  private PreparedStatement insert;
  private PreparedStatement update;
  private PreparedStatement softDelete;
  private long nextId;
  private long inserts;
  private long updates;
  private long softDeletes;
  private boolean stopped;

  private ChangeStream(OracleStandIn db, String table, long firstNewId, long seed) {
    this.db = db;
    this.table = table;
    this.nextId = firstNewId;
    this.random = new Random(seed);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "change-stream-" + table);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts changing {@code table}, whose IDs so far run below {@code firstNewId}. */
  static ChangeStream start(OracleStandIn db, String table, long firstNewId, long seed, Duration period) {
    ChangeStream s = new ChangeStream(db, table, firstNewId, seed);
    s.timer.scheduleAtFixedRate(s::step, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    return s;
  }

  private synchronized void step() {
    if (stopped || failure.get() != null) {
      return;
    }
    try {
      if (connection == null) {
        connection = db.connect();
        insert = connection.prepareStatement("INSERT INTO " + table + " (ID, CUSTOMER, CITY, AMOUNT, QTY, ORDER_DATE, "
            + "NOTES, UPDATED_AT) VALUES (?, ?, ?, ?, ?, LOCALTIMESTAMP, ?, LOCALTIMESTAMP)");
        update = connection.prepareStatement("UPDATE " + table + " SET CUSTOMER = ?, CITY = ?, AMOUNT = ?, NOTES = ?, "
            + "UPDATED_AT = LOCALTIMESTAMP WHERE ID = ? AND DELETED = 0");
        softDelete = connection.prepareStatement("UPDATE " + table + " SET DELETED = 1, UPDATED_AT = LOCALTIMESTAMP "
            + "WHERE ID = ? AND DELETED = 0");
      }
      int dice = random.nextInt(100);
      if (dice < 40) {
        long id = nextId++;
        insert.setLong(1, id);
        insert.setString(2, "new customer " + id);
        insert.setString(3, random.nextBoolean() ? "Zürich" : null);
        insert.setBigDecimal(4, java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
        insert.setInt(5, random.nextInt(100));
        insert.setString(6, "inserted while syncing");
        insert.executeUpdate();
        inserts++;
      } else if (dice < 88) {
        long id = 1 + (long) random.nextInt((int) (nextId - 1));
        update.setString(1, "changed customer " + id + " #" + random.nextInt(1000));
        update.setString(2, random.nextInt(4) == 0 ? null : "東京 " + random.nextInt(10));
        update.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(1_000_000), 2));
        update.setString(4, random.nextInt(5) == 0 ? null : "changed " + random.nextInt(1000)); // null clears the cell
        update.setLong(5, id);
        updates += update.executeUpdate();
      } else {
        softDelete.setLong(1, 1 + (long) random.nextInt((int) (nextId - 1)));
        softDeletes += softDelete.executeUpdate();
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Stops changing the table; answers what was done. */
  synchronized Counts stop() {
    stopped = true;
    timer.shutdownNow();
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      failure.compareAndSet(null, e);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the change stream on " + table + " failed", failure.get());
    }
    return counts();
  }

  synchronized Counts counts() {
    return new Counts(inserts, updates, softDeletes);
  }

  /** The next ID an insert would take: every ID below it may exist. */
  synchronized long nextId() {
    return nextId;
  }

  @Override
  public void close() {
    if (!stopped) {
      try {
        stop();
      } catch (IllegalStateException e) {
        // reported by stop() where the test calls it
      }
    }
  }
}
