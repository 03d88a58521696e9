package dev.ofsync.emulator.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Record ids spell 64-bit numbers, and only ids of that form are taken for numbers. */
class IdsTest {
  @Test
  void everyNumberHasAnIdThatSpellsIt() {
    Random random = new Random(7);
    long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 62, 61};
    for (int i = 0; i < 10_000; i++) {
      long key = i < edges.length ? edges[i] : random.nextLong();
      String id = Ids.recordId(key);
      assertThat(id).hasSize(14).startsWith("rec");
      assertThat(Ids.isRecordId(id)).isTrue();
      assertThat(Ids.isKeyedRecordId(id)).as(id).isTrue();
      assertThat(Ids.recordKey(id)).isEqualTo(key);
    }
  }

  @Test
  void idsOfOtherShapesSpellNoNumber() {
    assertThat(Ids.isKeyedRecordId("recAAAAAAAAAA")).isFalse(); // 10 digits
    assertThat(Ids.isKeyedRecordId("recAAAAAAAAAAAA")).isFalse(); // 12
    assertThat(Ids.isKeyedRecordId("rec99999999999")).isFalse(); // 62^11 - 1 > 2^64
    assertThat(Ids.isKeyedRecordId("recWAAAAAAAAAA")).isFalse(); // 22 * 62^10 > 2^64
    assertThat(Ids.isKeyedRecordId("recVAAAAAAAAAA")).isTrue();
    assertThat(Ids.isKeyedRecordId("tblAAAAAAAAAAA")).isFalse();
    assertThat(Ids.isKeyedRecordId("recAAAAAA-AAAA")).isFalse();
    assertThat(Ids.isKeyedRecordId(null)).isFalse();
  }
}
