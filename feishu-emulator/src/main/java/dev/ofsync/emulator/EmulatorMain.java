package dev.ofsync.emulator;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar feishu-emulator-<version>.jar --port 8765 --app-id cli_x --app-secret s --app-token T}:
 * a standalone emulator with one app and one base, ready for the seed's config.yaml.
 */
public final class EmulatorMain {
  private static final String USAGE = String.join("\n",
      "usage: java -jar feishu-emulator.jar [options]",
      "  --host HOST               address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
      "  --port N                  port (default 8765; 0 = any free port)",
      "  --app-id ID               app id (default cli_emulator)",
      "  --app-secret SECRET       app secret (default emulator-secret)",
      "  --app-token TOKEN         the base's app_token (default bascnEmulatorBase0001)",
      "  --base-table-name NAME    name of the base's first table (default DataSync)",
      "  --state-file FILE         keep the data in FILE across restarts (saved every 5 s and at exit)",
      "  --latency realistic|none  answer times like Feishu's (default) or at once",
      "  --no-rate-limits          do not enforce the per-app quotas (50/20/10 calls per second)",
      "  --max-rows-per-table N    rows a table may hold (default 20000)",
      "  --token-lifetime SECONDS  tenant_access_token lifetime (default 7200)",
      "  --monthly-call-quota N    calls the app may make before 99991403 (default: no limit; free plan 10000)",
      "  --help                    this text");

  private EmulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("feishu-emulator: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (o.help) {
      System.out.println(USAGE);
      return;
    }
    FeishuEmulator emulator = FeishuEmulator.builder()
        .settings(o.settings)
        .host(o.host)
        .port(o.port)
        .app(o.appId, o.appSecret)
        .base(o.appToken, o.baseTableName, o.appId)
        .start();
    List<TableSnapshot> tables = emulator.tables(o.appToken, false);
    System.out.println("Feishu emulator listening on " + emulator.url());
    System.out.println("  app_id:        " + o.appId);
    System.out.println("  app_secret:    " + o.appSecret);
    System.out.println("  app_token:     " + o.appToken);
    System.out.println("  base_table_id: " + tables.get(0).tableId() + " (" + tables.get(0).name() + ")");
    System.out.println("  rules:         " + o.settings);
    System.out.println("  admin:         " + emulator.url() + "/_emulator/stats, /_emulator/bases/" + o.appToken);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      emulator.close();
      stopped.countDown();
    }, "feishu-emulator-shutdown"));
    stopped.await();
  }

  private static final class Options {
    String host = "127.0.0.1";
    int port = 8765;
    String appId = "cli_emulator";
    String appSecret = "emulator-secret";
    String appToken = "bascnEmulatorBase0001";
    String baseTableName = "DataSync";
    boolean help;
    EmulatorSettings settings = EmulatorSettings.realistic();

    static Options parse(String[] args) {
      Options o = new Options();
      Deque<String> a = new ArrayDeque<>(List.of(args));
      while (!a.isEmpty()) {
        String flag = a.removeFirst();
        switch (flag) {
          case "--help": case "-h": o.help = true; break;
          case "--host": o.host = value(a, flag); break;
          case "--port": {
            o.port = number(a, flag);
            if (o.port < 0 || o.port > 65535) {
              throw new IllegalArgumentException("--port must be 0-65535 (0: any free port), not " + o.port);
            }
            break;
          }
          case "--app-id": o.appId = value(a, flag); break;
          case "--app-secret": o.appSecret = value(a, flag); break;
          case "--app-token": o.appToken = value(a, flag); break;
          case "--base-table-name": o.baseTableName = value(a, flag); break;
          case "--state-file": o.settings.stateFile(Path.of(value(a, flag))); break;
          case "--no-rate-limits": o.settings.rateLimitsEnabled(false); break;
          case "--max-rows-per-table": o.settings.maxRowsPerTable(number(a, flag)); break;
          case "--token-lifetime": o.settings.tokenLifetimeSeconds(number(a, flag)); break;
          case "--monthly-call-quota": o.settings.monthlyCallQuota(number(a, flag)); break;
          case "--latency": {
            String v = value(a, flag);
            if (v.equals("none")) {
              o.settings.noLatency();
            } else if (!v.equals("realistic")) {
              throw new IllegalArgumentException("--latency takes realistic or none, not " + v);
            }
            break;
          }
          default: throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      return o;
    }

    private static String value(Deque<String> a, String flag) {
      if (a.isEmpty()) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return a.removeFirst();
    }

    private static int number(Deque<String> a, String flag) {
      String v = value(a, flag);
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " needs a whole number, not " + v);
      }
    }
  }
}
