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
 * {@code kafka.state_dir}, so offsets carry over between runs) it syncs until caught up with what
 * was committed before the start, printing progress, and exits, as the seed did (cron); with
 * {@code --follow} it goes on following new changes until stopped. With {@code --connect-url} it
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
    return execute(options, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The sync, for {@code run} and for the command line without a command. */
  static int execute(RunOptions options, PrintWriter out, PrintWriter err) throws Exception {
    long since = System.currentTimeMillis();
    Path config = options.config;
    URI connectUrl = options.connectUrl;
    SeedConfig seed = SeedConfig.load(config);
    PipelineConfig pipeline = PipelineConfig.of(seed);
    URI remote = pipeline.connectUrl(connectUrl);
    if ((options.fullSync || options.resetCheckpoint) && pipeline.appends()) {
      throw new UserError((options.fullSync ? "--full-sync" : "--reset-checkpoint") + " with sync.write_mode: append "
          + "would write every row of the table to Feishu again: append mode does not look rows up, so a row already "
          + "there cannot be told from a new one. Use sync.write_mode: upsert (the default) for a full sync; to copy "
          + "the table again in append mode, empty its Feishu tables first, then run with a new kafka.state_dir");
    }
    if (options.follow && options.once) {
      throw new UserError("--once and --follow contradict each other: a run exits when caught up (the default, what "
          + "--once says), or with --follow goes on following changes; give one of them");
    }
    if (options.timeoutSeconds != null && options.follow) {
      throw new UserError("--timeout bounds a run until it is caught up; with --follow the run goes on until stopped: "
          + "drop one of them");
    }
    if (options.timeoutSeconds != null && options.timeoutSeconds <= 0) {
      throw new UserError("--timeout " + options.timeoutSeconds + ": give the seconds a run may take, more than 0 "
          + "(e.g. --timeout 3300 for an hourly cron run)");
    }
    String configArg = " --config " + config;
    if (remote != null) {
      if (options.once || options.timeoutSeconds != null) {
        throw new UserError((options.once ? "--once runs the pipeline here" : "--timeout bounds a run here")
            + " until it is caught up; with a Connect cluster the connectors keep running there: deploy without it, then watch with 'status"
            + configArg + " --connect-url " + remote + "'");
      }
      Logs.into(PipelineConfig.stateDirOf(seed));
      pipeline.notes().forEach(n -> out.println("note: " + n));
      // on a cluster, its workers check the config where the connectors will run (their secrets, their network)
      List<String> problems = Validation.problemsWhereTheyRun(pipeline, remote);
      if (!problems.isEmpty()) {
        throw UserError.refused(problems);
      }
      try (Pipeline p = Pipeline.remote(remote, pipeline.bootstrapServers())) {
        p.deploy(pipeline, options.fullSync, options.resetCheckpoint, out);
        out.println("The connectors run on " + remote + "; watch them with: status" + configArg + " --connect-url "
            + remote);
      }
      return Main.OK;
    }
    // the state directory first: a run that finds it held leaves at once, before logging in anywhere
    // and before pointing its log at the file the holder writes
    StateDirectory state = StateDirectory.lock(pipeline.stateDir());
    try {
      Path logFile = Logs.into(pipeline.stateDir());
      pipeline.notes().forEach(n -> out.println("note: " + n));
      List<String> problems = Validation.problemsWhereTheyRun(pipeline, null);
      if (!problems.isEmpty()) {
        throw UserError.refused(problems);
      }
      return runHere(options, pipeline, state, since, logFile, out, err);
    } catch (Exception e) {
      saveLastRun(pipeline.stateDir(), failedRecord(e));
      throw e;
    } finally {
      state.close(); // closed already when the run got as far as Kafka (the pipeline closes it): harmless
    }
  }

  private static int runHere(RunOptions options, PipelineConfig pipeline, StateDirectory state, long since,
      Path logFile, PrintWriter out, PrintWriter err) throws Exception {
    Long timeoutSeconds = options.timeoutSeconds;
    List<String> replaced = state.takeOver(pipeline, options.fullSync || options.resetCheckpoint);
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
      Follow follow = new Follow(p, pipeline, out, Terminal.interactive());
      // the bound counts from the start: Kafka's start, the login checks and the deploy take part of it
      Duration left = timeoutSeconds == null ? null
          : Duration.ofSeconds(timeoutSeconds).minusMillis(System.currentTimeMillis() - since);
      Follow.Outcome outcome = follow.untilCaughtUp(since, left == null ? null : left.isNegative() ? Duration.ZERO : left);
      outcome = withRowsNotWritten(outcome, pipeline);
      report(outcome, since, out, err);
      if (outcome.caughtUp() && !outcome.failed() && options.follow) {
        out.println("Following new changes; Ctrl-C to stop.");
        outcome = withRowsNotWritten(follow.forever(), pipeline);
        report(outcome, since, out, err);
      }
      saveLastRun(pipeline.stateDir(), Follow.record(outcome,
          outcome.failed() ? "failed" : outcome.caughtUp() ? "caught up" : "stopped"));
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

  /**
   * A run whose rows all reached Feishu except some the sink passed on (errors.tolerance=all) has
   * not synced the table: the rows are named as a failure, with where they went.
   */
  static Follow.Outcome withRowsNotWritten(Follow.Outcome outcome, PipelineConfig pipeline) {
    long bad = outcome.totals().bad();
    java.util.Map<String, String> sink = pipeline.sinkConfig(null);
    if (bad <= 0 || !"all".equals(sink.getOrDefault("errors.tolerance", "none").trim())) {
      return outcome; // without tolerance a bad row fails the task, which says so itself
    }
    String dlq = sink.getOrDefault("errors.deadletterqueue.topic.name", "").trim();
    List<String> failures = new java.util.ArrayList<>(outcome.failures());
    failures.add(String.format("%,d row(s) could not be written to Feishu and were passed over (errors.tolerance: all): "
        + "%s; fix them in the database (the log names each key and column) and they are written at their next change",
        bad, dlq.isEmpty() ? "they are only in the log (errors.log.enable)" : "they are in the dead-letter queue topic " + dlq));
    return new Follow.Outcome(outcome.caughtUp(), failures, outcome.totals());
  }

  static void report(Follow.Outcome outcome, long sinceMs, PrintWriter out, PrintWriter err) {
    Follow.Totals t = outcome.totals();
    long seconds = (System.currentTimeMillis() - sinceMs) / 1000;
    if (outcome.failed()) {
      // on stderr: a cron line that keeps only errors (>/dev/null) still mails why the sync failed
      err.println("Sync FAILED after " + seconds + " s:");
      outcome.failures().forEach(f -> err.println("  " + f));
      err.flush();
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

  /** What last-run.json says of a run that stopped on an error before or instead of syncing. */
  private static ObjectNode failedRecord(Exception e) {
    List<String> failures = e instanceof UserError u ? u.problems()
        : List.of(e instanceof InterruptedException ? "interrupted" : UserError.oneLine(e.toString()));
    Follow.Totals none = new Follow.Totals(0, 0, 0, 0, 0, 0, 0, List.of(), 0);
    return Follow.record(new Follow.Outcome(false, failures, none),
        e instanceof InterruptedException ? "stopped" : "failed");
  }

  static void saveLastRun(Path stateDir, ObjectNode record) {
    try {
      Files.writeString(stateDir.resolve("last-run.json"), record.toPrettyString());
    } catch (java.io.IOException e) {
      // the figures were printed; the file is a convenience for status
    }
  }
}
