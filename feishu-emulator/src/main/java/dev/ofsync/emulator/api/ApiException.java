package dev.ofsync.emulator.api;

import java.util.Map;

/** An answer the emulator gives instead of a result: an HTTP status, a Feishu code and a message. */
public final class ApiException extends RuntimeException {
  private final int httpStatus;
  private final int code;
  private final Map<String, String> headers;

  public ApiException(int httpStatus, int code, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
    this.code = code;
    this.headers = Map.copyOf(headers);
  }

  /** An error whose HTTP status is the one Feishu uses for that code. */
  public static ApiException of(int code, String message) {
    return new ApiException(ErrorCodes.httpStatusOf(code), code, message, Map.of());
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int code() {
    return code;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
