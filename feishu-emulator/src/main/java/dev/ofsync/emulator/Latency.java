package dev.ofsync.emulator;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Time the emulator takes to answer one call of a class: a base, a cost per record in the call and
 * a uniformly drawn jitter on top. All in milliseconds.
 */
public record Latency(double baseMs, double perRecordMs, double jitterMs) {
  public static final Latency NONE = new Latency(0, 0, 0);

  public Latency {
    if (baseMs < 0 || perRecordMs < 0 || jitterMs < 0) {
      throw new IllegalArgumentException("latency parts must be >= 0, got " + baseMs + "/" + perRecordMs + "/" + jitterMs);
    }
  }

  /** Milliseconds to wait for a call that carries {@code records} records. */
  public long draw(int records) {
    double ms = baseMs + perRecordMs * records;
    if (jitterMs > 0) {
      ms += ThreadLocalRandom.current().nextDouble(jitterMs);
    }
    return Math.round(ms);
  }

  /** Parses {@code base[+perRecord/r][~jitter]}, e.g. {@code 120+0.4/r~80}; a plain number is a base. */
  public static Latency parse(String text) {
    String s = text.trim();
    double jitter = 0;
    double perRecord = 0;
    int tilde = s.indexOf('~');
    if (tilde >= 0) {
      jitter = Double.parseDouble(s.substring(tilde + 1));
      s = s.substring(0, tilde);
    }
    int plus = s.indexOf('+');
    if (plus >= 0) {
      String per = s.substring(plus + 1);
      perRecord = Double.parseDouble(per.endsWith("/r") ? per.substring(0, per.length() - 2) : per);
      s = s.substring(0, plus);
    }
    return new Latency(Double.parseDouble(s), perRecord, jitter);
  }

  @Override
  public String toString() {
    return baseMs + "+" + perRecordMs + "/r~" + jitterMs;
  }
}
