package dev.ofsync.sink.client;

import com.lark.oapi.Client;
import com.lark.oapi.core.request.RequestOptions;
import com.lark.oapi.core.response.BaseResponse;
import com.lark.oapi.service.bitable.v1.model.AppTable;
import com.lark.oapi.service.bitable.v1.model.AppTableCreateHeader;
import com.lark.oapi.service.bitable.v1.model.AppTableField;
import com.lark.oapi.service.bitable.v1.model.AppTableFieldForList;
import com.lark.oapi.service.bitable.v1.model.AppTableFieldProperty;
import com.lark.oapi.service.bitable.v1.model.AppTableRecord;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchCreateAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchDeleteAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.BatchUpdateAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableFieldReq;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableReq;
import com.lark.oapi.service.bitable.v1.model.CreateAppTableReqBody;
import com.lark.oapi.service.bitable.v1.model.ListAppTableFieldReq;
import com.lark.oapi.service.bitable.v1.model.ListAppTableReq;
import com.lark.oapi.service.bitable.v1.model.ReqTable;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordReq;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordReqBody;
import com.lark.oapi.service.bitable.v1.model.SearchAppTableRecordRespBody;
import com.lark.oapi.service.bitable.v1.model.UpdateAppTableFieldReq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bitable calls the sink makes, through the official SDK. Every call waits for the request
 * budget, then passes Feishu's answer through {@link ErrorClassifier}: passing failures are retried
 * (with backoff as debt on the budget; 429s wait for Feishu's reset), an expired token is renewed
 * once, and anything else is thrown as a {@link FeishuCallException} carrying the request id.
 */
public final class BitableClient {
  private static final Logger LOG = LoggerFactory.getLogger(BitableClient.class);
  private static final long MAX_BACKOFF_MS = 30_000;

  /** A call to make, given the token options; answers the SDK's response. */
  @FunctionalInterface
  private interface Call<T> {
    BaseResponse<T> send(RequestOptions options) throws Exception;
  }

  /** Counts of calls, for metrics and progress. */
  public static final class Counters {
    public final LongAdder calls = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final LongAdder retries = new LongAdder();
    /** Record writes, and the time their tries spent: building the request, waiting for the budget, waiting for the answer. */
    public final LongAdder writes = new LongAdder();
    public final LongAdder writePrepareNanos = new LongAdder();
    public final LongAdder writeBudgetNanos = new LongAdder();
    public final LongAdder writeAnswerNanos = new LongAdder();
  }

  private final Client client;
  private final BodyTransport transport;
  private final String appToken;
  private final RequestBudget budget;
  private final TenantTokens tokens;
  private final int maxRetries;
  private final long backoffMs;
  private final Counters counters = new Counters();

  public BitableClient(String baseUrl, String appId, String appSecret, String appToken, Duration timeout,
      RequestBudget budget, int maxRetries, long backoffMs) {
    this.transport = new BodyTransport(timeout);
    this.client = Client.newBuilder(appId, appSecret)
        .openBaseUrl(baseUrl)
        .disableTokenCache()
        .httpTransport(transport)
        .requestTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build();
    this.appToken = appToken;
    this.budget = budget;
    this.tokens = new TenantTokens(client, appId, appSecret);
    this.maxRetries = maxRetries;
    this.backoffMs = backoffMs;
  }

  public Counters counters() {
    return counters;
  }

  public String appToken() {
    return appToken;
  }

  // ---- tables and fields ----

  public List<TableInfo> listTables() throws InterruptedException {
    List<TableInfo> out = new ArrayList<>();
    String pageToken = null;
    do {
      String page = pageToken;
      var data = call("list tables of base " + appToken, CallClass.READ, o -> client.bitable().v1().appTable()
          .list(ListAppTableReq.newBuilder().appToken(appToken).pageSize(100).pageToken(page).build(), o));
      if (data.getItems() != null) {
        for (AppTable t : data.getItems()) {
          out.add(new TableInfo(t.getTableId(), t.getName()));
        }
      }
      pageToken = Boolean.TRUE.equals(data.getHasMore()) ? data.getPageToken() : null;
    } while (pageToken != null);
    return out;
  }

  /**
   * Creates a table whose first field is its primary field; answers its fields as created (no
   * listing needed). A taken name throws with {@link Failure#NAME_TAKEN}.
   */
  public CreatedTable createTable(String name, List<FieldSpec> fields) throws InterruptedException {
    AppTableCreateHeader[] headers = fields.stream().map(f -> AppTableCreateHeader.newBuilder()
        .fieldName(f.name()).type(f.type()).property(property(f)).build()).toArray(AppTableCreateHeader[]::new);
    var data = call("create table '" + name + "'", CallClass.SCHEMA_WRITE, o -> client.bitable().v1().appTable()
        .create(CreateAppTableReq.newBuilder().appToken(appToken).createAppTableReqBody(CreateAppTableReqBody.newBuilder()
            .table(ReqTable.newBuilder().name(name).defaultViewName("Grid").fields(headers).build()).build()).build(), o));
    String[] ids = data.getFieldIdList() == null ? new String[0] : data.getFieldIdList();
    List<FieldInfo> created = new ArrayList<>();
    for (int i = 0; i < fields.size() && i < ids.length; i++) {
      created.add(new FieldInfo(ids[i], fields.get(i).name(), fields.get(i).type(), i == 0));
    }
    return new CreatedTable(new TableInfo(data.getTableId(), name), created.size() == fields.size() ? created : null);
  }

  /** A new table and its fields (null when Feishu did not answer every field's id). */
  public record CreatedTable(TableInfo table, List<FieldInfo> fields) {}

  public List<FieldInfo> listFields(String tableId) throws InterruptedException {
    List<FieldInfo> out = new ArrayList<>();
    String pageToken = null;
    do {
      String page = pageToken;
      var data = call("list fields of table " + tableId, CallClass.READ, o -> client.bitable().v1().appTableField()
          .list(ListAppTableFieldReq.newBuilder().appToken(appToken).tableId(tableId).pageSize(100).pageToken(page).build(), o));
      if (data.getItems() != null) {
        for (AppTableFieldForList f : data.getItems()) {
          out.add(new FieldInfo(f.getFieldId(), f.getFieldName(), f.getType() == null ? 0 : f.getType(),
              Boolean.TRUE.equals(f.getIsPrimary())));
        }
      }
      pageToken = Boolean.TRUE.equals(data.getHasMore()) ? data.getPageToken() : null;
    } while (pageToken != null);
    return out;
  }

  /** Adds a field; a taken name throws with {@link Failure#NAME_TAKEN}. */
  public void createField(String tableId, FieldSpec field) throws InterruptedException {
    call("create field '" + field.name() + "' in table " + tableId, CallClass.SCHEMA_WRITE, o -> client.bitable().v1()
        .appTableField().create(CreateAppTableFieldReq.newBuilder().appToken(appToken).tableId(tableId)
            .clientToken(UUID.randomUUID().toString())
            .appTableField(AppTableField.newBuilder().fieldName(field.name()).type(field.type()).property(property(field))
                .build()).build(), o));
  }

  public void updateField(String tableId, String fieldId, FieldSpec field) throws InterruptedException {
    call("change field " + fieldId + " of table " + tableId + " to '" + field.name() + "'", CallClass.SCHEMA_WRITE,
        o -> client.bitable().v1().appTableField().update(UpdateAppTableFieldReq.newBuilder().appToken(appToken)
            .tableId(tableId).fieldId(fieldId).appTableField(AppTableField.newBuilder().fieldName(field.name())
                .type(field.type()).property(property(field)).build()).build(), o));
  }

  private static AppTableFieldProperty property(FieldSpec f) {
    if (f.formatter() == null && f.dateFormatter() == null) {
      return null;
    }
    return AppTableFieldProperty.newBuilder().formatter(f.formatter()).dateFormatter(f.dateFormatter()).build();
  }

  // ---- records ----

  /** Rows in the table, as Feishu counts them. */
  public int rowCount(String tableId) throws InterruptedException {
    var data = search(tableId, null, 1, null);
    return data.getTotal() == null ? 0 : data.getTotal();
  }

  /** Reads every record of the table ({@code fieldNames} only; null: all fields), 500 at a time. */
  public void scan(String tableId, List<String> fieldNames, Consumer<AppTableRecord> each) throws InterruptedException {
    String pageToken = null;
    do {
      var data = search(tableId, fieldNames, 500, pageToken);
      if (data.getItems() != null) {
        for (AppTableRecord r : data.getItems()) {
          each.accept(r);
        }
      }
      pageToken = Boolean.TRUE.equals(data.getHasMore()) ? data.getPageToken() : null;
    } while (pageToken != null);
  }

  private SearchAppTableRecordRespBody search(String tableId, List<String> fieldNames, int pageSize, String pageToken)
      throws InterruptedException {
    return call("search table " + tableId, CallClass.READ, o -> client.bitable().v1().appTableRecord().search(
        SearchAppTableRecordReq.newBuilder().appToken(appToken).tableId(tableId).pageSize(pageSize).pageToken(pageToken)
            .searchAppTableRecordReqBody(SearchAppTableRecordReqBody.newBuilder()
                .fieldNames(fieldNames == null ? null : fieldNames.toArray(new String[0])).build()).build(), o));
  }

  /**
   * Creates rows; answers their record ids in order. One client_token serves every retry of the
   * call, so a call whose answer was lost is not written twice.
   */
  public List<String> batchCreate(String tableId, List<Map<String, Object>> rows) throws InterruptedException {
    return batchCreate(tableId, rows, UUID.randomUUID().toString());
  }

  /** {@link #batchCreate(String, List)} with the caller's client_token, the same for a batch tried again later. */
  public List<String> batchCreate(String tableId, List<Map<String, Object>> rows, String clientToken)
      throws InterruptedException {
    AppTableRecord[] records = rows.stream().map(r -> AppTableRecord.newBuilder().fields(r).build())
        .toArray(AppTableRecord[]::new);
    var data = call("batch_create of " + rows.size() + " rows in table " + tableId, CallClass.RECORD_WRITE,
        o -> client.bitable().v1().appTableRecord().batchCreate(BatchCreateAppTableRecordReq.newBuilder()
            .appToken(appToken).tableId(tableId).clientToken(clientToken)
            .batchCreateAppTableRecordReqBody(BatchCreateAppTableRecordReqBody.newBuilder().records(records).build())
            .build(), o));
    List<String> ids = new ArrayList<>(rows.size());
    for (AppTableRecord r : data.getRecords()) {
      ids.add(r.getRecordId());
    }
    if (ids.size() != rows.size()) {
      throw new FeishuCallException("batch_create in table " + tableId, 200, 0, "answered " + ids.size()
          + " record ids for " + rows.size() + " rows", null, Failure.TRANSIENT, 0, null);
    }
    return ids;
  }

  /** Updates rows in place: record id to the cells to change. */
  public void batchUpdate(String tableId, Map<String, Map<String, Object>> rowsById) throws InterruptedException {
    AppTableRecord[] records = rowsById.entrySet().stream()
        .map(e -> AppTableRecord.newBuilder().recordId(e.getKey()).fields(e.getValue()).build())
        .toArray(AppTableRecord[]::new);
    call("batch_update of " + records.length + " rows in table " + tableId, CallClass.RECORD_WRITE, Repeat.OVERWRITES,
        o -> client.bitable().v1().appTableRecord().batchUpdate(BatchUpdateAppTableRecordReq.newBuilder()
            .appToken(appToken).tableId(tableId)
            .batchUpdateAppTableRecordReqBody(BatchUpdateAppTableRecordReqBody.newBuilder().records(records).build())
            .build(), o));
  }

  /**
   * Whether a try of this thread's last call failed in a way that may still see it carried out (a
   * timeout, a dropped connection, a 5xx), rather than refused by Feishu. Read right after the call.
   */
  public static boolean lastCallMayHaveLanded() {
    return LAST_UNCERTAIN.get()[0] != NONE;
  }

  /** No instant: no such try (a System.nanoTime() value may be any long, this one included, but not in practice). */
  public static final long NONE = Long.MIN_VALUE;
  private static final ThreadLocal<long[]> LAST_UNCERTAIN = ThreadLocal.withInitial(() -> new long[] {NONE});

  public void batchDelete(String tableId, List<String> recordIds) throws InterruptedException {
    call("batch_delete of " + recordIds.size() + " rows in table " + tableId, CallClass.RECORD_WRITE,
        o -> client.bitable().v1().appTableRecord().batchDelete(BatchDeleteAppTableRecordReq.newBuilder()
            .appToken(appToken).tableId(tableId)
            .batchDeleteAppTableRecordReqBody(BatchDeleteAppTableRecordReqBody.newBuilder()
                .records(recordIds.toArray(new String[0])).build()).build(), o));
  }

  // ---- the retry loop ----

  /** What trying a call again (or Feishu carrying out a try late) can do. */
  private enum Repeat {
    /**
     * Nothing twice: a read, a create with a client_token or a name Feishu keeps unique, a field
     * change (the same target each time), a batch_delete (a row already gone is answered as such).
     */
    SAFE,
    /** batch_update: no client_token, and a try carried out late may overwrite a newer value. */
    OVERWRITES
  }

  /**
   * The work a thread's calls belong to (a batch of a lane), which may be given up while they run:
   * its partitions go to another task at a rebalance.
   */
  public interface Work {
    /** The work was given up: its partitions went to another task. */
    boolean givenUp();

    /** The rebalance that gave it up no longer waits for it: nothing more of it may reach Feishu. */
    boolean abandoned();

    /**
     * A try of a batch_update, sent before {@code nanoTime}, got no answer (a timeout, a dropped
     * connection, a 5xx): Feishu may still carry it out, after the try that succeeds and so after a
     * newer value. Called at once, before the call is tried again.
     */
    void updateMayLand(long nanoTime);
  }

  private static final ThreadLocal<Work> WORK = new ThreadLocal<>();

  /**
   * Until {@link #workDone()}, this thread's calls belong to {@code work}. Once it is given up, no
   * new call starts, and a failed call is not tried again unless a try of it may still land and a
   * repeat cannot write twice (a create with its client_token, a delete): that one goes on until its
   * outcome is known (the rebalance waits for it) or its retries run out, or until the work is
   * abandoned. A batch_update with a try that may still land is not tried again: the next owner
   * replays it, after the pause {@link Work#updateMayLand} began. Checked again once a try has its
   * turn in the budget, right before it is sent.
   */
  public static void during(Work work) {
    WORK.set(work);
  }

  public static void workDone() {
    WORK.remove();
  }

  /** Whether a try may be sent for the thread's work (see {@link #during}). */
  private static boolean maySend(boolean firstTry, boolean outcomesKnown, Repeat repeat) {
    Work work = WORK.get();
    return work == null || !work.givenUp()
        || (!firstTry && !outcomesKnown && repeat == Repeat.SAFE && !work.abandoned());
  }

  /** Throws the failure rather than try the call again, if the work it belongs to was given up (see {@link #during}). */
  private static void unlessGivenUp(FeishuCallException failure, boolean outcomesKnown, Repeat repeat) {
    if (!maySend(false, outcomesKnown, repeat)) {
      throw failure;
    }
  }

  /** Feishu answered that it did not do the call: a quota or throttle, a body too large, or an error code in an answer below 500. */
  private static boolean refused(FeishuCallException failure) {
    int status = failure.httpStatus();
    return status == 429 || status == 413 || (status > 0 && status < 500 && failure.code() > 0);
  }

  private <T> T call(String what, CallClass callClass, Call<T> call) throws InterruptedException {
    return call(what, callClass, Repeat.SAFE, call);
  }

  private <T> T call(String what, CallClass callClass, Repeat repeat, Call<T> call) throws InterruptedException {
    boolean tokenRenewed = false;
    boolean outcomesKnown = true; // every failed try so far was refused: none of them can land later
    LAST_UNCERTAIN.get()[0] = NONE;
    Work work = WORK.get();
    if (!maySend(true, true, repeat)) {
      throw FeishuCallException.notSent(what);
    }
    for (int attempt = 0; ; attempt++) {
      boolean firstTry = attempt == 0;
      boolean known = outcomesKnown;
      Outcome<T> outcome = attempt(what, callClass, call, () -> maySend(firstTry, known, repeat));
      FeishuCallException failure = outcome.failure;
      if (failure == null) {
        return outcome.data;
      }
      if (!failure.sent()) {
        throw failure; // given up while the try waited for its turn
      }
      if (!refused(failure)) {
        long now = System.nanoTime();
        LAST_UNCERTAIN.get()[0] = now; // this try, sent before now, may still be carried out
        if (repeat == Repeat.OVERWRITES && work != null) {
          work.updateMayLand(now);
        }
      }
      outcomesKnown &= refused(failure);
      switch (failure.failure()) {
        case TOKEN_EXPIRED:
          if (tokenRenewed) {
            throw failure;
          }
          tokenRenewed = true;
          tokens.invalidate(outcome.token());
          unlessGivenUp(failure, outcomesKnown, repeat);
          continue;
        case RATE_LIMITED:
          counters.rateLimited.increment();
          if (attempt >= maxRetries * 2) {
            throw failure;
          }
          // the gateway's reset, but never more than a minute at once: a wrong or huge header must not
          // hold every call back for longer than a rebalance or a flush waits
          budget.penalizeAll(failure.retryAfterMillis() > 0 ? Math.min(failure.retryAfterMillis(), MAX_RATE_LIMIT_WAIT_MS)
              : backoff(attempt));
          unlessGivenUp(failure, outcomesKnown, repeat);
          break;
        case TRANSIENT:
          if (attempt >= maxRetries) {
            throw failure;
          }
          unlessGivenUp(failure, outcomesKnown, repeat);
          budget.penalize(callClass, backoff(attempt));
          break;
        default:
          throw failure;
      }
      counters.retries.increment();
      LOG.debug("retrying {} after: {}", what, failure.getMessage());
    }
  }

  /** One try of a call: its data, or what went wrong. */
  private record Outcome<T>(T data, FeishuCallException failure, String token) {}

  /** The longest a 429's x-ogw-ratelimit-reset holds calls back at once. */
  static final long MAX_RATE_LIMIT_WAIT_MS = 60_000;

  private <T> Outcome<T> attempt(String what, CallClass callClass, Call<T> call,
      java.util.function.BooleanSupplier maySend) throws InterruptedException {
    BaseResponse<T> resp;
    String token = null;
    try {
      token = tokens.get(budget);
      RequestOptions options = RequestOptions.newBuilder().tenantAccessToken(token).build();
      counters.calls.increment();
      long start = System.nanoTime();
      long[] released = {0};
      // the budget is waited for once the body is serialized, right before the send
      transport.beforeSend(new BodyTransport.BeforeSend() {
        @Override
        public void ready() throws InterruptedException {
          long ready = System.nanoTime();
          released[0] = budget.acquire(callClass);
          if (!maySend.getAsBoolean()) {
            throw FeishuCallException.notSent(what); // given up while it waited for its turn (or a backoff)
          }
          if (callClass == CallClass.RECORD_WRITE) {
            counters.writePrepareNanos.add(ready - start);
            counters.writeBudgetNanos.add(released[0] - ready);
          }
        }

        @Override
        public void sending(long nanoTime) {
          if (released[0] != 0) {
            budget.sending(callClass, released[0], nanoTime);
          }
        }
      });
      try {
        resp = call.send(options);
      } finally {
        transport.clearBeforeSend();
        if (callClass == CallClass.RECORD_WRITE && released[0] != 0) {
          counters.writes.increment();
          counters.writeAnswerNanos.add(System.nanoTime() - released[0]);
        }
      }
    } catch (FeishuCallException e) {
      // the token could not be had: passing (retried) or not, as it says; or the try was not sent
      return new Outcome<>(null, e, token);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      // I/O errors, timeouts, a dropped connection, a gateway's non-JSON answer: passing, but for a
      // body too large (413, split) and a throttle (429) a gateway's page says; and a try not sent,
      // whatever the SDK wrapped it in
      int status = 0;
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof FeishuCallException f && !f.sent()) {
          return new Outcome<>(null, f, token);
        }
        if (status == 0 && t instanceof BodyTransport.ErrorPage page) {
          status = page.status();
        }
      }
      Failure failure = status == 413 ? Failure.BAD_RECORD : status == 429 ? Failure.RATE_LIMITED : Failure.TRANSIENT;
      return new Outcome<>(null, new FeishuCallException(what, status, -1, e.toString(), null, failure, 0, e), token);
    }
    if (resp.success()) {
      return new Outcome<>(resp.getData(), null, token);
    }
    int status = resp.getRawResponse() == null ? 0 : resp.getRawResponse().getStatusCode();
    Failure failure = ErrorClassifier.classify(status, resp.getCode());
    long retryAfter = 0;
    if (failure == Failure.RATE_LIMITED && resp.getRawResponse() != null) {
      retryAfter = resetMillis(resp.getRawResponse().getHeaders());
    }
    return new Outcome<>(null, new FeishuCallException(what, status, resp.getCode(), resp.getMsg(),
        resp.getRequestId(), failure, retryAfter, null), token);
  }

  private static long resetMillis(Map<String, List<String>> headers) {
    if (headers == null) {
      return 0;
    }
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if (h.getKey() != null && h.getKey().equalsIgnoreCase("x-ogw-ratelimit-reset") && !h.getValue().isEmpty()) {
        try {
          return Math.round(Double.parseDouble(h.getValue().get(0).trim()) * 1000);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /** Exponential backoff with full jitter, capped at 30 s. */
  private long backoff(int attempt) {
    long ceiling = Math.min(MAX_BACKOFF_MS, backoffMs << Math.min(attempt, 16));
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }
}
