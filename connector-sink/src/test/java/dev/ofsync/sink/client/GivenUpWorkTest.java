package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the calls of a thread's work send once the work is given up (its partitions went to another
 * task at a rebalance) and once the rebalance stops waiting for it: nothing new, and a repeat only
 * of a call that cannot write twice and whose outcome is still unknown.
 */
class GivenUpWorkTest {
  private static final String APP_ID = "cli_given_up";
  private static final String APP_SECRET = "given-up-secret";
  private static final String APP_TOKEN = "bascnGivenUpTest1";

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);

  private BitableClient client;
  private String table;

  @BeforeEach
  void setUp() throws Exception {
    // a try gets 500 ms for its answer
    client = new BitableClient(FEISHU.url(), APP_ID, APP_SECRET, APP_TOKEN, Duration.ofMillis(500),
        new RequestBudget(1000, 1), 3, 20);
    table = client.createTable("Items", List.of(FieldSpec.text("ID"), FieldSpec.text("Name"))).table().tableId();
  }

  @AfterEach
  void tearDown() {
    BitableClient.workDone();
  }

  /**
   * Work given up after its first {@code wantedChecks} checks (a call checks when it starts and
   * again before each try is sent); abandoned or not.
   */
  private static final class Work implements BitableClient.Work {
    private final AtomicInteger checks = new AtomicInteger();
    private final int wantedChecks;
    private final boolean abandoned;
    final List<Long> updatesThatMayLand = new ArrayList<>();

    Work(int wantedChecks, boolean abandoned) {
      this.wantedChecks = wantedChecks;
      this.abandoned = abandoned;
    }

    @Override
    public boolean givenUp() {
      return checks.incrementAndGet() > wantedChecks;
    }

    @Override
    public boolean abandoned() {
      return abandoned;
    }

    @Override
    public void updateMayLand(long nanoTime) {
      updatesThatMayLand.add(nanoTime);
      updatesSentWhenTold.add(FEISHU.emulator().stats().calls("POST records/batch_update"));
    }

    final List<Long> updatesSentWhenTold = new ArrayList<>();
  }

  private long calls(String endpoint) {
    return FEISHU.emulator().stats().calls(endpoint);
  }

  @Test
  void aCallOfWorkGivenUpIsNotSent() {
    BitableClient.during(new Work(0, false));

    FeishuCallException e = catchThrowableOfType(FeishuCallException.class,
        () -> client.batchCreate(table, List.of(Map.of("ID", "1"))));

    assertThat(e.sent()).isFalse();
    assertThat(e.getMessage()).contains("not sent");
    assertThat(calls("POST records/batch_create")).isZero();
  }

  @Test
  void aTryWhoseWorkIsGivenUpWhileItWaitsForItsTurnIsNotSent() {
    // wanted when the call starts, given up by the time the budget lets the try go
    BitableClient.during(new Work(1, false));

    FeishuCallException e = catchThrowableOfType(FeishuCallException.class,
        () -> client.batchCreate(table, List.of(Map.of("ID", "1"))));

    assertThat(e.sent()).isFalse();
    assertThat(calls("POST records/batch_create")).isZero();
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Items").orElseThrow().rowCount()).isZero();
  }

  @Test
  void aCreateWithATryThatGotNoAnswerIsTriedAgainWhileTheRebalanceWaits() throws Exception {
    FEISHU.emulator().faults().script(FaultRule.slow(1_500).on(CallClass.RECORD_WRITE));
    BitableClient.during(new Work(2, false)); // given up once the first try is sent

    List<String> ids = client.batchCreate(table, List.of(Map.of("ID", "1")), "4a1c8f3e-1b2d-4c5e-8f60-718293a4b5c6");

    assertThat(ids).hasSize(1);
    assertThat(calls("POST records/batch_create")).as("the try with no answer, then one answered").isEqualTo(2);
  }

  @Test
  void aCreateWithATryThatGotNoAnswerIsNotTriedAgainOnceTheRebalanceStoppedWaiting() {
    FEISHU.emulator().faults().script(FaultRule.slow(1_500).on(CallClass.RECORD_WRITE));
    BitableClient.during(new Work(2, true));

    FeishuCallException e = catchThrowableOfType(FeishuCallException.class,
        () -> client.batchCreate(table, List.of(Map.of("ID", "1"))));

    assertThat(e.sent()).as("the try that timed out").isTrue();
    assertThat(calls("POST records/batch_create")).isEqualTo(1);
  }

  @Test
  void anUpdateTryThatGotNoAnswerIsReportedBeforeTheUpdateIsTriedAgain() throws Exception {
    String record = client.batchCreate(table, List.of(Map.of("ID", "1", "Name", "first"))).get(0);
    FEISHU.emulator().faults().script(FaultRule.slow(1_500).on(CallClass.RECORD_WRITE));
    Work work = new Work(Integer.MAX_VALUE, false); // never given up

    BitableClient.during(work);
    client.batchUpdate(table, Map.of(record, Map.of("Name", "second")));

    assertThat(calls("POST records/batch_update")).as("the try with no answer, then one answered").isEqualTo(2);
    // the caller records the pause then, so a crash during the retry still leaves it for the next owner
    assertThat(work.updatesSentWhenTold).as("told before the second try was sent").containsExactly(1L);
  }

  @Test
  void anUpdateWithATryThatGotNoAnswerIsNotTriedAgainOnceGivenUpAndSaysItMayLand() throws Exception {
    String record = client.batchCreate(table, List.of(Map.of("ID", "1", "Name", "first"))).get(0);
    FEISHU.emulator().faults().script(FaultRule.slow(1_500).on(CallClass.RECORD_WRITE));
    Work work = new Work(2, false);
    BitableClient.during(work);

    long before = System.nanoTime();
    FeishuCallException e = catchThrowableOfType(FeishuCallException.class,
        () -> client.batchUpdate(table, Map.of(record, Map.of("Name", "second"))));

    assertThat(e.sent()).isTrue();
    assertThat(calls("POST records/batch_update")).as("no second try of the older value").isEqualTo(1);
    assertThat(work.updatesThatMayLand).as("told once, when the try got no answer").hasSize(1);
    assertThat(work.updatesThatMayLand.get(0) - before).as("after the 500 ms timeout")
        .isGreaterThanOrEqualTo(Duration.ofMillis(500).toNanos());
  }
}
