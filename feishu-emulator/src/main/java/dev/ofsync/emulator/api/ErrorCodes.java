package dev.ofsync.emulator.api;

/**
 * The Feishu codes the emulator answers with, in one place. Sources: ../shared/feishu-bitable-api.md
 * and the public Bitable error-code list; where the public material is silent the choice is noted.
 */
public final class ErrorCodes {
  private ErrorCodes() {}

  public static final int OK = 0;

  // Token endpoint.
  /** Request to the token endpoint lacks app_id or app_secret. */
  public static final int TOKEN_INVALID_PARAM = 10003;
  /**
   * Credentials refused: an unknown app_id ("app id not exists") or an app_secret that is not the
   * app's ("app secret invalid"). Feishu answers both with this code; only the msg tells which.
   */
  public static final int APP_CREDENTIALS_INVALID = 10014;

  // Gateway.
  /** Per-app quota of a class of calls exceeded; sent with HTTP 429 and x-ogw-ratelimit-* headers. */
  public static final int RATE_LIMITED = 99991400;
  /** The tenant's monthly API call quota is used up; not worth retrying within a run. */
  public static final int MONTHLY_QUOTA_EXCEEDED = 99991403;
  /** No Authorization header. */
  public static final int TOKEN_MISSING = 99991661;
  /** Token unknown or expired: fetch a new one and retry. */
  public static final int TOKEN_INVALID = 99991663;
  /** The app lacks the bitable:app scope. */
  public static final int SCOPE_MISSING = 99991672;
  /** Query or body parameter outside what the endpoint accepts (page_size, content type, ...). */
  public static final int PARAM_INVALID = 99992402;

  // Bitable.
  /** Body is not JSON. */
  public static final int WRONG_REQUEST_JSON = 1254000;
  /** Body is JSON but not of the request's shape (missing records, bad table name, ...). */
  public static final int WRONG_REQUEST_BODY = 1254001;
  /** app_token is not of an app_token's form. */
  public static final int WRONG_BASE_TOKEN = 1254003;
  /** table_id is not of a table id's form. */
  public static final int WRONG_TABLE_ID = 1254004;
  /** record_id is not of a record id's form. */
  public static final int WRONG_RECORD_ID = 1254006;
  public static final int TABLE_NAME_DUPLICATED = 1254013;
  public static final int FIELD_NAME_DUPLICATED = 1254014;
  /** A filter the service does not understand. */
  public static final int INVALID_FILTER = 1254018;
  public static final int BASE_NOT_FOUND = 1254040;
  public static final int TABLE_NOT_FOUND = 1254041;
  public static final int RECORD_NOT_FOUND = 1254043;
  public static final int FIELD_ID_NOT_FOUND = 1254044;
  public static final int FIELD_NAME_NOT_FOUND = 1254045;
  // Cell conversion failures, one per field type.
  public static final int TEXT_CONV_FAIL = 1254060;
  public static final int NUMBER_CONV_FAIL = 1254061;
  public static final int SINGLE_SELECT_CONV_FAIL = 1254062;
  public static final int MULTI_SELECT_CONV_FAIL = 1254063;
  public static final int DATETIME_CONV_FAIL = 1254064;
  public static final int CHECKBOX_CONV_FAIL = 1254065;
  public static final int USER_CONV_FAIL = 1254066;
  public static final int LINK_CONV_FAIL = 1254067;
  public static final int URL_CONV_FAIL = 1254068;
  public static final int ATTACHMENT_CONV_FAIL = 1254069;
  public static final int PHONE_CONV_FAIL = 1254072;
  public static final int DUPLEX_LINK_CONV_FAIL = 1254074;
  /** A base holds at most 100 tables. */
  public static final int TABLE_LIMIT = 1254100;
  /** A table holds at most max-rows-per-table rows. */
  public static final int ROW_LIMIT = 1254103;
  /** Too many records in one batch call. */
  public static final int BATCH_SIZE_LIMIT = 1254104;
  /** A table holds at most 300 fields. */
  public static final int FIELD_LIMIT = 1254105;
  /** A text cell holds at most 100,000 characters. */
  public static final int CELL_TOO_LARGE = 1254130;
  /** Bitable's own throttle (answered with HTTP 200): retry later. */
  public static final int TOO_MANY_REQUESTS = 1254290;
  /** Another write to the same table is in progress: retry later. */
  public static final int WRITE_CONFLICT = 1254291;
  /** The app is not a collaborator of the base. */
  public static final int PERMISSION_DENIED = 1254302;
  /** Data not ready yet (e.g. right after table creation): retry later. */
  public static final int DATA_NOT_READY = 1254607;
  public static final int INTERNAL_ERROR = 1255001;
  public static final int RPC_ERROR = 1255002;
  public static final int MARSHAL_ERROR = 1255003;
  public static final int UNMARSHAL_ERROR = 1255004;
  public static final int CONV_ERROR = 1255005;
  /** Server-side timeout, answered with HTTP 504. */
  public static final int SERVER_TIMEOUT = 1255040;

  /**
   * HTTP status that goes with a code. Feishu answers request errors with 400, throttling of the
   * gateway with 429, its own internal errors with 500 (504 for its timeout), and Bitable's
   * throttle, write conflict and data-not-ready with 200 (the code alone tells them apart).
   */
  public static int httpStatusOf(int code) {
    if (code == OK || code == TOO_MANY_REQUESTS || code == WRITE_CONFLICT || code == DATA_NOT_READY) {
      return 200;
    }
    if (code == RATE_LIMITED) {
      return 429;
    }
    if (code == SERVER_TIMEOUT) {
      return 504;
    }
    if (code >= 1255001 && code <= 1255005) {
      return 500;
    }
    if (code == PERMISSION_DENIED || code == SCOPE_MISSING || code == MONTHLY_QUOTA_EXCEEDED) {
      return 403;
    }
    return 400;
  }
}
