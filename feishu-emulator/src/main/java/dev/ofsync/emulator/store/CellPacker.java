package dev.ofsync.emulator.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Packs the stored cells of a row ({@link CellCodec}'s forms) into one byte array, and reads them
 * back as equal objects. Each slot, in order, is a tag and its value:
 *
 * <ul>
 *   <li>{@code EMPTY}; {@code TRUE}; {@code FALSE}
 *   <li>{@code UTF8 len bytes}: a String (UTF-16 units {@code UTF16 len chars} if it holds a lone
 *       surrogate, which UTF-8 cannot carry)
 *   <li>{@code DOUBLE} 8 bytes; {@code LONG} a zigzag varint
 *   <li>{@code STRINGS count string...}: a multi select's list of option names
 *   <li>{@code URL text link}: a {@link CellCodec.UrlCell}
 *   <li>{@code TREE index}: anything else (user, attachment, link cells: JSON trees), kept as an
 *       object beside the bytes
 * </ul>
 *
 * Trailing empty slots are left out. A packer keeps a scratch buffer: one thread uses it at a time.
 */
final class CellPacker {
  private static final byte EMPTY = 0;
  private static final byte UTF8 = 1;
  private static final byte UTF16 = 2;
  private static final byte DOUBLE = 3;
  private static final byte LONG = 4;
  private static final byte TRUE = 5;
  private static final byte FALSE = 6;
  private static final byte STRINGS = 7;
  private static final byte URL = 8;
  private static final byte TREE = 9;

  private static final int KEEP_BUFFER_BYTES = 64 * 1024;

  private byte[] buf = new byte[1024];
  private int pos;
  private List<Object> trees;
  /** Where each slot's value of the row being packed starts and ends in {@link #buf}; -1: empty. */
  private int[] starts = new int[16];
  private int[] ends = new int[16];
  private int slots;

  /** Packs {@code cells} (by slot, null where empty) as the next row of {@code out}. */
  void pack(Object[] cells, PackedRows out) {
    beginRow(cells.length);
    for (int slot = 0; slot < cells.length; slot++) {
      if (cells[slot] != null) {
        putValue(slot, cells[slot]);
      }
    }
    finishRow(out);
  }

  /**
   * Starts a row of {@code slotCount} slots, all empty. Its values may then be put in any order (a
   * slot put twice keeps the last value), and {@link #finishRow} packs them in slot order.
   */
  void beginRow(int slotCount) {
    pos = 0;
    trees = null;
    if (starts.length < slotCount) {
      starts = new int[slotCount];
      ends = new int[slotCount];
    }
    Arrays.fill(starts, 0, slotCount, -1);
    slots = slotCount;
  }

  /** Empties a slot. */
  void clear(int slot) {
    starts[slot] = -1;
  }

  /** A stored cell of any of {@link CellCodec}'s forms; null empties the slot. */
  void putValue(int slot, Object v) {
    if (v == null) {
      clear(slot);
      return;
    }
    int start = pos;
    value(v);
    done(slot, start);
  }

  void putDouble(int slot, double d) {
    int start = pos;
    putDouble(d);
    done(slot, start);
  }

  void putLong(int slot, long n) {
    int start = pos;
    putLong(n);
    done(slot, start);
  }

  void putBoolean(int slot, boolean b) {
    int start = pos;
    put(b ? TRUE : FALSE);
    done(slot, start);
  }

  /**
   * A string given as {@code chars[off, off + len)}, without making a String of it. With {@code
   * replaceLoneSurrogates}, a lone surrogate is stored as U+FFFD (what text cells do); without, it is
   * kept (in UTF-16 units).
   */
  void putChars(int slot, char[] chars, int off, int len, boolean replaceLoneSurrogates) {
    int start = pos;
    chars(chars, off, len, replaceLoneSurrogates);
    done(slot, start);
  }

  /** Starts a multi select's list in {@code slot}: then {@link #listItem} per option, then {@link #endList}. */
  int beginList() {
    int start = pos;
    put(STRINGS);
    put((byte) 0); // the count, written by endList
    return start;
  }

  void listItem(char[] chars, int off, int len) {
    chars(chars, off, len, false);
  }

  void endList(int slot, int start, int count) {
    int countAt = start + 1;
    int extra = varintLength(count) - 1;
    if (extra > 0) {
      ensure(extra);
      System.arraycopy(buf, countAt + 1, buf, countAt + 1 + extra, pos - countAt - 1);
      pos += extra;
    }
    writeVarint(countAt, count);
    done(slot, start);
  }

  /**
   * Starts a url cell whose text and link come from chars, in either order: {@link #urlPart} each
   * (noting {@link #mark} before and after), then {@link #endUrl}.
   */
  int beginUrl() {
    int start = pos;
    put(URL);
    return start;
  }

  int mark() {
    return pos;
  }

  void urlPart(char[] chars, int off, int len) {
    chars(chars, off, len, false);
  }

  /**
   * Ends the url cell begun at {@code start}: its text (the link's when {@code textFrom} is -1) and
   * link, from the parts written at {@code [textFrom, textTo)} and {@code [linkFrom, linkTo)}.
   */
  void endUrl(int slot, int start, int textFrom, int textTo, int linkFrom, int linkTo) {
    if (textFrom < 0) {
      int n = linkTo - linkFrom; // the link stands for the text too
      ensure(n);
      System.arraycopy(buf, linkFrom, buf, pos, n);
      pos += n;
    } else if (linkFrom < textFrom) {
      byte[] link = Arrays.copyOfRange(buf, linkFrom, linkTo); // written first: put the text before it
      int textLength = textTo - textFrom;
      System.arraycopy(buf, textFrom, buf, linkFrom, textLength);
      System.arraycopy(link, 0, buf, linkFrom + textLength, link.length);
    }
    done(slot, start);
  }

  /** Drops what was written since {@code start}: a value that turned out not to fit. */
  void rewind(int start) {
    pos = start;
  }

  /** Packs the row's slots, in order, as the next row of {@code out}. */
  void finishRow(PackedRows out) {
    int last = slots - 1;
    while (last >= 0 && starts[last] < 0) {
      last--;
    }
    boolean inOrder = true; // the usual case: values were put in slot order, each once, none empty
    for (int slot = 0; slot <= last && inOrder; slot++) {
      inOrder = starts[slot] >= 0 && starts[slot] == (slot == 0 ? 0 : ends[slot - 1]);
    }
    Object[] rowTrees = trees == null ? null : trees.toArray();
    if (inOrder) {
      out.add(buf, 0, last < 0 ? 0 : ends[last], rowTrees);
    } else {
      int size = 0;
      for (int slot = 0; slot <= last; slot++) {
        size += starts[slot] < 0 ? 1 : ends[slot] - starts[slot];
      }
      byte[] packed = new byte[size];
      int at = 0;
      for (int slot = 0; slot <= last; slot++) {
        if (starts[slot] < 0) {
          packed[at++] = EMPTY;
        } else {
          int n = ends[slot] - starts[slot];
          System.arraycopy(buf, starts[slot], packed, at, n);
          at += n;
        }
      }
      out.add(packed, 0, size, rowTrees);
    }
    if (buf.length > KEEP_BUFFER_BYTES) {
      buf = new byte[1024]; // a 100,000-character cell needed it; do not keep it
    }
  }

  private void done(int slot, int start) {
    starts[slot] = start;
    ends[slot] = pos;
  }

  private void value(Object v) {
    if (v instanceof String) {
      string((String) v);
    } else if (v instanceof Double) {
      putDouble((Double) v);
    } else if (v instanceof Long) {
      putLong((Long) v);
    } else if (v instanceof Boolean) {
      put((Boolean) v ? TRUE : FALSE);
    } else if (v instanceof CellCodec.UrlCell) {
      CellCodec.UrlCell url = (CellCodec.UrlCell) v;
      if (url.text() == null || url.link() == null) {
        tree(v);
        return;
      }
      put(URL);
      string(url.text());
      string(url.link());
    } else if (v instanceof List && allStrings((List<?>) v)) {
      List<?> list = (List<?>) v;
      put(STRINGS);
      varint(list.size());
      for (Object s : list) {
        string((String) s);
      }
    } else {
      tree(v);
    }
  }

  private void putDouble(double d) {
    put(DOUBLE);
    long bits = Double.doubleToRawLongBits(d);
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[pos++] = (byte) (bits >>> shift);
    }
  }

  private void putLong(long n) {
    put(LONG);
    varint((n << 1) ^ (n >> 63));
  }

  private static boolean allStrings(List<?> list) {
    for (Object o : list) {
      if (!(o instanceof String)) {
        return false;
      }
    }
    return true;
  }

  private void tree(Object v) {
    if (trees == null) {
      trees = new ArrayList<>(2);
    }
    put(TREE);
    varint(trees.size());
    trees.add(v);
  }

  private void string(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    // UTF-8 encoding turns a lone surrogate into '?': one byte, as for ASCII, so look closer then
    if ((utf8.length != s.length() || hasQuestionMark(utf8)) && hasLoneSurrogate(s)) {
      utf16(s.toCharArray(), 0, s.length());
      return;
    }
    put(UTF8);
    varint(utf8.length);
    ensure(utf8.length);
    System.arraycopy(utf8, 0, buf, pos, utf8.length);
    pos += utf8.length;
  }

  /** A string from chars: UTF-8, or UTF-16 units when it keeps a lone surrogate. */
  private void chars(char[] c, int off, int len, boolean replaceLoneSurrogates) {
    int start = pos;
    put(UTF8);
    put((byte) 0); // the length, set below
    ensure(3 * len);
    int end = off + len;
    for (int i = off; i < end; i++) {
      char ch = c[i];
      if (ch < 0x80) {
        buf[pos++] = (byte) ch;
      } else if (ch < 0x800) {
        buf[pos++] = (byte) (0xC0 | (ch >> 6));
        buf[pos++] = (byte) (0x80 | (ch & 0x3F));
      } else if (Character.isSurrogate(ch)) {
        if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(c[i + 1])) {
          int cp = Character.toCodePoint(ch, c[++i]);
          buf[pos++] = (byte) (0xF0 | (cp >> 18));
          buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          buf[pos++] = (byte) (0x80 | (cp & 0x3F));
        } else if (replaceLoneSurrogates) {
          buf[pos++] = (byte) 0xEF; // U+FFFD
          buf[pos++] = (byte) 0xBF;
          buf[pos++] = (byte) 0xBD;
        } else {
          pos = start;
          utf16(c, off, len);
          return;
        }
      } else {
        buf[pos++] = (byte) (0xE0 | (ch >> 12));
        buf[pos++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (ch & 0x3F));
      }
    }
    int bytes = pos - start - 2;
    int extra = varintLength(bytes) - 1;
    if (extra > 0) {
      ensure(extra);
      System.arraycopy(buf, start + 2, buf, start + 2 + extra, bytes);
      pos += extra;
    }
    writeVarint(start + 1, bytes);
  }

  private void utf16(char[] c, int off, int len) {
    put(UTF16);
    varint(len);
    ensure(2 * len);
    for (int i = off; i < off + len; i++) {
      buf[pos++] = (byte) (c[i] >>> 8);
      buf[pos++] = (byte) c[i];
    }
  }

  private static boolean hasQuestionMark(byte[] utf8) {
    for (byte b : utf8) {
      if (b == '?') {
        return true;
      }
    }
    return false;
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private void put(byte b) {
    ensure(1);
    buf[pos++] = b;
  }

  private void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private static int varintLength(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  /** Writes {@code v} as a varint at {@code at}, where {@link #varintLength} bytes are free. */
  private void writeVarint(int at, long v) {
    while ((v & ~0x7FL) != 0) {
      buf[at++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[at] = (byte) v;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  // ---- reading ----

  /** The cell of {@code slot} of the row packed in {@code b[off, off + len)}, or null where empty. */
  static Object cell(byte[] b, int off, int len, Object[] trees, int slot) {
    Reader r = new Reader(b, off);
    int end = off + len;
    for (int s = 0; s < slot; s++) {
      if (r.pos >= end) {
        return null;
      }
      r.skip();
    }
    return r.pos >= end ? null : r.read(trees);
  }

  /** Every cell by slot of the row packed in {@code b[off, off + len)}, in an array of at least {@code slots}. */
  static Object[] cells(byte[] b, int off, int len, Object[] trees, int slots) {
    List<Object> out = new ArrayList<>(slots);
    Reader r = new Reader(b, off);
    int end = off + len;
    while (r.pos < end) {
      out.add(r.read(trees));
    }
    Object[] cells = new Object[Math.max(slots, out.size())];
    for (int i = 0; i < out.size(); i++) {
      cells[i] = out.get(i);
    }
    return cells;
  }

  private static final class Reader {
    final byte[] b;
    int pos;

    Reader(byte[] b, int pos) {
      this.b = b;
      this.pos = pos;
    }

    Object read(Object[] trees) {
      byte tag = b[pos++];
      switch (tag) {
        case EMPTY: return null;
        case UTF8:
        case UTF16: return string(tag);
        case DOUBLE: return Double.longBitsToDouble(fixed64());
        case LONG: {
          long z = varint();
          return (z >>> 1) ^ -(z & 1);
        }
        case TRUE: return Boolean.TRUE;
        case FALSE: return Boolean.FALSE;
        case URL: {
          String text = string(b[pos++]);
          return new CellCodec.UrlCell(text, string(b[pos++]));
        }
        case STRINGS: {
          String[] items = new String[(int) varint()];
          for (int i = 0; i < items.length; i++) {
            items[i] = string(b[pos++]);
          }
          return Collections.unmodifiableList(Arrays.asList(items));
        }
        case TREE: return trees[(int) varint()];
        default: throw new IllegalStateException("corrupt row: tag " + tag + " at " + (pos - 1));
      }
    }

    void skip() {
      byte tag = b[pos++];
      switch (tag) {
        case EMPTY:
        case TRUE:
        case FALSE:
          return;
        case UTF8:
        case UTF16:
          skipString(tag);
          return;
        case DOUBLE:
          pos += 8;
          return;
        case LONG:
        case TREE:
          varint();
          return;
        case URL:
          skipString(b[pos++]);
          skipString(b[pos++]);
          return;
        case STRINGS: {
          long n = varint();
          for (long i = 0; i < n; i++) {
            skipString(b[pos++]);
          }
          return;
        }
        default: throw new IllegalStateException("corrupt row: tag " + tag + " at " + (pos - 1));
      }
    }

    private String string(byte tag) {
      int len = (int) varint();
      if (tag == UTF8) {
        String s = new String(b, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
      }
      char[] chars = new char[len];
      for (int i = 0; i < len; i++) {
        chars[i] = (char) (((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF));
        pos += 2;
      }
      return new String(chars);
    }

    private void skipString(byte tag) {
      int len = (int) varint();
      pos += tag == UTF8 ? len : 2 * len;
    }

    private long fixed64() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos++] & 0xFF);
      }
      return v;
    }

    private long varint() {
      long v = 0;
      int shift = 0;
      while (true) {
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
        shift += 7;
      }
    }
  }
}
