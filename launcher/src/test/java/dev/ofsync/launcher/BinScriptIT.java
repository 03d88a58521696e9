package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/oracle-feishu-sync} itself: it finds the packaged launcher and starts it. The build it
 * runs on first use is skipped here (the build that runs this test has just made the launcher; its
 * stamp says so), since a Maven build inside a Maven build would only repeat this one.
 */
class BinScriptIT {
  private static final Path ROOT = Path.of(System.getProperty("launcher.target", "target")).toAbsolutePath()
      .getParent().getParent();
  private static final Path SCRIPT = ROOT.resolve("bin/oracle-feishu-sync");

  @BeforeAll
  static void markBuilt() throws Exception {
    Path stamp = ROOT.resolve("launcher/target/lib/.built");
    Files.writeString(stamp, "built by the test run\n");
  }

  private static LauncherProcess.Result script(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = SCRIPT.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the script finished").isTrue();
    return new LauncherProcess.Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void theScriptStartsTheLauncherAndListsItsCommands() throws Exception {
    assertThat(SCRIPT).isExecutable();

    LauncherProcess.Result help = script("--help");

    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).contains("--full-sync", "--reset-checkpoint", "--once", "--config", "quickstart", "status",
        "validate");
  }

  @Test
  void withoutJavaOnThePathTheScriptSaysSoAndExitsThreeNotAsAConfigProblem(@org.junit.jupiter.api.io.TempDir Path bin)
      throws Exception {
    // a PATH with only what the script needs before it looks for java
    for (String tool : java.util.List.of("bash", "dirname")) {
      Path found = java.util.Arrays.stream(System.getenv("PATH").split(java.io.File.pathSeparator)).map(d -> Path.of(d, tool))
          .filter(Files::isExecutable).findFirst().orElseThrow();
      Files.createSymbolicLink(bin.resolve(tool), found);
    }
    ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "--help").directory(ROOT.toFile()).redirectErrorStream(true);
    builder.environment().put("PATH", bin.toString());
    Process p = builder.start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as("3: around the launcher, not the config").isEqualTo(3);
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
        .isEqualTo("error: java not found; install JDK 17 or newer");
  }

  @Test
  void aMissingConfigFileIsOneLineAndExitCodeTwo() throws Exception {
    LauncherProcess.Result run = script("--config", "no-such-config.yaml", "--once");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.output().strip()).isEqualTo("error: no-such-config.yaml: no such file (pass --config with the path of "
        + "your config.yaml)");
  }
}
