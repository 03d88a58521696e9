package dev.ofsync.emulator.http;

import static dev.ofsync.emulator.api.ErrorCodes.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.FaultPlan;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.api.ApiException;
import dev.ofsync.emulator.store.Base;
import dev.ofsync.emulator.store.BitableStore;
import dev.ofsync.emulator.store.BytePool;
import dev.ofsync.emulator.store.RecordBatch;
import dev.ofsync.emulator.store.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Open API: tenant token and Bitable apps/tables/fields/records. Every call passes, in order:
 * authentication, the per-app rate limit of its class, the fault plan, the body checks, the
 * write-conflict guard of its table, the latency of its class, and then the store.
 */
public final class OpenApiHandler implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(OpenApiHandler.class.getName());
  private static final String TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal";
  private static final String APPS_PREFIX = "/open-apis/bitable/v1/apps/";

  private final EmulatorSettings settings;
  private final BitableStore store;
  private final AppRegistry apps;
  private final FaultPlan faults;
  private final Stats stats;
  private final Map<String, SlidingWindow> quotas = new ConcurrentHashMap<>();
  /** Calls each app made since the start or the last reset, against {@link EmulatorSettings#monthlyCallQuota()}. */
  private final Map<String, AtomicLong> callsThisMonth = new ConcurrentHashMap<>();
  private final AtomicLong requestSeq = new AtomicLong();
  private final String requestIdPrefix = Long.toHexString(System.currentTimeMillis());

  public OpenApiHandler(EmulatorSettings settings, BitableStore store, AppRegistry apps, FaultPlan faults, Stats stats) {
    this.settings = settings;
    this.store = store;
    this.apps = apps;
    this.faults = faults;
    this.stats = stats;
  }

  /** Forgets the quota windows, e.g. after a reset. */
  public void resetQuotas() {
    quotas.clear();
    callsThisMonth.clear();
  }

  /** A call, routed: its endpoint name for stats, its class, and the ids in its path. */
  private record Route(String endpoint, CallClass callClass, boolean write, String appToken, String tableId,
      String subId, Op op) {}

  private enum Op {
    TOKEN, LIST_TABLES, CREATE_TABLE, DELETE_TABLE, LIST_FIELDS, CREATE_FIELD, UPDATE_FIELD,
    LIST_RECORDS, BATCH_CREATE, BATCH_UPDATE, BATCH_DELETE, SEARCH
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long arrival = System.nanoTime();
    String logId = requestIdPrefix + String.format("%010d", requestSeq.incrementAndGet());
    Map<String, String> headers = new HashMap<>();
    headers.put("X-Tt-Logid", logId);
    headers.put("X-Request-Id", logId);
    try {
      Route route = route(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
      if (route == null) {
        stats.answered(404, 404);
        Exchanges.sendJson(exchange, 404, Exchanges.error(404, "404 page not found: "
            + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(), logId), headers);
        return;
      }
      stats.arrived(route.endpoint, route.callClass, arrival);
      serve(exchange, route, headers, logId);
    } catch (ApiException e) {
      headers.putAll(e.headers());
      stats.answered(e.httpStatus(), e.code());
      Exchanges.sendJson(exchange, e.httpStatus(), Exchanges.error(e.code(), e.getMessage(), logId), headers);
    } catch (DroppedConnection e) {
      exchange.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "emulator failed on " + exchange.getRequestURI() + " (log id " + logId + ")", e);
      stats.answered(500, INTERNAL_ERROR);
      Exchanges.sendJson(exchange, 500, Exchanges.error(INTERNAL_ERROR, "InternalError: " + e, logId), headers);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    }
  }

  /** What a gateway in front of the Open API answers when it, or what is behind it, fails: an HTML page, not JSON. */
  static String gatewayPage(int status) {
    String reason = switch (status) {
      case 413 -> "Request Entity Too Large";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Temporarily Unavailable";
      case 504 -> "Gateway Time-out";
      default -> "Error";
    };
    String title = status + " " + reason;
    return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
        + "</h1></center>\r\n</body>\r\n</html>\r\n";
  }

  private void serve(HttpExchange exchange, Route route, Map<String, String> headers, String logId)
      throws IOException, InterruptedException {
    String appId = null;
    if (route.op != Op.TOKEN) {
      appId = apps.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
      enforceMonthlyQuota(appId);
      enforceQuota(appId, route.callClass);
    }
    FaultRule fault = faults.next(route.callClass);
    if (fault != null) {
      stats.faultInjected(fault.kind().wireName());
      switch (fault.kind()) {
        case HTTP_ERROR:
          stats.answered(fault.status(), -1);
          Exchanges.send(exchange, fault.status(), gatewayPage(fault.status()).getBytes(StandardCharsets.UTF_8),
              "text/html; charset=utf-8", headers);
          return;
        case CODE:
          if (fault.code() == RATE_LIMITED) {
            // as the gateway answers it: with the window's limit and the seconds until it resets
            throw new ApiException(429, RATE_LIMITED, "injected fault " + fault.code(), Map.of("x-ogw-ratelimit-limit",
                String.valueOf(settings.rateLimit(route.callClass)), "x-ogw-ratelimit-reset", "1"));
          }
          throw ApiException.of(fault.code(), "injected fault " + fault.code());
        case DROP:
          throw new DroppedConnection();
        case SLOW:
          Thread.sleep(fault.delayMillis());
          break;
        default:
          break;
      }
    }
    // batch_create, the busiest call, is read as a stream rather than a tree
    RecordBatch batch = route.op == Op.BATCH_CREATE ? readBatch(exchange, route, appId) : null;
    try {
      JsonNode body = batch != null ? Exchanges.MAPPER.createObjectNode() : body(exchange);
      Map<String, String> query = Exchanges.query(exchange);
      ObjectNode reply;
      if (route.op == Op.TOKEN) {
        sleep(route.callClass, 0);
        AppRegistry.Grant grant = apps.issue(body.path("app_id").asText(null), body.path("app_secret").asText(null));
        reply = Exchanges.MAPPER.createObjectNode();
        reply.put("code", 0).put("msg", "ok").put("tenant_access_token", grant.token()).put("expire", grant.expireSeconds());
      } else {
        Base base = store.base(route.appToken, appId);
        Table table = route.tableId == null ? null : store.table(base, route.tableId);
        int records = batch != null ? batch.size() : body.path("records").size();
        ObjectNode data;
        // read once: the setting may change while this write runs, and the flag must be released as taken
        boolean guarded = route.write && table != null && settings.writeConflictsEnabled();
        if (guarded) {
          if (!table.tryBeginWrite()) {
            stats.writeConflict();
            throw ApiException.of(WRITE_CONFLICT, "Write conflict: another write to table " + table.id()
                + " is in progress; write one batch at a time per table");
          }
          try {
            sleep(route.callClass, records);
            data = execute(route, base, table, body, batch, query);
          } finally {
            table.endWrite();
          }
        } else {
          sleep(route.callClass, records);
          data = execute(route, base, table, body, batch, query);
        }
        if (fault != null && fault.kind() == FaultRule.Kind.SLOW) {
          stats.slowCallCarriedOut();
        }
        if (route.op == Op.SEARCH || route.op == Op.LIST_RECORDS) {
          stats.recordsRead(route.endpoint, data.path("items").size());
        }
        reply = Exchanges.MAPPER.createObjectNode();
        reply.put("code", 0).put("msg", "success").set("data", data);
      }
      if (fault != null && fault.kind() == FaultRule.Kind.DROP_AFTER_COMMIT) {
        throw new DroppedConnection();
      }
      stats.answered(200, 0);
      if (route.op == Op.BATCH_CREATE || route.op == Op.BATCH_UPDATE || route.op == Op.SEARCH || route.op == Op.LIST_RECORDS) {
        Exchanges.streamJson(exchange, 200, reply, headers);
      } else {
        Exchanges.sendJson(exchange, 200, reply, headers);
      }
    } finally {
      if (batch != null) {
        batch.release(true); // answered: its arrays go back to the pool
      }
    }
  }

  private ObjectNode execute(Route route, Base base, Table table, JsonNode body, RecordBatch batch,
      Map<String, String> query) {
    switch (route.op) {
      case LIST_TABLES: return store.listTables(base, query.get("page_size"), query.get("page_token"));
      case CREATE_TABLE: return store.createTable(base, body);
      case DELETE_TABLE: return store.deleteTable(base, table);
      case LIST_FIELDS: return store.listFields(table, query.get("page_size"), query.get("page_token"));
      case CREATE_FIELD:
        clientToken(query);
        return store.createField(table, body);
      case UPDATE_FIELD: return store.updateField(table, route.subId, body);
      case LIST_RECORDS: return store.listRecords(table, query);
      case BATCH_CREATE: return store.batchCreate(table, batch, clientToken(query));
      case BATCH_UPDATE: return store.batchUpdate(table, body);
      case BATCH_DELETE: return store.batchDelete(table, body);
      case SEARCH: return store.search(table, body, query.get("page_size"), query.get("page_token"));
      default: throw new IllegalStateException("no store operation for " + route.op);
    }
  }

  /** The request's client_token, which Feishu takes only as a UUIDv4 string; null when there is none. */
  private static String clientToken(Map<String, String> query) {
    String token = query.get("client_token");
    if (token == null || token.isEmpty()) {
      return null;
    }
    if (!UUID_V4.matcher(token).matches()) {
      throw ApiException.of(PARAM_INVALID, "field validation failed: client_token must be a UUIDv4 string, got '"
          + token + "'");
    }
    return token;
  }

  private static final java.util.regex.Pattern UUID_V4 = java.util.regex.Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");

  private void enforceMonthlyQuota(String appId) {
    long calls = callsThisMonth.computeIfAbsent(appId, a -> new AtomicLong()).incrementAndGet(); // counted with or without a quota
    long quota = settings.monthlyCallQuota();
    if (quota > 0 && calls > quota) {
      throw ApiException.of(MONTHLY_QUOTA_EXCEEDED, "the tenant's monthly API call quota (" + quota
          + " calls) is used up");
    }
  }

  private void enforceQuota(String appId, CallClass callClass) {
    if (!settings.rateLimitsEnabled()) {
      return;
    }
    int limit = settings.rateLimit(callClass);
    if (limit <= 0) {
      return;
    }
    SlidingWindow window = quotas.computeIfAbsent(appId + "/" + callClass, k -> new SlidingWindow());
    long waitNanos = window.tryAdd(System.nanoTime(), limit);
    if (waitNanos > 0) {
      stats.rateLimited(callClass);
      long resetSeconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      throw new ApiException(429, RATE_LIMITED, "request trigger frequency limit: " + limit + " " + callClass.wireName()
          + " calls per second per app", Map.of("x-ogw-ratelimit-limit", String.valueOf(limit),
          "x-ogw-ratelimit-reset", String.valueOf(resetSeconds)));
    }
  }

  private void sleep(CallClass callClass, int records) throws InterruptedException {
    long ms = settings.latency(callClass).draw(records);
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }

  /**
   * A batch_create body. When the table is there to be written, its records are decoded against the
   * table's fields as they are read; when it is not, the body is only read, and the store reports
   * the missing base or table afterwards, as it would for any other call.
   */
  private RecordBatch readBatch(HttpExchange exchange, Route route, String appId) throws IOException {
    Exchanges.Body body = rawJson(exchange);
    Table table = null;
    if (settings.strictCellTypes()) {
      try {
        table = store.table(store.base(route.appToken, appId), route.tableId);
      } catch (ApiException e) {
        // reported in its turn, after the body's own errors
      }
    }
    try {
      return table == null ? RecordBatch.parse(body.bytes(), body.length())
          : RecordBatch.parse(body.bytes(), body.length(), table, settings.maxTextCellChars());
    } catch (RuntimeException e) {
      BytePool.give(body.bytes());
      throw e;
    }
  }

  /** The body, in an array from {@link BytePool}, after the content-type and size checks. */
  private Exchanges.Body rawJson(HttpExchange exchange) throws IOException {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    Exchanges.Body body = Exchanges.readPooledBody(exchange, settings.maxBodyBytes());
    if (body == null) {
      throw new ApiException(413, WRONG_REQUEST_BODY, "WrongRequestBody: the body is larger than "
          + settings.maxBodyBytes() + " bytes", Map.of("Connection", "close"));
    }
    if (body.length() > 0 && (contentType == null || !contentType.toLowerCase().startsWith("application/json"))) {
      BytePool.give(body.bytes());
      throw ApiException.of(PARAM_INVALID, "field validation failed: Content-Type must be application/json, got "
          + contentType);
    }
    return body;
  }

  private JsonNode body(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (!method.equals("POST") && !method.equals("PUT")) {
      return Exchanges.MAPPER.createObjectNode();
    }
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if ("0".equals(length)) {
      return Exchanges.MAPPER.createObjectNode();
    }
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw ApiException.of(PARAM_INVALID, "field validation failed: Content-Type must be application/json, got "
          + contentType);
    }
    JsonNode node;
    try {
      node = Exchanges.readJson(exchange, settings.maxBodyBytes());
    } catch (JsonProcessingException e) {
      throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: the body is not valid JSON ("
          + e.getOriginalMessage() + ")");
    }
    if (node == null) {
      throw new ApiException(413, WRONG_REQUEST_BODY, "WrongRequestBody: the body is larger than "
          + settings.maxBodyBytes() + " bytes", Map.of("Connection", "close"));
    }
    if (node.isMissingNode()) {
      return Exchanges.MAPPER.createObjectNode();
    }
    if (node == null || !node.isObject()) {
      throw ApiException.of(WRONG_REQUEST_JSON, "WrongRequestJson: the body must be a JSON object");
    }
    return node;
  }

  private static Route route(String method, String path) {
    if (path.equals(TOKEN_PATH)) {
      return method.equals("POST") ? new Route("POST tenant_access_token", CallClass.TOKEN, false, null, null, null, Op.TOKEN) : null;
    }
    if (!path.startsWith(APPS_PREFIX)) {
      return null;
    }
    String[] p = path.substring(APPS_PREFIX.length()).split("/", -1);
    if (p.length < 2 || !p[1].equals("tables")) {
      return null;
    }
    String app = p[0];
    if (p.length == 2) {
      switch (method) {
        case "GET": return new Route("GET tables", CallClass.READ, false, app, null, null, Op.LIST_TABLES);
        case "POST": return new Route("POST tables", CallClass.SCHEMA_WRITE, false, app, null, null, Op.CREATE_TABLE);
        default: return null;
      }
    }
    String table = p[2];
    if (p.length == 3) {
      return method.equals("DELETE")
          ? new Route("DELETE tables/{table_id}", CallClass.SCHEMA_WRITE, true, app, table, null, Op.DELETE_TABLE) : null;
    }
    String kind = p[3];
    if (kind.equals("fields")) {
      if (p.length == 4) {
        switch (method) {
          case "GET": return new Route("GET fields", CallClass.READ, false, app, table, null, Op.LIST_FIELDS);
          case "POST": return new Route("POST fields", CallClass.SCHEMA_WRITE, true, app, table, null, Op.CREATE_FIELD);
          default: return null;
        }
      }
      return p.length == 5 && method.equals("PUT")
          ? new Route("PUT fields/{field_id}", CallClass.SCHEMA_WRITE, true, app, table, p[4], Op.UPDATE_FIELD) : null;
    }
    if (!kind.equals("records")) {
      return null;
    }
    if (p.length == 4) {
      return method.equals("GET") ? new Route("GET records", CallClass.READ, false, app, table, null, Op.LIST_RECORDS) : null;
    }
    if (p.length != 5 || !method.equals("POST")) {
      return null;
    }
    switch (p[4]) {
      case "batch_create": return new Route("POST records/batch_create", CallClass.RECORD_WRITE, true, app, table, null, Op.BATCH_CREATE);
      case "batch_update": return new Route("POST records/batch_update", CallClass.RECORD_WRITE, true, app, table, null, Op.BATCH_UPDATE);
      case "batch_delete": return new Route("POST records/batch_delete", CallClass.RECORD_WRITE, true, app, table, null, Op.BATCH_DELETE);
      case "search": return new Route("POST records/search", CallClass.READ, false, app, table, null, Op.SEARCH);
      default: return null;
    }
  }

  /** Thrown to end a call by closing its connection without an answer. */
  private static final class DroppedConnection extends RuntimeException {
    DroppedConnection() {
      super(null, null, false, false);
    }
  }
}
