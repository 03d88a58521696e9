package dev.ofsync.sink;

import dev.ofsync.sink.client.BitableClient;
import dev.ofsync.sink.client.FeishuCallException;
import dev.ofsync.sink.client.RequestBudget;
import dev.ofsync.sink.config.FeishuSinkConfig;
import dev.ofsync.sink.mapping.ColumnMapper;
import dev.ofsync.sink.mapping.RowMapper;
import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.writer.Backlog;
import dev.ofsync.sink.writer.IndexLog;
import dev.ofsync.sink.writer.KafkaBacklog;
import dev.ofsync.sink.writer.KafkaIndexLog;
import dev.ofsync.sink.writer.SinkWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to Feishu Bitable. Offsets are the checkpoint: {@link #preCommit} hands the
 * framework only offsets whose records are in Feishu, so a crash replays and never skips.
 */
public class FeishuSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(FeishuSinkTask.class);

  private FeishuSinkConfig config;
  private SinkWriter writer;
  /** The key index is still to be loaded for the partitions assigned (a passing failure in open()). */
  private boolean indexPending;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new FeishuSinkConfig(props);
    RequestBudget budget = RequestBudget.forTask(config.baseUrl(), config.appId(), config.taskId(), config.tasksMax(),
        config.maxRequestsPerSecond());
    BitableClient client = new BitableClient(config.baseUrl(), config.appId(), config.appSecret().value(),
        config.appToken(), Duration.ofMillis(config.requestTimeoutMs()), budget, config.maxRetries(),
        config.retryBackoffMs());
    TableRoller roller = new TableRoller(client, config.tableNamePrefix(), config.baseTableId(),
        config.maxRowsPerTable(), config.tablesInParallel(), config.taskId(), config.tasksMax());
    RowMapper mapper = new RowMapper(new ColumnMapper(config.datetimeMode(), config.timezone()),
        config.deleteMode() == FeishuSinkConfig.DeleteMode.DELETE,
        config.writeMode() == FeishuSinkConfig.WriteMode.UPSERT, config.keyFieldName());
    IndexLog log = config.indexBootstrapServers().isEmpty() || config.writeMode() != FeishuSinkConfig.WriteMode.UPSERT
        ? IndexLog.NONE : new KafkaIndexLog(config.indexTopic(), new HashMap<>(config.indexClientProps()));
    Backlog backlog = Backlog.NONE;
    try {
      if (!config.indexBootstrapServers().isEmpty()) {
        backlog = new KafkaBacklog(new HashMap<>(config.indexClientProps()), "feishu-sink-backlog-" + config.indexTopic()
            + "-" + config.taskId());
      }
      writer = new SinkWriter(config, client, roller, mapper, log, backlog, errantRecordReporter());
    } catch (RuntimeException e) {
      backlog.close();
      log.close(); // its Kafka clients and their threads
      throw e;
    }
    SinkMetrics.register(pluginMetrics(), writer.counters(), client.counters(), roller);
    try {
      writer.start();
    } catch (InterruptedException e) {
      writer.close();
      Thread.currentThread().interrupt();
      throw new ConnectException("interrupted while starting", e);
    } catch (FeishuCallException e) {
      writer.close();
      if (e.failure().passes()) {
        throw new ConnectException("cannot start writing to Feishu for now: " + e.getMessage() + ". Feishu (or the way "
            + "to it) failed for longer than the task's retries (" + FeishuSinkConfig.MAX_RETRIES + "="
            + config.maxRetries() + "); restart the task once it answers again", e);
      }
      throw new ConnectException("cannot start writing to Feishu: " + e.withAdvice(), e);
    } catch (RuntimeException e) {
      writer.close();
      throw e instanceof ConnectException ? e : new ConnectException("cannot start writing to Feishu: " + e.getMessage(), e);
    }
    LOG.info("Feishu sink task {} of {} started: base {}, prefix '{}', {} rows per table, {} table(s) side by side, "
            + "{} calls/s", config.taskId(), config.tasksMax(), config.appToken(), config.tableNamePrefix(),
        config.maxRowsPerTable(), config.tablesInParallel(), config.maxRequestsPerSecond() / config.tasksMax());
  }

  private org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
    try {
      return context.pluginMetrics();
    } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
      return null; // a worker older than Kafka 4.1 has no plugin metrics
    }
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6
    }
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    try {
      if (indexPending) {
        writer.reloadIndex();
        indexPending = false;
      }
      writer.put(records);
    } catch (RetriableException e) {
      context.timeout(config.retryBackoffMs() * 10);
      throw e;
    } catch (FeishuCallException e) {
      // a call made on this thread (counting a table, placing new rows) that failed for good or
      // outlasted its retries: passing ones are retried by the worker with the same records
      if (e.failure().passes()) {
        context.timeout(config.retryBackoffMs() * 10);
      }
      throw SinkWriter.translate(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("interrupted while writing to Feishu", e);
    }
  }

  /**
   * Commits what is in Feishu, without waiting for what is not: partial batches go out after their
   * linger, and are committed at a later commit. A fatal write error is reported by the next put().
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    try {
      writer.requestFlush();
    } catch (ConnectException e) {
      LOG.warn("Writing to Feishu stopped; committing the offsets of what was written: {}", e.getMessage());
    }
    Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>(writer.safeOffsets());
    safe.keySet().retainAll(currentOffsets.keySet());
    return safe;
  }

  /**
   * Loads the key index whenever partitions are assigned: another task may have written keys of
   * these partitions since this task started (its writes under way finish before it gives them up).
   */
  @Override
  public void open(Collection<TopicPartition> partitions) {
    writer.assigned(partitions);
    try {
      writer.reloadIndex();
      indexPending = false;
    } catch (FeishuCallException e) {
      if (!e.failure().passes()) {
        throw SinkWriter.translate(e);
      }
      // an exception here fails the task whatever its kind (Connect rethrows it after the poll):
      // the next put() loads the index first, and a failure there is retried with its records
      indexPending = true;
      LOG.warn("Loading the key index must wait (the next put() tries again): {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("interrupted while loading the key index", e);
    }
  }

  /**
   * Gives partitions up at once, so a rebalance does not wait for a backlog to be written: their
   * changes still waiting are left to the next owner, who replays them from the committed offsets;
   * writes under way are waited for, so that owner's index knows every row this task wrote.
   */
  @Override
  public void close(Collection<TopicPartition> partitions) {
    if (writer == null) {
      return;
    }
    try {
      writer.dropPartitions(partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop() {
    if (writer != null) {
      writer.close();
    }
  }
}
