package dev.ofsync.launcher;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FeishuEmulator;
import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.config.Validation;
import dev.ofsync.launcher.quickstart.DemoDatabase;
import dev.ofsync.launcher.run.Follow;
import dev.ofsync.launcher.run.Pipeline;
import dev.ofsync.launcher.run.StateDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quickstart}: the whole pipeline on this machine with nothing installed but Java: an H2
 * database in Oracle mode with an {@code ORDERS} table (new and changed orders arriving all the
 * time), the Feishu emulator with realistic latency and the real quota, an embedded Kafka and
 * Connect worker, both connectors deployed through the REST API. Shows progress, then the tables,
 * then keeps syncing until Ctrl-C.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = "Run the whole pipeline on a demo table and a local Feishu emulator.")
final class QuickstartCommand implements Callable<Integer> {
  static final String APP_ID = "cli_quickstart";
  static final String APP_SECRET = "quickstart-secret";
  static final String APP_TOKEN = "bascnQuickstart";
  private static final String MARKER = ".oracle-feishu-sync-quickstart";

  @Spec
  CommandSpec spec;

  @Option(names = "--rows", defaultValue = "100000", description = "Orders in the demo table. Default: ${DEFAULT-VALUE}.")
  long rows;

  @Option(names = "--port", defaultValue = "8765", description = "The Feishu emulator's port (0: any free one). "
      + "Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--state-dir", defaultValue = "quickstart-state", paramLabel = "DIR",
      description = "Where Kafka's data, the log and the generated config.yaml go; emptied first. Default: ${DEFAULT-VALUE}.")
  Path stateDir;

  @Option(names = "--changes-per-second", defaultValue = "5", description = "New orders, and changed ones, per second "
      + "while it runs. Default: ${DEFAULT-VALUE}.")
  int changesPerSecond;

