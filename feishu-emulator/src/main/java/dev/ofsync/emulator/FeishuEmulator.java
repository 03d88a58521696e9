package dev.ofsync.emulator;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ofsync.emulator.http.AdminHandler;
import dev.ofsync.emulator.http.AppRegistry;
import dev.ofsync.emulator.http.OpenApiHandler;
import dev.ofsync.emulator.http.Stats;
import dev.ofsync.emulator.store.BitableStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Feishu Bitable Open API server on this machine: the official SDK points its {@code
 * openBaseUrl} at {@link #url()}. Start it with {@link #builder()}; stop it with {@link #close()}.
 */
public final class FeishuEmulator implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(FeishuEmulator.class.getName());

  static {
    // The JDK server writes headers and body apart; with Nagle's algorithm on, the client's delayed
    // ACK adds ~40 ms to every keep-alive call. Read once, when the first server is made.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private record AppDecl(String appId, String secret, Set<String> scopes) {}

  private record BaseDecl(String appToken, String name, Set<String> appIds, String baseTableName) {}

  private final EmulatorSettings settings;
  private final List<AppDecl> declaredApps;
  private final List<BaseDecl> declaredBases;
  private final BitableStore store;
  private final AppRegistry apps;
  private final FaultPlan faults = new FaultPlan();
  private final Stats stats = new Stats();
  private final OpenApiHandler openApi;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ScheduledExecutorService saver;
  private volatile long savedChanges = -1;

  private FeishuEmulator(Builder b) throws IOException {
    this.settings = b.settings;
    this.declaredApps = List.copyOf(b.apps);
    this.declaredBases = List.copyOf(b.bases);
    this.store = new BitableStore(settings);
    this.apps = new AppRegistry(settings);
    this.openApi = new OpenApiHandler(settings, store, apps, faults, stats);
    Path stateFile = settings.stateFile();
    if (stateFile != null && Files.exists(stateFile)) {
      store.load(new ObjectMapper().readTree(stateFile.toFile()));
      savedChanges = store.changes();
    }
    declare();
    AtomicInteger threadNo = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(settings.httpThreads(), r -> {
      Thread t = new Thread(r, "feishu-emulator-http-" + threadNo.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = HttpServer.create(new InetSocketAddress(b.host, b.port), 1024);
    server.createContext("/open-apis/", openApi);
    server.createContext(AdminHandler.PREFIX, new AdminHandler(this));
    server.setExecutor(executor);
    server.start();
    if (stateFile != null) {
      saver = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "feishu-emulator-saver");
        t.setDaemon(true);
        return t;
      });
      saver.scheduleWithFixedDelay(this::saveQuietly, settings.saveIntervalMillis(), settings.saveIntervalMillis(),
          TimeUnit.MILLISECONDS);
    } else {
      saver = null;
    }
  }

  private void declare() {
    for (AppDecl a : declaredApps) {
      apps.addApp(a.appId, a.secret, a.scopes);
    }
    Set<String> existing = Set.copyOf(store.appTokens());
    for (BaseDecl d : declaredBases) {
      if (!existing.contains(d.appToken)) {
        store.createBase(d.appToken, d.name, d.appIds, d.baseTableName);
      } else {
        store.grant(d.appToken, d.appIds);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL to give the SDK's {@code openBaseUrl}, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    return "http://" + host + ":" + a.getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The live settings: changes take effect on the next call. */
  public EmulatorSettings settings() {
    return settings;
  }

  public FaultPlan faults() {
    return faults;
  }

  public StatsSnapshot stats() {
    return stats.snapshot(store.rowCounts());
  }

  public void resetStats() {
    stats.reset();
  }

  /** The tables of a base with all their records, in creation order. */
  public List<TableSnapshot> tables(String appToken) {
    return store.snapshot(appToken, true);
  }

  public List<TableSnapshot> tables(String appToken, boolean withRecords) {
    return store.snapshot(appToken, withRecords);
  }

  public Optional<TableSnapshot> table(String appToken, String tableName) {
    return tables(appToken).stream().filter(t -> t.name().equals(tableName)).findFirst();
  }

  public List<String> appTokens() {
    return store.appTokens();
  }

  public void addApp(String appId, String appSecret, Set<String> scopes) {
    apps.addApp(appId, appSecret, scopes);
  }

  /** Creates a base (a random app_token when null) usable by {@code appIds}, with one table; answers its app_token. */
  public String createBase(String appToken, String name, Set<String> appIds, String baseTableName) {
    String token = appToken == null ? dev.ofsync.emulator.store.Ids.appToken() : appToken;
    store.createBase(token, name, appIds, baseTableName);
    return token;
  }

  /** Ends every tenant_access_token now; the next call with one gets 99991663. */
  public void expireTokens() {
    apps.expireAll();
  }

  /** Back to the state at start: the declared apps and bases (each with an empty base table), no tokens, faults or stats. */
  public void reset() {
    store.clear();
    apps.clear();
    faults.clear();
    stats.reset();
    openApi.resetQuotas();
    declare();
  }

  /** Writes the state file now (no-op without one). */
  public void save() {
    Path file = settings.stateFile();
    if (file == null) {
      return;
    }
    long changes = store.changes();
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      try (JsonGenerator out = new ObjectMapper().getFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
        store.save(out);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      savedChanges = changes;
    } catch (IOException e) {
      throw new UncheckedIOException("could not save the emulator's state to " + file, e);
    }
  }

  private void saveQuietly() {
    if (store.changes() == savedChanges) {
      return;
    }
    try {
      save();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (saver != null) {
      saver.shutdownNow();
      save();
    }
  }

  /** How to start an emulator: settings, address, apps and bases. */
  public static final class Builder {
    private EmulatorSettings settings = EmulatorSettings.fast();
    private String host = "127.0.0.1";
    private int port;
    private final List<AppDecl> apps = new ArrayList<>();
    private final List<BaseDecl> bases = new ArrayList<>();

    public Builder settings(EmulatorSettings settings) {
      this.settings = settings;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 (the default) takes a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** An app with the bitable:app scope. */
    public Builder app(String appId, String appSecret) {
      return app(appId, appSecret, Set.of(AppRegistry.BITABLE_SCOPE));
    }

    public Builder app(String appId, String appSecret, Set<String> scopes) {
      apps.add(new AppDecl(appId, appSecret, Set.copyOf(scopes)));
      return this;
    }

    /** A base usable by {@code appIds}, with one empty table named {@code baseTableName}. */
    public Builder base(String appToken, String baseTableName, String... appIds) {
      bases.add(new BaseDecl(appToken, "Base " + appToken, Set.of(appIds), baseTableName));
      return this;
    }

    public FeishuEmulator start() {
      try {
        return new FeishuEmulator(this);
      } catch (IOException e) {
        throw new UncheckedIOException("the Feishu emulator could not start on " + host + ":" + port, e);
      }
    }
  }
}
