package dev.ofsync.source.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.DatabaseMetaData;
import org.junit.jupiter.api.Test;

class OracleDialectTest {
  private static DatabaseMetaData meta(String product, int major) {
    return (DatabaseMetaData) Proxy.newProxyInstance(DatabaseMetaData.class.getClassLoader(),
        new Class<?>[] {DatabaseMetaData.class}, (p, m, a) -> switch (m.getName()) {
          case "getDatabaseProductName" -> product;
          case "getDatabaseMajorVersion" -> major;
          default -> throw new UnsupportedOperationException(m.getName());
        });
  }

  @Test
  void oracle11gWrapsTheOrderedQueryInRownum() {
    OracleDialect d = new Oracle11gDialect();
    assertThat(d.limit("SELECT \"ID\" FROM \"T\" WHERE \"ID\" > ? ORDER BY \"ID\"", 500))
        .isEqualTo("SELECT * FROM (SELECT \"ID\" FROM \"T\" WHERE \"ID\" > ? ORDER BY \"ID\") WHERE ROWNUM <= 500");
  }

  @Test
  void oracle12cFetchesFirstRows() {
    assertThat(new Oracle12cDialect().limit("SELECT 1 FROM DUAL ORDER BY 1", 1000))
        .isEqualTo("SELECT 1 FROM DUAL ORDER BY 1 FETCH FIRST 1000 ROWS ONLY");
  }

  @Test
  void chosenFromTheOracleVersionAndOtherProductsGetTheStandardLimit() throws Exception {
    assertThat(OracleDialect.of(meta("Oracle", 11))).isInstanceOf(Oracle11gDialect.class);
    assertThat(OracleDialect.of(meta("Oracle", 12))).isInstanceOf(Oracle12cDialect.class);
    assertThat(OracleDialect.of(meta("Oracle", 23))).isInstanceOf(Oracle12cDialect.class);
    assertThat(OracleDialect.of(meta("H2", 2))).isInstanceOf(Oracle12cDialect.class);
  }

  @Test
  void theClockIsTheDatabases() {
    assertThat(new Oracle11gDialect().clockQuery()).isEqualTo("SELECT SYSTIMESTAMP FROM DUAL");
  }
}
