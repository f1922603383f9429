-- Linkage schema, version 1 (SQLite). Applied once by SqliteStore.Migrate() and recorded in schema_version.
--
-- Types: STRICT tables, so a value of the wrong type is refused instead of silently converted.
--   decimals  TEXT     decimal.ToString(InvariantCulture): exact to 28 digits, scale kept (0.05000000 stays so).
--                      Never REAL (binary floating point) and never NUMERIC affinity (it would convert to REAL).
--   times     INTEGER  UTC ticks (100 ns since 0001-01-01): exact, and ordered as numbers.
--   flags     INTEGER  0 or 1.
--   enums     TEXT     the enum member's name (fill_keys.source excepted: its enum value, part of the key and its order).
-- Text keys compare and sort with COLLATE BINARY (byte order), the ordinal order of the reference store for ASCII ids.

-- The seed's order_metadata_staging, evolved: keyed by our client order id (known before the order is sent, unlike the
-- exchange's id), the exchange order id unique once bound, the whole intent, status, the fill ledger per source and an
-- optimistic-concurrency version. Rows are never deleted: retention only clears the indicator breakdown.
-- The seed's consumed_at ("cleared when the first link was made") is gone on purpose: partial fills arrive after the
-- first link, so retention counts from terminal_at (24 h after the order is FILLED, CANCELLED, EXPIRED or FAILED).
-- Its created_at is staged_at; its trigger_type, indicators_fired, side, product_id and scores keep their names.
CREATE TABLE order_metadata_staging (
  client_order_id           TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  exchange_order_id         TEXT    COLLATE BINARY UNIQUE,
  kind                      TEXT    NOT NULL,
  product_id                TEXT    NOT NULL COLLATE BINARY,
  side                      TEXT    NOT NULL,
  size                      TEXT,
  price                     TEXT,
  snapshot_id               TEXT,
  buy_score                 TEXT,
  sell_score                TEXT,
  trigger_type              TEXT,
  indicators_json           TEXT,
  indicators_fired          INTEGER,
  closes                    TEXT    NOT NULL,
  decided_at                INTEGER NOT NULL,
  intent_client_order_id    TEXT,
  staged_at                 INTEGER NOT NULL,
  placement                 TEXT    NOT NULL,
  reject_reason             TEXT,
  status                    TEXT    NOT NULL,
  terminal_at               INTEGER,
  feed_quantity             TEXT    NOT NULL,
  feed_value                TEXT    NOT NULL,
  feed_fees                 TEXT    NOT NULL,
  feed_linkable_quantity    TEXT    NOT NULL,
  feed_linkable_value       TEXT    NOT NULL,
  feed_linkable_fees        TEXT    NOT NULL,
  rest_quantity             TEXT    NOT NULL,
  rest_value                TEXT    NOT NULL,
  rest_fees                 TEXT    NOT NULL,
  matches_quantity          TEXT    NOT NULL,
  matches_value             TEXT    NOT NULL,
  matches_fees              TEXT    NOT NULL,
  linked_quantity           TEXT    NOT NULL,
  linked_value              TEXT    NOT NULL,
  linked_fees               TEXT    NOT NULL,
  exchange_filled_quantity  TEXT,
  link_count                INTEGER NOT NULL,
  allocated                 TEXT    NOT NULL,
  -- Open > 0, written with the record: decimals are text here, which SQLite cannot compare as numbers.
  has_open                  INTEGER NOT NULL CHECK (has_open IN (0, 1)),
  intent_purged             INTEGER NOT NULL CHECK (intent_purged IN (0, 1)),
  version                   INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

-- OpenEntryLots / ExitsAwaitingAllocation, in their documented order.
CREATE INDEX order_metadata_staging_open ON order_metadata_staging (product_id, kind, has_open, staged_at, client_order_id)
  WHERE has_open = 1;

-- Retention: terminal orders whose intent is not purged, oldest first.
CREATE INDEX order_metadata_staging_terminal ON order_metadata_staging (terminal_at, client_order_id)
  WHERE terminal_at IS NOT NULL AND intent_purged = 0;

-- Orders(): by staged time, then client order id.
CREATE INDEX order_metadata_staging_staged ON order_metadata_staging (staged_at, client_order_id);

-- The seed's trade_strategy_link: one row per linked quantity range (from, to] of an order, numbered from 1.
CREATE TABLE trade_strategy_link (
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
  PRIMARY KEY (client_order_id, sequence_no)
) STRICT;

-- Every trade-level fill key ever seen. Never purged: a duplicate delivered a year later must still be recognised.
CREATE TABLE fill_keys (
  exchange_order_id  TEXT    NOT NULL COLLATE BINARY,
  source             INTEGER NOT NULL,
  fill_key           TEXT    NOT NULL COLLATE BINARY,
  trade_type         TEXT    NOT NULL,
  size               TEXT    NOT NULL,
  price              TEXT    NOT NULL,
  commission         TEXT    NOT NULL,
  product_id         TEXT,
  side               TEXT,
  trade_id           TEXT,
  trade_time         INTEGER,
  client_order_id    TEXT,
  recorded_at        INTEGER NOT NULL,
  PRIMARY KEY (exchange_order_id, source, fill_key)
) STRICT;

CREATE TABLE exit_allocations (
  exit_client_order_id   TEXT    NOT NULL COLLATE BINARY,
  sequence_no            INTEGER NOT NULL CHECK (sequence_no >= 1),
  entry_client_order_id  TEXT    NOT NULL,
  entry_snapshot_id      TEXT,
  product_id             TEXT    NOT NULL,
  quantity               TEXT    NOT NULL,
  exit_price             TEXT    NOT NULL,
  entry_price            TEXT    NOT NULL,
  realized_pnl           TEXT    NOT NULL,
  exit_trigger           TEXT,
  sell_score             TEXT,
  allocated_at           INTEGER NOT NULL,
  PRIMARY KEY (exit_client_order_id, sequence_no)
) STRICT;

-- Fills waiting for their order's identity; input_json is the whole EngineInput (EngineInputJson), decided again later.
CREATE TABLE parked_fills (
  exchange_order_id  TEXT    NOT NULL COLLATE BINARY,
  parked_key         TEXT    NOT NULL COLLATE BINARY,
  input_json         TEXT    NOT NULL,
  parked_at          INTEGER NOT NULL,
  PRIMARY KEY (exchange_order_id, parked_key)
) STRICT;

CREATE TABLE external_orders (
  exchange_order_id    TEXT    NOT NULL COLLATE BINARY PRIMARY KEY,
  client_order_id      TEXT,
  product_id           TEXT,
  observed_quantity    TEXT    NOT NULL,
  exchange_cumulative  TEXT    NOT NULL,
  baseline             TEXT,
  trades               INTEGER NOT NULL,
  first_seen_at        INTEGER NOT NULL,
  version              INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

-- Append-only; AUTOINCREMENT so an id is never reused and the id order is the order of rejection.
CREATE TABLE quarantine (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  rejected_at  INTEGER NOT NULL,
  kind         TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  field        TEXT,
  line_no      INTEGER,
  origin       TEXT,
  raw_payload  TEXT    NOT NULL
) STRICT;

CREATE TABLE alerts (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  raised_at          INTEGER NOT NULL,
  kind               TEXT    NOT NULL,
  detail             TEXT    NOT NULL,
  client_order_id    TEXT,
  exchange_order_id  TEXT
) STRICT;
