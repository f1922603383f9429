-- An external order's REST fill rows, legacy matches and cumulative states are three sources of what it executed; the
-- observed quantity is the largest, never a sum (a REST row restates a trade the feed's cumulative or a match already
-- counted). Each trade source's sum is kept so the next row can be compared with it. Orders recorded before this
-- migration start from 0: their observed quantity stays what it was and only grows when a source shows more.
ALTER TABLE external_orders ADD COLUMN traded_quantity numeric NOT NULL DEFAULT 0;
ALTER TABLE external_orders ADD COLUMN matched_quantity numeric NOT NULL DEFAULT 0;
