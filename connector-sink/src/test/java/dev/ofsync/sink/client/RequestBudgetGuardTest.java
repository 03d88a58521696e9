package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Bucket4j guard on the release step: never more than the share in any second. */
class RequestBudgetGuardTest {
  @Test
  void aStallOfTheScheduleDoesNotLetMoreThanTheShareGoInOneSecond() throws Exception {
    RequestBudget budget = new RequestBudget(10, 1);
    // turns taken long ago (a stalled schedule): the calls could all go at once, were it not for the windows
    List<Long> turns = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      turns.add(budget.turn(CallClass.SCHEMA_WRITE));
    }
    List<Long> released = new ArrayList<>();
    long behind = System.nanoTime() - 5_000_000_000L;
    for (int i = 0; i < 25; i++) {
      released.add(budget.release(CallClass.SCHEMA_WRITE, behind));
    }

    for (int i = 0; i + 10 < released.size(); i++) {
      assertThat(released.get(i + 10) - released.get(i)).as("11 calls within one second").isGreaterThanOrEqualTo(1_000_000_000L);
    }
  }
}
