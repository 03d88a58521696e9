package dev.ofsync.launcher.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ofsync.launcher.UserError;
import dev.ofsync.launcher.config.PipelineConfig;
import dev.ofsync.launcher.config.Validation;
import dev.ofsync.launcher.kafka.ConnectRest;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.source.config.OracleSourceConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches an embedded pipeline: prints progress (rows read, rows written, lag, Feishu requests per
 * second against the quota, tables, ETA), notices a failed connector or task, and tells when
 * everything committed in the database before a given time is durably in Feishu:
 * <ol>
 *   <li>the source has read every table to its end as of a time after that moment (its
 *       {@code caught-up-to-ms} metric) and its producer holds no unsent record;</li>
 *   <li>then the topic's end offsets are the target, and the sink must commit them (it commits
 *       only offsets whose rows are in Feishu).</li>
 * </ol>
 */
public final class Follow {
  /** How a follow ended. */
  public record Outcome(boolean caughtUp, List<String> failures, Totals totals) {
    public boolean failed() {
      return !failures.isEmpty();
    }
  }

  /** Counters of the run so far. */
  public record Totals(long read, long created, long updated, long deleted, long unchanged, long calls, long lag,
      List<String> tables, long bad) {
    long written() {
      return created + updated + deleted;
    }
  }

  private final Pipeline pipeline;
  private final PipelineConfig config;
  private final PrintWriter out;
  private final boolean live;
  private final Jmx jmx = new Jmx();
  private final double quota;
  private final long startNanos = System.nanoTime();
  private long lastPrint;
  private long lastCalls = -1;
  private long lastCallsAt;
  private double callsPerSecond;
  private long lastWritten = -1;
  private double writesPerSecond;
  private volatile Totals lastTotals;

  public Follow(Pipeline pipeline, PipelineConfig config, PrintWriter out, boolean live) {
    this.pipeline = pipeline;
    this.config = config;
    this.out = out;
    this.live = live;
    this.quota = quota(config);
  }

  /** The sink's request quota, for the progress line (a reference like ${env:RATE} resolved). */
  private static double quota(PipelineConfig config) {
    String rate = Validation.resolve(config.sinkConfig(null), new ArrayList<>())
        .get(FeishuSinkConfig.MAX_REQUESTS_PER_SECOND);
    try {
      return rate == null ? 50 : Double.parseDouble(rate.trim());
    } catch (NumberFormatException e) {
      return 50; // validated before the run; a value that still does not parse only costs the progress line its figure
    }
  }

  /**
   * Until every row committed before {@code sinceMs} is in Feishu, a failure, or the timeout
   * (null: none).
   */
  public Outcome untilCaughtUp(long sinceMs, Duration timeout) throws InterruptedException {
    try {
      return caughtUp(sinceMs, timeout);
    } catch (RuntimeException e) {
      if (pipeline.closing()) {
        return stopped();
      }
      throw e;
    }
  }

  /** Stopped (Ctrl-C): the figures seen last, as the worker's metrics go away with it. */
  private Outcome stopped() {
    endLine();
    return new Outcome(false, List.of(), lastTotals != null ? lastTotals : totals(0));
  }

  private Outcome caughtUp(long sinceMs, Duration timeout) throws InterruptedException {
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> target = null;
    try (TopicLag lag = new TopicLag(pipeline.bootstrapServers())) {
      while (true) {
        List<String> failures = failures();
        Map<TopicPartition, Long> end = lag.endOffsets(config.topic());
        Map<TopicPartition, Long> committed = lag.committed(config.sinkGroup());
        Totals totals = totals(TopicLag.behind(end, committed));
        if (!failures.isEmpty()) {
          endLine();
          return new Outcome(false, pipeline.closing() ? List.of() : failures, totals);
        }
        if (target == null && jmx.min(config.sourceName(), "caught-up-to-ms") >= sinceMs
            && jmx.sum(config.sourceName(), "source-record-active-count") <= 0) {
          target = lag.endOffsets(config.topic());
        }
        progress(totals, false);
        if (target != null && TopicLag.reached(target, committed)) {
          progress(totals, true);
          endLine();
          return new Outcome(true, List.of(), totals);
        }
        if (System.nanoTime() > deadline) {
          endLine();
          return new Outcome(false, List.of("not caught up after " + timeout.toSeconds() + " s: " + behind(target != null,
              totals) + ". A database or Feishu that cannot be reached is retried rather than failed, so the log says "
              + "what held the run up; if nothing did, raise --timeout"), totals);
        }
        Thread.sleep(500);
      }
    }
  }

  /** Which side a run that ran out of time was waiting for. */
  private String behind(boolean sourceCaughtUp, Totals totals) {
    if (sourceCaughtUp) {
      return String.format("the source has read every row committed before the start; %,d records are still to be "
          + "written to Feishu", totals.lag());
    }
    String delay = config.sourceConfig().getOrDefault(OracleSourceConfig.TIMESTAMP_DELAY_MS, "0").trim();
    return "the source has not yet read every row committed before the start" + (delay.equals("0") ? ""
        : " (it reads a row only once the database clock is " + OracleSourceConfig.TIMESTAMP_DELAY_MS + " = " + delay
            + " ms past its sync column, so a run lasts at least that long)")
        + String.format("; %,d records read are still to be written to Feishu", totals.lag());
  }

