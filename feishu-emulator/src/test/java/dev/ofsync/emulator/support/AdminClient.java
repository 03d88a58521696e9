package dev.ofsync.emulator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to the emulator's admin API under {@code /_emulator/}, as a person or a script would make them. */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: its HTTP status, its Content-Type and its body parsed as JSON. */
  public record Answer(int status, String contentType, JsonNode json) {}

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String baseUrl;

  public AdminClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public Answer get(String path) {
    return send(request(path).GET());
  }

  public Answer post(String path, String jsonBody) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  public Answer post(String path) {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  public Answer delete(String path) {
    return send(request(path).DELETE());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + "/_emulator/" + path)).timeout(Duration.ofSeconds(10));
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> resp = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = resp.body().length == 0 ? JSON.missingNode() : JSON.readTree(resp.body());
      return new Answer(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
