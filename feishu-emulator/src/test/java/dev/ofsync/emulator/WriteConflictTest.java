package dev.ofsync.emulator;

import static dev.ofsync.emulator.Sdk.APP_ID;
import static dev.ofsync.emulator.Sdk.APP_SECRET;
import static dev.ofsync.emulator.Sdk.APP_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.Client;
import dev.ofsync.emulator.junit.FeishuEmulatorExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WriteConflictTest {
  @RegisterExtension
  static final FeishuEmulatorExtension FEISHU = FeishuEmulatorExtension.fast()
      .app(APP_ID, APP_SECRET).base(APP_TOKEN, "DataSync", APP_ID);

  private final Client client = Sdk.client(FEISHU.emulator());

  /** Starts a write, and a second one while the first holds its table (each write takes 2 s: room for a busy CI). */
  private List<Integer> twoWritesAtOnce(String firstTable, String secondTable) throws Exception {
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(2_000, 0, 0));
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
      go.countDown();
      return code(firstTable, "first");
    });
    go.await();
    org.awaitility.Awaitility.await().until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") >= 1);
    int second = code(secondTable, "second");
    return List.of(first.get(), second);
  }

  private int code(String table, String value) {
    try {
      return Sdk.create(client, table, List.of(Map.of("K", value))).getCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theLaterOfTwoWritesToOneTableGets1254291() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    FEISHU.emulator().resetStats();

    List<Integer> codes = twoWritesAtOnce(table, table);

    assertThat(codes).containsExactly(0, 1254291);
    assertThat(FEISHU.emulator().stats().writeConflicts()).isEqualTo(1);
    assertThat(FEISHU.emulator().table(APP_TOKEN, "Orders").orElseThrow().records())
        .extracting(r -> r.fields().get("K")).containsExactly("first");
  }

  @Test
  void writesToDifferentTablesRunSideBySide() throws Exception {
    String a = Sdk.table(client, "A", Sdk.field("K", 1));
    String b = Sdk.table(client, "B", Sdk.field("K", 1));
    FEISHU.emulator().resetStats();

    assertThat(twoWritesAtOnce(a, b)).containsExactly(0, 0);
    assertThat(FEISHU.emulator().stats().writeConflicts()).isZero();
  }

  @Test
  void conflictsCanBeTurnedOff() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    FEISHU.emulator().settings().writeConflictsEnabled(false);
    FEISHU.emulator().resetStats();

    assertThat(twoWritesAtOnce(table, table)).containsExactly(0, 0);
  }

  @Test
  void turningConflictsOffDuringAWriteLeavesTheTableWritable() throws Exception {
    String table = Sdk.table(client, "Orders", Sdk.field("K", 1));
    FEISHU.emulator().settings().latency(CallClass.RECORD_WRITE, new Latency(300, 0, 0));
    CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> code(table, "first"));
    org.awaitility.Awaitility.await().until(() -> FEISHU.emulator().stats().calls("POST records/batch_create") >= 1);

    FEISHU.emulator().settings().writeConflictsEnabled(false);
    assertThat(slow.get()).isZero();
    FEISHU.emulator().settings().writeConflictsEnabled(true).latency(CallClass.RECORD_WRITE, Latency.NONE);

    assertThat(code(table, "after")).isZero();
  }
}
