-- Intent.PlacedByCaller: the caller places the order itself (it staged the intent to learn the client order id to put
-- on its own create-order), so a host must never send a create-order for it, not even to reconcile after a restart.
-- The flag is part of the intent, so it is kept with it. Orders staged before this migration were all placed by the
-- host: they read 0.
ALTER TABLE order_metadata_staging ADD COLUMN placed_by_caller INTEGER NOT NULL DEFAULT 0 CHECK (placed_by_caller IN (0, 1));
