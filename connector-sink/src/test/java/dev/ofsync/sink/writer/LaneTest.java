package dev.ofsync.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.sink.mapping.Change;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.sink.SinkRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class LaneTest {
  /** A writer whose writes fail with what {@code failure} throws, and that remembers a lane's death. */
  private static final class FailingWriter implements Lane.Writer {
    final AtomicReference<Throwable> died = new AtomicReference<>();

    @Override
    public List<Pending> write(Lane lane, List<Pending> batch) {
      throw new AssertionError("a bug in the write path");
    }

    @Override
    public void merged(Pending older, Pending newer) {
    }

    @Override
    public void submit(Runnable lane) {
      new Thread(lane, "lane-test").start();
    }

    @Override
    public boolean stopped() {
      return died.get() != null;
    }

    @Override
    public void died(Lane lane, Throwable cause) {
      died.set(cause);
    }
  }

  @Test
  void aLaneWhoseThreadMeetsAnErrorStopsWritingAndSaysWhy() {
    FailingWriter writer = new FailingWriter();
    Lane lane = new Lane(null, writer, 10, 0, 0);
    SinkRecord record = new SinkRecord("orders", 0, null, "1", null, "row", 7);

    lane.add(Pending.of("1", record, new Change(Change.Kind.UPSERT, "1", Map.of(), List.of(), 1L)));

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> writer.died.get() != null);
    assertThat(writer.died.get()).hasMessage("a bug in the write path");
    Awaitility.await("the lane no longer counts as writing").atMost(Duration.ofSeconds(10))
        .until(() -> !lane.writing());
  }

  /** A writer whose every write waits until the test lets it end, then gives its whole batch back to try again. */
  /** What every test writer does alike: its lane runs on a thread of its own; nothing stops it. */
  private abstract static class TestWriter implements Lane.Writer {
    @Override
    public void merged(Pending older, Pending newer) {
    }

    @Override
    public void submit(Runnable lane) {
      Thread t = new Thread(lane, "lane-test");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public boolean stopped() {
      return false;
    }

    @Override
    public void died(Lane lane, Throwable cause) {
    }
  }

  private static final class GivingBackWriter extends TestWriter {
    final Semaphore started = new Semaphore(0);
    final Semaphore finish = new Semaphore(0);

    @Override
    public List<Pending> write(Lane lane, List<Pending> batch) throws InterruptedException {
      started.release();
      finish.acquire();
      return batch;
    }
  }

  /**
   * A partition given up while its batch is being written: the task waits for the write to end,
   * then takes back that partition's changes. Those the write gave back must be among them (queued
   * again after the task looked, they would be written with offsets no longer tracked).
   */
  @Test
  void whenAWriteCountsAsDoneWhatItGaveBackIsWaitingAgain() throws Exception {
    GivingBackWriter writer = new GivingBackWriter();
    for (int round = 0; round < 200; round++) {
      Lane lane = new Lane(null, writer, 10, 0, 60_000); // what is given back waits a minute: only the task takes it
      SinkRecord record = new SinkRecord("orders", 0, null, "1", null, "row", round);
      lane.add(Pending.of("1", record, new Change(Change.Kind.UPSERT, "1", Map.of(), List.of(), round)));
      assertThat(writer.started.tryAcquire(10, TimeUnit.SECONDS)).as("write " + round + " began").isTrue();
      writer.finish.release();
      assertThat(lane.awaitWriteDone(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
      assertThat(lane.takeAll(p -> true)).as("round " + round + ": the change the write gave back").hasSize(1);
    }
  }

  /** A writer that gives its first batch back and keeps every batch it is given. */
  private static final class RecordingWriter extends TestWriter {
    final List<List<Pending>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public List<Pending> write(Lane lane, List<Pending> batch) {
      batches.add(List.copyOf(batch));
      return batches.size() == 1 ? batch : List.of();
    }
  }

  private static Pending change(String key, long offset, long hash) {
    SinkRecord record = new SinkRecord("orders", 0, null, key, null, "row", offset);
    return Pending.of(key, record, new Change(Change.Kind.UPSERT, key, Map.of(), List.of(), hash));
  }

  /**
   * A batch given back (a create whose answer was lost) goes again exactly as it was, so its
   * client_token is the same; a later change of one of its keys, and new keys, wait for the next.
   */
  @Test
  void aBatchGivenBackGoesAgainAsItWasWhileLaterChangesWaitForTheNextBatch() {
    RecordingWriter writer = new RecordingWriter();
    Lane lane = new Lane(null, writer, 10, 200, 300); // both changes in the first batch (after 200 ms)
    Pending one = change("1", 0, 1);
    Pending two = change("2", 1, 2);
    lane.add(one);
    lane.add(two);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> writer.batches.size() == 1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lane.backlog() == 2); // given back, waiting 300 ms

    lane.add(change("2", 2, 22)); // key 2 changed again meanwhile
    lane.add(change("3", 3, 3));

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> writer.batches.size() == 3 && lane.idle());
    assertThat(writer.batches.get(1)).as("the batch tried again, as it was").containsExactly(one, two);
    assertThat(writer.batches.get(2)).extracting(p -> p.key + "@" + p.change.hash()).containsExactlyInAnyOrder("2@22", "3@3");
  }
}
