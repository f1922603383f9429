-- An order row is rewritten at every fill (its ledger and version), an external order at every fill of it. With full
-- pages (the default fillfactor, 100) each rewrite lands on another page, so every index of the table gains an entry
-- and a burst's reads scan the dead ones. Room left on each page lets PostgreSQL keep the new version on the same page
-- as a heap-only tuple (HOT) that needs no index entry, since a fill changes no indexed column. Pages written from now
-- on keep this room; a large existing table gets it page by page as it is rewritten (VACUUM FULL does it at once).
ALTER TABLE order_metadata_staging SET (fillfactor = 50);
ALTER TABLE external_orders SET (fillfactor = 70);
