package dev.ofsync.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowIndexTest {
  @Test
  void answersWhatWasPutUpdatedAndRemoved() {
    RowIndex index = new RowIndex();
    index.put("42", new RowIndex.Location("tblA", "recAAAA0001", 7));
    index.put("k|ü|é", new RowIndex.Location("tblB", "recBBBB0002", -3));
    index.put("42", new RowIndex.Location("tblA", "recAAAA0001", 8));

    assertThat(index.get("42")).isEqualTo(new RowIndex.Location("tblA", "recAAAA0001", 8));
    assertThat(index.get("k|ü|é")).isEqualTo(new RowIndex.Location("tblB", "recBBBB0002", -3));
    assertThat(index.get("4")).isNull();
    assertThat(index.size()).isEqualTo(2);

    index.remove("42");
    assertThat(index.get("42")).isNull();
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void aLongKeyKeepsItsRecordId() {
    RowIndex index = new RowIndex();
    String key = "x".repeat(20_000);

    index.put(key, new RowIndex.Location("tblA", "recLong", 1));

    assertThat(index.get(key)).isEqualTo(new RowIndex.Location("tblA", "recLong", 1));
    assertThat(index.get("x".repeat(19_999))).isNull();
  }

  /** Random puts and removes (growing past several resizes, deleting across probe runs) against a HashMap. */
  @Test
  void behavesAsAMapUnderManyPutsAndRemoves() {
    RowIndex index = new RowIndex();
    Map<String, RowIndex.Location> expected = new HashMap<>();
    Random random = new Random(11);
    List<String> tablesIds = List.of("tblA", "tblB", "tblC");
    for (int i = 0; i < 200_000; i++) {
      String key = String.valueOf(random.nextInt(60_000));
      if (random.nextInt(4) == 0) {
        index.remove(key);
        expected.remove(key);
      } else {
        RowIndex.Location loc = new RowIndex.Location(tablesIds.get(random.nextInt(3)), "rec" + random.nextInt(1_000_000),
            random.nextLong());
        index.put(key, loc);
        expected.put(key, loc);
      }
    }

    assertThat(index.size()).isEqualTo(expected.size());
    for (int k = 0; k < 60_000; k++) {
      assertThat(index.get(String.valueOf(k))).as("key %d", k).isEqualTo(expected.get(String.valueOf(k)));
    }
    Map<String, RowIndex.Location> all = new HashMap<>();
    index.forEach(all::put);
    assertThat(all).isEqualTo(expected);
  }

  @Test
  void anEmptyIndexAdoptsALoadedOne() {
    RowIndex loaded = new RowIndex();
    for (int i = 1; i <= 100_000; i++) {
      loaded.put(String.valueOf(i), new RowIndex.Location(i % 2 == 0 ? "tblA" : "tblB", "rec" + i, i));
    }
    RowIndex index = new RowIndex();

    index.adopt(loaded);

    assertThat(index.size()).isEqualTo(100_000);
    assertThat(index.get("77777")).isEqualTo(new RowIndex.Location("tblB", "rec77777", 77777));
    assertThat(loaded.isEmpty()).isTrue();
    index.put("100001", new RowIndex.Location("tblC", "rec100001", 1));
    assertThat(index.get("100001")).isEqualTo(new RowIndex.Location("tblC", "rec100001", 1));
  }

  @Test
  void replacingATablesEntriesKeepsBusyKeysAndOtherTables() {
    RowIndex index = new RowIndex();
    for (int i = 0; i < 1_000; i++) {
      index.put("a" + i, new RowIndex.Location("tblA", "recA" + i, i));
      index.put("b" + i, new RowIndex.Location("tblB", "recB" + i, i));
    }
    Map<String, RowIndex.Location> found = Map.of(
        "a1", new RowIndex.Location("tblA", "recA1", 99),
        "a2", new RowIndex.Location("tblA", "recNew2", 2),
        "a3", new RowIndex.Location("tblA", "recA3", 3));
    Set<String> busy = Set.of("a3", "a500");

    index.replaceTable("tblA", found, busy::contains);

    assertThat(index.get("a1")).isEqualTo(new RowIndex.Location("tblA", "recA1", 99));
    assertThat(index.get("a2")).isEqualTo(new RowIndex.Location("tblA", "recNew2", 2));
    assertThat(index.get("a3")).as("busy: what the index knew stays").isEqualTo(new RowIndex.Location("tblA", "recA3", 3));
    assertThat(index.get("a500")).as("busy, not found: kept").isEqualTo(new RowIndex.Location("tblA", "recA500", 500));
    assertThat(index.get("a4")).as("not found there any more").isNull();
    assertThat(index.get("b4")).isEqualTo(new RowIndex.Location("tblB", "recB4", 4));
    assertThat(index.size()).isEqualTo(1_000 + 4);
  }
}
