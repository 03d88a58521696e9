package dev.ofsync.source.connection;

import dev.ofsync.source.config.OracleSourceConfig;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Decides, in one place, whether a database error passes (reconnect and continue from the last
 * row) or needs the user (a message that says which setting to fix).
 */
public final class OracleErrors {
  /** Errors of a connection that broke or a database that is restarting. */
  private static final Set<Integer> TRANSIENT = Set.of(
      1033,   // ORACLE initialization or shutdown in progress
      1034,   // ORACLE not available
      1089,   // immediate shutdown in progress
      1090,   // shutdown in progress
      3113,   // end-of-file on communication channel
      3114,   // not connected to ORACLE
      3135,   // connection lost contact
      12170,  // connect timeout
      12516, 12518, 12519, 12520, 12528, // listener has no handler now (service restarting or busy)
      12537,  // TNS connection closed
      12541,  // no listener (listener restarting)
      12571,  // TNS packet writer failure
      17002,  // ojdbc: I/O error
      17008,  // ojdbc: closed connection
      17410,  // ojdbc: no more data to read from socket
      1109,   // database not open (a PDB being restarted)
      1092,   // instance terminated, disconnection forced
      28,     // session killed
      1012,   // not logged on
      2396,   // idle time limit exceeded
      90067   // H2: connection is broken (the tests' stand-in database)
  );

  /**
   * Errors only the user can fix. Checked first: ojdbc reports some of them (ORA-12514, ORA-12505)
   * as SQLRecoverableException, which would otherwise be retried forever.
   */
  private static final Set<Integer> USER_ERRORS = Set.of(
      1017,   // invalid username/password
      28000,  // account locked
      28001,  // password expired
      1045,   // user lacks CREATE SESSION
      942,    // table or view does not exist (or no privilege)
      904,    // invalid identifier
      1031    // insufficient privileges
  );

  /**
   * The listener does not know the service (ORA-12514) or SID (ORA-12505): a wrong setting before
   * the first connection, but a database still starting (dynamic registration) after it.
   */
  private static final Set<Integer> UNKNOWN_SERVICE = Set.of(12514, 12505);

  private OracleErrors() {}

  /** Whether to retry: a connection that broke or a restarting database; never a user's mistake. */
  public static boolean isTransient(SQLException e) {
    return isTransient(e, false);
  }

  /** As {@link #isTransient(SQLException)}; {@code connectedBefore}: the settings worked already. */
  public static boolean isTransient(SQLException e, boolean connectedBefore) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        if (USER_ERRORS.contains(s.getErrorCode())) {
          return false;
        }
        if (UNKNOWN_SERVICE.contains(s.getErrorCode())) {
          return connectedBefore;
        }
        if (s instanceof java.sql.SQLTimeoutException || s.getErrorCode() == 1013) {
          return false; // a query over its timeout fails the same way again: the user must act
        }
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        if (TRANSIENT.contains(s.getErrorCode()) || s instanceof SQLRecoverableException
            || s instanceof SQLTransientException) {
          return true;
        }
        String state = s.getSQLState();
        if (state != null && state.startsWith("08")) {
          return true;
        }
      } else if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  /** The error in words a user can act on, naming the setting to fix; the driver's text is kept at the end. */
  public static String explain(SQLException e, OracleSourceConfig config) {
    String original = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().trim();
    String user = config == null ? "the user" : "user " + config.username();
    if (e instanceof java.sql.SQLTimeoutException || e.getErrorCode() == 1013) {
      return "the query was cancelled at its time limit (oracle.query_timeout_seconds"
          + (config == null ? "" : " is " + config.queryTimeoutSeconds() + " s") + "; 10 s when the settings are "
          + "checked): on a large table this usually means the index the page queries need is missing. Create it on "
          + "(sync column, key columns), or on the key columns in bulk mode, or raise oracle.query_timeout_seconds; "
          + original;
    }
    switch (e.getErrorCode()) {
      case 1017:
        return "the database refused the login (ORA-01017): check oracle.username and oracle.password";
      case 12514:
        return "the listener does not know the service (ORA-12514): check oracle.service_name (lsnrctl services lists them) or oracle.url";
      case 12505:
        return "the listener does not know the SID (ORA-12505): check oracle.sid, or use oracle.service_name";
      case 942:
        return "table or view does not exist, or " + user + " may not read it (ORA-00942): check oracle.table_name "
            + "(schema-qualified, lower-case names in double quotes) and GRANT SELECT on it to " + user;
      case 904:
        return "a column does not exist (ORA-00904): check oracle.primary_key, oracle.sync_column and sync.soft_delete_column "
            + "(unquoted names are upper-cased; quote lower-case names: \"id\"); " + original;
      case 1031:
        return "insufficient privileges (ORA-01031): GRANT SELECT on the tables to " + user;
      case 1045:
        return user + " may not log in (ORA-01045): GRANT CREATE SESSION to it";
      case 28000:
        return "the account of " + user + " is locked (ORA-28000), often after too many logins with a wrong password: "
            + "check oracle.password, then have the DBA unlock it (ALTER USER ... ACCOUNT UNLOCK)";
      case 28001:
        return "the password of " + user + " has expired (ORA-28001): set a new one and update oracle.password";
      default:
        return original;
    }
  }
}
