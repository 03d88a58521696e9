package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.core.request.RawRequest;
import com.lark.oapi.core.response.RawResponse;
import com.sun.net.httpserver.HttpServer;
import dev.ofsync.emulator.CallClass;
import dev.ofsync.emulator.FaultRule;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BodyTransportTest {
  private static final String APP_ID = "cli_transport";
  private static final String APP_SECRET = "transport-secret";

  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base("bascnTransport01", "Orders", APP_ID);

  private static String strip(String json) {
    return new String(BodyTransport.withoutFields(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void aWriteAnswerKeepsItsRecordIdsWithoutTheCells() {
    String answer = "{\"code\":0,\"msg\":\"success\",\"data\":{\"records\":["
        + "{\"fields\":{\"ID\":\"1\",\"AMOUNT\":12.5,\"WHEN\":1700000000000,\"TAGS\":[\"a\",\"b\"],\"NOTE\":null},"
        + "\"record_id\":\"recA1\"},"
        + "{\"record_id\":\"recB2\",\"fields\":{\"ID\":\"2\",\"TEXT\":[{\"text\":\"x\",\"type\":\"text\"}]}}]}}";

    assertThat(strip(answer)).isEqualTo(
        "{\"code\":0,\"msg\":\"success\",\"data\":{\"records\":[{\"record_id\":\"recA1\"},{\"record_id\":\"recB2\"}]}}");
  }

  @Test
  void numbersNullsAndEscapesOutsideTheCellsPassAsTheyAre() {
    String answer = "{\"code\":0,\"msg\":\"a \\\"quoted\\\" ü\",\"data\":{\"total\":12345678901234,\"ok\":true,"
        + "\"x\":null,\"ratio\":1.50}}";

    assertThat(strip(answer)).isEqualTo(answer);
  }

  @Test
  void anAnswerThatIsNotJsonIsKeptForTheSdkToReport() {
    assertThat(strip("upstream error 502")).isEqualTo("upstream error 502");
  }

  @Test
  void theGateHearsWhenTheRequestStartsGoingOutAfterItWasLetGoAndBeforeTheServerHasIt() throws Exception {
    AtomicLong arrived = new AtomicLong();
    // a bare HTTP server: it tells the instant the request arrived, which the emulator does not
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      arrived.set(System.nanoTime());
      exchange.getRequestBody().readAllBytes();
      byte[] answer = "{\"code\":0,\"msg\":\"success\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.start();
    try {
      BodyTransport transport = new BodyTransport(Duration.ofSeconds(10));
      AtomicLong letGo = new AtomicLong();
      AtomicLong sending = new AtomicLong();
      transport.beforeSend(new BodyTransport.BeforeSend() {
        @Override
        public void ready() {
          letGo.set(System.nanoTime());
        }

        @Override
        public void sending(long nanoTime) {
          sending.compareAndSet(0, nanoTime);
        }
      });
      RawRequest request = new RawRequest();
      request.setReqUrl("http://127.0.0.1:" + server.getAddress().getPort() + "/open-apis/x");
      request.setHttpMethod("POST");
      Map<String, List<String>> headers = new HashMap<>();
      headers.put("Authorization", List.of("Bearer t-1"));
      request.setHeaders(headers);
      request.setBody(Map.of("records", List.of(Map.of("fields", Map.of("ID", "1")))));

      RawResponse response = transport.execute(request);

      assertThat(response.getStatusCode()).isEqualTo(200);
      assertThat(letGo.get()).as("the budget let it go").isNotZero();
      assertThat(sending.get()).as("told when the request went out").isNotZero();
      assertThat(sending.get() - letGo.get()).as("after the budget let it go").isGreaterThanOrEqualTo(0);
      assertThat(arrived.get() - sending.get()).as("before the server had it").isGreaterThanOrEqualTo(0);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aGatewaysErrorPageFailsWithItsStatusTextAndRequestId() {
    FEISHU.emulator().faults().script(FaultRule.httpError(502).on(CallClass.TOKEN));
    RawRequest request = new RawRequest();
    request.setReqUrl(FEISHU.url() + "/open-apis/auth/v3/tenant_access_token/internal");
    request.setHttpMethod("POST");
    request.setHeaders(new HashMap<>());
    request.setBody(Map.of("app_id", APP_ID, "app_secret", APP_SECRET));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BodyTransport(Duration.ofSeconds(10)).execute(request))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageMatching("HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body> "
            + "<center><h1>502 Bad Gateway</h1></center> </body> </html> \\(request id [0-9A-Za-z]+\\)");
  }
}
