package dev.ofsync.emulator;

import java.util.Map;

/**
 * What the emulator was asked and answered since its start or last reset.
 *
 * @param callsByEndpoint calls received per endpoint, e.g. {@code POST records/batch_create}
 * @param answersByCode answers per Feishu code ({@code "0"} for success)
 * @param answersByHttpStatus answers per HTTP status
 * @param peakCallsPerSecond per class of call ({@code record_write}, {@code read}, {@code schema_write},
 *     {@code token}): the most calls that arrived within any 1-second window, counted before any
 *     check, so a client that breaks the quota shows here even though the excess was refused
 * @param rateLimited calls refused with 429 per class
 * @param faultsInjected faults the emulator injected, per kind
 * @param recordsReadByEndpoint records answered per endpoint ({@code POST records/search}, {@code GET
 *     records}): how much of the tables a client read back
 * @param writeConflicts writes refused with 1254291
 * @param slowCallsCarriedOut calls a {@code slow} fault held that were then carried out: a test
 *     that lets its client give up on such a call learns here when the call took effect after all
 * @param rowsPerTable rows per table, keyed {@code app_token/table name}
 */
public record StatsSnapshot(
    Map<String, Long> callsByEndpoint,
    Map<String, Long> answersByCode,
    Map<String, Long> answersByHttpStatus,
    Map<String, Integer> peakCallsPerSecond,
    Map<String, Long> rateLimited,
    Map<String, Long> faultsInjected,
    Map<String, Long> recordsReadByEndpoint,
    long writeConflicts,
    long slowCallsCarriedOut,
    Map<String, Integer> rowsPerTable) {

  public long calls(String endpoint) {
    return callsByEndpoint.getOrDefault(endpoint, 0L);
  }

  public long answers(int code) {
    return answersByCode.getOrDefault(String.valueOf(code), 0L);
  }

  /** Records answered by searches and lists, all endpoints together. */
  public long recordsRead() {
    return recordsReadByEndpoint.values().stream().mapToLong(Long::longValue).sum();
  }

  public int peak(CallClass callClass) {
    return peakCallsPerSecond.getOrDefault(callClass.wireName(), 0);
  }
}
