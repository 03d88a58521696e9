package dev.ofsync.emulator.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A table's rows behave as an ordered map from record id to cells, through adds, updates, deletes and compactions. */
class RowsTest {
  @Test
  void randomAddsUpdatesAndDeletesMatchAnOrderedMap() {
    Random random = new Random(42);
    Rows rows = new Rows();
    Map<String, Object[]> expected = new LinkedHashMap<>();
    List<String> live = new ArrayList<>(); // the same ids, to pick one at random
    CellPacker packer = new CellPacker();
    for (int step = 0; step < 60_000; step++) {
      int op = random.nextInt(10);
      if (op < 6 || expected.isEmpty()) {
        Object[] cells = {"v" + step, (double) step, random.nextBoolean() ? null : List.of("x" + step)};
        PackedRows one = new PackedRows(64);
        packer.pack(cells, one);
        // a few small keys (and 0) so that probing, wrapping and the key-0 row are all exercised
        long key = random.nextInt(20) == 0 ? random.nextInt(64) : random.nextLong();
        boolean named = random.nextInt(50) == 0;
        String id = named ? "rec" + step : Ids.recordId(key);
        int index = named ? rows.addNamed(id, step, step, one, 0) : rows.add(key, step, step, one, 0);
        if (index >= 0) {
          assertThat(expected).doesNotContainKey(id);
          assertThat(rows.id(index)).isEqualTo(id);
          expected.put(id, cells);
          live.add(id);
        } else {
          assertThat(expected).as("refused as taken").containsKey(id);
        }
      } else {
        int pick = random.nextInt(live.size());
        String id = live.get(pick);
        int index = rows.find(id);
        assertThat(index).as(id).isGreaterThanOrEqualTo(0);
        if (op < 8) {
          assertThat(rows.remove(index)).isTrue();
          assertThat(rows.remove(index)).isFalse();
          expected.remove(id);
          live.set(pick, live.get(live.size() - 1));
          live.remove(live.size() - 1);
        } else {
          Object[] cells = {"updated " + step, null, null};
          rows.row(index).update(cells, step);
          expected.put(id, cells);
        }
        if (random.nextInt(20) == 0) {
          rows.compactIfWasteful();
        }
      }
      if (step % 5_000 == 0) {
        assertSame(rows, expected);
      }
    }
    assertSame(rows, expected);
  }

  @Test
  void anIdNotMadeHereIsFoundToo() {
    Rows rows = new Rows();
    PackedRows one = new PackedRows(16);
    new CellPacker().pack(new Object[] {"a"}, one);

    int named = rows.addNamed("recOld1", 1, 2, one, 0);

    assertThat(rows.find("recOld1")).isEqualTo(named);
    assertThat(rows.addNamed("recOld1", 1, 2, one, 0)).isEqualTo(-1);
    assertThat(rows.id(named)).isEqualTo("recOld1");
    assertThat(rows.find("recAAAAAAAAAAA")).isEqualTo(-1);
  }

  private static void assertSame(Rows rows, Map<String, Object[]> expected) {
    assertThat(rows.size()).isEqualTo(expected.size());
    List<String> ids = new ArrayList<>();
    for (Row row : rows) {
      ids.add(row.id());
      assertThat(row.cells(3)).containsExactly(expected.get(row.id()));
      assertThat(rows.find(row.id())).isEqualTo(row.index());
    }
    assertThat(ids).containsExactlyElementsOf(expected.keySet());
  }
}
