-- 004: the unit codes (单位代码) each table prints, for the audit of one unit printed under two codes.
ALTER TABLE doc_tables ADD COLUMN unit_codes TEXT NOT NULL DEFAULT '[]'; -- JSON [{code, page, box}]
