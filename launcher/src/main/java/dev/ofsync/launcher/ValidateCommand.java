package dev.ofsync.launcher;

import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.config.SeedConfig;
import dev.ofsync.launcher.config.Validation;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code validate}: the connectors' own config validation (which also logs in to Oracle and to
 * Feishu), each problem on one line with its key. Exit 0 when both connectors would start, 2 otherwise.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check config.yaml: settings, the Oracle login and table, the Feishu app and base.")
final class ValidateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--config", defaultValue = "config.yaml", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.")
  Path config;

  @Option(names = "--connect-url", paramLabel = "URL", description = "Check on this Kafka Connect cluster: its workers "
      + "resolve the secrets and log in from where the connectors run (default: kafka.connect_url; else here).")
  URI connectUrl;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SeedConfig seed = SeedConfig.load(config);
    Logs.into(PipelineConfig.stateDirOf(seed));
    PipelineConfig pipeline = PipelineConfig.of(seed);
    pipeline.notes().forEach(n -> out.println("note: " + n));
    URI remote = pipeline.connectUrl(connectUrl);
    // on a cluster, its workers check the config where the connectors will run (their secrets, their network)
    List<String> problems = Validation.problemsWhereTheyRun(pipeline, remote);
    if (!problems.isEmpty()) {
      throw UserError.refused(problems);
    }
    out.println(config + ": OK (" + seed.get("oracle.table_name") + " can be read; Feishu base "
        + seed.get("feishu.app_token") + " opens to the app, whose right to edit it shows at the first write"
        + (remote == null ? "" : "; checked on " + remote) + ")");
    return Main.OK;
  }
}
