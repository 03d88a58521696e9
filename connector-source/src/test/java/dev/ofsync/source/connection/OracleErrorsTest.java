package dev.ofsync.source.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.source.config.OracleSourceConfig;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OracleErrorsTest {
  private static final OracleSourceConfig CONFIG = new OracleSourceConfig(Map.of("oracle.url", "jdbc:oracle:thin:@//db:1521/X",
      "oracle.username", "SCOTT", "oracle.password", "tiger", "oracle.table_name", "ORDERS"));

  private static SQLException ora(int code, String text) {
    return new SQLException(String.format("ORA-%05d: %s", code, text), "99999", code);
  }

  @Test
  void aQueryCancelledAtItsTimeLimitPointsAtTheMissingIndexAndTheSetting() {
    SQLException cancelled = new java.sql.SQLTimeoutException("ORA-01013: user requested cancel of current operation",
        "72000", 1013);

    assertThat(OracleErrors.explain(cancelled, CONFIG)).contains("time limit")
        .contains("oracle.query_timeout_seconds is 300 s").contains("index").contains("(sync column, key columns)")
        .endsWith("ORA-01013: user requested cancel of current operation");
    assertThat(OracleErrors.isTransient(cancelled)).isFalse();
  }

  @Test
  void userErrorsSayWhatToFixAndAreNotRetried() {
    SQLException login = ora(1017, "invalid username/password; logon denied");
    assertThat(OracleErrors.explain(login, CONFIG)).contains("ORA-01017").contains("oracle.username").contains("oracle.password")
        .doesNotContain("tiger");
    assertThat(OracleErrors.isTransient(login)).isFalse();

    assertThat(OracleErrors.explain(ora(12514, "TNS:listener does not currently know of service requested"), CONFIG))
        .contains("ORA-12514").contains("oracle.service_name");
    assertThat(OracleErrors.explain(ora(942, "table or view does not exist"), CONFIG))
        .contains("ORA-00942").contains("oracle.table_name").contains("GRANT SELECT").contains("SCOTT");
    assertThat(OracleErrors.explain(ora(904, "\"UPDATED\": invalid identifier"), CONFIG))
        .contains("ORA-00904").contains("oracle.sync_column").contains("oracle.primary_key").contains("\"UPDATED\"");
    assertThat(OracleErrors.explain(ora(28000, "the account is locked"), CONFIG))
        .contains("ORA-28000").contains("SCOTT").contains("oracle.password").contains("ACCOUNT UNLOCK");
    assertThat(OracleErrors.isTransient(ora(28000, "x"))).isFalse();
    assertThat(OracleErrors.isTransient(ora(942, "x"))).isFalse();
    assertThat(OracleErrors.isTransient(ora(904, "x"))).isFalse();
    assertThat(OracleErrors.isTransient(ora(12514, "x"))).isFalse();
    // ojdbc wraps listener refusals in SQLRecoverableException; they still need the user.
    assertThat(OracleErrors.isTransient(new SQLRecoverableException(
        "Listener refused the connection with the following error: ORA-12514", "08006", 12514))).isFalse();
  }

  @Test
  void anUnknownServiceAfterASuccessfulConnectionIsADatabaseStillStarting() {
    SQLRecoverableException refused = new SQLRecoverableException(
        "Listener refused the connection with the following error: ORA-12514", "08006", 12514);
    assertThat(OracleErrors.isTransient(refused, false)).as("before the first connection: a wrong setting").isFalse();
    assertThat(OracleErrors.isTransient(refused, true)).as("after it: the database is restarting").isTrue();
    assertThat(OracleErrors.isTransient(ora(1109, "database not open"), true)).isTrue();
    assertThat(OracleErrors.isTransient(ora(28, "your session has been killed"), true)).isTrue();
  }

  @Test
  void aQueryOverItsTimeoutIsNotRetriedForever() {
    assertThat(OracleErrors.isTransient(new java.sql.SQLTimeoutException("ORA-01013: user requested cancel", "72000", 1013),
        true)).isFalse();
  }

  @Test
  void lostConnectionsAndRestartingDatabasesAreRetried() {
    assertThat(OracleErrors.isTransient(ora(3113, "end-of-file on communication channel"))).isTrue();
    assertThat(OracleErrors.isTransient(ora(1033, "ORACLE initialization or shutdown in progress"))).isTrue();
    assertThat(OracleErrors.isTransient(ora(12541, "TNS:no listener"))).isTrue();
    assertThat(OracleErrors.isTransient(new SQLRecoverableException("IO Error: Connection reset", "08006", 17002))).isTrue();
    assertThat(OracleErrors.isTransient(new SQLException("wrapped", "99999", 0, new java.io.IOException("reset")))).isTrue();
  }

  @Test
  void unknownErrorsKeepTheDriversText() {
    assertThat(OracleErrors.explain(ora(1476, "divisor is equal to zero"), CONFIG)).isEqualTo("ORA-01476: divisor is equal to zero");
  }

  @Test
  void passwordsInUrlsAreMaskedInLogs() {
    assertThat(ConnectionFactory.masked("jdbc:oracle:thin:scott/tiger@//db:1521/X")).isEqualTo("jdbc:oracle:thin:***@//db:1521/X");
    assertThat(ConnectionFactory.masked("jdbc:h2:mem:x;PASSWORD=secret")).doesNotContain("secret");
  }
}
