package dev.ofsync.sink.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces this task's Feishu calls so that the app as a whole stays under its quotas. Feishu counts
 * calls as they arrive, in any 1-second window, so each limit here is a minimum spacing between
 * the moments calls are released: {@code n} calls a second means at least 1/n s between two of
 * them, and then no 1-second window can hold more than {@code n}. A call must satisfy two limits,
 * its class's Feishu quota and the overall {@code sync.max_requests_per_second}; both are checked
 * and taken in one step, against the instants calls were actually released, so a thread that
 * wakes late never lets the next one follow it too closely. Waiting calls are served in the order
 * they asked.
 *
 * <p>Each of {@code tasks} tasks takes an equal share of the app's quota less one call a second
 * (2% from 100 a second up): with the release spacing exact, that one call is the room left for
 * calls that reach Feishu closer together than they left (about 20 ms at 50 a second). The
 * client releases a call once its body is serialized, right before it goes on the wire, so that
 * room is not spent on serialization. Backing off is done here too: {@link #penalize} holds a
 * class back, {@link #penalizeAll} every call, including calls already waiting.
 */
public final class RequestBudget {
  /**
   * The budgets of tasks still to be started in this JVM: a restarted task continues its
   * predecessor's pacing, whose calls may still be on their way, instead of starting afresh.
   */
  private static final Map<String, RequestBudget> SHARED = new ConcurrentHashMap<>();

  private final int overallPerWindow;
  private final long overallSpacing;
  private final long[] classSpacing = new long[CallClass.values().length];
  /** The first instant a new reservation may take, overall and per class. */
  private long nextOverall;
  private final long[] nextClass = new long[CallClass.values().length];
  /** When the last call was released, overall and per class (valid once {@link #released}). */
  private long lastOverall;
  private final long[] lastClass = new long[CallClass.values().length];
  private boolean released;
  private final boolean[] classReleased = new boolean[CallClass.values().length];
  /** No call is released before these (penalties). */
  private long holdAll;
  private final long[] holdClass = new long[CallClass.values().length];

  public RequestBudget(int maxRequestsPerSecond, int tasks) {
    this.overallPerWindow = callsPerWindow(maxRequestsPerSecond, tasks);
    this.overallSpacing = spacing(overallPerWindow);
    for (CallClass c : CallClass.values()) {
      classSpacing[c.ordinal()] = spacing(callsPerWindow(Math.min(c.feishuLimit(), maxRequestsPerSecond), tasks));
    }
    long now = System.nanoTime();
    nextOverall = now;
    holdAll = now;
    for (CallClass c : CallClass.values()) {
      nextClass[c.ordinal()] = now;
      holdClass[c.ordinal()] = now;
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

  private static long spacing(int callsPerSecond) {
    return (1_000_000_000L + callsPerSecond - 1) / callsPerSecond;
  }

  /**
   * Calls this task may make in any second: its share of the app's limit, less one call (2% of
   * shares from 100 up) for calls that arrive closer together than they were released.
   */
  static int callsPerWindow(int appLimit, int tasks) {
    int share = Math.max(1, appLimit / Math.max(1, tasks));
    int margin = Math.max(1, share / 50);
    return Math.max(1, share - margin);
  }

  /** Waits until a call of the class may go, and counts it as gone; answers that instant ({@link System#nanoTime}). */
  public long acquire(CallClass callClass) throws InterruptedException {
    int c = callClass.ordinal();
    long at;
    synchronized (this) {
      long now = System.nanoTime();
      at = latest(now, nextOverall, nextClass[c]);
      nextOverall = at + overallSpacing;
      nextClass[c] = at + classSpacing[c];
    }
    while (true) {
      long left = at - System.nanoTime();
      if (left > 0) {
        LockSupport.parkNanos(this, left);
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while waiting for the Feishu request budget");
        }
        continue;
      }
      synchronized (this) {
        long now = System.nanoTime();
        long due = latest(at, holdAll, holdClass[c]);
        if (released) {
          due = latest(due, lastOverall + overallSpacing);
        }
        if (classReleased[c]) {
          due = latest(due, lastClass[c] + classSpacing[c]);
        }
        if (now - due >= 0) {
          lastOverall = now;
          lastClass[c] = now;
          released = true;
          classReleased[c] = true;
          nextOverall = latest(nextOverall, now + overallSpacing);
          nextClass[c] = latest(nextClass[c], now + classSpacing[c]);
          return now;
        }
        at = due;
      }
    }
  }

  /** The latest of instants on the {@link System#nanoTime} clock (compared by difference, as it may wrap). */
  private static long latest(long first, long... others) {
    long out = first;
    for (long t : others) {
      if (t - out > 0) {
        out = t;
      }
    }
    return out;
  }

  /** Holds back calls of the class for {@code millis}, calls already waiting included. */
  public synchronized void penalize(CallClass callClass, long millis) {
    int c = callClass.ordinal();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    holdClass[c] = latest(holdClass[c], until);
    nextClass[c] = latest(nextClass[c], until);
  }

  /** Holds back every call for {@code millis}: Feishu's 429 is for the app, whatever the class. */
  public synchronized void penalizeAll(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    holdAll = latest(holdAll, until);
    nextOverall = latest(nextOverall, until);
  }

  /** This task's calls in any second, all classes together. */
  public int overallPerWindow() {
    return overallPerWindow;
  }
}
