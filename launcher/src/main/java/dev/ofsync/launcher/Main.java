package dev.ofsync.launcher;

import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/oracle-feishu-sync}: the seed's command line. Without a command it runs the sync as the
 * seed did ({@code --config}, {@code --full-sync}, {@code --reset-checkpoint}); {@code quickstart},
 * {@code status} and {@code validate} are the other commands.
 *
 * <p>Exit codes: 0 done; 1 the sync failed (the reason is printed); 2 a problem in the config or
 * the command line, one line per problem; 3 a problem around the launcher ({@link UserError#environment});
 * 130 interrupted.
 */
@Command(name = "oracle-feishu-sync", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Copies an Oracle table into Feishu Bitable through Kafka Connect, and keeps it current.",
    subcommands = {RunCommand.class, QuickstartCommand.class, StatusCommand.class, ValidateCommand.class},
    footer = {"", "Without a command: the same as 'run' (sync until caught up, then exit; --follow to go on). Exit codes: 0 done, 1 sync failed, 2 config or command line "
        + "problem, 3 a problem around the launcher (Kafka cannot start, the state directory is in use, a Connect "
        + "cluster does not answer): the same run may work later, 130 interrupted."})
public final class Main implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin
  RunOptions options = new RunOptions();

  @Override
  public Integer call() throws Exception {
    return RunCommand.execute(options, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int CONFIG = 2;
  public static final int ENVIRONMENT = 3;
  public static final int INTERRUPTED = 130;

  public static void main(String[] args) {
    // until a command points the log into its state directory (Logs.into): the temp directory, not
    // wherever the command was started (cron's home, a read-only folder)
    if (System.getProperty(Logs.PROPERTY) == null) {
      System.setProperty(Logs.PROPERTY, java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
          "oracle-feishu-sync-" + System.getProperty("user.name", "user") + ".log").toString());
    }
    // Kafka halts the JVM when its log directory fails (a full disk, say), skipping shutdown hooks:
    // say why, and that it is the machine's problem (exit 3), instead of dying without a word
    org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) -> {
      System.err.println("error: the embedded Kafka stopped the launcher: " + (message == null ? "exit " + code : message)
          + ". Its state directory (kafka.state_dir) may be on a full or failing disk: free space or move it, then run "
          + "again; the offsets written before are kept" + Logs.where());
      System.err.flush();
      Runtime.getRuntime().halt(ENVIRONMENT);
    });
    System.exit(run(System.out, System.err, args));
  }

  private static org.slf4j.Logger log() {
    return org.slf4j.LoggerFactory.getLogger(Main.class); // not at class load: main() first says where the log goes
  }

  /** Runs a command line; answers the exit code (tests call this, not {@link #main}). */
  public static int run(PrintStream out, PrintStream err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(e -> e instanceof UserError u ? exitCode(u) : FAILED);
    cli.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage());
      e.getCommandLine().getErr().println("(see --help)");
      return CONFIG;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, commandLine.getErr()));
    cli.setExecutionStrategy(parsed -> {
      String misplaced = optionsBeforeACommand(parsed);
      if (misplaced != null) {
        cli.getErr().println("error: " + misplaced + " comes before the command '" + parsed.subcommand().commandSpec().name()
            + "', where it applies to nothing; write it after the command (e.g. " + parsed.subcommand().commandSpec().name()
            + " " + misplaced + " ...)");
        cli.getErr().println("(see --help)");
        return CONFIG;
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return cli.execute(args);
  }

  /**
   * The first option given before a command ({@code --config x status}): each command has options
   * of its own, so one written before it would be ignored, and the command would act on
   * {@code config.yaml} instead.
   */
  private static String optionsBeforeACommand(CommandLine.ParseResult parsed) {
    if (parsed.subcommand() == null) {
      return null;
    }
    return parsed.matchedOptions().stream().filter(o -> !o.usageHelp() && !o.versionHelp())
        .map(CommandLine.Model.OptionSpec::longestName).findFirst().orElse(null);
  }

  /**
   * What the user sees of a command's failure: one line a problem on the terminal (README: no stack
   * trace), the innermost cause named, and the whole of it in the log; answers the exit code.
   */
  static int report(Exception e, PrintWriter errors) {
    if (e instanceof InterruptedException) {
      return INTERRUPTED;
    }
    if (e instanceof UserError u) {
      u.problems().forEach(p -> errors.println("error: " + p));
      if (u.getCause() != null) {
        log().error("{}", u.getMessage(), u.getCause());
        errors.println("  (caused by " + rootCause(u) + Logs.where() + ")");
      }
      return exitCode(u);
    }
    log().error("oracle-feishu-sync failed", e);
    String root = rootCause(e);
    errors.println("error: " + e + (root.equals(e.toString()) ? "" : " (caused by " + root + ")") + Logs.where());
    return FAILED;
  }

  private static int exitCode(UserError u) {
    return u.inEnvironment() ? ENVIRONMENT : CONFIG;
  }

  /** The innermost cause's class and message: what went wrong underneath the wrappers. */
  static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return UserError.oneLine(root.toString());
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"oracle-feishu-sync " + (v == null ? "(development build)" : v)};
    }
  }
}
