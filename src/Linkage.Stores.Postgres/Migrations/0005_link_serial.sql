-- A serial per link, so a reader (a daemon's HTTP API) pages through every link exactly once, in the order they were
-- written, and then through the links written since (ILinkageStore.LinksAfter). And an index on the entry of an exit
-- allocation, so everything about one order (ILinkageStore.Detail) is read from indexes.
--
-- The serial is an identity column. PostgreSQL hands identity values out at insert, not at commit, so the store makes
-- link-writing transactions commit in serial order with an advisory lock (PostgresStore.WillWrite): a serial is never
-- made visible after a higher one. Serials may have gaps (a rolled-back insert uses one up).
--
-- Links written before this migration are numbered first, in the order of their time, then order and sequence (the
-- order they were most likely written in; the table keeps no other), and the identity continues after them.
ALTER TABLE trade_strategy_link ADD COLUMN serial bigint;

UPDATE trade_strategy_link AS t SET serial = n.serial
  FROM (SELECT client_order_id, sequence_no,
               row_number() OVER (ORDER BY linked_at, linked_at_ns100, client_order_id, sequence_no) AS serial
          FROM trade_strategy_link) AS n
  WHERE t.client_order_id = n.client_order_id AND t.sequence_no = n.sequence_no;

ALTER TABLE trade_strategy_link ALTER COLUMN serial SET NOT NULL;

ALTER TABLE trade_strategy_link ALTER COLUMN serial ADD GENERATED ALWAYS AS IDENTITY;

SELECT setval(pg_get_serial_sequence('trade_strategy_link', 'serial'), (SELECT COALESCE(max(serial), 0) + 1 FROM trade_strategy_link), false);

-- LinksAfter: serial > cursor, in serial order.
CREATE UNIQUE INDEX trade_strategy_link_serial ON trade_strategy_link (serial);

-- Detail: the allocations that close an entry lot.
CREATE INDEX exit_allocations_entry ON exit_allocations (entry_client_order_id);
