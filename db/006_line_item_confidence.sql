-- 006: how sure the reading of each amount is, 0..1 (the lowest OCR confidence in its cell; 1 for a
-- text layer or a text dump, and for rows stored before this column existed).
ALTER TABLE line_items ADD COLUMN confidence REAL NOT NULL DEFAULT 1 CHECK (confidence BETWEEN 0 AND 1);
