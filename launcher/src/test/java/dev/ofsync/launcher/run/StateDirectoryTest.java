package dev.ofsync.launcher.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ofsync.launcher.UserError;
import dev.ofsync.launcher.config.PipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  private static final String CONFIG = dev.ofsync.launcher.config.TestConfigs.minimal(
      "  table_name_prefix: \"DataSync\"", "sync:", "  job_name: \"orders\"");

  @TempDir
  Path dir;

  private PipelineConfig config(String from, String to) throws UserError, java.io.IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, CONFIG.replace(from, to));
    return PipelineConfig.load(file);
  }

  @Test
  void aSecondRunOnTheSameDirectoryIsRefusedAtOnceAndMayStartOnceTheFirstEnds() throws Exception {
    Path state = dir.resolve("state");
    try (StateDirectory first = StateDirectory.lock(state)) {
      assertThatThrownBy(() -> StateDirectory.lock(state)).isInstanceOfSatisfying(UserError.class, e -> {
        assertThat(e.inEnvironment()).as("exit 3: a later run may find it free").isTrue();
        assertThat(e.getMessage()).contains("uses the state directory " + state)
            .contains("a directory serves one run at a time").contains("kafka.state_dir of its own");
      });
    }
    StateDirectory.lock(state).close();
  }

  @Test
  void theCheckpointOfAnotherTableOrBaseIsRefusedSayingWhatChangedAndWhatToDo() throws Exception {
    try (StateDirectory state = StateDirectory.lock(dir.resolve("state"))) {
      PipelineConfig orders = config("", "");
      assertThat(state.takeOver(orders, false)).as("a new directory").isEmpty();
      state.record(orders);
      assertThat(state.takeOver(orders, false)).as("the same sync again").isEmpty();

      PipelineConfig otherBase = config("bascnOne", "bascnTwo");
      assertThatThrownBy(() -> state.takeOver(otherBase, false)).isInstanceOfSatisfying(UserError.class, e -> {
        assertThat(e.inEnvironment()).isFalse();
        assertThat(e.getMessage()).contains("holds the checkpoint of another sync (feishu.app_token was 'bascnOne', "
            + "now 'bascnTwo')").contains("only the rows changed from now on")
            .contains("a kafka.state_dir of its own").contains("--full-sync");
      });
      assertThatThrownBy(() -> state.takeOver(config("\"ORDERS\"", "\"ITEMS\""), false))
          .hasMessageContaining("oracle.table_name was 'ORDERS', now 'ITEMS'");
      assertThatThrownBy(() -> state.takeOver(config("db.invalid:1521/ORCL", "prod.invalid:1521/ORCL"), false))
          .as("the same table of another database").hasMessageContaining(
              "oracle.url was 'jdbc:oracle:thin:@//db.invalid:1521/ORCL', now 'jdbc:oracle:thin:@//prod.invalid:1521/ORCL'");
      assertThat(state.takeOver(otherBase, true)).as("--full-sync moves it; the connectors keep their names").isEmpty();
    }
  }

  @Test
  void aNewJobNameIsRefusedAndWithAFullSyncTheEarlierConnectorsAreToBeDeleted() throws Exception {
    try (StateDirectory state = StateDirectory.lock(dir.resolve("state"))) {
      state.record(config("", ""));
      PipelineConfig renamed = config("job_name: \"orders\"", "job_name: \"orders-v2\"");

      assertThatThrownBy(() -> state.takeOver(renamed, false))
          .hasMessageContaining("sync.job_name was 'orders', now 'orders-v2'")
          .hasMessageContaining("the connectors of the earlier name would go on running beside the new ones");
      assertThat(state.takeOver(renamed, true)).containsExactly("orders-source", "orders-sink");
      state.record(renamed);
      assertThat(state.takeOver(renamed, false)).isEmpty();
    }
  }

  @Test
  void aCheckpointRecordedBeforeTheDatabaseWasNamedIsNotRefusedForIt() throws Exception {
    try (StateDirectory state = StateDirectory.lock(dir.resolve("state"))) {
      Files.writeString(dir.resolve("state").resolve(StateDirectory.JOB_FILE), "{\"oracle.table_name\" : \"ORDERS\", "
          + "\"feishu.app_token\" : \"bascnOne\", \"feishu.base_table_id\" : \"\", "
          + "\"feishu.table_name_prefix\" : \"DataSync\", \"sync.job_name\" : \"orders\"}");

      assertThat(state.takeOver(config("", ""), false)).isEmpty();
    }
  }
}
