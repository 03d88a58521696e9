package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class MainTest {
  private static String[] report(Exception e, int[] code) {
    StringWriter text = new StringWriter();
    code[0] = Main.report(e, new PrintWriter(text, true));
    return text.toString().split("\n");
  }

  @Test
  void anUnexpectedFailureIsOneLineNamingItsRootCauseWithoutAStackTrace() {
    int[] code = new int[1];
    Exception failure = new IllegalStateException("could not read the lag of oracle-feishu-sync.ORDERS",
        new RuntimeException("timed out", new ConnectException("Connection refused")));

    String[] lines = report(failure, code);

    assertThat(code[0]).isEqualTo(Main.FAILED);
    assertThat(lines).hasSize(1);
    assertThat(lines[0]).startsWith("error: java.lang.IllegalStateException: could not read the lag")
        .contains("caused by java.net.ConnectException: Connection refused").doesNotContain("\tat ");
  }

  @Test
  void aUserErrorWithACauseSaysTheCauseUnderItsProblem() {
    int[] code = new int[1];
    Exception failure = new UserError("cannot start Kafka in /tmp/state: port in use",
        new java.io.IOException("wrapped", new java.net.BindException("Address already in use")));

    String[] lines = report(failure, code);

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines).containsExactly("error: cannot start Kafka in /tmp/state: port in use",
        "  (caused by java.net.BindException: Address already in use)");
  }

  @Test
  void aProblemAroundTheLauncherExitsWithItsOwnCode() {
    int[] code = new int[1];
    Exception failure = UserError.environment("cannot reach the Kafka Connect REST API at http://127.0.0.1:1",
        new ConnectException("Connection refused"));

    String[] lines = report(failure, code);

    assertThat(code[0]).as("not a config problem: cron may try again").isEqualTo(Main.ENVIRONMENT).isEqualTo(3);
    assertThat(lines).containsExactly("error: cannot reach the Kafka Connect REST API at http://127.0.0.1:1",
        "  (caused by java.net.ConnectException: Connection refused)");
  }

  @Test
  void aUserErrorAloneIsOneLineAProblem() {
    int[] code = new int[1];

    String[] lines = report(new UserError(java.util.List.of("feishu.app_id is missing", "oracle.table is missing")), code);

    assertThat(code[0]).isEqualTo(Main.CONFIG);
    assertThat(lines).containsExactly("error: feishu.app_id is missing", "error: oracle.table is missing");
  }
}
