package dev.ofsync.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quickstart}, as a newcomer runs it, on a smaller demo table so the test stays short. */
class QuickstartIT {
  @TempDir
  Path dir;

  @Test
  void theDemoTableReachesTheEmulatorAndTheQuickstartSaysWhereToLook() throws Exception {
    LauncherProcess.Result run = LauncherProcess.run(dir, Map.of(), "quickstart", "--rows", "2500", "--port", "0",
        "--once", "--state-dir", "qs");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("Creating the demo table ORDERS with 2,500 rows")
        .contains("realistic latency")
        .contains("Deployed ofs-orders-source")
        .contains("Caught up in")
        .contains("The demo table is in Feishu")
        .contains("/_emulator/bases/bascnQuickstart")
        .containsPattern("Tables \\(rows\\): DataSync 2,5\\d\\d");
    assertThat(dir.resolve("qs/config.yaml")).exists();
    assertThat(Files.readString(dir.resolve("qs/config.yaml"))).contains("table_name: \"ORDERS\"", "app_id:");
    assertThat(dir.resolve("qs/logs/oracle-feishu-sync.log")).isNotEmptyFile();
  }

  @Test
  void aDirectoryThatIsNotTheQuickstartsIsLeftAlone() throws Exception {
    Files.createDirectories(dir.resolve("precious"));
    Files.writeString(dir.resolve("precious/data.txt"), "keep me");

    LauncherProcess.Result run = LauncherProcess.run(dir, Map.of(), "quickstart", "--state-dir", "precious");

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.output()).contains("is not a quickstart directory");
    assertThat(dir.resolve("precious/data.txt")).hasContent("keep me");
  }
}
