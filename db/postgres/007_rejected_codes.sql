-- 007 (PostgreSQL): code-column cells that hold no valid code, for the audit (twin of db/007_rejected_codes.sql).
ALTER TABLE doc_tables ADD COLUMN rejected_codes text COLLATE "C" NOT NULL DEFAULT '[]'; -- JSON [{text, label, rowIndex, page, box}]
