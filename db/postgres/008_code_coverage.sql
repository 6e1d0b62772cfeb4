-- 008 (PostgreSQL): how completely a document's rows carry their codes (twin of db/008_code_coverage.sql).
ALTER TABLE documents ADD COLUMN code_rows bigint;
ALTER TABLE documents ADD COLUMN coded_rows bigint;
