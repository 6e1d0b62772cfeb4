-- 001: the core dataset. STRICT tables so SQLite refuses a float in an INTEGER column
-- (amounts are exact fen). Enum CHECKs only where the vocabulary is part of the public contract;
-- table `kind` is left open so new kinds need no migration.

CREATE TABLE documents (
  id               INTEGER PRIMARY KEY,
  sha256           TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
  path             TEXT    NOT NULL,
  file_name        TEXT    NOT NULL,
  pages            INTEGER NOT NULL CHECK (pages >= 0),
  phase            TEXT    CHECK (phase IN ('budget', 'final')),
  year             INTEGER,
  department       TEXT,
  status           TEXT    NOT NULL CHECK (status IN ('ok', 'partial', 'failed')),
  error            TEXT,
  ingested_at      TEXT    NOT NULL, -- ISO 8601, UTC
  pipeline_version TEXT    NOT NULL,
  n_tables         INTEGER NOT NULL DEFAULT 0,
  n_items          INTEGER NOT NULL DEFAULT 0,
  extract_ms       INTEGER NOT NULL DEFAULT 0,
  layout_ms        INTEGER NOT NULL DEFAULT 0,
  recognize_ms     INTEGER NOT NULL DEFAULT 0,
  -- a failed document must say why
  CHECK (status <> 'failed' OR error IS NOT NULL)
) STRICT;

CREATE INDEX documents_year_phase ON documents (year, phase);
CREATE INDEX documents_department ON documents (department);

CREATE TABLE doc_tables (
  id               INTEGER PRIMARY KEY,
  document_id      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  table_index      INTEGER NOT NULL CHECK (table_index >= 0), -- position in the document
  kind             TEXT    NOT NULL,
  title            TEXT    NOT NULL,
  page_start       INTEGER NOT NULL CHECK (page_start >= 1),
  page_end         INTEGER NOT NULL CHECK (page_end >= page_start),
  unit             TEXT,
  department_label TEXT,
  year_label       INTEGER, -- the year printed with the table, when any
  source           TEXT    NOT NULL CHECK (source IN ('pdf_text', 'ocr', 'text_dump')),
  bbox             TEXT    NOT NULL, -- JSON [x0,y0,x1,y1] on page_start
  column_specs     TEXT    NOT NULL, -- JSON ColumnSpec[]
  UNIQUE (document_id, table_index)
) STRICT;

CREATE INDEX doc_tables_kind ON doc_tables (kind);

CREATE TABLE line_items (
  id           INTEGER PRIMARY KEY,
  document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  table_id     INTEGER NOT NULL REFERENCES doc_tables (id) ON DELETE CASCADE,
  page         INTEGER NOT NULL CHECK (page >= 1),
  row_index    INTEGER NOT NULL CHECK (row_index >= 0),
  label        TEXT    NOT NULL,
  func_code    TEXT,
  econ_code    TEXT,
  column_key   TEXT    NOT NULL,
  column_label TEXT    NOT NULL,
  amount_fen   INTEGER NOT NULL, -- exact, 1 yuan = 100 fen
  amount_text  TEXT    NOT NULL, -- as printed, for audit
  bbox         TEXT    NOT NULL  -- JSON [x0,y0,x1,y1]
) STRICT;

CREATE INDEX line_items_document ON line_items (document_id);
CREATE INDEX line_items_table ON line_items (table_id);
CREATE INDEX line_items_func_code ON line_items (func_code);
CREATE INDEX line_items_econ_code ON line_items (econ_code);
CREATE INDEX line_items_column_key ON line_items (column_key);

CREATE TABLE findings (
  id          INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  table_id    INTEGER REFERENCES doc_tables (id) ON DELETE CASCADE, -- null: document-level finding
  rule        TEXT    NOT NULL,
  severity    TEXT    NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
  message     TEXT    NOT NULL,
  page        INTEGER,
  bbox        TEXT, -- JSON [x0,y0,x1,y1] or null
  expected    TEXT,
  actual      TEXT
) STRICT;

CREATE INDEX findings_document ON findings (document_id);
CREATE INDEX findings_table ON findings (table_id);
CREATE INDEX findings_rule ON findings (rule);

CREATE TABLE narrative_lines (
  id          INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  line_index  INTEGER NOT NULL CHECK (line_index >= 0), -- reading order in the document
  page        INTEGER NOT NULL CHECK (page >= 1),
  text        TEXT    NOT NULL,
  bbox        TEXT    NOT NULL -- JSON [x0,y0,x1,y1]
) STRICT;

CREATE INDEX narrative_lines_document ON narrative_lines (document_id, line_index);
