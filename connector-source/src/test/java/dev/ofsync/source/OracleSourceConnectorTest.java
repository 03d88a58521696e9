package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** validate() against H2 in Oracle mode, the split over tasks, offsets alteration. */
class OracleSourceConnectorTest {
  private H2Db db;
  private final OracleSourceConnector connector = new OracleSourceConnector();

  @BeforeEach
  void setUp() throws Exception {
    db = new H2Db();
    db.exec("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, UPDATED_AT TIMESTAMP, AMOUNT NUMBER(12,2), DELETED CHAR(1))",
        "CREATE TABLE NOKEY (ID NUMBER(10) NOT NULL, NAME VARCHAR2(10))",
        "CREATE TABLE LOOSE (CODE VARCHAR2(10), NAME VARCHAR2(10))",
        "CREATE TABLE ODD (ID NUMBER(10) PRIMARY KEY, TAGS INTEGER ARRAY)",
        "CREATE TABLE NOTES (BODY CLOB, SCORE BINARY_DOUBLE)");
  }

  @AfterEach
  void tearDown() throws Exception {
    db.close();
  }

  /** Error messages by field, only fields that have any. */
  private Map<String, List<String>> errors(Map<String, String> config) {
    return connector.validate(config).configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void aSoundConfigValidatesClean() {
    Map<String, String> c = db.config("ORDERS");
    c.put("oracle.sync_column", "updated_at");
    c.put("sync.soft_delete_column", "DELETED");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void eachTableProblemIsPutOnItsField() {
    Map<String, String> c = db.config("ORDERS, MISSING");
    c.put("oracle.sync_column", "CHANGED_AT");
    Map<String, List<String>> e = errors(c);
    assertThat(e.get("oracle.table_name")).singleElement().asString().contains("MISSING");
    assertThat(e.get("oracle.sync_column")).singleElement().asString().contains("ORDERS").contains("CHANGED_AT")
        .contains("UPDATED_AT");

    Map<String, String> k = db.config("ORDERS");
    k.put("oracle.primary_key", "id, \"line\"");
    assertThat(errors(k).get("oracle.primary_key")).singleElement().asString().contains("line");

    Map<String, String> d = db.config("ORDERS");
    d.put("sync.soft_delete_column", "REMOVED");
    assertThat(errors(d).get("sync.soft_delete_column")).singleElement().asString().contains("REMOVED");
  }

  @Test
  void aMistypedColumnIsToldAgainstEveryColumnOfTheTableNotOnlyThoseSelected() {
    Map<String, String> c = db.config("ORDERS");
    c.put("oracle.columns", "AMOUNT");
    c.put("oracle.sync_column", "UPDATE_AT");

    assertThat(errors(c).get("oracle.sync_column")).singleElement().asString().contains("no column UPDATE_AT")
        .contains("UPDATED_AT").contains("DELETED");
  }

  @Test
  void aTableWithoutAPrimaryKeyNeedsOneNamed() {
    assertThat(errors(db.config("NOKEY")).get("oracle.primary_key")).singleElement().asString()
        .contains("NOKEY").contains("no primary key").contains("oracle.primary_key").contains("synonym")
        .contains("OWNER.NOKEY");
    Map<String, String> c = db.config("NOKEY");
    c.put("oracle.primary_key", "ID");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void aKeyColumnThatMayHoldNullIsRefusedWithTheStatementThatDeclaresIt() {
    Map<String, String> c = db.config("LOOSE");
    c.put("oracle.primary_key", "CODE");

    assertThat(errors(c).get("oracle.primary_key")).singleElement().asString()
        .contains("key column CODE of LOOSE is not declared NOT NULL")
        .contains("would be passed over")
        .contains("ALTER TABLE \"LOOSE\" MODIFY (\"CODE\" NOT NULL)");
  }

  @Test
  void theModeMustFitTheSyncColumn() {
    Map<String, String> c = db.config("ORDERS");
    c.put("oracle.sync_column", "ID");
    c.put("mode", "timestamp");
    assertThat(errors(c).get("mode")).singleElement().asString().contains("DATE or TIMESTAMP").contains("ID");
    c.put("mode", "incrementing");
    assertThat(errors(c)).isEmpty();
    c.put("oracle.sync_column", "");
    assertThat(errors(c).get("oracle.sync_column")).singleElement().asString().contains("needs a sync column");
  }

  @Test
  void aValueColumnListMustNameExistingColumnsAndLeavesOutUnlistedUnmappableOnes() {
    Map<String, String> c = db.config("ODD");
    c.put("oracle.columns", "ID");
    assertThat(errors(c)).as("TAGS is not listed").isEmpty();
    c.put("oracle.columns", "ID, COLOUR");
    assertThat(errors(c).get("oracle.columns")).singleElement().asString().contains("COLOUR").contains("ODD");
  }

  @Test
  void keyAndSyncColumnsMustBeAbleToOrderPages() {
    Map<String, String> c = db.config("NOTES");
    c.put("oracle.primary_key", "BODY");
    c.put("oracle.sync_column", "SCORE");
    Map<String, List<String>> e = errors(c);
    assertThat(e.get("oracle.primary_key")).singleElement().asString().contains("BODY").contains("cannot order pages");
    assertThat(e.get("oracle.sync_column")).singleElement().asString().contains("SCORE").contains("DATE, TIMESTAMP or increasing NUMBER");
  }

  @Test
  void anUnmappableColumnIsNamedUnlessSkipped() {
    Map<String, String> c = db.config("ODD");
    assertThat(errors(c).get("oracle.table_name")).singleElement().asString().contains("TAGS").contains("INTEGER ARRAY");
    c.put("sync.skip_unmappable_columns", "true");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void aBadLoginIsPutOnUserAndPasswordWithoutThePassword() {
    Map<String, String> c = db.config("ORDERS");
    c.put("oracle.password", "wrong-secret");
    Map<String, List<String>> e = errors(c);
    assertThat(e).containsOnlyKeys("oracle.username", "oracle.password");
    assertThat(e.get("oracle.password").get(0)).contains("cannot log in").doesNotContain("wrong-secret");
  }

  @Test
  void anUnreachableDatabaseIsPutOnTheUrlOrHost() {
    Map<String, String> c = db.config("ORDERS");
    c.put("oracle.url", "jdbc:h2:tcp://localhost:1/mem:nowhere");
    assertThat(errors(c)).containsOnlyKeys("oracle.url");
    assertThat(errors(c).get("oracle.url")).singleElement().asString().startsWith("cannot reach the database at ");
    c.remove("oracle.url");
    assertThat(errors(c).get("oracle.host")).singleElement().asString().contains("oracle.url").contains("oracle.host");
  }

  @Test
  void tablesAreDealtOverTasksAndQuotedNamesSurvive() {
    Map<String, String> c = db.config("A, B, \"c d\", HR.E, F");
    connector.start(c);
    List<Map<String, String>> tasks = connector.taskConfigs(2);
    assertThat(tasks).hasSize(2);
    assertThat(tasks.get(0).get("internal.task.tables")).isEqualTo("\"A\",\"c d\",\"F\"");
    assertThat(tasks.get(1).get("internal.task.tables")).isEqualTo("\"B\",\"HR\".\"E\"");
    assertThat(tasks.get(0)).containsEntry("oracle.url", db.url);
    assertThat(connector.taskConfigs(10)).hasSize(5);
  }

  @Test
  void offsetsCanBeResetOrSetInOurFormatOnly() {
    Map<String, String> c = db.config("ORDERS, HR.LINES");
    Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
    reset.put(Map.of("table", "ORDERS"), null);
    reset.put(Map.of("table", "HR.LINES"), Map.of("v", 1, "sync", "2024-01-01T00:00", "pk0", 5L));
    assertThat(connector.alterOffsets(c, reset)).isTrue();

    assertThatThrownBy(() -> connector.alterOffsets(c, Map.of(Map.of("table", "OTHER"), Map.of("v", 1, "pk0", 1L))))
        .isInstanceOf(ConnectException.class).hasMessageContaining("OTHER");
    assertThatThrownBy(() -> connector.alterOffsets(c, Map.of(Map.of("table", "ORDERS"), Map.of("last", 5))))
        .isInstanceOf(ConnectException.class).hasMessageContaining("\"v\": 1");
    assertThatThrownBy(() -> connector.alterOffsets(c, Map.of(Map.of("schema", "X"), Map.of("v", 1, "pk0", 1L))))
        .isInstanceOf(ConnectException.class).hasMessageContaining("{\"table\"");
  }

  @Test
  void workersFindTheConnectorThroughItsServiceEntry() {
    assertThat(java.util.ServiceLoader.load(org.apache.kafka.connect.source.SourceConnector.class).stream()
        .map(java.util.ServiceLoader.Provider::type)).contains(OracleSourceConnector.class);
  }

  @Test
  void exactlyOnceIsSupported() {
    assertThat(connector.exactlyOnceSupport(db.config("ORDERS"))).isEqualTo(ExactlyOnceSupport.SUPPORTED);
  }
}
