-- Intent.PlacedByCaller: the caller places the order itself (it staged the intent to learn the client order id to put
-- on its own create-order), so a host must never send a create-order for it, not even to reconcile after a restart.
-- The flag is part of the intent, so it is kept with it. Orders staged before this migration were all placed by the
-- host: they read false. A constant default adds the column without rewriting the table.
ALTER TABLE order_metadata_staging ADD COLUMN placed_by_caller boolean NOT NULL DEFAULT false;