  /** Prints progress until interrupted (Ctrl-C) or a connector fails. */
  public Outcome forever() throws InterruptedException {
    try {
      return follow();
    } catch (RuntimeException e) {
      if (pipeline.closing()) {
        return stopped();
      }
      throw e;
    }
  }

  private Outcome follow() throws InterruptedException {
    try (TopicLag lag = new TopicLag(pipeline.bootstrapServers())) {
      while (true) {
        List<String> failures = failures();
        Map<TopicPartition, Long> end = lag.endOffsets(config.topic());
        Totals totals = totals(TopicLag.behind(end, lag.committed(config.sinkGroup())));
        if (pipeline.closing()) {
          return stopped();
        }
        if (!failures.isEmpty()) {
          endLine();
          return new Outcome(false, failures, totals);
        }
        progress(totals, false);
        Thread.sleep(1000);
      }
    }
  }

  private List<String> failures() throws InterruptedException {
    List<String> out = new ArrayList<>();
    if (pipeline.closing()) {
      return List.of("stopped");
    }
    try {
      out.addAll(ConnectRest.failures(pipeline.rest().status(config.sourceName())));
      out.addAll(ConnectRest.failures(pipeline.rest().status(config.sinkName())));
    } catch (UserError e) {
      out.add(e.getMessage());
    }
    return out;
  }

  public Totals totals(long lag) {
    String sink = config.sinkName();
    List<String> tables = new ArrayList<>();
    for (String gauge : jmx.texts(sink, "tables")) {
      for (String t : gauge.split(",")) {
        int eq = t.lastIndexOf('=');
        String rows = eq > 0 ? t.substring(eq + 1).trim() : "";
        if (eq > 0 && rows.matches("\\d+")) {
          tables.add(t.substring(0, eq) + " " + String.format("%,d", Long.parseLong(rows)));
        } else if (!t.isBlank()) {
          tables.add(t);
        }
      }
    }
    return new Totals(Math.max(0, jmx.sum(config.sourceName(), "rows-read-total")),
        Math.max(0, jmx.sum(sink, "rows-created-total")), Math.max(0, jmx.sum(sink, "rows-updated-total")),
        Math.max(0, jmx.sum(sink, "rows-deleted-total")), Math.max(0, jmx.sum(sink, "rows-unchanged-total")),
        Math.max(0, jmx.sum(sink, "feishu-calls-total")), lag, tables, Math.max(0, jmx.sum(sink, "bad-records-total")));
  }

  private void progress(Totals t, boolean force) {
    lastTotals = t;
    long now = System.nanoTime();
    rates(t, now);
    long every = live ? 1_000_000_000L : 10_000_000_000L;
    if (!force && now - lastPrint < every) {
      return;
    }
    lastPrint = now;
    String eta = t.lag() == 0 ? "caught up" : writesPerSecond > 0 ? "ETA " + clock((long) (t.lag() / writesPerSecond))
        : "ETA -";
    String line = String.format("%s  read %,d | written %,d (unchanged %,d) | to write %,d | Feishu %.1f req/s of %.0f"
        + " | %s | %s", clock((now - startNanos) / 1_000_000_000L), t.read(), t.written(), t.unchanged(), t.lag(),
        callsPerSecond, quota, t.tables().isEmpty() ? "no table written yet" : String.join(" ", t.tables()), eta);
    if (live) {
      out.print("\r" + line + "\u001b[K");
    } else {
      out.println(line);
    }
    out.flush();
  }

  private void rates(Totals t, long now) {
    if (lastCalls < 0 || now - lastCallsAt >= 3_000_000_000L) {
      if (lastCalls >= 0) {
        double seconds = (now - lastCallsAt) / 1e9;
        callsPerSecond = (t.calls() - lastCalls) / seconds;
        writesPerSecond = (t.written() + t.unchanged() - lastWritten) / seconds;
      }
      lastCalls = t.calls();
      lastWritten = t.written() + t.unchanged();
      lastCallsAt = now;
    }
  }

  private void endLine() {
    if (live && lastPrint != 0) {
      out.println();
    }
  }

  static String clock(long seconds) {
    return String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }

  /** The run's figures for {@code last-run.json}. */
  public static ObjectNode record(Outcome outcome, String result) {
    ObjectNode node = Pipeline.JSON.createObjectNode();
    node.put("finished", Instant.now().toString());
    node.put("result", result);
    Totals t = outcome.totals();
    node.put("rows_read", t.read());
    node.put("rows_created", t.created());
    node.put("rows_updated", t.updated());
    node.put("rows_deleted", t.deleted());
    node.put("rows_unchanged", t.unchanged());
    node.put("feishu_calls", t.calls());
    node.put("records_not_yet_written", t.lag());
    node.put("rows_not_written", t.bad());
    com.fasterxml.jackson.databind.node.ArrayNode tables = node.putArray("tables");
    t.tables().forEach(tables::add);
    com.fasterxml.jackson.databind.node.ArrayNode failures = node.putArray("failures");
    outcome.failures().forEach(failures::add);
    return node;
  }
}
