package dev.ofsync.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The launcher as a user runs it: its own JVM, started the way {@code bin/oracle-feishu-sync}
 * starts it (the packaged jar and {@code target/lib}), with its own environment.
 */
final class LauncherProcess {
  record Result(int exit, String output) {}

  private LauncherProcess() {}

  /** A launcher started in the background: its process and what it printed so far. */
  record Running(Process process, Path outputFile, String args) {
    String output() throws IOException {
      return Files.readString(outputFile, StandardCharsets.UTF_8);
    }

    /** Stops it as Ctrl-C or a service manager would (SIGTERM), and answers its exit code and output. */
    Result stop() throws IOException, InterruptedException {
      process.destroy();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        String why = stuck();
        process.destroyForcibly();
        throw new IllegalStateException("the launcher did not stop within 2 minutes of SIGTERM: " + args + "\n" + why);
      }
      String text = output();
      System.out.println("$ oracle-feishu-sync " + args + "  (stopped, exit " + process.exitValue() + ")\n" + text);
      return new Result(process.exitValue(), text);
    }

    /** What a launcher that does not stop is doing: its threads, its output and the end of its log. */
    private String stuck() throws IOException, InterruptedException {
      StringBuilder out = new StringBuilder("output:\n").append(output());
      String logLine = output().lines().filter(l -> l.startsWith("Log: ")).findFirst().orElse(null);
      if (logLine != null) {
        try {
          List<String> log = Files.readAllLines(Path.of(logLine.substring("Log: ".length()).trim()), StandardCharsets.UTF_8);
          out.append("\nend of its log:\n").append(String.join("\n", log.subList(Math.max(0, log.size() - 200), log.size())));
        } catch (IOException e) {
          out.append("\n(its log could not be read: ").append(e).append(')');
        }
      }
      Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true).start();
      String threads = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out.append("\nits threads:\n").append(threads).toString();
    }
  }

  static Result run(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Running running = start(workDir, env, args);
    Process process = running.process();
    if (!process.waitFor(4, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the launcher did not finish within 4 minutes: " + running.args()
          + "\n" + running.output());
    }
    String text = running.output();
    System.out.println("$ oracle-feishu-sync " + running.args() + "  (exit " + process.exitValue() + ")\n" + text);
    return new Result(process.exitValue(), text);
  }

  static Running start(Path workDir, Map<String, String> env, String... args) throws IOException {
    Path target = Path.of(System.getProperty("launcher.target", "target")).toAbsolutePath();
    String jar = null;
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "launcher-*.jar")) {
      for (Path p : jars) {
        jar = p.toString();
      }
    }
    if (jar == null || !Files.isDirectory(target.resolve("lib"))) {
      throw new IllegalStateException("run 'mvn package' first: no launcher jar or lib/ in " + target);
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-cp", jar + java.io.File.pathSeparator + target.resolve("lib") + java.io.File.separator + "*",
        "dev.ofsync.launcher.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Path output = Files.createTempFile(workDir, "launcher-", ".out");
    builder.redirectOutput(output.toFile());
    return new Running(builder.start(), output, String.join(" ", args));
  }
}
