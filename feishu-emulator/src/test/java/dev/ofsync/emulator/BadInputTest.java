package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests the SDK would never send: each gets a Feishu-style JSON error, and the data stays as it was. */
class BadInputTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private RawHttp http;
  private String token;
  private String recordsPath;

  @BeforeEach
  void setUp() throws Exception {
    http = new RawHttp(FEISHU.emulator());
    token = http.token(APP_ID, APP_SECRET);
    recordsPath = "/open-apis/bitable/v1/apps/" + APP_TOKEN + "/tables/"
        + FEISHU.emulator().tables(APP_TOKEN).get(0).tableId() + "/records/";
  }

  private JsonNode errorOf(HttpResponse<String> resp) throws Exception {
    assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode body = RawHttp.json(resp.body());
    assertThat(body.path("msg").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(FEISHU.emulator().tables(APP_TOKEN).get(0).rowCount()).as("nothing written").isZero();
    return body;
  }

  @Test
  void malformedJsonGets1254000() throws Exception {
    var resp = http.send("POST", recordsPath + "batch_create", "{\"records\": [", "application/json", token);

    assertThat(errorOf(resp).path("code").asInt()).isEqualTo(1254000);
    assertThat(resp.statusCode()).isEqualTo(400);
  }

  @Test
  void aBodyThatIsNotAnObjectGets1254000() throws Exception {
    assertThat(errorOf(http.send("POST", recordsPath + "batch_create", "[1,2]", "application/json", token))
        .path("code").asInt()).isEqualTo(1254000);
  }

  @Test
  void wrongContentTypeGets99992402() throws Exception {
    var resp = http.send("POST", recordsPath + "batch_create", "{\"records\":[{\"fields\":{\"Text\":\"x\"}}]}",
        "text/plain", token);

    assertThat(errorOf(resp).path("code").asInt()).isEqualTo(99992402);
  }

  @Test
  void missingOrMisshapenRecordsGet1254001() throws Exception {
    for (String body : new String[] {"{}", "{\"records\": {}}", "{\"records\": []}", "{\"records\": [{\"no\": 1}]}",
        "{\"records\": [{\"fields\": 5}]}"}) {
      assertThat(errorOf(http.send("POST", recordsPath + "batch_create", body, "application/json", token))
          .path("code").asInt()).as(body).isEqualTo(1254001);
    }
  }

  @Test
  void aHugeBodyIsRefusedWithoutHangingAndTheServerGoesOn() throws Exception {
    FEISHU.emulator().settings().maxBodyBytes(1024 * 1024);
    String huge = "{\"records\":[{\"fields\":{\"Text\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}}]}";

    var resp = http.send("POST", recordsPath + "batch_create", huge, "application/json", token);

    assertThat(resp.statusCode()).isEqualTo(413);
    assertThat(errorOf(resp).path("code").asInt()).isEqualTo(1254001);
    assertThat(http.send("POST", recordsPath + "batch_create", "{\"records\":[{\"fields\":{\"Text\":\"x\"}}]}",
        "application/json", token).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownPathsAndMethodsGet404Json() throws Exception {
    assertThat(http.send("GET", "/open-apis/bitable/v1/nothing", null, null, token).statusCode()).isEqualTo(404);
    var resp = http.send("PATCH", recordsPath + "batch_create", "{}", "application/json", token);
    assertThat(resp.statusCode()).isEqualTo(404);
    assertThat(errorOf(resp).path("code").asInt()).isEqualTo(404);
  }

  @Test
  void everyErrorCarriesTheRequestId() throws Exception {
    var resp = http.send("POST", recordsPath + "batch_create", "{", "application/json", token);

    String logId = resp.headers().firstValue("X-Tt-Logid").orElseThrow();
    assertThat(RawHttp.json(resp.body()).path("error").path("log_id").asText()).isEqualTo(logId);
  }
}
