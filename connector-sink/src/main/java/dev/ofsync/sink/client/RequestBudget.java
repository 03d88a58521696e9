package dev.ofsync.sink.client;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Paces this task's Feishu calls so that the app as a whole stays under its quotas. Feishu counts
 * calls in any 1-second window, and a token bucket that starts full lets through its capacity plus
 * its refill in one second; so each bucket here holds a single token and refills at evenly spaced
 * instants, which bounds any 1-second window to the configured count.
 *
 * <p>Each of {@code tasks} tasks takes an equal share of the app's quota, less a margin for
 * calls that arrive closer together than they were sent. Every call takes a token from the overall
 * bucket ({@code sync.max_requests_per_second}) and from its class's bucket. Backing off after a
 * refusal is done here too: {@link #penalize} holds the class's calls back until a given time, so
 * the wait is the limiter's own. Refusals that several calls meet at once (a 429 for the app, a
 * burst of 5xx) hold the calls back for the longest of their waits, not for the sum.
 */
public final class RequestBudget {
  private record Spaced(Bucket bucket, long periodNanos) {
    static Spaced perWindow(int calls) {
      long period = (long) Math.ceil(1_000_000_000L * 1.02 / calls);
      return new Spaced(Bucket.builder()
          .addLimit(Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofNanos(period)).initialTokens(1).build())
          .build(), period);
    }
  }

  private final Spaced overall;
  private final Map<CallClass, Spaced> byClass = new EnumMap<>(CallClass.class);
  private final int overallPerWindow;
  /** No call goes before this {@link System#nanoTime} instant. */
  private final AtomicLong holdAllUntil = new AtomicLong(System.nanoTime());
  private final Map<CallClass, AtomicLong> holdUntil = new EnumMap<>(CallClass.class);

  public RequestBudget(int maxRequestsPerSecond, int tasks) {
    this.overallPerWindow = callsPerWindow(maxRequestsPerSecond, tasks);
    this.overall = Spaced.perWindow(overallPerWindow);
    for (CallClass c : CallClass.values()) {
      byClass.put(c, Spaced.perWindow(callsPerWindow(Math.min(c.feishuLimit(), maxRequestsPerSecond), tasks)));
      holdUntil.put(c, new AtomicLong(System.nanoTime()));
    }
  }

  /**
   * Calls this task may make in any second: its share of the app's limit, less about 8% for calls
   * that reach Feishu closer together than they left (network jitter, a restarted task's calls
   * still on their way).
   */
  static int callsPerWindow(int appLimit, int tasks) {
    int share = Math.max(1, appLimit / Math.max(1, tasks));
    int margin = (int) Math.ceil(share * 0.08);
    return Math.max(1, share - margin);
  }

  /** Waits until a call of the class may go. */
  public void acquire(CallClass callClass) throws InterruptedException {
    awaitHold(holdUntil.get(callClass));
    awaitHold(holdAllUntil);
    byClass.get(callClass).bucket.asBlocking().consume(1);
    overall.bucket.asBlocking().consume(1);
  }

  private static void awaitHold(AtomicLong until) throws InterruptedException {
    long wait;
    while ((wait = until.get() - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** Holds back the calls of the class for {@code millis} from now (or longer, if already held longer). */
  public void penalize(CallClass callClass, long millis) {
    hold(holdUntil.get(callClass), millis);
  }

  /** Holds back every call for {@code millis}: Feishu's 429 is for the app, whatever the class. */
  public void penalizeAll(long millis) {
    hold(holdAllUntil, millis);
  }

  private static void hold(AtomicLong until, long millis) {
    long end = System.nanoTime() + Math.max(0, millis) * 1_000_000L;
    until.accumulateAndGet(end, (a, b) -> a - b >= 0 ? a : b);
  }

  /** This task's calls in any second, all classes together. */
  public int overallPerWindow() {
    return overallPerWindow;
  }
}
