package dev.ofsync.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RowIndexReplaceTest {
  private static RowIndex.Location at(String record) {
    return new RowIndex.Location("tblOrders0001", record, 1);
  }

  @Test
  void loadingTheLogForgetsRowsOthersDeletedButKeepsKeysWithAChangeOnItsWay() {
    RowIndex index = new RowIndex();
    index.put("1", at("rec1"));
    index.put("2", at("rec2"));
    index.put("3", at("rec3"));

    // another task deleted 2 and 3 and moved 4 in; 3 has a change of this task's on its way
    RowIndex log = new RowIndex();
    log.put("1", at("rec1"));
    log.put("4", at("rec4"));
    index.replaceAll(log, Set.of("3")::contains);

    assertThat(index.get("1")).isEqualTo(at("rec1"));
    assertThat(index.get("2")).as("deleted elsewhere: its old record id must not be used").isNull();
    assertThat(index.get("3")).as("this task knows better").isEqualTo(at("rec3"));
    assertThat(index.get("4")).isEqualTo(at("rec4"));
  }
}
