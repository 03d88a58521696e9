package dev.ofsync.emulator.store;

import java.util.HashMap;
import java.util.Map;

/** Bitable field types by their API number, with the rules that depend on the type. */
public enum FieldType {
  TEXT(1, "Text", true, true),
  NUMBER(2, "Number", true, true),
  SINGLE_SELECT(3, "SingleSelect", true, false),
  MULTI_SELECT(4, "MultiSelect", true, false),
  DATE_TIME(5, "DateTime", true, true),
  CHECKBOX(7, "Checkbox", true, false),
  USER(11, "User", true, false),
  PHONE(13, "Phone", true, true),
  URL(15, "Url", true, true),
  ATTACHMENT(17, "Attachment", true, false),
  SINGLE_LINK(18, "SingleLink", true, false),
  LOOKUP(19, "Lookup", false, false),
  FORMULA(20, "Formula", false, true),
  DUPLEX_LINK(21, "DuplexLink", true, false),
  LOCATION(22, "Location", true, true),
  GROUP_CHAT(23, "GroupChat", true, false),
  CREATED_TIME(1001, "CreatedTime", false, false),
  MODIFIED_TIME(1002, "ModifiedTime", false, false),
  CREATED_USER(1003, "CreatedUser", false, false),
  MODIFIED_USER(1004, "ModifiedUser", false, false),
  AUTO_NUMBER(1005, "AutoNumber", false, false);

  private static final Map<Integer, FieldType> BY_CODE = new HashMap<>();

  static {
    for (FieldType t : values()) {
      BY_CODE.put(t.code, t);
    }
  }

  private final int code;
  private final String uiType;
  private final boolean writable;
  private final boolean primaryAllowed;

  FieldType(int code, String uiType, boolean writable, boolean primaryAllowed) {
    this.code = code;
    this.uiType = uiType;
    this.writable = writable;
    this.primaryAllowed = primaryAllowed;
  }

  public int code() {
    return code;
  }

  public String uiType() {
    return uiType;
  }

  /** Whether records may carry a value for it; formula, lookup and automatic fields are computed. */
  public boolean writable() {
    return writable;
  }

  /** Whether it may be a table's first (primary) field: 1, 2, 5, 13, 15, 20, 22. */
  public boolean primaryAllowed() {
    return primaryAllowed;
  }

  /** The type of a code, or null when the service has no such type. */
  public static FieldType ofCode(int code) {
    return BY_CODE.get(code);
  }
}
