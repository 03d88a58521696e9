package dev.ofsync.emulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.FeishuEmulator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emulator's own API under {@code /_emulator/}, for tests, the launcher and people: stats,
 * dumps of a base, reset, apps and bases, token expiry and the fault plan. Not part of Feishu's
 * API, so neither rate-limited nor authenticated.
 */
public final class AdminHandler implements HttpHandler {
  public static final String PREFIX = "/_emulator/";

  private final FeishuEmulator emulator;

  public AdminHandler(FeishuEmulator emulator) {
    this.emulator = emulator;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
    try {
      Object answer = answer(method, path, exchange);
      if (answer == null) {
        Exchanges.sendJson(exchange, 404, Map.of("error", "no admin call " + method + " " + PREFIX + path
            + "; see the feishu-emulator README"), Map.of());
      } else {
        Exchanges.sendJson(exchange, 200, answer, Map.of());
      }
    } catch (IllegalArgumentException | IOException e) {
      Exchanges.sendJson(exchange, 400, Map.of("error", String.valueOf(e.getMessage())), Map.of());
    } catch (RuntimeException e) {
      Exchanges.sendJson(exchange, 500, Map.of("error", e.toString()), Map.of());
    }
  }

  private Object answer(String method, String path, HttpExchange exchange) throws IOException {
    String key = method + " " + path;
    switch (key) {
      case "GET stats":
        return emulator.stats();
      case "POST stats/reset":
        emulator.resetStats();
        return Map.of("reset", "stats");
      case "POST reset":
        emulator.reset();
        return Map.of("reset", "all");
      case "POST tokens/expire":
        emulator.expireTokens();
        return Map.of("expired", "all tokens");
      case "GET bases":
        return Map.of("app_tokens", emulator.appTokens());
      case "POST bases": {
        JsonNode body = json(exchange);
        Set<String> appIds = new HashSet<>();
        body.path("app_ids").forEach(a -> appIds.add(a.asText()));
        String token = emulator.createBase(body.path("app_token").asText(null), body.path("name").asText("Base"),
            appIds, body.path("base_table_name").asText("Table1"));
        return Map.of("app_token", token, "base_table_id", emulator.tables(token).get(0).tableId());
      }
      case "POST apps": {
        JsonNode body = json(exchange);
        Set<String> scopes = new HashSet<>();
        body.path("scopes").forEach(s -> scopes.add(s.asText()));
        if (scopes.isEmpty()) {
          scopes.add(AppRegistry.BITABLE_SCOPE);
        }
        String appId = required(body, "app_id");
        emulator.addApp(appId, required(body, "app_secret"), scopes);
        return Map.of("app_id", appId);
      }
      case "GET faults":
        return Map.of("script", emulator.faults().pendingScript(), "random", emulator.faults().randomRules());
      case "DELETE faults":
        emulator.faults().clear();
        return Map.of("cleared", "faults");
      case "POST faults": {
        JsonNode body = json(exchange);
        List<FaultRule> script = rules(body.path("script"));
        List<FaultRule> random = rules(body.path("random"));
        emulator.faults().script(script.toArray(new FaultRule[0]));
        if (!random.isEmpty()) {
          emulator.faults().random(body.path("seed").asLong(System.nanoTime()), random.toArray(new FaultRule[0]));
        }
        return Map.of("script", emulator.faults().pendingScript(), "random", emulator.faults().randomRules());
      }
      default:
        break;
    }
    if (method.equals("GET") && path.startsWith("bases/")) {
      String token = path.substring("bases/".length());
      boolean withRecords = !"false".equals(Exchanges.query(exchange).get("records"));
      ObjectNode out = Exchanges.MAPPER.createObjectNode();
      out.put("app_token", token);
      ArrayNode tables = out.putArray("tables");
      emulator.tables(token, withRecords).forEach(t -> tables.add(Exchanges.MAPPER.valueToTree(t)));
      return out;
    }
    return null;
  }

  private static JsonNode json(HttpExchange exchange) throws IOException {
    byte[] bytes = Exchanges.readBody(exchange, 1 << 20);
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("a JSON body is needed");
    }
    return Exchanges.MAPPER.readTree(bytes);
  }

  private static String required(JsonNode body, String key) {
    String v = body.path(key).asText(null);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("\"" + key + "\" is needed");
    }
    return v;
  }

  /** Fault rules from JSON: {"kind": "code", "code": 1254290, "on": "record_write", "times": 3, "probability": 0.1}. */
  static List<FaultRule> rules(JsonNode array) {
    List<FaultRule> out = new ArrayList<>();
    for (JsonNode r : array) {
      String kindName = r.path("kind").asText("");
      FaultRule.Kind kind;
      try {
        kind = FaultRule.Kind.valueOf(kindName.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("fault kind '" + kindName + "' is not one of http_error, code, drop, "
            + "drop_after_commit, slow");
      }
      CallClass on = r.hasNonNull("on") && !r.path("on").asText().equals("any")
          ? CallClass.fromWireName(r.path("on").asText()) : null;
      out.add(new FaultRule(kind, on, r.path("times").asInt(1), r.path("probability").asDouble(1.0),
          r.path("status").asInt(500), r.path("code").asInt(0), r.path("delay_ms").asLong(0)));
    }
    return out;
  }
}
