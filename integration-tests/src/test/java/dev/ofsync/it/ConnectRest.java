package dev.ofsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * The worker's REST API over plain HTTP, as curl would call it: {@link EmbeddedConnectCluster}'s own
 * responses do not give their bodies back, and the bodies are what these tests look at.
 */
public final class ConnectRest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmbeddedConnectCluster connect;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public ConnectRest(EmbeddedConnectCluster connect) {
    this.connect = connect;
  }

  public record Answer(int status, String body) {
    public JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  public Answer get(String resource) throws IOException, InterruptedException {
    return send(request(resource).GET());
  }

  /** PUT with a JSON body; validate calls can take a while because the plugin tries its database. */
  public Answer put(String resource, Object body) throws IOException, InterruptedException {
    return send(request(resource).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  public Answer delete(String resource) throws IOException, InterruptedException {
    return send(request(resource).DELETE());
  }

  private HttpRequest.Builder request(String resource) {
    return HttpRequest.newBuilder(URI.create(connect.endpointForResource(resource))).timeout(Duration.ofSeconds(60));
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }
}
