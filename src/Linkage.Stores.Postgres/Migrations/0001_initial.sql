-- Linkage schema, version 1 (PostgreSQL). Applied once by PostgresStore.Migrate() under an advisory lock and recorded
-- in schema_version.
--
-- Types:
--   decimals  numeric      exact, any scale kept (0.05000000 reads back with eight places); read with GetDecimal.
--   times     timestamptz  plus <name>_ns100 smallint: timestamptz keeps microseconds, while .NET times (and Coinbase's
--                          feed timestamps, which carry nanoseconds) have 100 ns ticks. The extra digit (0-9) makes the
--                          round trip exact, so every store returns equal records. SQL that only needs microseconds
--                          (dashboards, the retention cleanup) uses the timestamptz column alone.
--   enums     text         the enum member's name (fill_keys.source excepted: its enum value, part of the key and its order).
-- Text keys use COLLATE "C" (byte order), the ordinal order of the reference store for ASCII ids, independent of the
-- database's locale.

-- snapshot_id is text, not uuid: the port accepts any snapshot id up to 64 characters (usually, not always, a UUID),
-- and a uuid column would refuse the others and rewrite the rest (case, braces), breaking the verbatim round trip. At
-- our volume the 20 extra bytes per row do not matter; index it as text if it is ever queried by.

-- The exact indicator breakdown is kept as text (what the strategy sent, byte for byte); indicator_breakdown is its
-- jsonb form for SQL queries, computed here, NULL where the text is not valid JSON (jsonb would also reject \u0000).
CREATE FUNCTION linkage_try_jsonb(value text) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS
$$
BEGIN
  RETURN value::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;

-- The seed's order_metadata_staging, evolved: keyed by our client order id (known before the order is sent, unlike the
-- exchange's id), the exchange order id unique once bound, the whole intent, status, the fill ledger per source and an
-- optimistic-concurrency version. Rows are never deleted: retention only clears the indicator breakdown.
-- The seed's consumed_at ("cleared when the first link was made") is gone on purpose: partial fills arrive after the
-- first link, so retention counts from terminal_at (24 h after the order is FILLED, CANCELLED, EXPIRED or FAILED).
-- Its created_at is staged_at; its trigger_type, indicators_fired, side, product_id and scores keep their names.
CREATE TABLE order_metadata_staging (
  client_order_id           text        COLLATE "C" NOT NULL PRIMARY KEY,
  exchange_order_id         text        COLLATE "C" UNIQUE,
  kind                      text        NOT NULL,
  product_id                text        COLLATE "C" NOT NULL,
  side                      text        NOT NULL,
  size                      numeric,
  price                     numeric,
  snapshot_id               text,
  buy_score                 numeric,
  sell_score                numeric,
  trigger_type              text,
  indicators_json           text,
  indicator_breakdown       jsonb       GENERATED ALWAYS AS (linkage_try_jsonb(indicators_json)) STORED,
  indicators_fired          bigint,
  closes                    text        NOT NULL,
  decided_at                timestamptz NOT NULL,
  decided_at_ns100          smallint,
  intent_client_order_id    text,
  staged_at                 timestamptz NOT NULL,
  staged_at_ns100           smallint,
  placement                 text        NOT NULL,
  reject_reason             text,
  status                    text        NOT NULL,
  terminal_at               timestamptz,
  terminal_at_ns100         smallint,
  feed_quantity             numeric     NOT NULL,
  feed_value                numeric     NOT NULL,
  feed_fees                 numeric     NOT NULL,
  feed_linkable_quantity    numeric     NOT NULL,
  feed_linkable_value       numeric     NOT NULL,
  feed_linkable_fees        numeric     NOT NULL,
  rest_quantity             numeric     NOT NULL,
  rest_value                numeric     NOT NULL,
  rest_fees                 numeric     NOT NULL,
  matches_quantity          numeric     NOT NULL,
  matches_value             numeric     NOT NULL,
  matches_fees              numeric     NOT NULL,
  linked_quantity           numeric     NOT NULL,
  linked_value              numeric     NOT NULL,
  linked_fees               numeric     NOT NULL,
  exchange_filled_quantity  numeric,
  link_count                bigint      NOT NULL,
  allocated                 numeric     NOT NULL,
  -- Open > 0, written with the record, so both SQL stores filter open lots the same way.
  has_open                  boolean     NOT NULL,
  intent_purged             boolean     NOT NULL,
  version                   bigint      NOT NULL CHECK (version >= 1)
);

COMMENT ON COLUMN order_metadata_staging.snapshot_id IS
  'Any string up to 64 characters, usually a UUID; text keeps it verbatim (see 0001_initial.sql).';

CREATE INDEX order_metadata_staging_open ON order_metadata_staging (product_id, kind, staged_at, staged_at_ns100, client_order_id)
  WHERE has_open;

