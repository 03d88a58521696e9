package dev.ofsync.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientTokenTest {
  @Test
  void aBatchsTokenIsAUuidV4AsFeishuAsksAndTheSameForTheSameRows() {
    String token = TableWork.uuidV4Of("run-1|tbl1|1:42|2:43");
    UUID parsed = UUID.fromString(token);

    assertThat(parsed.version()).isEqualTo(4);
    assertThat(parsed.variant()).isEqualTo(2);
    assertThat(token).isEqualTo(TableWork.uuidV4Of("run-1|tbl1|1:42|2:43"))
        .isNotEqualTo(TableWork.uuidV4Of("run-1|tbl1|1:42|2:44"));
  }
}
