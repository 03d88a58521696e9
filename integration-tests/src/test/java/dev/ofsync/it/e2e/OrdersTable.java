package dev.ofsync.it.e2e;

/**
 * The table most scenarios sync: the column types of a typical Oracle orders table (NUMBER key,
 * VARCHAR2, NVARCHAR2, NUMBER(12,2), NUMBER(5), DATE, CLOB), a TIMESTAMP sync column with the index
 * the source README asks for, and a soft-delete flag.
 */
final class OrdersTable {
  static final String KEY = "ID";
  static final String SYNC = "UPDATED_AT";
  static final String DELETED = "DELETED";

  private OrdersTable() {}

  /** Creates {@code name} with {@code rows} rows, IDs 1 to rows, stamped in 2024 (long before any change a test makes). */
  static void create(OracleStandIn db, String name, int rows) {
    db.execute("CREATE TABLE " + name + " (ID NUMBER(10) PRIMARY KEY, CUSTOMER VARCHAR2(100), CITY NVARCHAR2(50), "
            + "AMOUNT NUMBER(12,2), QTY NUMBER(5), ORDER_DATE DATE, NOTES CLOB, UPDATED_AT TIMESTAMP(6) NOT NULL, "
            + "DELETED NUMBER(1) DEFAULT 0 NOT NULL)",
        "CREATE INDEX " + name + "_SYNC ON " + name + " (UPDATED_AT, ID)");
    if (rows > 0) {
      db.execute("INSERT INTO " + name + " SELECT X, 'customer ' || X, CASE MOD(X, 3) WHEN 0 THEN '北京' WHEN 1 THEN "
          + "'São Paulo' ELSE NULL END, X * 1.25, MOD(X, 97), DATEADD('DAY', MOD(X, 1000), DATE '2021-01-01'), "
          + "'note ' || X, DATEADD('SECOND', X, TIMESTAMP '2024-01-01 00:00:00'), 0 FROM SYSTEM_RANGE(1, " + rows + ")");
    }
  }

  /** What {@link Pipeline#assertBitableEqualsTable} compares for this table. */
  static Expectation expect(String name, String prefix, int maxRowsPerTable) {
    return new Expectation(name, KEY, DELETED, "1", prefix, maxRowsPerTable, java.util.Set.of());
  }
}
