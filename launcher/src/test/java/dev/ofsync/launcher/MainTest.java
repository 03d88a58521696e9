package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class MainTest {
  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path dir;

  /** Runs a command line in {@code dir} (a config.yaml there), answering the exit code and what was printed. */
  private String[] run(int[] code, String configTail, String... args) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("config.yaml"), dev.ofsync.launcher.config.TestConfigs.minimal(configTail));
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stream = new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8);
    String[] withConfig = java.util.Arrays.stream(args).map(a -> a.replace("CONFIG", dir.resolve("config.yaml").toString()))
        .toArray(String[]::new);
    String logFile = System.getProperty(Logs.PROPERTY);
    try {
      code[0] = Main.run(stream, stream, withConfig);
    } finally {
      // a run points the log into its state directory; the other cases expect none
      if (logFile == null) {
        System.clearProperty(Logs.PROPERTY);
      } else {
        System.setProperty(Logs.PROPERTY, logFile);
      }
    }
    return text.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
  }

  @Test
  void anOptionWrittenBeforeTheCommandIsRefusedRatherThanIgnored() throws Exception {
    int[] code = new int[1];

    String[] lines = run(code, "", "--config", "CONFIG", "status");

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines[0]).isEqualTo("error: --config comes before the command 'status', where it applies to nothing; "
        + "write it after the command (e.g. status --config ...)");
  }

  @Test
  void aFullSyncInAppendModeIsRefusedAsItWouldWriteEveryRowAgain() throws Exception {
    int[] code = new int[1];

    String[] lines = run(code, "sync:\n  write_mode: append", "run", "--config", "CONFIG", "--full-sync", "--once");

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(String.join("\n", lines)).contains("error: --full-sync with sync.write_mode: append would write every "
        + "row of the table to Feishu again").contains("Use sync.write_mode: upsert (the default)");
  }

  @Test
  void statusExitsOneWhenTheLastRunFailedSoMonitoringSeesIt() throws Exception {
    java.nio.file.Path state = dir.resolve("oracle-feishu-sync-state");
    java.nio.file.Files.createDirectories(state);
    java.nio.file.Files.writeString(state.resolve("last-run.json"), "{\"result\" : \"failed\"}");
    int[] code = new int[1];

    String[] lines = run(code, "  base_url: \"http://127.0.0.1:9\"", "status", "--config", "CONFIG");

    assertThat(code[0]).isEqualTo(Main.FAILED);
    assertThat(String.join("\n", lines)).contains("Not running").contains("\"result\" : \"failed\"");
  }

  @Test
  void aDatabaseAndFeishuThatCannotBeReachedAreTheMachinesProblemNotTheConfigs() throws Exception {
    int[] code = new int[1];

    // the config's database host does not resolve; nothing listens at Feishu's address
    String[] lines = run(code, "  base_url: \"http://127.0.0.1:9\"", "validate", "--config", "CONFIG");

    assertThat(String.join("\n", lines)).contains("error: oracle.url: cannot reach the database at ")
        .contains("cannot reach Feishu at http://127.0.0.1:9");
    assertThat(code[0]).as("3: a later run may find them up").isEqualTo(Main.ENVIRONMENT);
  }

  @Test
  void yamlThatDoesNotParseIsOneLineSayingWhere() throws Exception {
    int[] code = new int[1];

    String[] lines = run(code, "sync:\n  read_batch_size: [", "validate", "--config", "CONFIG");

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("error: " + dir.resolve("config.yaml") + ": not valid YAML (line ")
        .endsWith("expected the node content, but found '<stream end>'");
    assertThat(lines[1]).startsWith("  (caused by ");
  }

  @Test
  void aTimeoutWithFollowOrOfNoSecondsIsRefused() throws Exception {
    int[] code = new int[1];

    String[] lines = run(code, "", "run", "--config", "CONFIG", "--timeout", "60", "--follow");

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(String.join("\n", lines)).contains("error: --timeout bounds a run until it is caught up; with --follow");
    assertThat(String.join("\n", run(code, "", "run", "--config", "CONFIG", "--timeout", "0")))
        .contains("error: --timeout 0: give the seconds a run may take, more than 0");
    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(String.join("\n", run(code, "", "run", "--config", "CONFIG", "--once", "--follow")))
        .contains("error: --once and --follow contradict each other");
  }
  private static String[] report(Exception e, int[] code) {
    StringWriter text = new StringWriter();
    code[0] = Main.report(e, new PrintWriter(text, true));
    return text.toString().split("\n");
  }

  @Test
  void anUnexpectedFailureIsOneLineNamingItsRootCauseWithoutAStackTrace() {
    int[] code = new int[1];
    Exception failure = new IllegalStateException("could not read the lag of oracle-feishu-sync.ORDERS",
        new RuntimeException("timed out", new ConnectException("Connection refused")));

    String[] lines = report(failure, code);

    assertThat(code[0]).isEqualTo(Main.FAILED);
    assertThat(lines).hasSize(1);
    assertThat(lines[0]).startsWith("error: java.lang.IllegalStateException: could not read the lag")
        .contains("caused by java.net.ConnectException: Connection refused").doesNotContain("\tat ");
  }

  @Test
  void aUserErrorWithACauseSaysTheCauseUnderItsProblem() {
    int[] code = new int[1];
    Exception failure = new UserError("cannot start Kafka in /tmp/state: port in use",
        new java.io.IOException("wrapped", new java.net.BindException("Address already in use")));

    String[] lines = report(failure, code);

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines).containsExactly("error: cannot start Kafka in /tmp/state: port in use",
        "  (caused by java.net.BindException: Address already in use)");
  }

  @Test
  void aProblemAroundTheLauncherExitsWithItsOwnCode() {
    int[] code = new int[1];
    Exception failure = UserError.environment("cannot reach the Kafka Connect REST API at http://127.0.0.1:1",
        new ConnectException("Connection refused"));

    String[] lines = report(failure, code);

    assertThat(code[0]).as("not a config problem: cron may try again").isEqualTo(Main.ENVIRONMENT).isEqualTo(3);
    assertThat(lines).containsExactly("error: cannot reach the Kafka Connect REST API at http://127.0.0.1:1",
        "  (caused by java.net.ConnectException: Connection refused)");
  }

  @Test
  void aUserErrorAloneIsOneLineAProblem() {
    int[] code = new int[1];

    String[] lines = report(new UserError(java.util.List.of("feishu.app_id is missing", "oracle.table is missing")), code);

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines).containsExactly("error: feishu.app_id is missing", "error: oracle.table is missing");
  }

  @Test
  void whyASyncFailedGoesToStandardErrorSoACronLineKeepingOnlyErrorsStillMailsIt() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    dev.ofsync.launcher.run.Follow.Outcome failed = new dev.ofsync.launcher.run.Follow.Outcome(false,
        java.util.List.of("ofs-orders-sink task 0: column 'NOTE': 100001 characters"),
        new dev.ofsync.launcher.run.Follow.Totals(10, 9, 0, 0, 0, 3, 1, java.util.List.of("Orders 9"), 0));

    RunCommand.report(failed, System.currentTimeMillis(), new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(err.toString()).contains("Sync FAILED after").contains("column 'NOTE': 100001 characters");
    assertThat(out.toString()).doesNotContain("FAILED").contains("Rows read: 10").contains("Orders 9");
  }
}
