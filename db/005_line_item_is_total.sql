-- 005: line_items.is_total marks total and subtotal rows (合计/总计/小计… label, no code), so that a query
-- summing line items can leave them out. Rows stored before this migration read 0 until re-ingested.
ALTER TABLE line_items ADD COLUMN is_total INTEGER NOT NULL DEFAULT 0 CHECK (is_total IN (0, 1));
