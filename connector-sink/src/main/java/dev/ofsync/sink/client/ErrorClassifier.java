package dev.ofsync.sink.client;

/**
 * Every Feishu answer code, decided in one place: what it means and, for the ones a user must fix,
 * which setting to change.
 */
public final class ErrorClassifier {
  private ErrorClassifier() {}

  public static Failure classify(int httpStatus, int code) {
    if (httpStatus == 413) {
      // the request body is over Feishu's limit: the batch is split until it fits, and a row that
      // alone is over it can never be written
      return Failure.BAD_RECORD;
    }
    switch (code) {
      case 99991400: // gateway quota per app, with x-ogw-ratelimit-reset
        return Failure.RATE_LIMITED;
      case 99991663: // tenant_access_token invalid or expired
      case 99991661: // token missing (the SDK lost it)
        return Failure.TOKEN_EXPIRED;
      case 1254290: // Bitable's own TooManyRequest
      case 1254291: // write conflict: another write to the table is running
      case 1254607: // data not ready, e.g. right after a table was created
        return Failure.TRANSIENT;
      case 1254103: // RecordExceedLimit: the table is full
        return Failure.TABLE_FULL;
      case 1254013: // TableNameDuplicated
      case 1254014: // FieldNameDuplicated
        return Failure.NAME_TAKEN;
      case 1254045: // FieldNameNotFound
        return Failure.FIELD_MISSING;
      case 1254130: // TooLargeCell
        return Failure.BAD_RECORD;
      default:
        break;
    }
    if (code >= 1254060 && code <= 1254074) { // a cell that does not convert to its field's type
      return Failure.BAD_RECORD;
    }
    // the service's own failures (1255001-1255005 internal, rpc and (un)marshal errors, 1255040 a
    // server-side timeout, and the rest of the range): they pass
    if (code >= 1255000 && code <= 1255999) {
      return Failure.TRANSIENT;
    }
    if (httpStatus == 429) {
      return Failure.RATE_LIMITED;
    }
    if (httpStatus >= 500) {
      return Failure.TRANSIENT;
    }
    return Failure.FATAL;
  }

  /** What a user should change when a call fails for good with {@code code}. */
  public static String advice(int code) {
    switch (code) {
      case 10003:
      case 10014:
      case 10015:
        return "check feishu.app_id and feishu.app_secret: Feishu does not accept them";
      case 99991672:
        return "the app lacks the bitable:app scope: add it in the Feishu developer console and publish a new version";
      case 1254302:
      case 91403:
        return "the app has no access to the base: add the app as a collaborator of the Bitable (feishu.app_token)";
      case 1254003:
      case 1254040:
        return "check feishu.app_token: no Bitable has that app_token";
      case 1254004:
      case 1254041:
        return "check feishu.base_table_id: the base has no such table";
      case 99991403:
        return "the tenant's monthly API quota is used up: wait for next month or raise the plan";
      case 1254100:
        return "the base holds 100 tables, Feishu's limit: use another base (feishu.app_token) or raise feishu.max_rows_per_table if your plan allows";
      case 1254105:
        return "the record has more columns than the 300 fields a table may hold: send fewer columns";
      default:
        return "see the Feishu error code list for code " + code;
    }
  }
}
