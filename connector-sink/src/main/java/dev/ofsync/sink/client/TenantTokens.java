package dev.ofsync.sink.client;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.lark.oapi.Client;
import com.lark.oapi.core.response.RawResponse;
import com.lark.oapi.core.token.AccessTokenType;
import java.nio.charset.StandardCharsets;
import com.lark.oapi.core.request.SelfBuiltTenantAccessTokenReq;

/**
 * This client's tenant_access_token. The SDK's own token cache is one per JVM (each new client
 * replaces it) and keeps a token Feishu has revoked, so the sink fetches and renews its token
 * itself and hands it to every call.
 */
final class TenantTokens {
  private static final String PATH = "/open-apis/auth/v3/tenant_access_token/internal";

  private final Client client;
  private final String appId;
  private final String appSecret;
  private String token;
  private long renewAtNanos;

  TenantTokens(Client client, String appId, String appSecret) {
    this.client = client;
    this.appId = appId;
    this.appSecret = appSecret;
  }

  /** The current token, fetching a new one when there is none or it is near its end. */
  synchronized String get(RequestBudget budget) throws InterruptedException {
    if (token != null && renewAtNanos - System.nanoTime() > 0) {
      return token;
    }
    budget.acquire(CallClass.READ);
    RawResponse raw;
    try {
      SelfBuiltTenantAccessTokenReq body = new SelfBuiltTenantAccessTokenReq();
      body.setAppId(appId);
      body.setAppSecret(appSecret);
      raw = client.post(PATH, body, AccessTokenType.None);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new FeishuCallException("get tenant_access_token", 0, -1, e.toString(), null, Failure.TRANSIENT, 0, e);
    }
    JsonObject body;
    try {
      body = JsonParser.parseString(new String(raw.getBody(), StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new FeishuCallException("get tenant_access_token", raw.getStatusCode(), -1,
          "the answer is not JSON", raw.getRequestID(), Failure.TRANSIENT, 0, e);
    }
    int code = body.has("code") ? body.get("code").getAsInt() : -1;
    if (code != 0 || !body.has("tenant_access_token")) {
      String msg = body.has("msg") ? body.get("msg").getAsString() : "no token in the answer";
      Failure failure = raw.getStatusCode() >= 500 || raw.getStatusCode() == 429 ? Failure.TRANSIENT : Failure.FATAL;
      throw new FeishuCallException("get tenant_access_token for app " + appId, raw.getStatusCode(), code, msg,
          raw.getRequestID(), failure, 0, null);
    }
    token = body.get("tenant_access_token").getAsString();
    long expireSeconds = body.has("expire") ? body.get("expire").getAsLong() : 7200;
    // Renew 3 minutes before the end (as the SDK does), or at 80% of a short lifetime.
    long renewAfterSeconds = expireSeconds > 900 ? expireSeconds - 180 : (long) (expireSeconds * 0.8);
    renewAtNanos = System.nanoTime() + renewAfterSeconds * 1_000_000_000L;
    return token;
  }

  /**
   * Drops the token a call was refused with, so the next call fetches a new one; a newer token
   * that another call fetched meanwhile is kept.
   */
  synchronized void invalidate(String refused) {
    if (refused == null || refused.equals(token)) {
      token = null;
    }
  }
}
