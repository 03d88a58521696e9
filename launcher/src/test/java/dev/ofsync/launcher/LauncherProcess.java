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

  static Result run(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
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
    Process process = builder.start();
    if (!process.waitFor(4, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the launcher did not finish within 4 minutes: " + String.join(" ", args)
          + "\n" + Files.readString(output, StandardCharsets.UTF_8));
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    System.out.println("$ oracle-feishu-sync " + String.join(" ", args) + "  (exit " + process.exitValue() + ")\n" + text);
    return new Result(process.exitValue(), text);
  }
}
