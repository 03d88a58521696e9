package dev.ofsync.sink.client;

/** A Feishu call that did not succeed: its code, HTTP status, request id and what it means. */
public final class FeishuCallException extends RuntimeException {
  private final String call;
  private final int httpStatus;
  private final int code;
  private final String requestId;
  private final Failure failure;
  private final long retryAfterMillis;
  private final boolean sent;

  public FeishuCallException(String call, int httpStatus, int code, String msg, String requestId, Failure failure,
      long retryAfterMillis, Throwable cause) {
    this(call, httpStatus, code, msg, requestId, failure, retryAfterMillis, cause, true);
  }

  private FeishuCallException(String call, int httpStatus, int code, String msg, String requestId, Failure failure,
      long retryAfterMillis, Throwable cause, boolean sent) {
    super(call + " failed: code " + code + (httpStatus > 0 ? ", HTTP " + httpStatus : "") + ", " + msg
        + (requestId == null || requestId.isEmpty() ? "" : " (request id " + requestId + ")"), cause);
    this.call = call;
    this.httpStatus = httpStatus;
    this.code = code;
    this.requestId = requestId;
    this.failure = failure;
    this.retryAfterMillis = retryAfterMillis;
    this.sent = sent;
  }

  /** A call (or a try of it) the caller did not send: the work it belonged to was given up. */
  static FeishuCallException notSent(String call) {
    return new FeishuCallException(call, 0, 0, "not sent: the partitions of its records went to another task", null,
        Failure.TRANSIENT, 0, null, false);
  }

  /** Whether the call was sent at all; false: it cannot have been carried out ({@link #notSent}). */
  public boolean sent() {
    return sent;
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
