-- Attached take-profit / stop-loss brackets (Intent.Bracket, Intent.BracketOf). An entry sent with Coinbase's
-- attached_order_configuration keeps its two legs, so its create-order can be re-sent byte for byte after a restart;
-- the child order the exchange creates with it has a record of its own that names its parent, so after a restart its
-- fills still close the parent's lot with the leg that executed. Orders staged before this migration had no bracket:
-- they read null. Nullable columns without a default are added without rewriting the table.
ALTER TABLE order_metadata_staging ADD COLUMN take_profit_price numeric;
ALTER TABLE order_metadata_staging ADD COLUMN stop_loss_price numeric;
ALTER TABLE order_metadata_staging ADD COLUMN bracket_of text;
