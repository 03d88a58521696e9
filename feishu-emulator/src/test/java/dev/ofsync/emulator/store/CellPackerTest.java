package dev.ofsync.emulator.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A packed row gives back cells equal to those put in, whatever their form, order or size. */
class CellPackerTest {
  private final CellPacker packer = new CellPacker();

  @Test
  void everyStoredFormComesBackEqual() {
    Object[] cells = {
        "text", "", "数据 and 😀", "lone \ud800 kept", 12.5, -0.0, Double.MAX_VALUE, 1_700_000_000_000L, Long.MIN_VALUE,
        -1L, true, false, List.of("a", "b"), List.of(), new CellCodec.UrlCell("t", "https://x"),
        JsonNodeFactory.instance.arrayNode().add(JsonNodeFactory.instance.objectNode().put("id", "ou_1")), null,
        "x".repeat(200_000), List.of("数", "\udc00")};

    Object[] back = packed(cells);

    assertThat(back).containsExactly(cells);
    assertThat(back[2]).isInstanceOf(String.class);
    assertThat(back[4]).isInstanceOf(Double.class);
    assertThat(back[7]).isInstanceOf(Long.class);
  }

  @Test
  void valuesPutOutOfOrderOrTwiceArePackedBySlotWithTheLastValue() {
    PackedRows out = new PackedRows(16);
    packer.beginRow(5);
    packer.putLong(3, 7);
    packer.putValue(0, "first");
    packer.putDouble(1, 1.0);
    packer.putValue(0, "second");
    packer.putBoolean(4, true);
    packer.clear(4);
    packer.finishRow(out);

    Object[] back = CellPacker.cells(out.bytes(), out.start(0), out.length(0), out.trees(0), 5);

    assertThat(back).containsExactly("second", 1.0, null, 7L, null);
    assertThat(CellPacker.cell(out.bytes(), out.start(0), out.length(0), out.trees(0), 3)).isEqualTo(7L);
    assertThat(CellPacker.cell(out.bytes(), out.start(0), out.length(0), out.trees(0), 9)).isNull();
  }

  @Test
  void charsAreStoredAsTextCellsOrSelectOptionsWant() {
    char[] lone = "a\ud800b".toCharArray();
    char[] pair = "\ud83d\ude00".toCharArray();
    char[] long300 = "é".repeat(300).toCharArray(); // 600 bytes of UTF-8: a two-byte length
    PackedRows out = new PackedRows(16);
    packer.beginRow(5);
    packer.putChars(0, lone, 0, lone.length, true);
    packer.putChars(1, lone, 0, lone.length, false);
    packer.putChars(2, pair, 0, pair.length, true);
    packer.putChars(3, long300, 0, long300.length, true);
    int list = packer.beginList();
    for (int i = 0; i < 130; i++) {
      char[] option = ("o" + i).toCharArray();
      packer.listItem(option, 0, option.length);
    }
    packer.endList(4, list, 130);
    packer.finishRow(out);

    Object[] back = CellPacker.cells(out.bytes(), out.start(0), out.length(0), out.trees(0), 5);

    assertThat(back[0]).isEqualTo("a\uFFFDb");
    assertThat(back[1]).isEqualTo("a\ud800b");
    assertThat(back[2]).isEqualTo("\ud83d\ude00");
    assertThat(back[3]).isEqualTo("é".repeat(300));
    @SuppressWarnings("unchecked")
    List<Object> options = (List<Object>) back[4];
    assertThat(options).hasSize(130).startsWith("o0", "o1").endsWith("o129");
  }

  @Test
  void rowsOfABatchFollowOneAnother() {
    PackedRows out = new PackedRows(4);
    for (int i = 0; i < 100; i++) {
      packer.pack(new Object[] {"row " + i, (double) i, null, null}, out);
    }
    packer.pack(new Object[] {null, null}, out);

    assertThat(out.count()).isEqualTo(101);
    assertThat(CellPacker.cells(out.bytes(), out.start(42), out.length(42), out.trees(42), 2))
        .containsExactly("row 42", 42.0);
    assertThat(out.length(100)).isZero();
  }

  private Object[] packed(Object[] cells) {
    PackedRows out = new PackedRows(16);
    packer.pack(cells, out);
    Object[] back = CellPacker.cells(out.bytes(), out.start(0), out.length(0), out.trees(0), cells.length);
    for (int slot = 0; slot < cells.length; slot++) {
      assertThat(CellPacker.cell(out.bytes(), out.start(0), out.length(0), out.trees(0), slot))
          .as("slot %d of %s", slot, Arrays.toString(cells)).isEqualTo(back[slot]);
    }
    return back;
  }
}
