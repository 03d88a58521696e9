package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyTransportTest {
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
}
