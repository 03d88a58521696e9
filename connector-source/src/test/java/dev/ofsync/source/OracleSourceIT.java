package dev.ofsync.source;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;

/** The Connect-worker scenario against H2 in Oracle mode, through the 12c dialect the Oracle driver also gets. */
class OracleSourceIT extends AbstractSourceIT {
  private static final String URL = "jdbc:h2:mem:source-it;MODE=Oracle;DB_CLOSE_DELAY=-1";

  @Override
  protected Connection openDatabase() throws Exception {
    return DriverManager.getConnection(URL, "sa", "");
  }

  @Override
  protected Map<String, String> connectionSettings() {
    return Map.of("oracle.url", URL, "oracle.username", "sa", "oracle.password", "");
  }
}
