-- Attached take-profit / stop-loss brackets (Intent.Bracket, Intent.BracketOf). An entry sent with Coinbase's
-- attached_order_configuration keeps its two legs, so its create-order can be re-sent byte for byte after a restart;
-- the child order the exchange creates with it has a record of its own that names its parent, so after a restart its
-- fills still close the parent's lot with the leg that executed. Decimals are text, as everywhere in this store.
-- Orders staged before this migration had no bracket: they read null.
ALTER TABLE order_metadata_staging ADD COLUMN take_profit_price TEXT;
ALTER TABLE order_metadata_staging ADD COLUMN stop_loss_price TEXT;
ALTER TABLE order_metadata_staging ADD COLUMN bracket_of TEXT;
