-- 008: how completely a document's rows carry their codes (researchers join and sum by code).
-- code_rows: rows of its coded tables that should carry a 功能/经济 code (from the first coded row on;
-- total, subtotal and 其中 lines left out; in a table without code column only lines named as
-- classification items); coded_rows: those that do. The share is coded_rows / code_rows. NULL for
-- documents stored before this migration (until re-ingested); 0 / 0 for a document without coded tables.
ALTER TABLE documents ADD COLUMN code_rows INTEGER;
ALTER TABLE documents ADD COLUMN coded_rows INTEGER;
