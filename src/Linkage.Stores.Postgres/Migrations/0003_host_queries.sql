-- The host's own questions, answered from small indexes instead of every order ever placed (order rows are never
-- deleted, so a scan grows forever): the orders still in flight. (Orders that turned terminal recently are read from
-- the retention index of 0001: an order is purged 24 h after it turned terminal, long after the host has confirmed it.)
--
-- in_flight is derived from the record when the store writes it (not refused, and not terminal with everything the
-- exchange last reported executed linked: OrderRecordExtensions.IsSettled), like has_open. Rows written before this
-- migration get it here, compared as numeric (exact).
ALTER TABLE order_metadata_staging ADD COLUMN in_flight boolean NOT NULL DEFAULT false;

UPDATE order_metadata_staging SET in_flight = true
  WHERE placement <> 'Rejected'
    AND (status NOT IN ('Filled', 'Cancelled', 'Expired', 'Failed')
         OR linked_quantity < COALESCE(exchange_filled_quantity, 0));

-- InFlightOrders: by client order id.
CREATE INDEX order_metadata_staging_in_flight ON order_metadata_staging (client_order_id) WHERE in_flight;

