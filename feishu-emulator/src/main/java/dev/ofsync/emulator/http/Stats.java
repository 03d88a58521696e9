package dev.ofsync.emulator.http;

import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.StatsSnapshot;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts of what the emulator was asked and what it answered. */
public final class Stats {
  private final Map<String, LongAdder> callsByEndpoint = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> answersByCode = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> answersByStatus = new ConcurrentHashMap<>();
  private final Map<CallClass, SlidingWindow> arrivals = new ConcurrentHashMap<>();
  private final Map<CallClass, LongAdder> rateLimited = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> faultsInjected = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> recordsRead = new ConcurrentHashMap<>();
  private final LongAdder writeConflicts = new LongAdder();
  private final LongAdder slowCallsCarriedOut = new LongAdder();

  /** A call arrived (before any check): counts towards its endpoint and its class's busiest second. */
  void arrived(String endpoint, CallClass callClass, long nanoTime) {
    callsByEndpoint.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    arrivals.computeIfAbsent(callClass, k -> new SlidingWindow()).tryAdd(nanoTime, 0);
  }

  void answered(int httpStatus, int code) {
    answersByStatus.computeIfAbsent(httpStatus, k -> new LongAdder()).increment();
    answersByCode.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  void rateLimited(CallClass callClass) {
    rateLimited.computeIfAbsent(callClass, k -> new LongAdder()).increment();
  }

  void writeConflict() {
    writeConflicts.increment();
  }

  /** A search or list answered {@code records} records. */
  void recordsRead(String endpoint, int records) {
    recordsRead.computeIfAbsent(endpoint, k -> new LongAdder()).add(records);
  }

  /** A call the fault plan made slow was carried out, its delay over (whether or not its client still waited). */
  void slowCallCarriedOut() {
    slowCallsCarriedOut.increment();
  }

  void faultInjected(String kind) {
    faultsInjected.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  public void reset() {
    callsByEndpoint.clear();
    answersByCode.clear();
    answersByStatus.clear();
    arrivals.clear();
    rateLimited.clear();
    faultsInjected.clear();
    recordsRead.clear();
    writeConflicts.reset();
    slowCallsCarriedOut.reset();
  }

  public StatsSnapshot snapshot(Map<String, Integer> rowsPerTable) {
    Map<String, Integer> peaks = new TreeMap<>();
    arrivals.forEach((c, w) -> peaks.put(c.wireName(), w.peak()));
    Map<String, Long> limited = new TreeMap<>();
    rateLimited.forEach((c, n) -> limited.put(c.wireName(), n.sum()));
    return new StatsSnapshot(sums(callsByEndpoint), sums(answersByCode), sums(answersByStatus), peaks, limited,
        sums(faultsInjected), sums(recordsRead), writeConflicts.sum(), slowCallsCarriedOut.sum(), rowsPerTable);
  }

  private static <K extends Comparable<K>> Map<String, Long> sums(Map<K, LongAdder> counters) {
    Map<String, Long> out = new TreeMap<>();
    new TreeMap<>(counters).forEach((k, v) -> out.put(String.valueOf(k), v.sum()));
    return out;
  }
}
