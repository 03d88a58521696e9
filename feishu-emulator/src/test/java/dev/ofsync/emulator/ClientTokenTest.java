package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClientTokenTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());

  private int rows() {
    return FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().rowCount();
  }

  @Test
  void aRepeatedClientTokenAnswersTheFirstResultAndWritesNothing() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    String token = UUID.randomUUID().toString();

    var first = Sdk.create(client, table, List.of(Map.of("K", "a"), Map.of("K", "b")), token);
    var again = Sdk.create(client, table, List.of(Map.of("K", "a"), Map.of("K", "b")), token);

    assertThat(again.success()).isTrue();
    assertThat(ids(again.getData().getRecords())).isEqualTo(ids(first.getData().getRecords()));
    assertThat(rows()).isEqualTo(2);
    assertThat(Sdk.create(client, table, List.of(Map.of("K", "c")), UUID.randomUUID().toString()).success()).isTrue();
    assertThat(rows()).isEqualTo(3);
  }

  @Test
  void aRetryAfterALostAnswerWritesOnceWithTheSameToken() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    String token = UUID.randomUUID().toString();
    FEISHU.emulator().faults().script(FaultRule.dropAfterCommit().on(CallClass.RECORD_WRITE));

    // The answer is lost after the write. OkHttp may resend the call by itself on a fresh
    // connection, or the call fails and the caller retries: either way the token keeps one copy.
    try {
      Sdk.create(client, table, List.of(Map.of("K", "a")), token);
    } catch (java.io.IOException lost) {
      assertThat(rows()).as("the write happened before the answer was lost").isEqualTo(1);
    }
    assertThat(Sdk.create(client, table, List.of(Map.of("K", "a")), token).success()).isTrue();

    assertThat(rows()).isEqualTo(1);
    assertThat(FEISHU.emulator().stats().faultsInjected()).containsEntry("drop_after_commit", 1L);
    assertThat(FEISHU.emulator().stats().calls("POST records/batch_create")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aClientTokenThatIsNotAUuidV4IsRefusedAndWritesNothing() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    String nameBased = UUID.nameUUIDFromBytes("rows".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();

    for (String token : List.of(nameBased, "batch-1")) {
      var refused = Sdk.create(client, table, List.of(Map.of("K", "a")), token);
      assertThat(refused.getCode()).as(token).isEqualTo(99992402);
      assertThat(refused.getMsg()).contains("client_token must be a UUIDv4 string");
    }
    assertThat(rows()).isZero();
  }

  @Test
  void withoutIdempotencyARetryWritesTwice() throws Exception {
    FEISHU.emulator().settings().clientTokenIdempotent(false);
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    String token = UUID.randomUUID().toString();

    Sdk.create(client, table, List.of(Map.of("K", "a")), token);
    Sdk.create(client, table, List.of(Map.of("K", "a")), token);

    assertThat(rows()).isEqualTo(2);
  }

  private static List<String> ids(AppTableRecord[] records) {
    return Arrays.stream(records).map(AppTableRecord::getRecordId).toList();
  }
}
