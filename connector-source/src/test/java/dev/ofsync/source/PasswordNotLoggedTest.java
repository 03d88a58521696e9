package dev.ofsync.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every log line and validate() message of a run, checked for the password. */
class PasswordNotLoggedTest {
  private static final String SECRET = "Zebra-Secret-4711";
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private AbstractAppender appender;
  private H2Db db;

  @BeforeEach
  void capture() throws Exception {
    appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        lines.add(event.getMessage().getFormattedMessage() + (event.getThrown() == null ? "" : " " + event.getThrown()));
      }
    };
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
    ctx.getConfiguration().getLoggerConfig("dev.ofsync").setLevel(Level.DEBUG);
    ctx.updateLoggers();
    db = new H2Db();
    db.exec("CREATE TABLE T (ID NUMBER(5) PRIMARY KEY)", "INSERT INTO T VALUES (1)",
        "CREATE USER READER PASSWORD '" + SECRET + "'", "GRANT SELECT ON T TO READER");
  }

  @AfterEach
  void release() throws Exception {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().removeAppender("capture");
    ctx.getConfiguration().getLoggerConfig("dev.ofsync").setLevel(Level.INFO);
    ctx.updateLoggers();
    db.close();
  }

  @Test
  void thePasswordIsNeitherLoggedNorEchoedByValidate() throws Exception {
    Map<String, String> config = db.config("PUBLIC.T");
    // Only admins may set DB_CLOSE_DELAY; the test's own connection keeps the database alive.
    config.put("oracle.url", "jdbc:h2:mem:" + db.name + ";MODE=Oracle");
    config.put("oracle.username", "READER");
    config.put("oracle.password", SECRET);
    try (TaskHarness harness = new TaskHarness()) {
      harness.start(config);
      harness.pollUntil(r -> r.size() == 1, Duration.ofSeconds(30));
    }
    OracleSourceConnector connector = new OracleSourceConnector();
    assertThat(connector.validate(config).configValues()).allMatch(v -> v.errorMessages().isEmpty());
    config.put("oracle.password", SECRET + "-wrong");
    List<String> messages = connector.validate(config).configValues().stream()
        .flatMap(v -> v.errorMessages().stream()).toList();
    assertThat(messages).isNotEmpty().noneMatch(m -> m.contains(SECRET));
    assertThat(lines).as("log lines were captured").anyMatch(l -> l.contains("Reading PUBLIC.T"));
    assertThat(lines).noneMatch(l -> l.contains(SECRET));
    assertThat(connector.validate(config).configValues().stream().map(ConfigValue::value)).noneMatch(v -> String.valueOf(v).contains(SECRET));
  }
}
