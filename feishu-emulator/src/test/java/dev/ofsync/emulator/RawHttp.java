package dev.ofsync.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Hand-made HTTP, for what the SDK cannot send: calls without a token, malformed JSON, wrong
 * content types, huge bodies, JSON escapes the SDK's encoder would rewrite, and the admin API.
 */
final class RawHttp {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String baseUrl;

  RawHttp(FeishuEmulator emulator) {
    this.baseUrl = emulator.url();
  }

  /** A tenant_access_token for the app. */
  String token(String appId, String secret) throws IOException, InterruptedException {
    return json(send("POST", "/open-apis/auth/v3/tenant_access_token/internal",
        "{\"app_id\":\"" + appId + "\",\"app_secret\":\"" + secret + "\"}", "application/json", null).body())
        .path("tenant_access_token").asText();
  }

  HttpResponse<String> send(String method, String path, String body, String contentType, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20));
    if (contentType != null) {
      req.header("Content-Type", contentType);
    }
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(String body) throws IOException {
    return JSON.readTree(body);
  }
}
