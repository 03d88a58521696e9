package dev.ofsync.source;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh in-memory H2 database in Oracle mode, kept open (and alive) by one connection. */
final class H2Db implements AutoCloseable {
  private static final AtomicInteger NEXT = new AtomicInteger();
  final String name = "src" + NEXT.incrementAndGet();
  final String url = "jdbc:h2:mem:" + name + ";MODE=Oracle;DB_CLOSE_DELAY=-1";
  final Connection connection;

  H2Db() throws SQLException {
    connection = DriverManager.getConnection(url, "sa", "");
  }

  void exec(String... sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  PreparedStatement prepare(String sql) throws SQLException {
    return connection.prepareStatement(sql);
  }

  /** Connector settings for this database; tests add the table settings. */
  Map<String, String> config(String tables) {
    Map<String, String> c = new HashMap<>();
    c.put("oracle.url", url);
    c.put("oracle.username", "sa");
    c.put("oracle.password", "");
    c.put("oracle.table_name", tables);
    c.put("sync.poll_interval_ms", "50");
    c.put("oracle.retry_backoff_ms", "10");
    return c;
  }

  @Override
  public void close() throws SQLException {
    exec("SHUTDOWN");
    connection.close();
  }
}
