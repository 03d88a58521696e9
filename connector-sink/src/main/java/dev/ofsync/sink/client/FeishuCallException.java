package dev.ofsync.sink.client;

/** A Feishu call that did not succeed: its code, HTTP status, request id and what it means. */
public final class FeishuCallException extends RuntimeException {
  private final String call;
  private final int httpStatus;
  private final int code;
  private final String requestId;
  private final Failure failure;
  private final long retryAfterMillis;

  public FeishuCallException(String call, int httpStatus, int code, String msg, String requestId, Failure failure,
      long retryAfterMillis, Throwable cause) {
    super(call + " failed: code " + code + (httpStatus > 0 ? ", HTTP " + httpStatus : "") + ", " + msg
        + (requestId == null || requestId.isEmpty() ? "" : " (request id " + requestId + ")"), cause);
    this.call = call;
    this.httpStatus = httpStatus;
    this.code = code;
    this.requestId = requestId;
    this.failure = failure;
    this.retryAfterMillis = retryAfterMillis;
  }

  public String call() {
    return call;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int code() {
    return code;
  }

  public String requestId() {
    return requestId;
  }

  public Failure failure() {
    return failure;
  }

  /** For {@link Failure#RATE_LIMITED}: how long Feishu asked to wait; 0 when it did not say. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** The message with what to change, for failures a user must fix. */
  public String withAdvice() {
    return getMessage() + ". To fix: " + ErrorClassifier.advice(code);
  }
}
