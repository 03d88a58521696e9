package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TenantTokensTest {
  private static final String APP_ID = "cli_tokens0001";
  private static final String APP_SECRET = "secret-tokens";

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast().app(APP_ID, APP_SECRET);

  private static long tokenCalls() {
    return FEISHU.emulator().stats().calls("POST tenant_access_token");
  }

  @Test
  void aRefusedTokenIsDroppedButANewerOneAnotherCallFetchedIsKept() throws InterruptedException {
    Client client = Client.newBuilder(APP_ID, APP_SECRET).openBaseUrl(FEISHU.url()).disableTokenCache()
        .httpTransport(new BodyTransport(Duration.ofSeconds(10))).build();
    TenantTokens tokens = new TenantTokens(client, APP_ID, APP_SECRET);
    RequestBudget budget = new RequestBudget(50, 1);
    long before = tokenCalls();

    String first = tokens.get(budget);
    FEISHU.emulator().expireTokens(); // Feishu refuses it now
    tokens.invalidate(first); // a call was refused with it: the next one fetches another
    String second = tokens.get(budget);
    tokens.invalidate(first); // a slower call refused with the old one: the new one stays
    String third = tokens.get(budget);

    assertThat(second).isNotEqualTo(first);
    assertThat(third).isEqualTo(second);
    assertThat(tokenCalls() - before).as("token fetches").isEqualTo(2);
  }
}
