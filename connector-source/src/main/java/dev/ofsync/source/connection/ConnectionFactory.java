package dev.ofsync.source.connection;

import dev.ofsync.source.config.OracleSourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens connections with the configured login and timeouts. */
public final class ConnectionFactory {
  private final OracleSourceConfig config;

  public ConnectionFactory(OracleSourceConfig config) {
    this.config = config;
  }

  public Connection open() throws SQLException {
    return open(config.connectTimeoutMs());
  }

  public Connection open(int timeoutMs) throws SQLException {
    String url = config.jdbcUrl();
    Properties props = new Properties();
    props.setProperty("user", config.username());
    props.setProperty("password", config.password() == null ? "" : config.password().value());
    if (url.startsWith("jdbc:oracle:")) {
      props.setProperty("oracle.net.CONNECT_TIMEOUT", String.valueOf(timeoutMs));
      // Fetched rows are read in one round trip per page; LOBs are read in the same trip when small.
      props.setProperty("oracle.jdbc.defaultLobPrefetchSize", "32768");
      props.setProperty("v$session.program", "oracle-feishu-sync");
      // A connection a firewall dropped without a word would otherwise hang a read until TCP gives
      // up (about 15 minutes): keep-alive probes, and a read limit a minute past the query timeout.
      props.setProperty("oracle.net.keepAlive", "true");
      int queryTimeout = config.queryTimeoutSeconds();
      if (queryTimeout > 0) {
        props.setProperty("oracle.jdbc.ReadTimeout", String.valueOf((queryTimeout + 60) * 1000L));
      }
    }
    // Auto-commit stays on: a read-only transaction would pin one snapshot and hide new rows.
    Connection c = DriverManager.getConnection(url, props);
    if (url.startsWith("jdbc:oracle:")) {
      // Keyset comparisons (>) and ORDER BY must agree on text order: both binary.
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY");
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /** The URL for logs, with any password written into it (thin:user/secret@...) masked. */
  public String describe() {
    return masked(config.jdbcUrl()) + " as " + config.username();
  }

  static String masked(String url) {
    return url.replaceAll("(?i)(thin:)[^@/]*/[^@]*@", "$1***@").replaceAll("(?i)(password=)[^;&]*", "$1***");
  }
}
