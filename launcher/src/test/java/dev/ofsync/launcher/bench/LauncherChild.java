package dev.ofsync.launcher.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged launcher in its own JVM, as {@code bin/oracle-feishu-sync} starts it, with a
 * fixed maximum heap and a GC log from which the peak heap is read. Its output is echoed with a
 * prefix and kept, so the benchmark can wait for a line.
 */
final class LauncherChild implements AutoCloseable {
  private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)(?: (\\d+(?:\\.\\d+)?)ms)?");

  /** Peak heap figures read off the GC log, in MiB. */
  record Heap(long peakUsed, long peakAfterGc, long peakCommitted, int collections, double pauseSeconds) {
    @Override
    public String toString() {
      return String.format("peak used %,d MiB, peak after a young collection %,d MiB, peak committed %,d MiB "
          + "(%d collections, %.1f s of pauses)", peakUsed, peakAfterGc, peakCommitted, collections, pauseSeconds);
    }
  }

  private final Process process;
  private final Path gcLog;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread pump;

  private LauncherChild(Process process, Path gcLog, String label) {
    this.process = process;
    this.gcLog = gcLog;
    this.pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
          System.out.println("    " + label + " | " + line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "launcher-output-" + label);
    pump.setDaemon(true);
    pump.start();
  }

  static LauncherChild start(String label, Path workDir, String maxHeap, String... args) throws IOException {
    Path target = launcherTarget();
    String jar = null;
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(target, "launcher-*.jar")) {
      for (Path p : jars) {
        jar = p.toString();
      }
    }
    if (jar == null) {
      throw new IllegalStateException("no launcher jar in " + target + ": run 'mvn -B -ntp install -DskipTests' first");
    }
    Files.createDirectories(workDir);
    Path gcLog = workDir.resolve("gc-" + label + ".log");
    Files.deleteIfExists(gcLog);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + maxHeap, "-Xlog:gc:file=" + gcLog));
    // e.g. -Dbench.childJvmArgs=-XX:StartFlightRecording=filename=launcher.jfr,settings=profile to see where its CPU goes
    String extra = System.getProperty("bench.childJvmArgs", "").replace("{label}", label);
    for (String arg : extra.trim().split("\\s+")) {
      if (!arg.isEmpty()) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-cp", jar + File.pathSeparator + target.resolve("lib") + File.separator + "*",
        "dev.ofsync.launcher.Main"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    return new LauncherChild(process, gcLog, label);
  }

  private static Path launcherTarget() {
    String configured = System.getProperty("launcher.target");
    if (configured != null) {
      return Path.of(configured);
    }
    for (Path candidate : List.of(Path.of("launcher", "target"), Path.of("target"))) {
      if (Files.isDirectory(candidate.resolve("lib"))) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException("no launcher/target/lib here: run from the repository root after "
        + "'mvn -B -ntp install -DskipTests'");
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for an output line that matches; false when the deadline passes or the process ends first. */
  boolean awaitLine(Predicate<String> match, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    int seen = 0;
    while (System.nanoTime() < end) {
      for (; seen < lines.size(); seen++) {
        if (match.test(lines.get(seen))) {
          return true;
        }
      }
      if (!process.isAlive() && seen >= lines.size()) {
        pump.join(1000);
        if (seen >= lines.size()) {
          return false;
        }
      }
      Thread.sleep(50); // polling the output of another process: there is nothing to be notified by
    }
    return false;
  }

  /** The exit code, or -1 when the process is still running at the deadline. */
  int waitFor(Duration deadline) throws InterruptedException {
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      return -1;
    }
    pump.join(2000);
    return process.exitValue();
  }

  /** Ctrl-C as a user stops it (SIGTERM runs the launcher's shutdown hook). */
  int stop(Duration deadline) throws InterruptedException {
    process.destroy();
    int exit = waitFor(deadline);
    if (exit == -1) {
      process.destroyForcibly();
      exit = waitFor(Duration.ofSeconds(10));
    }
    return exit;
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  Heap heap() throws IOException {
    long used = 0;
    long after = 0;
    long committed = 0;
    int count = 0;
    double pauses = 0;
    if (Files.exists(gcLog)) {
      for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
        Matcher m = GC_LINE.matcher(line);
        if (m.find()) {
          count++;
          used = Math.max(used, Long.parseLong(m.group(1)));
          after = Math.max(after, Long.parseLong(m.group(2)));
          committed = Math.max(committed, Long.parseLong(m.group(3)));
          if (m.group(4) != null) {
            pauses += Double.parseDouble(m.group(4)) / 1000;
          }
        }
      }
    }
    return new Heap(used, after, committed, count, pauses);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(60));
    }
  }
}
