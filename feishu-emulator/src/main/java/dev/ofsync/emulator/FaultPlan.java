package dev.ofsync.emulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Faults on demand: a script consumed in order (each rule hits the next {@code times} calls it
 * matches), then random faults, each drawn per matching call. Thread-safe.
 */
public final class FaultPlan {
  private final Deque<int[]> remaining = new ArrayDeque<>();
  private final Deque<FaultRule> script = new ArrayDeque<>();
  private final List<FaultRule> random = new ArrayList<>();
  private Random rng = new Random();

  /** Appends rules to the script. */
  public synchronized FaultPlan script(FaultRule... rules) {
    for (FaultRule r : rules) {
      script.addLast(r);
      remaining.addLast(new int[] {r.times()});
    }
    return this;
  }

  /** Replaces the random faults; {@code seed} makes the draws repeatable. */
  public synchronized FaultPlan random(long seed, FaultRule... rules) {
    random.clear();
    random.addAll(List.of(rules));
    rng = new Random(seed);
    return this;
  }

  public synchronized void clear() {
    script.clear();
    remaining.clear();
    random.clear();
  }

  /** Rules of the script not yet used up, each with the hits it has left. */
  public synchronized List<FaultRule> pendingScript() {
    List<FaultRule> out = new ArrayList<>();
    var left = remaining.iterator();
    for (FaultRule r : script) {
      out.add(r.times(left.next()[0]));
    }
    return out;
  }

  public synchronized List<FaultRule> randomRules() {
    return new ArrayList<>(random);
  }

  /** The fault for the next call of {@code callClass}, or null for none. */
  public synchronized FaultRule next(CallClass callClass) {
    FaultRule head = script.peekFirst();
    if (head != null && head.matches(callClass)) {
      int[] left = remaining.peekFirst();
      if (--left[0] == 0) {
        script.removeFirst();
        remaining.removeFirst();
      }
      return head;
    }
    for (FaultRule r : random) {
      if (r.matches(callClass) && rng.nextDouble() < r.probability()) {
        return r;
      }
    }
    return null;
  }
}
