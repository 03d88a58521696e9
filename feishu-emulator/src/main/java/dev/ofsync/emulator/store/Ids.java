package dev.ofsync.emulator.store;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Ids of the forms Feishu uses: tbl..., fld..., rec..., vew..., t-... */
public final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final Pattern APP_TOKEN = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  private static final Pattern TABLE_ID = Pattern.compile("tbl[A-Za-z0-9]{8,32}");
  private static final Pattern RECORD_ID = Pattern.compile("rec[A-Za-z0-9]{6,32}");

  /** "rec" and 11 base-62 digits: 62^11 > 2^64, so every 64-bit number has an id. */
  static final int RECORD_ID_LENGTH = 3 + 11;
  private static final long MAX_BEFORE_DIGIT = Long.divideUnsigned(-1L, 62);

  private Ids() {}

  public static String table() {
    return "tbl" + random(13);
  }

  public static String field() {
    return "fld" + random(10);
  }

  /** A new record id: "rec" and 11 letters or digits. */
  public static String record() {
    return recordId(recordKey());
  }

  /**
   * The number of a new record id. Record ids spell a 64-bit number in base 62 ({@link #recordId}),
   * so a row keeps 8 bytes instead of a String of its id.
   */
  static long recordKey() {
    return ThreadLocalRandom.current().nextLong();
  }

  /** "rec" and the 11 base-62 digits of {@code key} (unsigned). */
  static String recordId(long key) {
    char[] out = new char[RECORD_ID_LENGTH];
    recordId(key, out);
    return new String(out);
  }

  /** Writes the id of {@code key} into {@code out[0..14)}. */
  static void recordId(long key, char[] out) {
    out[0] = 'r';
    out[1] = 'e';
    out[2] = 'c';
    long v = key;
    for (int i = RECORD_ID_LENGTH - 1; i >= 3; i--) {
      out[i] = ALPHABET[(int) Long.remainderUnsigned(v, 62)];
      v = Long.divideUnsigned(v, 62);
    }
  }

  /** Whether {@code id} is the id of some 64-bit number (all ids this emulator makes are). */
  static boolean isKeyedRecordId(String id) {
    if (id == null || id.length() != RECORD_ID_LENGTH || !id.startsWith("rec")) {
      return false;
    }
    long v = 0;
    for (int i = 3; i < RECORD_ID_LENGTH; i++) {
      int d = digit(id.charAt(i));
      if (d < 0 || Long.compareUnsigned(v, MAX_BEFORE_DIGIT) > 0) {
        return false;
      }
      long next = v * 62 + d;
      if (Long.compareUnsigned(next, v * 62) < 0) {
        return false; // carried past 2^64
      }
      v = next;
    }
    return true;
  }

  /** The number of an id for which {@link #isKeyedRecordId} holds. */
  static long recordKey(String id) {
    long v = 0;
    for (int i = 3; i < RECORD_ID_LENGTH; i++) {
      v = v * 62 + digit(id.charAt(i));
    }
    return v;
  }


  private static int digit(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return -1;
  }

  public static String view() {
    return "vew" + random(10);
  }

  public static String appToken() {
    return "bascn" + random(22);
  }

  public static String tenantToken() {
    return "t-g" + random(40);
  }

  public static boolean isAppToken(String s) {
    return s != null && APP_TOKEN.matcher(s).matches();
  }

  public static boolean isTableId(String s) {
    return s != null && TABLE_ID.matcher(s).matches();
  }

  public static boolean isRecordId(String s) {
    return s != null && RECORD_ID.matcher(s).matches();
  }

  private static String random(int n) {
    char[] out = new char[n];
    for (int i = 0; i < n; i++) {
      out[i] = ALPHABET[ThreadLocalRandom.current().nextInt(ALPHABET.length)];
    }
    return new String(out);
  }
}
