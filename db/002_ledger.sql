-- 002: the ingest ledger. Every file `yusuan ingest` has seen, keyed by content (sha256), with the
-- paths it was found under kept apart: the same bytes under several names are processed and stored
-- once. A row is 'running' while a worker has it; a run killed mid-way leaves such rows behind, and
-- the next run takes them up again (attempts counts how often a file was started).

CREATE TABLE ledger_files (
  sha256           TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
  size             INTEGER NOT NULL CHECK (size >= 0), -- bytes
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'ok', 'partial', 'failed')),
  error            TEXT,    -- why it failed (also timeouts, out of memory, worker crashes)
  pages            INTEGER, -- null until processed
  pipeline_version TEXT,    -- of the last attempt
  attempts         INTEGER NOT NULL DEFAULT 0,
  first_seen       TEXT    NOT NULL, -- ISO 8601, UTC
  started_at       TEXT,    -- last attempt
  finished_at      TEXT,
  elapsed_ms       INTEGER, -- wall time in the worker, last attempt
  extract_ms       INTEGER,
  layout_ms        INTEGER,
  recognize_ms     INTEGER,
  run_id           INTEGER, -- ledger_runs.id of the last attempt
  CHECK (status <> 'failed' OR error IS NOT NULL)
) STRICT;

CREATE INDEX ledger_files_status ON ledger_files (status);

-- Every path a file was found under. A path whose content changed points at the new sha256;
-- sha256 is null for a path that could not be read at all (error says why).
CREATE TABLE ledger_paths (
  path       TEXT    PRIMARY KEY, -- absolute
  sha256     TEXT    REFERENCES ledger_files (sha256) ON DELETE CASCADE,
  size       INTEGER,
  mtime_ms   INTEGER, -- with size: a path unchanged since its hash was taken is not read again
  error      TEXT,
  first_seen TEXT    NOT NULL,
  last_seen  TEXT    NOT NULL,
  CHECK (sha256 IS NOT NULL OR error IS NOT NULL)
) STRICT;

CREATE INDEX ledger_paths_sha256 ON ledger_paths (sha256);

-- One row per `yusuan ingest` run (dry runs are not recorded).
CREATE TABLE ledger_runs (
  id               INTEGER PRIMARY KEY,
  started_at       TEXT    NOT NULL,
  finished_at      TEXT,    -- null: still running, or killed
  pid              INTEGER NOT NULL,
  hostname         TEXT    NOT NULL,
  pipeline_version TEXT    NOT NULL,
  jobs             INTEGER NOT NULL,
  argv             TEXT    NOT NULL, -- JSON
  summary          TEXT,    -- JSON counts at the end
  exit_code        INTEGER
) STRICT;

-- All paths of each stored document (documents.path holds the first one seen).
CREATE VIEW document_paths AS
  SELECT d.id AS document_id, d.sha256, p.path
  FROM documents d JOIN ledger_paths p ON p.sha256 = d.sha256;

-- Documents stored before the ledger existed are in it as done, so a rerun skips them.
INSERT INTO ledger_files (sha256, size, status, error, pages, pipeline_version, attempts, first_seen, finished_at,
                          extract_ms, layout_ms, recognize_ms)
  SELECT sha256, 0, status, error, pages, pipeline_version, 1, ingested_at, ingested_at, extract_ms, layout_ms, recognize_ms
  FROM documents;
