package dev.ofsync.launcher;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The seed's flags, shared by {@code run} and the command line without a command. */
final class RunOptions {
  @Option(names = "--config", defaultValue = "config.yaml", paramLabel = "FILE",
      description = "The seed's config.yaml (oracle.*, feishu.*, sync.* keys). Default: ${DEFAULT-VALUE}.")
  Path config;

  @Option(names = "--full-sync", description = "Read the whole table again (resets the source's offsets); rows "
      + "already in Feishu and unchanged cost no write.")
  boolean fullSync;

  @Option(names = "--reset-checkpoint", description = "Forget every checkpoint: the source's offsets and the "
      + "sink's; the table is read again and the topic replayed (rows already in Feishu are updated, not doubled).")
  boolean resetCheckpoint;

  @Option(names = "--once", description = "Sync until caught up with the rows committed before the start, then "
      + "exit: what a run does without --follow (kept for the command lines that name it).")
  boolean once;

  @Option(names = "--follow", description = "After catching up, keep following new changes (within seconds) until "
      + "stopped (Ctrl-C, SIGTERM): for a service. Without it the run exits when caught up, as the seed's did "
      + "(0: done; 1: the sync failed, with the reason).")
  boolean follow;

  @Option(names = "--connect-url", paramLabel = "URL", description = "Deploy to this Kafka Connect cluster (its REST "
      + "API) instead of running Kafka and Connect here. Same as kafka.connect_url in the config.")
  URI connectUrl;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up (exit 1) when not caught up this long after the start. Not with --follow.")
  Long timeoutSeconds;
}
