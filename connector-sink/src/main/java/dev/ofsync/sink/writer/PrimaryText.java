package dev.ofsync.sink.writer;

import java.util.List;
import java.util.Map;

/** Cells as search answers them (text as rich-text segments, numbers as doubles), in the forms the sink writes. */
final class PrimaryText {
  private PrimaryText() {}

  /** A read-back cell as the sink would have written it: text joined from its segments, others as they are. */
  static Object cell(Object value) {
    if (value instanceof List && ((List<?>) value).stream().allMatch(s -> s instanceof Map && ((Map<?, ?>) s).containsKey("text"))) {
      return of(value);
    }
    return value;
  }

  /** The text of a primary field. */
  static String of(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof List) {
      StringBuilder out = new StringBuilder();
      for (Object segment : (List<?>) value) {
        out.append(segment instanceof Map ? String.valueOf(((Map<?, ?>) segment).get("text")) : String.valueOf(segment));
      }
      return out.toString();
    }
    if (value instanceof Double) {
      double d = (Double) value;
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
    return value.toString();
  }
}
