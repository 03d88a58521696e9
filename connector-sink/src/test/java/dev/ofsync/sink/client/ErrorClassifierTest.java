package dev.ofsync.sink.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassifierTest {
  @ParameterizedTest(name = "HTTP {0} code {1} is {2}")
  @CsvSource({
      "429, 99991400, RATE_LIMITED", "400, 99991663, TOKEN_EXPIRED", "200, 1254290, TRANSIENT",
      "200, 1254291, TRANSIENT", "200, 1254607, TRANSIENT", "500, 1255001, TRANSIENT", "504, 1255040, TRANSIENT", "200, 1255099, TRANSIENT",
      "502, -1, TRANSIENT", "400, 1254103, TABLE_FULL", "400, 1254013, NAME_TAKEN", "400, 1254045, FIELD_MISSING",
      "400, 1254061, BAD_RECORD", "400, 1254130, BAD_RECORD", "400, 10014, FATAL", "400, 99991672, FATAL",
      "403, 1254302, FATAL", "400, 1254040, FATAL", "403, 99991403, FATAL", "400, 1254100, FATAL"})
  void classifiesEveryCodeTheSinkMeets(int status, int code, Failure expected) {
    assertThat(ErrorClassifier.classify(status, code)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "code {0} names {1}")
  @CsvSource({"10014, feishu.app_secret", "10015, feishu.app_id", "99991672, bitable:app", "1254302, collaborator",
      "1254040, feishu.app_token", "1254041, feishu.base_table_id", "99991403, monthly"})
  void fatalCodesSayWhatToChange(int code, String hint) {
    assertThat(ErrorClassifier.advice(code)).contains(hint);
  }
}
