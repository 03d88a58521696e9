package dev.ofsync.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.config.SeedConfig;
import dev.ofsync.launcher.config.Validation;
import dev.ofsync.launcher.run.Follow;
import dev.ofsync.launcher.run.Pipeline;
import dev.ofsync.launcher.run.StateDirectory;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code run}: the seed's sync. On the embedded Kafka and Connect worker (state in
 * {@code kafka.state_dir}, so offsets carry over between runs) it follows the sync and prints
 * progress; with {@code --once} it exits when caught up, for cron. With {@code --connect-url} it
 * creates or updates the connectors on that cluster and leaves them running there.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Sync the table of config.yaml to Feishu (the default command).")
final class RunCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  RunOptions options = new RunOptions();

  @Override
  public Integer call() throws Exception {
    return execute(options, spec.commandLine().getOut());
  }

  /** The sync, for {@code run} and for the command line without a command. */
  static int execute(RunOptions options, PrintWriter out) throws Exception {
    Path config = options.config;
    URI connectUrl = options.connectUrl;
    boolean once = options.once;
    SeedConfig seed = SeedConfig.load(config);
    Path logFile = Logs.into(PipelineConfig.stateDirOf(seed));
    PipelineConfig pipeline = PipelineConfig.of(seed);
    URI remote = pipeline.connectUrl(connectUrl);
    pipeline.notes().forEach(n -> out.println("note: " + n));
    if ((options.fullSync || options.resetCheckpoint) && pipeline.appends()) {
      throw new UserError((options.fullSync ? "--full-sync" : "--reset-checkpoint") + " with sync.write_mode: append "
          + "would write every row of the table to Feishu again: append mode does not look rows up, so a row already "
          + "there cannot be told from a new one. Use sync.write_mode: upsert (the default) for a full sync; to copy "
          + "the table again in append mode, empty its Feishu tables first, then run with a new kafka.state_dir");
    }
    if (options.timeoutSeconds != null && !once) {
      throw new UserError("--timeout applies to --once runs (it bounds the run until caught up); add --once, or drop "
          + "--timeout to follow changes until stopped");
    }
    if (once && remote != null) {
      throw new UserError("--once runs the pipeline here until it is caught up; with a Connect cluster the connectors "
          + "keep running there: deploy without --once, then watch with 'status --connect-url " + remote + "'");
    }
    // on a cluster, its workers check the config where the connectors will run (their secrets, their network)
    List<String> problems = Validation.problemsWhereTheyRun(pipeline, remote);
    if (!problems.isEmpty()) {
      throw new UserError(problems);
    }
    if (remote != null) {
      try (Pipeline p = Pipeline.remote(remote, pipeline.bootstrapServers())) {
        p.deploy(pipeline, options.fullSync, options.resetCheckpoint, out);
        out.println("The connectors run on " + remote + "; watch them with: status --connect-url " + remote);
      }
      return Main.OK;
    }
    return runHere(options, pipeline, logFile, out);
  }

  static int runHere(RunOptions options, PipelineConfig pipeline, Path logFile, PrintWriter out) throws Exception {
    boolean once = options.once;
    Long timeoutSeconds = options.timeoutSeconds;
    long since = System.currentTimeMillis();
    StateDirectory state = StateDirectory.lock(pipeline.stateDir());
    List<String> replaced;
    try {
      replaced = state.takeOver(pipeline, options.fullSync || options.resetCheckpoint);
    } catch (UserError e) {
      state.close();
      throw e;
    }
    Pipeline p = Pipeline.embedded(state, out);
    Thread closer = new Thread(p::close, "oracle-feishu-sync-shutdown");
    Runtime.getRuntime().addShutdownHook(closer);
    try {
      if (logFile != null) {
        out.println("Log: " + logFile);
      }
      p.removeConnectors(replaced, out);
      p.deploy(pipeline, options.fullSync, options.resetCheckpoint, out);
      state.record(pipeline);
      Follow follow = new Follow(p, pipeline, out, System.console() != null);
      Follow.Outcome outcome = follow.untilCaughtUp(since, timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds));
      report(outcome, since, out);
      if (outcome.caughtUp() && !once) {
        out.println("Following new changes; Ctrl-C to stop.");
        outcome = follow.forever();
        report(outcome, since, out);
      }
      saveLastRun(pipeline.stateDir(), outcome);
      return outcome.caughtUp() && !outcome.failed() ? Main.OK : Main.FAILED;
    } finally {
      p.close();
      try {
        Runtime.getRuntime().removeShutdownHook(closer);
      } catch (IllegalStateException e) {
        // already shutting down: the hook closes it too
      }
    }
  }

  static void report(Follow.Outcome outcome, long sinceMs, PrintWriter out) {
    Follow.Totals t = outcome.totals();
    long seconds = (System.currentTimeMillis() - sinceMs) / 1000;
    if (outcome.failed()) {
      out.println("Sync FAILED after " + seconds + " s:");
      outcome.failures().forEach(f -> out.println("  " + f));
    } else if (outcome.caughtUp()) {
      out.println("Caught up in " + seconds + " s.");
    } else {
      out.println("Stopped after " + seconds + " s.");
    }
    out.printf("Rows read: %,d. Written to Feishu: %,d created, %,d updated, %,d deleted; %,d unchanged (no write). "
        + "Feishu calls: %,d.%n", t.read(), t.created(), t.updated(), t.deleted(), t.unchanged(), t.calls());
    if (!t.tables().isEmpty()) {
      out.println("Tables (rows): " + String.join(", ", t.tables()));
    }
    out.flush();
  }

  static void saveLastRun(Path stateDir, Follow.Outcome outcome) {
    ObjectNode record = Follow.record(outcome, outcome.failed() ? "failed" : outcome.caughtUp() ? "caught up" : "stopped");
    try {
      Files.writeString(stateDir.resolve("last-run.json"), record.toPrettyString());
    } catch (java.io.IOException e) {
      // the figures were printed; the file is a convenience for status
    }
  }
}
