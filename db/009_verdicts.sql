-- 009: a reviewer's verdict on a finding (yusuan serve --allow-verdicts). Anchored by what survives
-- re-ingesting and re-auditing: the document's content (sha256), the rule, the page, the box (rounded)
-- and the printed value, folded into `anchor`; never by findings.id or documents.id, which change.

CREATE TABLE verdicts (
  id         INTEGER PRIMARY KEY,
  sha256     TEXT    NOT NULL CHECK (length(sha256) = 64),
  rule       TEXT    NOT NULL,
  severity   TEXT    NOT NULL CHECK (severity IN ('error', 'warning', 'info')), -- of the finding when judged
  page       INTEGER,
  bbox       TEXT,    -- JSON [x0,y0,x1,y1] rounded, or null
  printed    TEXT,    -- the finding's printed value (findings.actual)
  expected   TEXT,    -- the finding's expected value when judged
  anchor     TEXT    NOT NULL, -- rule|page|bbox|printed: one verdict per finding
  verdict    TEXT    NOT NULL CHECK (verdict IN ('confirmed', 'false_alarm', 'unsure')),
  note       TEXT    NOT NULL DEFAULT '',
  decided_at TEXT    NOT NULL, -- ISO 8601, UTC
  UNIQUE (sha256, anchor)
) STRICT;

CREATE INDEX verdicts_rule ON verdicts (rule);
