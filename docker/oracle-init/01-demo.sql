-- The demo table of docker-compose.yml. gvenzl/oracle-free runs this once, on the first start, as
-- SYSDBA in the root container, after it created APP_USER (demo) in FREEPDB1.
WHENEVER SQLERROR EXIT SQL.SQLCODE
ALTER SESSION SET CONTAINER = FREEPDB1;

CREATE TABLE DEMO.ORDERS (
  ID          NUMBER(10)     NOT NULL,
  CUSTOMER    VARCHAR2(100)  NOT NULL,
  AMOUNT      NUMBER(12,2),
  ORDER_DATE  DATE,
  NOTES       CLOB,
  UPDATED_AT  TIMESTAMP(6)   DEFAULT SYSTIMESTAMP NOT NULL,
  CONSTRAINT ORDERS_PK PRIMARY KEY (ID)
);

-- The source reads pages ordered by (sync column, key): this index makes each one a range scan.
CREATE INDEX DEMO.ORDERS_SYNC ON DEMO.ORDERS (UPDATED_AT, ID);

-- An UPDATE moves the row past the source's position, so the change reaches Feishu.
CREATE OR REPLACE TRIGGER DEMO.ORDERS_TOUCH
  BEFORE UPDATE ON DEMO.ORDERS
  FOR EACH ROW
BEGIN
  :NEW.UPDATED_AT := SYSTIMESTAMP;
END;
/

-- For Debezium's LogMiner (connect-configs/oracle-debezium-source.json): every column in the redo log.
ALTER TABLE DEMO.ORDERS ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS;

INSERT INTO DEMO.ORDERS (ID, CUSTOMER, AMOUNT, ORDER_DATE, NOTES, UPDATED_AT)
SELECT LEVEL,
       'customer ' || MOD(LEVEL, 97),
       ROUND(LEVEL * 1.37, 2),
       DATE '2024-01-01' + MOD(LEVEL, 365),
       CASE WHEN MOD(LEVEL, 10) = 0 THEN 'note for order ' || LEVEL END,
       SYSTIMESTAMP - NUMTODSINTERVAL(1000 - LEVEL, 'SECOND')
  FROM DUAL
CONNECT BY LEVEL <= 1000;
COMMIT;