  @Option(names = "--once", description = "Exit once the demo table is in Feishu instead of following changes.")
  boolean once;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path state = stateDir.toAbsolutePath().normalize();
    StateDirectory locked = prepare(state);
    Path log = Logs.into(state);
    out.println("oracle-feishu-sync quickstart; the log is " + log);
    try (StateDirectory held = locked; // released by the pipeline when it closes, or here if it never started
         FeishuEmulator feishu = startEmulator();
         DemoDatabase db = createDatabase(out)) {
      out.println("Feishu emulator at " + feishu.url() + " (realistic latency, " + feishu.settings().rateLimit(dev.ofsync.emulator.CallClass.RECORD_WRITE)
          + " record writes/s per app, as Feishu)");
      Path config = writeConfig(state, feishu, db);
      out.println("Config: " + config + " (the seed's config.yaml keys)");
      PipelineConfig pipeline = PipelineConfig.load(config);
      List<String> problems = Validation.problems(pipeline, null);
      if (!problems.isEmpty()) {
        throw new UserError(problems);
      }
      long since = System.currentTimeMillis();
      try (Pipeline p = Pipeline.embedded(locked, out)) {
        Thread closer = new Thread(p::close, "quickstart-shutdown");
        Runtime.getRuntime().addShutdownHook(closer);
        p.deploy(pipeline, false, false, out);
        db.startChanges(changesPerSecond, changesPerSecond);
        Follow follow = new Follow(p, pipeline, out, Terminal.interactive());
        Follow.Outcome outcome = follow.untilCaughtUp(since, null);
        RunCommand.report(outcome, since, out, err);
        if (outcome.failed()) {
          return Main.FAILED;
        }
        out.println();
        out.println("The demo table is in Feishu. Look at it:");
        out.println("  tables and row counts: curl '" + feishu.url() + "/_emulator/bases/" + APP_TOKEN + "?records=false'");
        out.println("  every record:          curl '" + feishu.url() + "/_emulator/bases/" + APP_TOKEN + "'");
        out.println("  pipeline status:       bin/oracle-feishu-sync status --config " + config);
        out.println("  Connect REST API:      " + p.rest().base());
        out.printf("  demo database: %,d orders now (%d new and %d changed per second)%n", db.rows(), changesPerSecond,
            changesPerSecond);
        if (once) {
          return Main.OK;
        }
        out.println("Following new and changed orders; Ctrl-C to stop.");
        outcome = follow.forever();
        RunCommand.report(outcome, since, out, err);
        return outcome.failed() ? Main.FAILED : Main.OK;
      }
    }
  }

  /**
   * Locks the quickstart's own directory (one quickstart at a time in it) and empties it of an
   * earlier run; refuses to touch any other directory.
   */
  private static StateDirectory prepare(Path state) throws UserError {
    try {
      if (Files.isDirectory(state)) {
        boolean empty;
        try (Stream<Path> entries = Files.list(state)) {
          empty = entries.findAny().isEmpty();
        }
        if (!empty && !Files.exists(state.resolve(MARKER))) {
          throw new UserError(state + " exists and is not a quickstart directory; pass another --state-dir");
        }
      }
    } catch (IOException e) {
      throw new UserError("cannot prepare " + state + ": " + e.getMessage(), e);
    }
    StateDirectory locked = StateDirectory.lock(state);
    try {
      Path lockFile = state.resolve(StateDirectory.LOCK_FILE);
      try (Stream<Path> all = Files.walk(state)) {
        all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(state) && !p.equals(lockFile)).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      Files.writeString(state.resolve(MARKER), "made by 'oracle-feishu-sync quickstart'; emptied by its next run\n");
      return locked;
    } catch (IOException | UncheckedIOException e) {
      locked.close();
      throw new UserError("cannot prepare " + state + ": " + e.getMessage(), e);
    }
  }

  private FeishuEmulator startEmulator() {
    FeishuEmulator.Builder builder = FeishuEmulator.builder().settings(EmulatorSettings.realistic())
        .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);
    try {
      return builder.port(port).start();
    } catch (UncheckedIOException e) {
      return builder.port(0).start(); // the port is taken: any free one
    }
  }

  private DemoDatabase createDatabase(PrintWriter out) throws java.sql.SQLException {
    out.printf("Creating the demo table ORDERS with %,d rows (H2 in Oracle mode) ...%n", rows);
    out.flush();
    return DemoDatabase.create("quickstart", rows);
  }

  private static Path writeConfig(Path state, FeishuEmulator feishu, DemoDatabase db) throws IOException {
    String yaml = String.join("\n",
        "# Written by 'oracle-feishu-sync quickstart': the seed's config.yaml, pointing at the demo database",
        "# and the local Feishu emulator, which live only while the quickstart runs (the database is in its",
        "# memory). While it runs: bin/oracle-feishu-sync status --config <this file>. For your own",
        "# database and Feishu app, copy it and change the oracle: and feishu: sections.",
        "oracle:",
        "  url: \"" + db.url() + "\"    # a real Oracle: host, port, service_name instead",
        "  username: \"sa\"",
        "  password: \"\"",
        "  table_name: \"" + DemoDatabase.TABLE + "\"",
        "  primary_key: \"ID\"",
        "  sync_column: \"UPDATED_AT\"",
        "",
        "feishu:",
        "  app_id: \"" + APP_ID + "\"",
        "  app_secret: \"" + APP_SECRET + "\"",
        "  app_token: \"" + APP_TOKEN + "\"",
        "  base_table_id: \"" + feishu.tables(APP_TOKEN).get(0).tableId() + "\"",
        "  table_name_prefix: \"DataSync\"",
        "  # The seed's order: the base table full before DataSync_001 starts. Feishu takes one write at",
        "  # a time per table, so one table uses about a twentieth of the quota; tables_in_parallel: 20",
        "  # fills several side by side (faster; the last ones partly filled)",
        "  tables_in_parallel: 1",
        "  max_rows_per_table: 20000",
        "  base_url: \"" + feishu.url() + "\"",
        "",
        "sync:",
        "  read_batch_size: 1000",
        "  write_batch_size: 500",
        "  max_requests_per_second: 50",
        "  poll_interval_ms: 1000",
        "  linger_ms: 1000",
        "",
        "kafka:",
        "  state_dir: \".\"",
        "");
    Path file = state.resolve("config.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
