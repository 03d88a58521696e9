package dev.ofsync.launcher.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ofsync.launcher.UserError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kafka Connect REST calls the launcher makes: create or update a connector, its status,
 * stop/resume, and the offsets API of KIP-875 (read, reset). Works the same on the embedded worker
 * and on an existing cluster ({@code --connect-url}).
 */
public final class ConnectRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long REBALANCE_WAIT_NANOS = 60_000_000_000L;
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public ConnectRest(URI base) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
  }

  public URI base() {
    return base;
  }

  /** Creates the connector, or updates its config; a config the worker refuses becomes a UserError per key. */
  public void putConfig(String name, Map<String, String> config) throws UserError {
    Answer a = send("PUT", "connectors/" + name + "/config", config);
    if (a.status == 400) {
      throw new UserError(name + ": the Connect worker refused the config: " + a.body.path("message").asText());
    }
    a.expect("PUT config of " + name, 200, 201);
  }

  /**
   * {@code PUT /connector-plugins/{class}/config/validate}: the worker resolves the config's
   * provider references ({@code ${env:...}}, {@code ${file:...}}) with its own providers and runs
   * the connector's validation there; answers each error as "key: message".
   */
  public List<String> validate(String connectorClass, Map<String, String> config) throws UserError {
    String simple = connectorClass.substring(connectorClass.lastIndexOf('.') + 1);
    Answer a = send("PUT", "connector-plugins/" + simple + "/config/validate", config);
    if (a.status == 404) {
      throw new UserError(simple + " is not installed on the Connect cluster at " + base + ": put its plugin zip on "
          + "every worker's plugin.path and restart them (see the README)");
    }
    JsonNode answer = a.expect("validate the config of " + simple, 200);
    List<String> out = new ArrayList<>();
    for (JsonNode c : answer.path("configs")) {
      for (JsonNode error : c.path("value").path("errors")) {
        out.add(c.path("value").path("name").asText() + ": " + error.asText());
      }
    }
    return out;
  }

  /** {@code GET /connectors?expand=info}: each connector's config, by connector name. */
  public Map<String, Map<String, String>> configs() throws UserError {
    JsonNode answer = send("GET", "connectors?expand=info", null).expect("list the connectors", 200);
    Map<String, Map<String, String>> out = new java.util.TreeMap<>();
    answer.fields().forEachRemaining(e -> {
      Map<String, String> config = new java.util.HashMap<>();
      e.getValue().path("info").path("config").fields().forEachRemaining(c -> config.put(c.getKey(), c.getValue().asText()));
      out.put(e.getKey(), config);
    });
    return out;
  }

  public boolean exists(String name) throws UserError {
    Answer a = send("GET", "connectors/" + name, null);
    return a.status == 200;
  }

  /** {@code GET /connectors/{name}/status}, or a missing node when there is no such connector. */
  public JsonNode status(String name) throws UserError {
    Answer a = send("GET", "connectors/" + name + "/status", null);
    return a.status == 404 ? MissingNode.getInstance() : a.expect("status of " + name, 200);
  }

  public JsonNode offsets(String name) throws UserError {
    return send("GET", "connectors/" + name + "/offsets", null).expect("offsets of " + name, 200);
  }

  /**
   * {@code POST /connectors} with {@code initial_state: STOPPED} (KIP-980): made, but run only once
   * resumed. False when a connector of the name exists after all (a worker just started may not
   * have read it yet when asked).
   */
  public boolean createStopped(String name, Map<String, String> config) throws UserError {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("name", name);
    body.put("config", config);
    body.put("initial_state", "STOPPED");
    Answer a = send("POST", "connectors", body);
    if (a.status == 409 && alreadyExists(a)) {
      return false;
    }
    a.expect("create " + name + " stopped", 201);
    return true;
  }

  private static boolean alreadyExists(Answer a) {
    return a.body.path("message").asText().contains("already exists");
  }

  public void stop(String name) throws UserError {
    send("PUT", "connectors/" + name + "/stop", null).expect("stop " + name, 202, 204, 200);
  }

  public void resume(String name) throws UserError {
    send("PUT", "connectors/" + name + "/resume", null).expect("resume " + name, 202, 204, 200);
  }

  /** KIP-875: the connector must be stopped; answers the worker's message. */
  public String resetOffsets(String name) throws UserError {
    return send("DELETE", "connectors/" + name + "/offsets", null).expect("reset offsets of " + name, 200)
        .path("message").asText();
  }

  public void delete(String name) throws UserError {
    send("DELETE", "connectors/" + name, null).expect("delete " + name, 204, 200, 404);
  }

  /** The connector state, and the tasks' states (FAILED tasks with their trace). */
  public static String state(JsonNode status) {
    return status.path("connector").path("state").asText("");
  }

  /** The first lines of each failed part's trace, or an empty list. */
  public static List<String> failures(JsonNode status) {
    List<String> out = new ArrayList<>();
    String name = status.path("name").asText();
    if ("FAILED".equals(state(status))) {
      out.add(name + ": " + firstLine(status.path("connector").path("trace").asText()));
    }
    for (JsonNode task : status.path("tasks")) {
      if ("FAILED".equals(task.path("state").asText())) {
        out.add(name + " task " + task.path("id").asText() + ": " + firstLine(task.path("trace").asText()));
      }
    }
    return out;
  }

  /** The message a connector threw: the trace's first line without the exception class, and its cause's. */
  static String firstLine(String trace) {
    String[] lines = trace.split("\n");
    StringBuilder out = new StringBuilder(strip(lines[0]));
    for (String line : lines) {
      if (line.startsWith("Caused by: ") && !out.toString().contains(strip(line.substring(11)))) {
        out.append(" (caused by: ").append(strip(line.substring(11))).append(')');
        break;
      }
    }
    return out.toString();
  }

  private static String strip(String line) {
    int colon = line.indexOf(": ");
    String head = colon < 0 ? line : line.substring(0, colon);
    return colon > 0 && head.matches("[\\w.$]+(Exception|Error)") ? line.substring(colon + 2) : line;
  }

  /**
   * One call; a 409 (the worker is rebalancing or has no leader yet, as just after it starts) is
   * asked again for up to a minute before it counts as the answer.
   */
  private Answer send(String method, String path, Object body) throws UserError {
    long deadline = System.nanoTime() + REBALANCE_WAIT_NANOS;
    Answer a = sendOnce(method, path, body);
    while (a.status == 409 && !alreadyExists(a) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UserError("interrupted while the Connect worker was rebalancing", e);
      }
      a = sendOnce(method, path, body);
    }
    return a;
  }

  private Answer sendOnce(String method, String path, Object body) throws UserError {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90))
        .header("Accept", "application/json");
    try {
      if (body != null) {
        request.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      } else {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      byte[] bytes = response.body();
      JsonNode json = bytes.length == 0 ? MissingNode.getInstance() : JSON.readTree(bytes);
      return new Answer(response.statusCode(), json == null ? MissingNode.getInstance() : json);
    } catch (ConnectException e) {
      throw UserError.environment("cannot reach the Kafka Connect REST API at " + base + " (is the worker running? "
          + "check --connect-url / kafka.connect_url)", e);
    } catch (IOException e) {
      throw UserError.environment("Kafka Connect REST API at " + base + ": " + method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted while calling the Kafka Connect REST API", e);
    }
  }

  private record Answer(int status, JsonNode body) {
    JsonNode expect(String what, int... ok) throws UserError {
      for (int s : ok) {
        if (status == s) {
          return body;
        }
      }
      String problem = what + ": the Connect worker answered HTTP " + status + ": "
          + body.path("message").asText(body.toString());
      // 409: the workers are rebalancing; 5xx: the worker failed. Either may pass; a 400 is the config's
      throw status >= 500 || status == 409 ? UserError.environment(problem) : new UserError(problem);
    }
  }
}
