package dev.ofsync.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.config.SeedConfig;
import dev.ofsync.launcher.config.Validation;
import dev.ofsync.launcher.kafka.ConnectRest;
import dev.ofsync.launcher.run.Pipeline;
import dev.ofsync.launcher.run.TopicLag;
import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.sink.client.TableInfo;
import dev.ofsync.sink.config.FeishuSinkConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status}: the connectors' and tasks' states (with the last error), the source's offsets,
 * the sink's lag (records not yet in Feishu and the age of the oldest), and the rows per table as
 * Feishu counts them. For a pipeline that is not running, the figures of its last run.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Connector and task states, offsets, lag, rows per Feishu table, last error.")
final class StatusCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--config", defaultValue = "config.yaml", paramLabel = "FILE", description = "Default: ${DEFAULT-VALUE}.")
  Path config;

  @Option(names = "--connect-url", paramLabel = "URL", description = "The Connect cluster the connectors run on.")
  URI connectUrl;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SeedConfig seed = SeedConfig.load(config);
    Logs.into(PipelineConfig.stateDirOf(seed));
    PipelineConfig pipeline = PipelineConfig.of(seed);
    URI remote = pipeline.connectUrl(connectUrl);
    String bootstrap = pipeline.bootstrapServers();
    boolean failed = false;
    if (remote == null) {
      Path state = pipeline.stateDir();
      JsonNode run = Pipeline.liveRun(state);
      if (run == null) {
        out.println("Not running (state directory " + state + ").");
        Path last = state.resolve("last-run.json");
        if (Files.exists(last)) {
          JsonNode lastRun = JSON.readTree(last.toFile());
          out.println("Last run: " + lastRun.toPrettyString());
          failed = "failed".equals(lastRun.path("result").asText()); // exit 1, for monitoring, as for a FAILED task
        }
      } else {
        remote = URI.create(run.path("connect_url").asText());
        bootstrap = run.path("bootstrap_servers").asText();
        out.println("Running (pid " + run.path("pid").asText() + ", since " + run.path("started").asText() + ").");
      }
    }
    if (remote != null) {
      failed |= connectors(new ConnectRest(remote), pipeline, out);
    }
    if (bootstrap != null && remote != null) {
      lag(bootstrap, pipeline, out);
    }
    tables(pipeline, out);
    return failed ? Main.FAILED : Main.OK;
  }

  /** Prints each connector's state, tasks and last errors, and the source's offsets; answers whether any FAILED. */
  private static boolean connectors(ConnectRest rest, PipelineConfig pipeline, PrintWriter out) throws UserError {
    boolean failed = false;
    boolean sourceDeployed = false;
    for (String name : List.of(pipeline.sourceName(), pipeline.sinkName())) {
      JsonNode status = rest.status(name);
      if (status.isMissingNode()) {
        out.println(name + ": not deployed");
        continue;
      }
      sourceDeployed |= name.equals(pipeline.sourceName());
      StringBuilder line = new StringBuilder(name + ": " + ConnectRest.state(status));
      failed |= "FAILED".equals(ConnectRest.state(status));
      for (JsonNode task : status.path("tasks")) {
        line.append(", task ").append(task.path("id").asText()).append(' ').append(task.path("state").asText());
        failed |= "FAILED".equals(task.path("state").asText());
      }
      out.println(line);
      ConnectRest.failures(status).forEach(f -> out.println("  last error: " + f));
    }
    if (sourceDeployed) {
      JsonNode offsets = rest.offsets(pipeline.sourceName());
      for (JsonNode o : offsets.path("offsets")) {
        out.println(pipeline.sourceName() + " offset: " + o.path("partition") + " -> " + o.path("offset"));
      }
    }
    return failed;
  }

  private static void lag(String bootstrap, PipelineConfig pipeline, PrintWriter out) throws InterruptedException {
    try (TopicLag lag = new TopicLag(bootstrap)) {
      Map<TopicPartition, Long> end = lag.endOffsets(pipeline.topic());
      Map<TopicPartition, Long> committed = lag.committed(pipeline.sinkGroup());
      long behind = TopicLag.behind(end, committed);
      long oldest = lag.oldestUnwrittenTimestamp(end, committed);
      out.printf("Topic %s: %,d records, %,d not yet in Feishu%s%n", pipeline.topic(),
          end.values().stream().mapToLong(Long::longValue).sum(), behind,
          oldest < 0 ? " (caught up)" : String.format("; end-to-end lag %.1f s (the oldest change not yet written)",
              (System.currentTimeMillis() - oldest) / 1000.0));
    } catch (RuntimeException e) {
      out.println("Lag: cannot read it from Kafka at " + bootstrap + ": " + e.getMessage());
    }
  }

  /** Rows per table of this sync, as Feishu counts them (the base table and {prefix}_NNN). */
  private static void tables(PipelineConfig pipeline, PrintWriter out) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    Map<String, String> sink = Validation.resolve(pipeline.sinkConfig(null), problems);
    if (!problems.isEmpty()) {
      problems.forEach(p -> out.println("Feishu tables: " + p));
      return;
    }
    FeishuSinkConfig config = new FeishuSinkConfig(sink);
    BitableClient client = new BitableClient(config.baseUrl(), config.appId(), config.appSecret().value(), config.appToken(),
        Duration.ofMillis(config.requestTimeoutMs()), new RequestBudget(Math.max(1, config.maxRequestsPerSecond() / 5), 1),
        2, 500);
    Pattern ours = Pattern.compile(Pattern.quote(config.tableNamePrefix()) + "(_\\d{3,})?");
    try {
      List<String> lines = new ArrayList<>();
      long total = 0;
      for (TableInfo t : client.listTables()) {
        if (t.tableId().equals(config.baseTableId()) || ours.matcher(t.name()).matches()) {
          int rows = client.rowCount(t.tableId());
          total += rows;
          lines.add(String.format("  %s (%s): %,d rows", t.name(), t.tableId(), rows));
        }
      }
      out.printf("Feishu base %s: %,d rows in %d tables%n", config.appToken(), total, lines.size());
      lines.forEach(out::println);
    } catch (RuntimeException e) {
      out.println("Feishu tables: cannot list them: " + e.getMessage());
    }
  }
}
