package dev.ofsync.emulator;

import java.util.Locale;

/**
 * A fault to inject into calls of a class (or any class when {@code on} is null): in a script, into
 * the next {@code times} matching calls; as a random fault, into each matching call with {@code
 * probability}.
 *
 * @param kind what happens
 * @param on the class of calls it hits, null for all
 * @param times in a script, how many matching calls it hits
 * @param probability as a random fault, the chance it hits a matching call
 * @param status for {@link Kind#HTTP_ERROR}, the HTTP status
 * @param code for {@link Kind#CODE}, the Feishu code answered (with that code's HTTP status)
 * @param delayMillis for {@link Kind#SLOW}, the extra time before the call is served
 */
public record FaultRule(Kind kind, CallClass on, int times, double probability, int status, int code, long delayMillis) {

  /** What a fault does to the call it hits. */
  public enum Kind {
    /** Answers an HTTP error status with a gateway's plain-text body; nothing is done. */
    HTTP_ERROR,
    /** Answers a Feishu code, e.g. 1254290, 1254607, 1255001; nothing is done. */
    CODE,
    /** Closes the connection without an answer; nothing is done. */
    DROP,
    /** Does the call, then closes the connection without an answer: the answer is lost. */
    DROP_AFTER_COMMIT,
    /** Waits {@code delayMillis}, then serves the call as usual. */
    SLOW;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public FaultRule {
    if (kind == null) {
      throw new IllegalArgumentException("a fault needs a kind: " + java.util.Arrays.toString(Kind.values()));
    }
    if (times < 1) {
      throw new IllegalArgumentException("times must be >= 1, got " + times);
    }
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("probability must be within 0..1, got " + probability);
    }
  }

  public static FaultRule httpError(int status) {
    return new FaultRule(Kind.HTTP_ERROR, null, 1, 1.0, status, 0, 0);
  }

  public static FaultRule code(int code) {
    return new FaultRule(Kind.CODE, null, 1, 1.0, 0, code, 0);
  }

  public static FaultRule drop() {
    return new FaultRule(Kind.DROP, null, 1, 1.0, 0, 0, 0);
  }

  public static FaultRule dropAfterCommit() {
    return new FaultRule(Kind.DROP_AFTER_COMMIT, null, 1, 1.0, 0, 0, 0);
  }

  public static FaultRule slow(long delayMillis) {
    return new FaultRule(Kind.SLOW, null, 1, 1.0, 0, 0, delayMillis);
  }

  /** The same fault, hitting only calls of {@code callClass}. */
  public FaultRule on(CallClass callClass) {
    return new FaultRule(kind, callClass, times, probability, status, code, delayMillis);
  }

  /** The same fault, hitting the next {@code n} matching calls (in a script). */
  public FaultRule times(int n) {
    return new FaultRule(kind, on, n, probability, status, code, delayMillis);
  }

  /** The same fault, hitting each matching call with probability {@code p} (as a random fault). */
  public FaultRule probability(double p) {
    return new FaultRule(kind, on, times, p, status, code, delayMillis);
  }

  boolean matches(CallClass callClass) {
    return on == null || on == callClass;
  }
}
