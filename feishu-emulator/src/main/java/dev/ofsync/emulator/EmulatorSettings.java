package dev.ofsync.emulator;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every rule of the emulator, on by default with the real service's numbers. The emulator reads
 * these live, so a test may change a rule while the emulator runs.
 *
 * <p>{@link #realistic()} adds the real service's latency; {@link #fast()} has none, for unit tests.
 */
public final class EmulatorSettings {
  private final Map<CallClass, Integer> rateLimits = new EnumMap<>(CallClass.class);
  private final Map<CallClass, Latency> latencies = new EnumMap<>(CallClass.class);
  private volatile boolean rateLimitsEnabled = true;
  private volatile long tokenLifetimeSeconds = 7200;
  private volatile int maxRecordsPerCreate = 1000;
  private volatile int maxRecordsPerUpdate = 1000;
  private volatile int maxRecordsPerDelete = 500;
  private volatile int maxRowsPerTable = 20_000;
  private volatile int maxTablesPerBase = 100;
  private volatile int maxFieldsPerTable = 300;
  private volatile int maxTextCellChars = 100_000;
  private volatile int maxBodyBytes = 10 * 1024 * 1024;
  private volatile boolean strictCellTypes = true;
  private volatile boolean writeConflictsEnabled = true;
  private volatile boolean clientTokenIdempotent = true;
  private volatile Path stateFile;
  private volatile long saveIntervalMillis = 5_000;
  private volatile int httpThreads = 64;
  private volatile long monthlyCallQuota;

  private EmulatorSettings() {
    rateLimits.put(CallClass.TOKEN, 0);
    rateLimits.put(CallClass.RECORD_WRITE, 50);
    rateLimits.put(CallClass.READ, 20);
    rateLimits.put(CallClass.SCHEMA_WRITE, 10);
    for (CallClass c : CallClass.values()) {
      latencies.put(c, Latency.NONE);
    }
  }

  /** The real service's limits, no latency: what unit tests want. */
  public static EmulatorSettings fast() {
    return new EmulatorSettings();
  }

  /**
   * The real service's limits and latency: about 320 ms (plus up to 80 ms) for a 500-record
   * write, 60-100 ms for reads, 150-200 ms to create a table or field, 20-30 ms for a token.
   */
  public static EmulatorSettings realistic() {
    return new EmulatorSettings()
        .latency(CallClass.RECORD_WRITE, new Latency(120, 0.4, 80))
        .latency(CallClass.READ, new Latency(60, 0.02, 40))
        .latency(CallClass.SCHEMA_WRITE, new Latency(150, 0, 50))
        .latency(CallClass.TOKEN, new Latency(20, 0, 10));
  }

  /** An independent copy of these settings. */
  public EmulatorSettings copy() {
    return new EmulatorSettings().copyFrom(this);
  }

  /** Takes every rule from {@code other}; an emulator running with these settings follows at once. */
  public EmulatorSettings copyFrom(EmulatorSettings other) {
    for (CallClass c : CallClass.values()) {
      rateLimit(c, other.rateLimit(c));
      latency(c, other.latency(c));
    }
    rateLimitsEnabled = other.rateLimitsEnabled;
    tokenLifetimeSeconds = other.tokenLifetimeSeconds;
    maxRecordsPerCreate = other.maxRecordsPerCreate;
    maxRecordsPerUpdate = other.maxRecordsPerUpdate;
    maxRecordsPerDelete = other.maxRecordsPerDelete;
    maxRowsPerTable = other.maxRowsPerTable;
    maxTablesPerBase = other.maxTablesPerBase;
    maxFieldsPerTable = other.maxFieldsPerTable;
    maxTextCellChars = other.maxTextCellChars;
    maxBodyBytes = other.maxBodyBytes;
    strictCellTypes = other.strictCellTypes;
    writeConflictsEnabled = other.writeConflictsEnabled;
    clientTokenIdempotent = other.clientTokenIdempotent;
    stateFile = other.stateFile;
    saveIntervalMillis = other.saveIntervalMillis;
    httpThreads = other.httpThreads;
    monthlyCallQuota = other.monthlyCallQuota;
    return this;
  }

  /** Calls of the class allowed per app in any 1-second window; 0 means unlimited. */
  public int rateLimit(CallClass callClass) {
    synchronized (rateLimits) {
      return rateLimits.get(callClass);
    }
  }

  public EmulatorSettings rateLimit(CallClass callClass, int perSecond) {
    if (perSecond < 0) {
      throw new IllegalArgumentException("rate limit must be >= 0 (0 = unlimited), got " + perSecond);
    }
    synchronized (rateLimits) {
      rateLimits.put(callClass, perSecond);
    }
    return this;
  }

  public Latency latency(CallClass callClass) {
    synchronized (latencies) {
      return latencies.get(callClass);
    }
  }

  public EmulatorSettings latency(CallClass callClass, Latency latency) {
    synchronized (latencies) {
      latencies.put(callClass, latency);
    }
    return this;
  }

  /** Sets every class's latency to none. */
  public EmulatorSettings noLatency() {
    for (CallClass c : CallClass.values()) {
      latency(c, Latency.NONE);
    }
    return this;
  }

  public boolean rateLimitsEnabled() {
    return rateLimitsEnabled;
  }

  public EmulatorSettings rateLimitsEnabled(boolean enabled) {
    this.rateLimitsEnabled = enabled;
    return this;
  }

  public long tokenLifetimeSeconds() {
    return tokenLifetimeSeconds;
  }

  public EmulatorSettings tokenLifetimeSeconds(long seconds) {
    if (seconds < 1) {
      throw new IllegalArgumentException("token lifetime must be >= 1 s, got " + seconds);
    }
    this.tokenLifetimeSeconds = seconds;
    return this;
  }

  public int maxRecordsPerCreate() {
    return maxRecordsPerCreate;
  }

  public EmulatorSettings maxRecordsPerCreate(int n) {
    this.maxRecordsPerCreate = positive("maxRecordsPerCreate", n);
    return this;
  }

  public int maxRecordsPerUpdate() {
    return maxRecordsPerUpdate;
  }

  public EmulatorSettings maxRecordsPerUpdate(int n) {
    this.maxRecordsPerUpdate = positive("maxRecordsPerUpdate", n);
    return this;
  }

  public int maxRecordsPerDelete() {
    return maxRecordsPerDelete;
  }

  public EmulatorSettings maxRecordsPerDelete(int n) {
    this.maxRecordsPerDelete = positive("maxRecordsPerDelete", n);
    return this;
  }

  public int maxRowsPerTable() {
    return maxRowsPerTable;
  }

  public EmulatorSettings maxRowsPerTable(int n) {
    this.maxRowsPerTable = positive("maxRowsPerTable", n);
    return this;
  }

  public int maxTablesPerBase() {
    return maxTablesPerBase;
  }

  public EmulatorSettings maxTablesPerBase(int n) {
    this.maxTablesPerBase = positive("maxTablesPerBase", n);
    return this;
  }

  public int maxFieldsPerTable() {
    return maxFieldsPerTable;
  }

  public EmulatorSettings maxFieldsPerTable(int n) {
    this.maxFieldsPerTable = positive("maxFieldsPerTable", n);
    return this;
  }

  public int maxTextCellChars() {
    return maxTextCellChars;
  }

  public EmulatorSettings maxTextCellChars(int n) {
    this.maxTextCellChars = positive("maxTextCellChars", n);
    return this;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public EmulatorSettings maxBodyBytes(int n) {
    this.maxBodyBytes = positive("maxBodyBytes", n);
    return this;
  }

  /** When on, a cell whose JSON type does not fit its field fails the batch (1254060-1254074). */
  public boolean strictCellTypes() {
    return strictCellTypes;
  }

  public EmulatorSettings strictCellTypes(boolean strict) {
    this.strictCellTypes = strict;
    return this;
  }

  /** When on, a write to a table that is being written answers 1254291. */
  public boolean writeConflictsEnabled() {
    return writeConflictsEnabled;
  }

  public EmulatorSettings writeConflictsEnabled(boolean enabled) {
    this.writeConflictsEnabled = enabled;
    return this;
  }

  /** When on, a batch_create with a client_token already seen answers the first call's result. */
  public boolean clientTokenIdempotent() {
    return clientTokenIdempotent;
  }

  public EmulatorSettings clientTokenIdempotent(boolean enabled) {
    this.clientTokenIdempotent = enabled;
    return this;
  }

  /** Where the state is saved (every save interval and at stop) and loaded from at start; null: memory only. */
  public Path stateFile() {
    return stateFile;
  }

  public EmulatorSettings stateFile(Path file) {
    this.stateFile = file;
    return this;
  }

  public long saveIntervalMillis() {
    return saveIntervalMillis;
  }

  public EmulatorSettings saveIntervalMillis(long millis) {
    this.saveIntervalMillis = positive("saveIntervalMillis", (int) Math.min(millis, Integer.MAX_VALUE));
    return this;
  }

  public int httpThreads() {
    return httpThreads;
  }

  public EmulatorSettings httpThreads(int n) {
    this.httpThreads = positive("httpThreads", n);
    return this;
  }

  /**
   * Open API calls an app may make in the month (the tenant's plan: 10,000 on the free one), token
   * calls aside; past it every call answers 99991403. 0, the default, means no limit. The count
   * starts at the emulator's start or {@code reset()}.
   */
  public long monthlyCallQuota() {
    return monthlyCallQuota;
  }

  public EmulatorSettings monthlyCallQuota(long calls) {
    if (calls < 0) {
      throw new IllegalArgumentException("monthlyCallQuota must be >= 0 (0: no limit), got " + calls);
    }
    this.monthlyCallQuota = calls;
    return this;
  }

  private static int positive(String name, int n) {
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + n);
    }
    return n;
  }

  @Override
  public String toString() {
    return "rateLimits=" + (rateLimitsEnabled ? rateLimits : "off") + " latency=" + latencies
        + " tokenLifetime=" + tokenLifetimeSeconds + "s rowsPerTable=" + maxRowsPerTable
        + " tablesPerBase=" + maxTablesPerBase + " fieldsPerTable=" + maxFieldsPerTable
        + " textCell=" + maxTextCellChars + " batch(create/update/delete)=" + maxRecordsPerCreate + "/"
        + maxRecordsPerUpdate + "/" + maxRecordsPerDelete + " strictCells=" + strictCellTypes
        + " writeConflicts=" + writeConflictsEnabled + " clientToken=" + clientTokenIdempotent
        + " monthlyCallQuota=" + (monthlyCallQuota == 0 ? "none" : monthlyCallQuota) + " stateFile=" + stateFile;
  }
}
