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

  /** The smallest gap between two of the timestamps. */
  private static long closest(List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    long min = Long.MAX_VALUE;
    for (int i = 1; i < sorted.size(); i++) {
      min = Math.min(min, sorted.get(i) - sorted.get(i - 1));
    }
    return min;
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

  @Test
  void manyThreadsNeverGetMoreThanTheShareLessOneInAnySecond() throws Exception {
    RequestBudget budget = new RequestBudget(50, 1);

    List<Long> times = acquireFrom(budget, 20, 4, CallClass.RECORD_WRITE);

    assertThat(budget.overallPerWindow()).isEqualTo(49);
    assertThat(closest(times)).as("released at least 1/49 s apart").isGreaterThanOrEqualTo(1_000_000_000L / 49);
    assertThat(busiestSecond(times)).isEqualTo(49);
  }

  @Test
  void classesAndTheOverallLimitAreTakenTogether() throws Exception {
    // 10 calls a second overall; schema writes may take 9 of them, reads 9: mixed, no second holds more than 9
    RequestBudget budget = new RequestBudget(10, 1);

    List<Long> times = acquireFrom(budget, 6, 4, CallClass.SCHEMA_WRITE, CallClass.READ, CallClass.RECORD_WRITE);

    assertThat(closest(times)).isGreaterThanOrEqualTo(1_000_000_000L / 9);
    assertThat(busiestSecond(times)).isLessThanOrEqualTo(9);
  }

  @Test
  void eachClassKeepsUnderFeishusOwnLimitAndTasksSplitTheApp() throws Exception {
    assertThat(busiestSecond(acquireFrom(new RequestBudget(50, 1), 3, 7, CallClass.SCHEMA_WRITE)))
        .isLessThanOrEqualTo(9);
    assertThat(RequestBudget.callsPerWindow(50, 1)).isEqualTo(49);
    assertThat(RequestBudget.callsPerWindow(50, 2)).isEqualTo(24);
    assertThat(RequestBudget.callsPerWindow(20, 1)).isEqualTo(19);
    assertThat(RequestBudget.callsPerWindow(10, 1)).isEqualTo(9);
    assertThat(RequestBudget.callsPerWindow(200, 1)).isEqualTo(196);
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
    assertThat(next - gone).isGreaterThanOrEqualTo(1_000_000_000L / 49);
    assertThat(RequestBudget.forTask("http://feishu.test", "cli_budget_test", 1, 2, 50)).isNotSameAs(first);
  }
}
