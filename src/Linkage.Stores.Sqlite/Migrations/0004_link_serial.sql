-- A serial per link, so a reader (a daemon's HTTP API) pages through every link exactly once, in the order they were
-- written, and then through the links written since (ILinkageStore.LinksAfter). And an index on the entry of an exit
-- allocation, so everything about one order (ILinkageStore.Detail) is read from indexes.
--
-- The serial is the table's integer primary key, an alias of its rowid, which SQLite numbers max + 1 under the write
-- lock, so the serials of committed links only grow. The plain rowid the table had would do the same, but VACUUM may
-- renumber a rowid that no column names; one that a column names is kept. SQLite cannot change a table's key in place,
-- so the table is made again: the same columns and checks, the old key as a UNIQUE constraint (the same index and the
-- same ON CONFLICT behaviour), and each existing link keeps its rowid as its serial, in the order it was written.
CREATE TABLE trade_strategy_link_with_serial (
  client_order_id    TEXT    NOT NULL COLLATE BINARY,
  sequence_no        INTEGER NOT NULL CHECK (sequence_no >= 1),
  exchange_order_id  TEXT    NOT NULL,
  kind               TEXT    NOT NULL,
  snapshot_id        TEXT,
  product_id         TEXT    NOT NULL,
  side               TEXT    NOT NULL,
  from_quantity      TEXT    NOT NULL,
  to_quantity        TEXT    NOT NULL,
  price              TEXT    NOT NULL,
  fee                TEXT    NOT NULL,
  provenance         TEXT    NOT NULL,
  source_key         TEXT    NOT NULL,
  buy_score          TEXT,
  sell_score         TEXT,
  trigger_type       TEXT,
  linked_at          INTEGER NOT NULL,
  serial             INTEGER PRIMARY KEY,
  UNIQUE (client_order_id, sequence_no)
) STRICT;

INSERT INTO trade_strategy_link_with_serial (
  client_order_id, sequence_no, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price,
  fee, provenance, source_key, buy_score, sell_score, trigger_type, linked_at, serial)
SELECT
  client_order_id, sequence_no, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price,
  fee, provenance, source_key, buy_score, sell_score, trigger_type, linked_at, rowid
FROM trade_strategy_link ORDER BY rowid;

DROP TABLE trade_strategy_link;

ALTER TABLE trade_strategy_link_with_serial RENAME TO trade_strategy_link;

-- Detail: the allocations that close an entry lot.
CREATE INDEX exit_allocations_entry ON exit_allocations (entry_client_order_id);