CREATE INDEX order_metadata_staging_terminal ON order_metadata_staging (terminal_at, terminal_at_ns100, client_order_id)
  WHERE terminal_at IS NOT NULL AND NOT intent_purged;

CREATE INDEX order_metadata_staging_staged ON order_metadata_staging (staged_at, staged_at_ns100, client_order_id);

-- The seed's trade_strategy_link: one row per linked quantity range (from, to] of an order, numbered from 1.
CREATE TABLE trade_strategy_link (
  client_order_id    text        COLLATE "C" NOT NULL,
  sequence_no        bigint      NOT NULL CHECK (sequence_no >= 1),
  exchange_order_id  text        NOT NULL,
  kind               text        NOT NULL,
  snapshot_id        text,
  product_id         text        NOT NULL,
  side               text        NOT NULL,
  from_quantity      numeric     NOT NULL,
  to_quantity        numeric     NOT NULL,
  price              numeric     NOT NULL,
  fee                numeric     NOT NULL,
  provenance         text        NOT NULL,
  source_key         text        NOT NULL,
  buy_score          numeric,
  sell_score         numeric,
  trigger_type       text,
  linked_at          timestamptz NOT NULL,
  linked_at_ns100    smallint,
  PRIMARY KEY (client_order_id, sequence_no)
);

CREATE INDEX trade_strategy_link_exchange_order ON trade_strategy_link (exchange_order_id);

-- Every trade-level fill key ever seen. Never purged: a duplicate delivered a year later must still be recognised.
CREATE TABLE fill_keys (
  exchange_order_id  text        COLLATE "C" NOT NULL,
  source             bigint      NOT NULL,
  fill_key           text        COLLATE "C" NOT NULL,
  trade_type         text        NOT NULL,
  size               numeric     NOT NULL,
  price              numeric     NOT NULL,
  commission         numeric     NOT NULL,
  product_id         text,
  side               text,
  trade_id           text,
  trade_time         timestamptz,
  trade_time_ns100   smallint,
  client_order_id    text,
  recorded_at        timestamptz NOT NULL,
  recorded_at_ns100  smallint,
  PRIMARY KEY (exchange_order_id, source, fill_key)
);

CREATE TABLE exit_allocations (
  exit_client_order_id   text        COLLATE "C" NOT NULL,
  sequence_no            bigint      NOT NULL CHECK (sequence_no >= 1),
  entry_client_order_id  text        NOT NULL,
  entry_snapshot_id      text,
  product_id             text        NOT NULL,
  quantity               numeric     NOT NULL,
  exit_price             numeric     NOT NULL,
  entry_price            numeric     NOT NULL,
  realized_pnl           numeric     NOT NULL,
  exit_trigger           text,
  sell_score             numeric,
  allocated_at           timestamptz NOT NULL,
  allocated_at_ns100     smallint,
  PRIMARY KEY (exit_client_order_id, sequence_no)
);

-- Fills waiting for their order's identity. input_json is the whole EngineInput as JSON text (EngineInputJson), decided
-- again later; cast it to jsonb to query it.
CREATE TABLE parked_fills (
  exchange_order_id  text        COLLATE "C" NOT NULL,
  parked_key         text        COLLATE "C" NOT NULL,
  input_json         text        NOT NULL,
  parked_at          timestamptz NOT NULL,
  parked_at_ns100    smallint,
  PRIMARY KEY (exchange_order_id, parked_key)
);

CREATE TABLE external_orders (
  exchange_order_id    text        COLLATE "C" NOT NULL PRIMARY KEY,
  client_order_id      text,
  product_id           text,
  observed_quantity    numeric     NOT NULL,
  exchange_cumulative  numeric     NOT NULL,
  baseline             numeric,
  trades               bigint      NOT NULL,
  first_seen_at        timestamptz NOT NULL,
  first_seen_at_ns100  smallint,
  version              bigint      NOT NULL CHECK (version >= 1)
);

-- Append-only, numbered by an identity in the order rows were written. raw_payload is the rejected message's text as
-- UTF-8 bytes: PostgreSQL text cannot hold NUL, and a malformed message may contain anything.
CREATE TABLE quarantine (
  id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rejected_at        timestamptz NOT NULL,
  rejected_at_ns100  smallint,
  kind               text        NOT NULL,
  reason             text        NOT NULL,
  field              text,
  line_no            bigint,
  origin             text,
  raw_payload        bytea       NOT NULL
);

CREATE TABLE alerts (
  id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  raised_at          timestamptz NOT NULL,
  raised_at_ns100    smallint,
  kind               text        NOT NULL,
  detail             text        NOT NULL,
  client_order_id    text,
  exchange_order_id  text
);
