-- 005 (PostgreSQL): line_items.is_total marks total and subtotal rows (twin of db/005_line_item_is_total.sql).
ALTER TABLE line_items ADD COLUMN is_total integer NOT NULL DEFAULT 0 CHECK (is_total IN (0, 1));
