package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class RequestBudgetTest {
  /** The most timestamps within any 1-second window. */
  private static int busiestSecond(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    int most = 0;
    int start = 0;
    for (int end = 0; end < sorted.size(); end++) {
      while (sorted.get(end) - sorted.get(start) >= 1_000_000_000L) {
        start++;
      }
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  /** {@code threads} threads each acquiring {@code each} calls of the classes given in turn; answers each release time. */
  private static List<Long> acquireFrom(RequestBudget budget, int threads, int each, CallClass... classes)
      throws Exception {
    List<Long> times = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        CallClass c = classes[t % classes.length];
        all.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < each; i++) {
            try {
              times.add(budget.acquire(c));
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).join();
    } finally {
      pool.shutdownNow();
    }
    return times;
  }

  /** The release instants of 50 record writes, one after another. */
  private static List<Long> fiftyWrites(RequestBudget budget) throws InterruptedException {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      out.add(budget.acquire(CallClass.RECORD_WRITE));
    }
    return out;
  }

  /** The shortest time from a release to the {@code n}-th after it. */
  private static long shortestSpan(List<Long> nanos, int n) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    long min = Long.MAX_VALUE;
    for (int i = 0; i + n < sorted.size(); i++) {
      min = Math.min(min, sorted.get(i + n) - sorted.get(i));
    }
    return min;
  }

  @Test
  void manyThreadsGetFortySevenCallsASecondAndAnyFiftyOneSpanMoreThanASecond() throws Exception {
    RequestBudget budget = new RequestBudget(50, 1);

    List<Long> times = acquireFrom(budget, 20, 6, CallClass.RECORD_WRITE);

    assertThat(budget.overallPerWindow()).isEqualTo(47);
    assertThat(busiestSecond(times)).isLessThanOrEqualTo(50);
    assertThat(shortestSpan(times, 50)).as("51 calls leave at least 1.06 s apart, first to last")
        .isGreaterThanOrEqualTo(1_060_000_000L);
  }

  @Test
  void aCallThatGoesLateAfterItsTurnHoldsBackNoOtherYetStaysInTheWindow() throws Exception {
    RequestBudget budget = new RequestBudget(50, 1);
    long turn = budget.turn(CallClass.RECORD_WRITE); // its turn comes first, but its thread is slow to take it

    long start = System.nanoTime();
    List<Long> times = new ArrayList<>(acquireFrom(budget, 5, 12, CallClass.RECORD_WRITE));
    long othersTook = System.nanoTime() - start;
    times.add(budget.release(CallClass.RECORD_WRITE, turn));

    assertThat(othersTook).as("60 calls at 47 a second, not pushed back").isLessThan(3_000_000_000L);
    assertThat(shortestSpan(times, 50)).as("the late one too: any 51 calls leave over at least 1.06 s")
        .isGreaterThanOrEqualTo(1_060_000_000L);
    assertThat(busiestSecond(times)).isLessThanOrEqualTo(50);
  }

  /** A clock that moves only when a waiting call parks on it (by exactly the time asked, plus any stall set up). */
  private static final class FakeTicker implements RequestBudget.Ticker {
    long now = 1_000_000_000L;
    long nextStall;

    @Override
    public long currentTimeNanos() {
      return now;
    }

    @Override
    public void park(Object blocker, long nanos) {
      now += nanos + nextStall;
      nextStall = 0;
    }
  }

  @Test
  void callsReleasedJustBeforeAStallCountAsLeavingAfterIt() throws Exception {
    FakeTicker clock = new FakeTicker();
    RequestBudget budget = new RequestBudget(50, 1, clock);
    long last = budget.acquire(CallClass.RECORD_WRITE);

    // the next call's thread wakes 300 ms after its turn (a collection pause, say): the call
    // released just before may have been held up too, and arrive only now, with the 50 after it
    clock.nextStall = 300_000_000L;
    List<Long> after = fiftyWrites(budget);

    long stallEnd = after.get(0);
    assertThat(stallEnd - last).isGreaterThanOrEqualTo(300_000_000L);
    assertThat(after.get(49) - stallEnd).as("the 51st call leaves a whole window (1.064 s) after the stall")
        .isGreaterThanOrEqualTo(1_060_000_000L);
    assertThat(busiestSecond(after)).isLessThanOrEqualTo(50);
  }

  @Test
  void aCallThatWentOutLateCountsFromWhenItWent() throws Exception {
    FakeTicker clock = new FakeTicker();
    RequestBudget budget = new RequestBudget(50, 1, clock);
    long released = budget.acquire(CallClass.RECORD_WRITE);
    // the HTTP client began writing it 40 ms later: Feishu counts it then
    budget.sending(CallClass.RECORD_WRITE, released, released + 40_000_000L);

    List<Long> after = fiftyWrites(budget);

    assertThat(after.get(0) - released).as("the next turn is not pushed back").isLessThan(30_000_000L);
    assertThat(after.get(49) - (released + 40_000_000L))
        .as("the 50th call after it leaves a whole window (1.064 s) after it went out")
        .isGreaterThanOrEqualTo(1_063_000_000L);
  }

  @Test
  void aCallThatWentOutOnTimeChangesNothing() throws Exception {
    FakeTicker clock = new FakeTicker();
    RequestBudget budget = new RequestBudget(50, 1, clock);
    long released = budget.acquire(CallClass.RECORD_WRITE);
    budget.sending(CallClass.RECORD_WRITE, released, released + 1_000_000L);

    List<Long> after = fiftyWrites(budget);

    assertThat(after.get(49) - released).as("on the schedule: 50 turns of 21.3 ms")
        .isBetween(1_063_000_000L, 1_065_000_000L);
  }

  @Test
  void classesAndTheOverallLimitAreTakenTogether() throws Exception {
    // 10 calls a second overall; every class may take all of them: mixed, no 11 calls within 1.11 s
    RequestBudget budget = new RequestBudget(10, 1);

    List<Long> times = acquireFrom(budget, 6, 4, CallClass.SCHEMA_WRITE, CallClass.READ, CallClass.RECORD_WRITE);

    assertThat(busiestSecond(times)).isLessThanOrEqualTo(10);
    assertThat(shortestSpan(times, 10)).isGreaterThanOrEqualTo(1_110_000_000L);
  }

  @Test
  void eachClassKeepsUnderFeishusOwnLimitAndTasksSplitTheApp() throws Exception {
    List<Long> schema = acquireFrom(new RequestBudget(50, 1), 3, 7, CallClass.SCHEMA_WRITE);
    assertThat(busiestSecond(schema)).isLessThanOrEqualTo(10);
    assertThat(shortestSpan(schema, 10)).isGreaterThanOrEqualTo(1_110_000_000L);
    assertThat(RequestBudget.callsPerWindow(50, 1)).isEqualTo(47);
    assertThat(RequestBudget.callsPerWindow(50, 2)).isEqualTo(23);
    assertThat(RequestBudget.callsPerWindow(20, 1)).isEqualTo(18);
    assertThat(RequestBudget.callsPerWindow(10, 1)).isEqualTo(9);
    assertThat(RequestBudget.callsPerWindow(200, 1)).isEqualTo(188);
    assertThat(RequestBudget.callsPerWindow(3, 10)).isEqualTo(1);
  }

  @Test
  void aPenaltyHoldsTheNextCallBackEvenOneAlreadyWaiting() throws Exception {
    RequestBudget budget = new RequestBudget(50, 1);
    budget.penalize(CallClass.READ, 300);
    CompletableFuture<Long> released = new CompletableFuture<>();
    Thread waiting = new Thread(() -> {
      try {
        released.complete(budget.acquire(CallClass.READ)); // its turn is 300 ms on
      } catch (InterruptedException e) {
        released.completeExceptionally(e);
      }
    });
    waiting.start();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollDelay(java.time.Duration.ZERO)
        .pollInterval(java.time.Duration.ofMillis(1)).until(() -> waiting.getState() == Thread.State.TIMED_WAITING);
    assertThat(released).as("still waiting").isNotDone();

    long start = System.nanoTime();
    budget.penalizeAll(500);

    assertThat((released.get() - start) / 1_000_000).isGreaterThanOrEqualTo(500);
  }

  @Test
  void aRestartedTaskContinuesItsPredecessorsPacing() throws InterruptedException {
    RequestBudget first = RequestBudget.forTask("http://feishu.test", "cli_budget_test", 0, 1, 50);
    long gone = first.acquire(CallClass.RECORD_WRITE);

    RequestBudget again = RequestBudget.forTask("http://feishu.test", "cli_budget_test", 0, 1, 50);
    long next = again.acquire(CallClass.RECORD_WRITE);

    assertThat(again).isSameAs(first);
    assertThat(next - gone).isGreaterThanOrEqualTo(1_000_000_000L / 47);
    assertThat(RequestBudget.forTask("http://feishu.test", "cli_budget_test", 1, 2, 50)).isNotSameAs(first);
  }

  @Test
  void refusalsMetByManyCallsAtOnceHoldForTheLongestWaitNotTheirSum() throws InterruptedException {
    FakeTicker clock = new FakeTicker();
    RequestBudget budget = new RequestBudget(50, 1, clock);
    budget.acquire(CallClass.RECORD_WRITE);

    for (int lane = 0; lane < 8; lane++) { // eight tables' writes refused by one 429 window
      budget.penalizeAll(300);
      budget.penalize(CallClass.RECORD_WRITE, 200);
    }
    long start = clock.now;
    long released = budget.acquire(CallClass.RECORD_WRITE);

    assertThat((released - start) / 1_000_000).isEqualTo(300L);
  }
}
