-- 006 (PostgreSQL): how sure the reading of each amount is, 0..1 (twin of db/006_line_item_confidence.sql).
-- double precision: SQLite's REAL is an 8-byte float (PostgreSQL's real would be 4 bytes).
ALTER TABLE line_items ADD COLUMN confidence double precision NOT NULL DEFAULT 1 CHECK (confidence BETWEEN 0 AND 1);
