package dev.ofsync.emulator.http;

import java.util.ArrayDeque;

/** Times of events in the last second: admits at most a limit, and remembers the most ever seen at once. */
final class SlidingWindow {
  private static final long WINDOW_NANOS = 1_000_000_000L;
  private final ArrayDeque<Long> times = new ArrayDeque<>();
  private int peak;

  /**
   * Records an event at {@code now} if fewer than {@code limit} happened in the second before it
   * (limit 0: no limit). Answers 0 when recorded, else the nanoseconds until one more would fit.
   */
  synchronized long tryAdd(long now, int limit) {
    evict(now);
    if (limit > 0 && times.size() >= limit) {
      return times.peekFirst() + WINDOW_NANOS - now;
    }
    times.addLast(now);
    peak = Math.max(peak, times.size());
    return 0;
  }

  /** The most events recorded within any 1-second window. */
  synchronized int peak() {
    return peak;
  }

  private void evict(long now) {
    while (!times.isEmpty() && times.peekFirst() <= now - WINDOW_NANOS) {
      times.removeFirst();
    }
  }
}
