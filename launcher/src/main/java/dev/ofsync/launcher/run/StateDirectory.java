package dev.ofsync.launcher.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.launcher.UserError;
import dev.ofsync.launcher.config.PipelineConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory an embedded run keeps its Kafka in: its offsets are the checkpoint of one sync.
 *
 * <p>One run at a time: the launcher locks the directory before Kafka opens anything in it (Kafka's
 * own lock comes only after its controller has read and recovered the metadata log of the run that
 * holds it). One sync for good: {@value #JOB_FILE} records the database and table, the Feishu base and tables,
 * and the job name (the connectors' names) the checkpoint belongs to, and a config naming others is refused, since that
 * checkpoint carried over would send only the rows changed from then on, and the earlier sync's
 * connectors, stored in the same Kafka, would go on running beside the new ones.
 */
public final class StateDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateDirectory.class);
  public static final String LOCK_FILE = "launcher.lock";
  static final String JOB_FILE = "job.json";
  /** What a checkpoint belongs to: a change of any of these makes it another sync's. */
  private static final List<String> JOB_KEYS = java.util.stream.Stream.concat(PipelineConfig.SOURCE_KEYS.stream(),
      java.util.stream.Stream.of("feishu.app_token", "feishu.base_table_id", "feishu.table_name_prefix")).toList();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private StateDirectory(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates the directory on first use (its owner's alone) and locks it, or says which run holds it. */
  public static StateDirectory lock(Path dir) throws UserError {
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      ownerOnly(dir);
      channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UserError("cannot create the state directory " + dir + ": " + e.getMessage(), e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held in this JVM (tests)
    } catch (IOException e) {
      close(channel);
      throw UserError.environment("cannot lock the state directory " + dir + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      close(channel);
      JsonNode run = Pipeline.liveRun(dir);
      String holder = run == null ? "another oracle-feishu-sync run"
          : "another oracle-feishu-sync run (pid " + run.path("pid").asText() + ", since " + run.path("started").asText() + ")";
      throw UserError.environment(holder + " uses the state directory " + dir + "; a directory serves one run at a "
          + "time. Let that run end (a run with --follow goes on until stopped), or give this config a kafka.state_dir of "
          + "its own");
    }
    return new StateDirectory(dir, channel, lock);
  }

  /**
   * Keeps the directory to its owner: Kafka's logs under it hold the connector configs (a password
   * written in config.yaml among them) and every row synced.
   */
  private static void ownerOnly(Path dir) {
    try {
      if (Files.getFileStore(dir).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
      }
    } catch (IOException e) {
      log.warn("Could not make the state directory {} its owner's alone: {}", dir, e.toString());
    }
  }

  public Path path() {
    return dir;
  }

  /**
   * Checks that the checkpoint here is {@code config}'s sync. If it is another's, {@code startOver}
   * ({@code --full-sync} or {@code --reset-checkpoint}: the table is read again whatever the
   * checkpoint) moves the directory to the new sync, and the answer names the earlier sync's
   * connectors that are not this config's, to be deleted; without it the run is refused, saying what
   * changed and what to do.
   */
  public List<String> takeOver(PipelineConfig config, boolean startOver) throws UserError {
    ObjectNode recorded = recorded();
    if (recorded == null) {
      return List.of();
    }
    ObjectNode now = describe(config);
    List<String> changes = new ArrayList<>();
    now.fieldNames().forEachRemaining(key -> {
      if (!recorded.has(key)) {
        return; // recorded before the file named it (the database's address came later): nothing to compare
      }
      String was = recorded.path(key).asText("");
      String is = now.path(key).asText("");
      if (!was.equals(is)) {
        changes.add(key + " was " + (was.isEmpty() ? "not set" : "'" + was + "'") + ", now "
            + (is.isEmpty() ? "not set" : "'" + is + "'"));
      }
    });
    if (changes.isEmpty()) {
      return List.of();
    }
    if (!startOver) {
      throw new UserError("kafka.state_dir " + dir + " holds the checkpoint of another sync (" + String.join("; ", changes)
          + "). Carried over, it would send only the rows changed from now on" + (renamed(recorded, now)
          ? ", and the connectors of the earlier name would go on running beside the new ones" : "")
          + ". Give this config a kafka.state_dir of its own" + (config.appends() ? "" : ", or run once with --full-sync "
          + "to move this directory to the new settings (the table is read again; rows already in Feishu are "
          + "updated, not written twice)"));
    }
    log.info("State directory {} moves to a new sync: {}", dir, changes);
    if (!renamed(recorded, now)) {
      return List.of();
    }
    return PipelineConfig.connectorsOf(recorded.path("sync.job_name").asText());
  }

  private static boolean renamed(JsonNode recorded, JsonNode now) {
    return !recorded.path("sync.job_name").asText().equals(now.path("sync.job_name").asText());
  }

  /** Records {@code config}'s sync as the one this directory's checkpoint belongs to (after it was deployed). */
  public void record(PipelineConfig config) throws UserError {
    try {
      Files.writeString(dir.resolve(JOB_FILE), describe(config).toPrettyString());
    } catch (IOException e) {
      throw new UserError("cannot write " + dir.resolve(JOB_FILE) + ": " + e.getMessage(), e);
    }
  }

  private ObjectNode recorded() throws UserError {
    Path file = dir.resolve(JOB_FILE);
    if (!Files.exists(file)) {
      return null; // a new directory, or one from before the file: this run's sync is recorded once deployed
    }
    try {
      JsonNode node = Pipeline.JSON.readTree(file.toFile());
      if (!(node instanceof ObjectNode object)) {
        throw new IOException("not a JSON object");
      }
      return object;
    } catch (IOException e) {
      throw new UserError("cannot read " + file + " (" + e.getMessage() + "); it records which sync the checkpoint "
          + "in " + dir + " belongs to. If it was edited by hand, put it back or delete it", e);
    }
  }

  private static ObjectNode describe(PipelineConfig config) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String key : JOB_KEYS) {
      String value = config.seed().get(key);
      fields.put(key, value == null ? "" : value.trim());
    }
    fields.put("sync.job_name", config.job());
    ObjectNode node = Pipeline.JSON.createObjectNode();
    fields.forEach(node::put);
    return node;
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      log.debug("Releasing the lock of {}: {}", dir, e.toString());
    }
    close(channel);
  }

  private static void close(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing the lock file: {}", e.toString());
    }
  }
}
