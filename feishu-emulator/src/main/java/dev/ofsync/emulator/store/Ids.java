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

  private Ids() {}

  public static String table() {
    return "tbl" + random(13);
  }

  public static String field() {
    return "fld" + random(10);
  }

  public static String record() {
    return "rec" + random(11);
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
