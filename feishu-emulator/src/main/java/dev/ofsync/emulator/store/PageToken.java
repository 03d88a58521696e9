package dev.ofsync.emulator.store;

import static dev.ofsync.emulator.api.ErrorCodes.PARAM_INVALID;

import dev.ofsync.emulator.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page tokens: the position of the next page. */
final class PageToken {
  private static final String PREFIX = "pos:";

  private PageToken() {}

  static String of(int offset) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + offset).getBytes(StandardCharsets.UTF_8));
  }

  static int offset(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (s.startsWith(PREFIX)) {
        int offset = Integer.parseInt(s.substring(PREFIX.length()));
        if (offset >= 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException e) {
      // falls through to the error below
    }
    throw ApiException.of(PARAM_INVALID, "field validation failed: page_token '" + token
        + "' is not a token this endpoint gave out");
  }

  static int pageSize(String value, int defaultSize, int max) {
    if (value == null || value.isEmpty()) {
      return defaultSize;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw ApiException.of(PARAM_INVALID, "field validation failed: page_size must be 1.." + max + ", got '" + value + "'");
  }
}
