package dev.ofsync.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Kafka's, Connect's and the connectors' logs go to a file in the state directory; the terminal
 * shows the launcher's own progress and errors.
 */
final class Logs {
  static final String PROPERTY = "ofsync.log.file";

  private Logs() {}

  /** "; details in the log FILE" when the log has a file, else nothing: for an error line's end. */
  static String where() {
    String file = System.getProperty(PROPERTY);
    return file == null ? "" : "; details in the log " + file;
  }

  /** Points the log at {@code dir/logs/oracle-feishu-sync.log}; answers the file. */
  static Path into(Path stateDir) {
    Path file = stateDir.toAbsolutePath().resolve("logs").resolve("oracle-feishu-sync.log");
    try {
      Files.createDirectories(file.getParent());
    } catch (java.io.IOException e) {
      return null; // the state directory's own creation reports the problem
    }
    if (file.toString().equals(System.getProperty(PROPERTY))) {
      return file;
    }
    System.setProperty(PROPERTY, file.toString());
    if (LogManager.getContext(false) instanceof LoggerContext context) {
      context.reconfigure();
    }
    return file;
  }
}
