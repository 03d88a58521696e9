package dev.ofsync.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ofsync.sink.mapping.Change;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
}
