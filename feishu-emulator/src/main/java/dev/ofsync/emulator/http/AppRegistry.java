package dev.ofsync.emulator.http;

import static dev.ofsync.emulator.api.ErrorCodes.*;

import dev.ofsync.emulator.EmulatorSettings;
import dev.ofsync.emulator.api.ApiException;
import dev.ofsync.emulator.store.Ids;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The apps (id, secret, scopes) the emulator knows, and the tenant_access_tokens it gave them. */
public final class AppRegistry {
  /** The scope every Bitable call needs. */
  public static final String BITABLE_SCOPE = "bitable:app";
  /** Feishu hands out the current token again until it has less than 30 minutes left. */
  private static final long REISSUE_BELOW_MILLIS = 30 * 60 * 1000L;

  private record App(String secret, Set<String> scopes) {}

  private record Issued(String appId, long expiresAtMillis) {}

  /** A token and its remaining lifetime in seconds. */
  public record Grant(String token, long expireSeconds) {}

  private final EmulatorSettings settings;
  private final Map<String, App> apps = new ConcurrentHashMap<>();
  private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
  private final Map<String, String> currentToken = new ConcurrentHashMap<>();

  public AppRegistry(EmulatorSettings settings) {
    this.settings = settings;
  }

  public void addApp(String appId, String appSecret, Set<String> scopes) {
    apps.put(appId, new App(appSecret, Set.copyOf(scopes)));
  }

  public boolean hasApp(String appId) {
    return apps.containsKey(appId);
  }

  public Grant issue(String appId, String appSecret) {
    if (appId == null || appId.isEmpty() || appSecret == null || appSecret.isEmpty()) {
      throw ApiException.of(TOKEN_INVALID_PARAM, "invalid param: app_id and app_secret are required");
    }
    App app = apps.get(appId);
    if (app == null) {
      throw ApiException.of(APP_CREDENTIALS_INVALID, "app id not exists");
    }
    if (!app.secret.equals(appSecret)) {
      throw ApiException.of(APP_CREDENTIALS_INVALID, "app secret invalid");
    }
    long now = System.currentTimeMillis();
    long lifetime = settings.tokenLifetimeSeconds() * 1000;
    String current = currentToken.get(appId);
    Issued issued = current == null ? null : tokens.get(current);
    long reissueBelow = Math.min(REISSUE_BELOW_MILLIS, lifetime / 4);
    if (issued != null && issued.expiresAtMillis - now > reissueBelow) {
      return new Grant(current, (issued.expiresAtMillis - now) / 1000);
    }
    String token = Ids.tenantToken();
    tokens.put(token, new Issued(appId, now + lifetime));
    currentToken.put(appId, token);
    tokens.values().removeIf(t -> t.expiresAtMillis < now - lifetime);
    return new Grant(token, lifetime / 1000);
  }

  /** The app a bearer token belongs to; refuses a missing, unknown or expired token, or an app without the scope. */
  public String authenticate(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw ApiException.of(TOKEN_MISSING,
          "Missing access token for authorization. Please make a request with token attached.");
    }
    String token = authorization.startsWith("Bearer ") ? authorization.substring(7).trim() : authorization.trim();
    Issued issued = tokens.get(token);
    if (issued == null || issued.expiresAtMillis <= System.currentTimeMillis()) {
      throw ApiException.of(TOKEN_INVALID,
          "Invalid access token for authorization. Please make a request with token attached.");
    }
    App app = apps.get(issued.appId);
    if (app == null || !app.scopes.contains(BITABLE_SCOPE)) {
      throw ApiException.of(SCOPE_MISSING, "Access denied. One of the following scopes is required: ["
          + BITABLE_SCOPE + "]. The app " + issued.appId + " lacks it; enable it in the developer console.");
    }
    return issued.appId;
  }

  /** Ends every token now, as if each had reached its expiry. */
  public void expireAll() {
    tokens.clear();
    currentToken.clear();
  }

  public void clear() {
    apps.clear();
    expireAll();
  }
}
