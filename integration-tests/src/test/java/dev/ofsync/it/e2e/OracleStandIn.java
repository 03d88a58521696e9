package dev.ofsync.it.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.h2.tools.Server;

/**
 * Oracle as these tests stand it in: H2 in Oracle mode, in this JVM's memory, reached by the
 * connectors over TCP like a database on another host, so it can become unreachable and come back
 * ({@link #goAway()}, {@link #comeBack()}) while the data stays. Workers in other JVMs reach it the
 * same way. The tests themselves write through an embedded connection, which an outage does not touch.
 */
final class OracleStandIn implements AutoCloseable {
  private final String name;
  private final Connection keepOpen;
  private final ZoneOffset offset;
  private Server server;
  private int port;

  private OracleStandIn(String name) throws SQLException {
    this.name = name;
    this.keepOpen = connect();
    try (Statement st = keepOpen.createStatement(); ResultSet rs = st.executeQuery("SELECT SYSTIMESTAMP FROM DUAL")) {
      rs.next();
      this.offset = rs.getObject(1, OffsetDateTime.class).getOffset();
    }
    this.server = Server.createTcpServer("-tcpPort", "0").start();
    this.port = server.getPort();
  }

  static OracleStandIn start(String name) {
    try {
      return new OracleStandIn(name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start the H2 stand-in for Oracle", e);
    }
  }

  /** What the source connector's {@code oracle.url} is set to. */
  String url() {
    return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + name + ";MODE=Oracle";
  }

  /** A connection of the test's own, inside this JVM: it works while the TCP server is down. */
  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:h2:mem:" + name + ";MODE=Oracle;DB_CLOSE_DELAY=-1", "sa", "");
  }

  void execute(String... statements) {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + String.join("; ", statements), e);
    }
  }

  long count(String sql) {
    try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql, e);
    }
  }

  /**
   * The offset the source reads DATE and TIMESTAMP values in (it takes the database's, from
   * SYSTIMESTAMP, when {@code oracle.timezone} is empty).
   */
  ZoneOffset offset() {
    return offset;
  }

  /** The database becomes unreachable: the listener stops and every open session breaks. */
  synchronized void goAway() {
    server.stop();
  }

  /** The database answers again on the same address. */
  synchronized void comeBack() {
    try {
      server = Server.createTcpServer("-tcpPort", String.valueOf(port)).start();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot restart the H2 TCP server on port " + port, e);
    }
  }

  @Override
  public synchronized void close() {
    server.stop();
    try (Statement st = keepOpen.createStatement()) {
      st.execute("SHUTDOWN");
    } catch (SQLException e) {
      // already gone
    }
  }
}
