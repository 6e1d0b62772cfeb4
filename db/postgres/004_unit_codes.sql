-- 004 (PostgreSQL): the unit codes (单位代码) each table prints (twin of db/004_unit_codes.sql).
ALTER TABLE doc_tables ADD COLUMN unit_codes text COLLATE "C" NOT NULL DEFAULT '[]'; -- JSON [{code, page, box}]
