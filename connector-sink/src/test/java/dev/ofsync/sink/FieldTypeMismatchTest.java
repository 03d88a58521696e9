package dev.ofsync.sink;

import static dev.ofsync.sink.TaskHarness.APP_ID;
import static dev.ofsync.sink.TaskHarness.APP_SECRET;
import static dev.ofsync.sink.TaskHarness.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ofsync.emulator.TableSnapshot;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A base table made by hand, with a field of another type than its column: converted, and said once. */
class FieldTypeMismatchTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "Orders", APP_ID);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final AbstractAppender appender = new AbstractAppender("mismatch", null, null, true, Property.EMPTY_ARRAY) {
    @Override
    public void append(LogEvent event) {
      if (event.getLevel() == Level.WARN) {
        warnings.add(event.getMessage().getFormattedMessage());
      }
    }
  };

  @AfterEach
  void release() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
    ctx.updateLoggers();
  }

  /** Adds a field to the base table as a person would in Feishu, through the Open API. */
  private static void addField(String name, int type) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url = FEISHU.emulator().url();
    String token = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url
            + "/open-apis/auth/v3/tenant_access_token/internal")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("app_id", APP_ID, "app_secret",
            APP_SECRET)))).build(), HttpResponse.BodyHandlers.ofString()).body()).path("tenant_access_token").asText();
    String tableId = FEISHU.emulator().tables(APP_TOKEN).get(0).tableId();
    String answer = http.send(HttpRequest.newBuilder(URI.create(url + "/open-apis/bitable/v1/apps/" + APP_TOKEN
            + "/tables/" + tableId + "/fields")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("field_name", name, "type", type))))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(JSON.readTree(answer).path("code").asInt()).as(answer).isZero();
  }

  @Test
  void aNumberColumnWrittenIntoATextFieldIsConvertedAndTheMismatchToldOnce() throws Exception {
    addField("AMOUNT", 1); // text, where the records' AMOUNT is a decimal
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    appender.start();
    ctx.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
    ctx.updateLoggers();

    try (TaskHarness h = new TaskHarness(FEISHU.emulator(), Map.of())) {
      h.put(List.of(h.upsert(1, "a", "12.50"), h.upsert(2, "b", "3.00")));
      h.commit();
      h.put(List.of(h.upsert(3, "c", "4.25")));
      h.commit();
    }

    TableSnapshot base = FEISHU.emulator().tables(APP_TOKEN).get(0);
    assertThat(base.field("AMOUNT").orElseThrow().type()).as("the person's field stays").isEqualTo(1);
    assertThat(base.records()).extracting(r -> r.fields().get("AMOUNT")).containsExactlyInAnyOrder("12.5", "3", "4.25");
    assertThat(warnings.stream().filter(w -> w.startsWith("Field 'AMOUNT' of table Orders"))).singleElement()
        .asString().contains("is of Feishu type 1, and its column is number").contains("Change the field's type");
  }
}
