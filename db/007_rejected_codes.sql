-- 005: code-column cells that hold no valid code (a class column printing one digit), for the audit.
ALTER TABLE doc_tables ADD COLUMN rejected_codes TEXT NOT NULL DEFAULT '[]'; -- JSON [{text, label, rowIndex, page, box}]
