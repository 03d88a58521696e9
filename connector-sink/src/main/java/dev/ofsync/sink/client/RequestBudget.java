package dev.ofsync.sink.client;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces this task's Feishu calls so that the app as a whole stays under its quotas. Feishu counts
 * calls as they arrive, in any 1-second window. A call must satisfy two limits: its class's Feishu
 * quota and the overall {@code sync.max_requests_per_second}, each split evenly between {@code
 * tasks} tasks. For a task's share of {@code n} calls a second, the budget releases calls at
 * {@code m} = {@code n} less 6% (at least one) a second on average, and never more than {@code n}
 * in any window of {@code n / m} seconds: for 50, 47 a second and any 51 calls at least 1.064 s
 * apart from first to last, so calls may reach Feishu up to 64 ms closer together than they left
 * without 51 falling into one second. On a busy machine they do: a collection pause in the
 * worker, or the receiving side falling behind, bunches arrivals by tens of milliseconds (the
 * emulator counted 51-52 in one second with 2% and 4% margins). A pause that a waiting call sleeps
 * through is also accounted for ({@link #stalled}). Both limits are checked and taken in one step,
 * against the instants calls were actually released; the client releases a call once its body is
 * serialized, right before it goes on the wire, and tells when the HTTP client actually began
 * writing it ({@link #sending}): a call that went out late counts from then.
 *
 * <p>A Bucket4j token bucket per limit guards the same release step: it holds {@code n - m} tokens
 * and refills {@code m} a second, so it never lets more than {@code n} calls go in any second, even
 * if the schedule's bookkeeping were wrong.
 *
 * <p>Waiting calls are served in the order they asked, each at its turn on an evenly spaced
 * schedule; a thread that wakes late does not push the others back (only the window check holds a
 * call, if it would be one too many). Backing off is done here too: {@link #penalize} holds a
 * class back, {@link #penalizeAll} every call, including calls already waiting.
 */
public final class RequestBudget {
  /**
   * The budgets of tasks still to be started in this JVM: a restarted task continues its
   * predecessor's pacing, whose calls may still be on their way, instead of starting afresh.
   */
  private static final Map<String, RequestBudget> SHARED = new ConcurrentHashMap<>();
  /** A wait that ends this late means a stall (a collection pause, the machine busy elsewhere). */
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(15);
  /** A call that starts going out this long after its release is counted from then ({@link #sending}). */
  private static final long LATE_SEND_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** Calls released this long before a stall may still have been on their way when it began. */
  private static final long RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** One limit: the last calls released, and the schedule of turns for calls waiting. */
  private static final class Limit {
    final int calls;
    final long windowNanos;
    final long spacingNanos;
    final long[] released;
    /** The per-second guard: {@code calls - perSecond} tokens (at least one), {@code perSecond} a second. */
    final Bucket guard;
    int oldest;
    int count;
    long nextTurn;
    long hold;

    Limit(int share, long now, TimeMeter meter) {
      this.calls = share;
      int perSecond = callsPerWindow(share);
      this.spacingNanos = (1_000_000_000L + perSecond - 1) / perSecond;
      this.windowNanos = spacingNanos * share;
      this.released = new long[share];
      int burst = Math.max(1, share - perSecond);
      this.guard = Bucket.builder().addLimit(Bandwidth.builder().capacity(burst)
          .refillGreedy(perSecond, Duration.ofSeconds(1)).initialTokens(burst).build())
          .withCustomTimePrecision(meter).build();
      this.nextTurn = now;
      this.hold = now;
    }

    /** When one more call may be released: at once, or when the oldest of the last {@code calls} leaves the window. */
    long freeAt(long now) {
      return count < calls ? now : released[oldest] + windowNanos;
    }

    /** Counts the calls released in ({@code from}, {@code to}] as released {@code now}. */
    void stalled(long from, long to, long now) {
      boolean moved = false;
      for (int i = 0; i < count; i++) {
        int k = (oldest + i) % calls;
        if (released[k] - from > 0 && to - released[k] >= 0) {
          released[k] = now;
          moved = true;
        }
      }
      if (moved) {
        reorder();
      }
    }

    /** Counts the call released at {@code at} as released {@code later}, if it is still in the window. */
    void moved(long at, long later) {
      for (int i = 0; i < count; i++) {
        int k = (oldest + i) % calls;
        if (released[k] == at) {
          released[k] = later;
          reorder();
          return;
        }
      }
    }

    /** Puts the ring back in release order, oldest first, after entries were moved. */
    private void reorder() {
      long[] inOrder = new long[count];
      for (int i = 0; i < count; i++) {
        inOrder[i] = released[(oldest + i) % calls];
      }
      java.util.Arrays.sort(inOrder); // instants within a window: no wrap-around between them
      System.arraycopy(inOrder, 0, released, 0, count);
      oldest = 0;
    }

    void release(long now) {
      if (count < calls) {
        released[(oldest + count) % calls] = now;
        count++;
      } else {
        released[oldest] = now;
        oldest = (oldest + 1) % calls;
      }
    }
  }

  /** The clock and the way to wait on it: the system's, or a test's that moves only when told. */
  interface Ticker extends TimeMeter {
    /** Parks the calling thread for up to {@code nanos}; it may return earlier (spuriously or when interrupted). */
    void park(Object blocker, long nanos);

    @Override
    default boolean isWallClockBased() {
      return false;
    }

    Ticker SYSTEM = new Ticker() {
      @Override
      public long currentTimeNanos() {
        return System.nanoTime();
      }

      @Override
      public void park(Object blocker, long nanos) {
        LockSupport.parkNanos(blocker, nanos);
      }
    };
  }

  private final Ticker ticker;
  private final int overallPerWindow;
  private final Limit overall;
  private final Limit[] byClass = new Limit[CallClass.values().length];

  public RequestBudget(int maxRequestsPerSecond, int tasks) {
    this(maxRequestsPerSecond, tasks, Ticker.SYSTEM);
  }

  RequestBudget(int maxRequestsPerSecond, int tasks, Ticker ticker) {
    this.ticker = ticker;
    long now = ticker.currentTimeNanos();
    int t = Math.max(1, tasks);
    this.overall = new Limit(share(maxRequestsPerSecond, t), now, ticker);
    this.overallPerWindow = callsPerWindow(maxRequestsPerSecond, t);
    for (CallClass c : CallClass.values()) {
      byClass[c.ordinal()] = new Limit(share(Math.min(c.feishuLimit(), maxRequestsPerSecond), t), now, ticker);
    }
  }

  /**
   * The budget of one task of a connector, shared with the same task's earlier runs in this JVM
   * (same Feishu address, app, task number, task count and rate).
   */
  public static RequestBudget forTask(String baseUrl, String appId, int taskId, int tasks, int maxRequestsPerSecond) {
    String key = baseUrl + "|" + appId + "|" + taskId + "/" + tasks + "|" + maxRequestsPerSecond;
    return SHARED.computeIfAbsent(key, k -> new RequestBudget(maxRequestsPerSecond, tasks));
  }

  private static int share(int appLimit, int tasks) {
    return Math.max(1, appLimit / tasks);
  }

  /** Calls this task makes in a second at most, on average: its share of the app's limit, less 6% (at least one). */
  static int callsPerWindow(int appLimit, int tasks) {
    return callsPerWindow(share(appLimit, Math.max(1, tasks)));
  }

  private static int callsPerWindow(int share) {
    return Math.max(1, share - (share * 6 + 99) / 100);
  }

  /** Waits until a call of the class may go, and counts it as gone; answers that instant (on the budget's clock, {@link System#nanoTime} but in tests). */
  public long acquire(CallClass callClass) throws InterruptedException {
    return release(callClass, turn(callClass));
  }

  /** Takes the next turn of a call of the class on the schedule: the instant it may go at the earliest. */
  synchronized long turn(CallClass callClass) {
    Limit cls = byClass[callClass.ordinal()];
    long at = latest(latest(ticker.currentTimeNanos(), overall.nextTurn), cls.nextTurn);
    overall.nextTurn = at + overall.spacingNanos;
    cls.nextTurn = at + cls.spacingNanos;
    return at;
  }

  /** Waits for the turn {@code at}, and then for the limits' windows and holds; counts the call as gone. */
  long release(CallClass callClass, long at) throws InterruptedException {
    Limit cls = byClass[callClass.ordinal()];
    boolean parked = false;
    while (true) {
      long left = at - ticker.currentTimeNanos();
      if (left > 0) {
        ticker.park(this, left);
        parked = true;
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for the Feishu request budget");
        }
        continue;
      }
      synchronized (this) {
        long now = ticker.currentTimeNanos();
        if (parked && now - at > STALL_NANOS) {
          stalled(at, now);
        }
        parked = false;
        long due = latest(latest(at, overall.hold), cls.hold);
        due = latest(latest(due, overall.freeAt(now)), cls.freeAt(now));
        if (now - due >= 0) {
          long guardWait = Math.max(guardWait(overall), guardWait(cls));
          if (guardWait == 0) {
            overall.guard.tryConsume(1);
            cls.guard.tryConsume(1);
            overall.release(now);
            cls.release(now);
            return now;
          }
          due = now + guardWait;
        }
        at = due;
      }
    }
  }

  /** How long until the limit's Bucket4j guard has a token: 0 when it has one now. */
  private static long guardWait(Limit limit) {
    EstimationProbe probe = limit.guard.estimateAbilityToConsume(1);
    return probe.canBeConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  /**
   * The call of the class released at {@code releasedAt} (an instant {@link #acquire} answered)
   * started going out on the wire at {@code sendingAt}. The HTTP client writes a request on its
   * own threads, and on a busy machine that can start tens of milliseconds after the release (a
   * collection pause, threads waiting for a CPU): Feishu then counts the call that much later,
   * closer to the calls after it. A call that went out late is counted from when it went, so the
   * calls after it keep the window from there.
   */
  public void sending(CallClass callClass, long releasedAt, long sendingAt) {
    if (sendingAt - releasedAt <= LATE_SEND_NANOS) {
      return;
    }
    synchronized (this) {
      overall.moved(releasedAt, sendingAt);
      byClass[callClass.ordinal()].moved(releasedAt, sendingAt);
    }
  }

  /**
   * A thread woke at {@code now} for a turn at {@code at}: so late that the process (or machine)
   * most likely stood still, a collection pause say. Calls released just before it may still have
   * been on their way and arrive now, bunched with the calls whose turns passed meanwhile: they
   * are counted as released now, which holds back as many of those as the window needs.
   */
  synchronized void stalled(long at, long now) {
    overall.stalled(at - RECENT_NANOS, at, now);
    for (Limit l : byClass) {
      l.stalled(at - RECENT_NANOS, at, now);
    }
  }

  /** The later of two instants on the {@link System#nanoTime} clock (compared by difference, as it may wrap). */
  private static long latest(long a, long b) {
    return b - a > 0 ? b : a;
  }

  /** Holds back calls of the class for {@code millis}, calls already waiting included. */
  public synchronized void penalize(CallClass callClass, long millis) {
    Limit cls = byClass[callClass.ordinal()];
    long until = ticker.currentTimeNanos() + TimeUnit.MILLISECONDS.toNanos(millis);
    cls.hold = latest(cls.hold, until);
    cls.nextTurn = latest(cls.nextTurn, until);
  }

  /** Holds back every call for {@code millis}: Feishu's 429 is for the app, whatever the class. */
  public synchronized void penalizeAll(long millis) {
    long until = ticker.currentTimeNanos() + TimeUnit.MILLISECONDS.toNanos(millis);
    overall.hold = latest(overall.hold, until);
    overall.nextTurn = latest(overall.nextTurn, until);
  }

  /** This task's calls in a second at most, on average, all classes together. */
  public int overallPerWindow() {
    return overallPerWindow;
  }
}
