package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBudgetTest {
  /** The most timestamps within any 1-second window. */
  private static int busiestSecond(List<Long> nanos) {
    int most = 0;
    int start = 0;
    for (int end = 0; end < nanos.size(); end++) {
      while (nanos.get(end) - nanos.get(start) >= 1_000_000_000L) {
        start++;
      }
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  private static List<Long> acquire(RequestBudget budget, CallClass c, int n) throws InterruptedException {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      budget.acquire(c);
      times.add(System.nanoTime());
    }
    return times;
  }

  @Test
  void noSecondEverHoldsMoreThanTheShareLessItsMargin() throws InterruptedException {
    RequestBudget budget = new RequestBudget(50, 1);

    List<Long> times = acquire(budget, CallClass.RECORD_WRITE, 100);

    assertThat(budget.overallPerWindow()).isEqualTo(46);
    assertThat(busiestSecond(times)).isLessThanOrEqualTo(46).isGreaterThanOrEqualTo(40);
  }

  @Test
  void eachClassKeepsUnderFeishusOwnLimitAndTasksSplitTheApp() throws InterruptedException {
    assertThat(busiestSecond(acquire(new RequestBudget(50, 1), CallClass.SCHEMA_WRITE, 25))).isLessThanOrEqualTo(9);
    assertThat(RequestBudget.callsPerWindow(50, 2)).isEqualTo(23);
    assertThat(RequestBudget.callsPerWindow(20, 1)).isEqualTo(18);
    assertThat(RequestBudget.callsPerWindow(3, 10)).isEqualTo(1);
  }

  @Test
  void aPenaltyHoldsTheNextCallBack() throws InterruptedException {
    RequestBudget budget = new RequestBudget(50, 1);
    budget.acquire(CallClass.READ);

    budget.penalize(CallClass.READ, 500);
    long start = System.nanoTime();
    budget.acquire(CallClass.READ);

    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(450);
  }

  @Test
  void refusalsMetByManyCallsAtOnceHoldForTheLongestWaitNotTheirSum() throws InterruptedException {
    RequestBudget budget = new RequestBudget(50, 1);
    budget.acquire(CallClass.RECORD_WRITE);

    for (int lane = 0; lane < 8; lane++) { // eight tables' writes refused by one 429 window
      budget.penalizeAll(300);
      budget.penalize(CallClass.RECORD_WRITE, 200);
    }
    long start = System.nanoTime();
    budget.acquire(CallClass.RECORD_WRITE);

    assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 1_000L);
  }
}
