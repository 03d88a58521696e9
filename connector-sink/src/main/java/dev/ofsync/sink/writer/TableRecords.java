package dev.ofsync.sink.writer;

import dev.ofsync.sink.table.TableRoller;
import dev.ofsync.sink.table.TableState;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/** The tables a task creates, recorded in the key index's log. */
final class TableRecords implements TableRoller.Records {
  private final IndexLog log;
  private final int taskId;

  TableRecords(IndexLog log, int taskId) {
    this.log = log;
    this.taskId = taskId;
  }

  /** Stored before Feishu is asked: a crash during the call leaves the table known as this task's. */
  @Override
  public void intend(String name) {
    log.markIntent(name, taskId);
    try {
      log.flush();
    } catch (RetriableException e) {
      // the creating thread cannot wait for Kafka the way a put() can: the task stops, as a lane's would
      throw new ConnectException("could not store the name of table " + name + " in the key index topic before "
          + "creating it, so no table is created: " + e.getMessage() + ". Restart the task once Kafka takes writes", e);
    }
  }

  @Override
  public void abandon(String name) {
    log.dropIntent(name, taskId);
  }

  @Override
  public void created(TableState table) {
    log.markOwner(table.tableId(), taskId);
    log.dropIntent(table.name(), taskId);
  }
}
