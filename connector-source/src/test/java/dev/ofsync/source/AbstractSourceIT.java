package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connector in a real Connect worker (Kafka in KRaft mode, in-process): initial load,
 * changes, a restart from committed offsets and an offsets reset. Asserts what a user sees:
 * records in the topics, offsets, task states. Subclasses bring the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSourceIT {
  private static final String CONNECTOR = "oracle-source";
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private EmbeddedConnectCluster connect;
  private Connection db;

  /** A connection for the test's own DDL and DML. */
  protected abstract Connection openDatabase() throws Exception;

  /** oracle.url, oracle.username, oracle.password for the connector. */
  protected abstract Map<String, String> connectionSettings();
  private static final JsonConverter KEYS = converter(true);
  private static final JsonConverter VALUES = converter(false);

  private static JsonConverter converter(boolean isKey) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", "true", "decimal.format", "NUMERIC"), isKey);
    return c;
  }

  @BeforeAll
  void startAll() throws Exception {
    db = openDatabase();
    Map<String, String> worker = new HashMap<>();
    worker.put("key.converter", JsonConverter.class.getName());
    worker.put("value.converter", JsonConverter.class.getName());
    worker.put("key.converter.decimal.format", "NUMERIC");
    worker.put("value.converter.decimal.format", "NUMERIC");
    worker.put("offset.flush.interval.ms", "500");
    connect = new EmbeddedConnectCluster.Builder().name("source-it").numWorkers(1).numBrokers(1).workerProps(worker).build();
    connect.start();
  }

  @AfterAll
  void stopAll() throws Exception {
    if (connect != null) {
      connect.stop();
    }
    if (db != null) {
      db.close();
    }
  }

  private void exec(String... sql) throws Exception {
    try (Statement st = db.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** Rows of the initial load: ten timestamps, each shared by a tenth of the rows, all in the past. */
  private void insertOrders(int from, int to) throws Exception {
    insertOrders(from, to, false);
  }

  /**
   * @param stampNow stamp rows just before the database clock (in its zone), as an application writing now would
   */
  private void insertOrders(int from, int to, boolean stampNow) throws Exception {
    String stamp = stampNow ? "CAST(SYSTIMESTAMP AS TIMESTAMP) - INTERVAL '1' SECOND" : "?";
    try (PreparedStatement ps = db.prepareStatement("INSERT INTO ORDERS VALUES (?, ?, ?, " + stamp + ")")) {
      for (int id = from; id <= to; id++) {
        ps.setInt(1, id);
        ps.setString(2, "customer " + id);
        ps.setBigDecimal(3, new BigDecimal(id + ".25"));
        if (!stampNow) {
          ps.setObject(4, LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(id % 10));
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Latest value by key on a topic, null for a tombstone; also the record count. */
  private Map<Long, Struct> latestByKey(String topic, int[] count) throws Exception {
    Map<Long, Struct> latest = new HashMap<>();
    count[0] = 0;
    for (ConsumerRecord<byte[], byte[]> r : connect.kafka().consumeAll(30_000, topic)) {
      SchemaAndValue key = KEYS.toConnectData(topic, r.key());
      SchemaAndValue value = VALUES.toConnectData(topic, r.value());
      latest.put(((Number) ((Struct) key.value()).get("ID")).longValue(), (Struct) value.value());
      count[0]++;
    }
    return latest;
  }

  private int topicSize(String topic) throws Exception {
    int[] count = new int[1];
    latestByKey(topic, count);
    return count[0];
  }

  /** Every row of the table is on the topic with its current values. */
  private void assertTopicMatchesTable(String table, String topic) throws Exception {
    Map<Long, Struct> latest = latestByKey(topic, new int[1]);
    int rows = 0;
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT ID, CUSTOMER, AMOUNT FROM " + table + " ORDER BY ID")) {
      while (rs.next()) {
        rows++;
        Struct v = latest.get(rs.getLong(1));
        assertThat(v).as("row " + rs.getLong(1)).isNotNull();
        assertThat(v.get("CUSTOMER")).isEqualTo(rs.getString(2));
        assertThat(v.get("AMOUNT")).isEqualTo(rs.getBigDecimal(3));
      }
    }
    assertThat(latest).hasSize(rows);
  }

  @Test
  void loadsAppliesChangesRestartsFromOffsetsAndResyncsAfterAReset() throws Exception {
    exec("CREATE TABLE ORDERS (ID NUMBER(10) PRIMARY KEY, CUSTOMER VARCHAR2(40), AMOUNT NUMBER(12,2), UPDATED_AT TIMESTAMP(6))",
        "CREATE TABLE ARCHIVE (ID NUMBER(10) PRIMARY KEY, CUSTOMER VARCHAR2(40), AMOUNT NUMBER(12,2), UPDATED_AT TIMESTAMP(6))");
    insertOrders(1, 5000);
    exec("INSERT INTO ARCHIVE SELECT * FROM ORDERS WHERE ID <= 300");
    connect.kafka().createTopic("oracle.ORDERS", 1);
    connect.kafka().createTopic("oracle.ARCHIVE", 1);
    Map<String, String> config = new HashMap<>(connectionSettings());
    config.put("oracle.table_name", "ORDERS, ARCHIVE");
    config.put("sync.poll_interval_ms", "100");
    config.put("connector.class", OracleSourceConnector.class.getName());
    config.put("tasks.max", "2");
    config.put("oracle.sync_column", "UPDATED_AT");
    config.put("sync.read_batch_size", "500");
    config.put("topic.template", "oracle.${table}");
    // PUT /connector-plugins/{plugin}/config/validate, as a user or a UI calls it first.
    Map<String, String> named = new HashMap<>(config);
    named.put("name", CONNECTOR);
    Map<String, String> wrong = new HashMap<>(named);
    wrong.put("oracle.table_name", "ORDERS, NO_SUCH_TABLE");
    ConfigInfos rejected = connect.validateConnectorConfig(OracleSourceConnector.class.getSimpleName(), wrong);
    assertThat(errors(rejected)).containsOnlyKeys("oracle.table_name");
    assertThat(errors(rejected).get("oracle.table_name")).singleElement().asString().contains("NO_SUCH_TABLE");
    assertThat(errors(connect.validateConnectorConfig(OracleSourceConnector.class.getSimpleName(), named))).isEmpty();

    connect.configureConnector(CONNECTOR, config);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "source did not start");

    await().atMost(DEADLINE).until(() -> topicSize("oracle.ORDERS") >= 5000 && topicSize("oracle.ARCHIVE") >= 300);
    assertThat(topicSize("oracle.ORDERS")).as("initial load, nothing repeated").isEqualTo(5000);
    assertTopicMatchesTable("ORDERS", "oracle.ORDERS");
    assertTopicMatchesTable("ARCHIVE", "oracle.ARCHIVE");
    // what the tasks publish for monitoring (and for the launcher's progress), as JMX shows it
    await().atMost(DEADLINE).until(() -> tasksMetric("caught-up-to-ms").stream().allMatch(ms -> ms > 0));
    assertThat(tasksMetric("rows-read-total").stream().mapToLong(Long::longValue).sum()).isEqualTo(5300);

    // Changes: new rows and updated rows, stamped just before the database clock.
    insertOrders(5001, 5100, true);
    exec("UPDATE ORDERS SET CUSTOMER = 'updated', UPDATED_AT = CAST(SYSTIMESTAMP AS TIMESTAMP) - INTERVAL '1' SECOND"
        + " WHERE ID BETWEEN 10 AND 19");
    await().atMost(DEADLINE).until(() -> topicSize("oracle.ORDERS") >= 5110);
    assertThat(topicSize("oracle.ORDERS")).as("100 inserts and 10 updates, each once").isEqualTo(5110);
    assertTopicMatchesTable("ORDERS", "oracle.ORDERS");

    // Restart: the committed offset is the last row, so nothing is read again.
    await().atMost(DEADLINE).untilAsserted(() -> assertThat(String.valueOf(ordersOffset().get("pk0"))).isEqualTo("19"));
    connect.stopConnector(CONNECTOR);
    connect.assertions().assertConnectorIsStopped(CONNECTOR, "source did not stop");
    insertOrders(5101, 5150, true);
    connect.resumeConnector(CONNECTOR);
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "source did not resume");
    await().atMost(DEADLINE).until(() -> topicSize("oracle.ORDERS") >= 5160);
    assertThat(topicSize("oracle.ORDERS")).as("after the restart only the 50 new rows").isEqualTo(5160);
    assertTopicMatchesTable("ORDERS", "oracle.ORDERS");

    // DELETE /connectors/{name}/offsets: the next start copies every table again.
    connect.stopConnector(CONNECTOR);
    connect.assertions().assertConnectorIsStopped(CONNECTOR, "source did not stop");
    connect.resetConnectorOffsets(CONNECTOR);
    // The worker may still list a partition whose offset it has just cleared (offset null) until
    // its offset store has read the tombstones back; either way no position is left to resume from.
    assertThat(connect.connectorOffsets(CONNECTOR).offsets())
        .allSatisfy(o -> assertThat(o.offset()).as("offset of %s after the reset", o.partition()).isNull());
    connect.resumeConnector(CONNECTOR);
    await().atMost(DEADLINE).until(() -> topicSize("oracle.ORDERS") >= 5160 + 5150 && topicSize("oracle.ARCHIVE") >= 600);
    assertThat(topicSize("oracle.ORDERS")).as("every row of ORDERS once more, none twice").isEqualTo(5160 + 5150);
    assertThat(topicSize("oracle.ARCHIVE")).as("every row of ARCHIVE once more").isEqualTo(600);
    assertTopicMatchesTable("ORDERS", "oracle.ORDERS");
    assertTopicMatchesTable("ARCHIVE", "oracle.ARCHIVE");
    connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 2, "source stopped running");
  }

  /** A metric of each of the connector's tasks, as JMX shows it. */
  private static List<Long> tasksMetric(String name) throws Exception {
    var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    var names = server.queryNames(new javax.management.ObjectName("kafka.connect:type=plugins,connector=" + CONNECTOR
        + ",task=*"), null);
    assertThat(names).as("the tasks' metrics beans").hasSize(2);
    List<Long> out = new java.util.ArrayList<>();
    for (var bean : names) {
      out.add(((Number) server.getAttribute(bean, name)).longValue());
    }
    return out;
  }

  private static Map<String, List<String>> errors(ConfigInfos infos) {
    Map<String, List<String>> out = new HashMap<>();
    infos.configs().stream().filter(c -> c.configValue() != null && !c.configValue().errors().isEmpty())
        .forEach(c -> out.put(c.configValue().name(), c.configValue().errors()));
    return out;
  }

  private Map<String, ?> ordersOffset() {
    for (ConnectorOffset o : connect.connectorOffsets(CONNECTOR).offsets()) {
      if ("ORDERS".equals(o.partition().get("table"))) {
        return o.offset();
      }
    }
    return Map.of();
  }
}
