-- 003: analysis layer for researchers. Departments across documents and years, views for the common
-- questions, full-text search over labels and titles.
--
-- Amounts stay exact: every view carries integer *_fen columns and, beside them, *_yuan columns holding
-- the exact decimal text of 元 computed from the integer (never through a float):
--   (CASE WHEN x < 0 THEN '-' ELSE '' END || (abs(x) / 100) || '.' || printf('%02d', abs(x) % 100))
--
-- The departments tables are (re)built by src/analyze/departments.ts (refreshAnalysis), which the
-- export, query and compare commands run when documents or the alias file changed.

-- ------------------------------------------------------------------------------------------------
-- Departments

CREATE TABLE departments (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE, -- canonical name (alias file, else the most frequent printed name)
  match_key   TEXT    NOT NULL UNIQUE, -- the name normalised by the matching rule
  n_documents INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE department_aliases (
  alias         TEXT    PRIMARY KEY, -- a name as printed (documents.department) or given in the alias file
  department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
  source        TEXT    NOT NULL CHECK (source IN ('document', 'file'))
) STRICT;

CREATE TABLE document_departments (
  document_id   INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
  department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
  printed_name  TEXT    NOT NULL, -- documents.department when linked
  matched_by    TEXT    NOT NULL CHECK (matched_by IN ('name', 'rule', 'file'))
) STRICT;

CREATE INDEX document_departments_department ON document_departments (department_id);

-- Fingerprint of what the departments tables were built from (documents + alias file).
CREATE TABLE analysis_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- ------------------------------------------------------------------------------------------------
-- amounts: one row per line item, with its document, table and department, and the amount in 元.

CREATE VIEW amounts AS
SELECT
  li.id                  AS line_item_id,
  d.id                   AS document_id,
  d.sha256               AS sha256,
  d.path                 AS source_file,
  dd.department_id       AS department_id,
  dep.name               AS department,
  d.department           AS department_printed,
  d.year                 AS year,
  d.phase                AS phase,
  t.id                   AS table_id,
  t.table_index          AS table_index,
  t.kind                 AS table_kind,
  t.title                AS table_title,
  t.unit                 AS unit,
  li.page                AS page,
  li.row_index           AS row_index,
  li.label               AS label,
  li.func_code           AS func_code,
  li.econ_code           AS econ_code,
  li.column_key          AS column_key,
  li.column_label        AS column_label,
  li.amount_fen          AS amount_fen,
  (CASE WHEN li.amount_fen < 0 THEN '-' ELSE '' END || (abs(li.amount_fen) / 100) || '.' || printf('%02d', abs(li.amount_fen) % 100)) AS amount_yuan,
  li.amount_text         AS amount_text,
  li.bbox                AS bbox
FROM line_items li
JOIN documents d ON d.id = li.document_id
JOIN doc_tables t ON t.id = li.table_id
LEFT JOIN document_departments dd ON dd.document_id = d.id
LEFT JOIN departments dep ON dep.id = dd.department_id;

-- ------------------------------------------------------------------------------------------------
-- Expenditure by function (功能分类).
--
-- Source per document: the first kind in this order that has rows with a 功能 code:
--   1 expenditure / final_expenditure (部门支出总表: all funds, total/basic/project)
--   2 appropriation_expenditure (财政拨款支出表: general budget + government funds)
--   3 general_budget_expenditure / final_general_budget_expenditure (一般公共预算 only)
-- (the lowest table_index on a tie). The chosen kind is in the source_kind column.

CREATE VIEW function_source AS
SELECT document_id, table_id, kind AS source_kind FROM (
  SELECT t.document_id, t.id AS table_id, t.kind,
    row_number() OVER (PARTITION BY t.document_id ORDER BY
      CASE t.kind
        WHEN 'expenditure' THEN 1 WHEN 'final_expenditure' THEN 1
        WHEN 'appropriation_expenditure' THEN 2
        ELSE 3 END, t.table_index) AS rank
  FROM doc_tables t
  WHERE t.kind IN ('expenditure', 'final_expenditure', 'appropriation_expenditure',
                   'general_budget_expenditure', 'final_general_budget_expenditure')
    AND EXISTS (SELECT 1 FROM line_items li WHERE li.table_id = t.id AND li.func_code IS NOT NULL)
) WHERE rank = 1;

-- One amount per row, code and measure: the leftmost column of that measure (a table may print two
-- 合计; side-by-side halves share row numbers, hence the code in the partition).
CREATE VIEW function_items AS
SELECT document_id, table_id, source_kind, func_code, label, measure, amount_fen FROM (
  SELECT fs.document_id, fs.table_id, fs.source_kind, li.func_code, li.label, li.row_index,
    CASE
      WHEN li.column_key IN ('total', 'general_budget', 'appropriation') THEN 'total'
      WHEN li.column_key IN ('basic', 'general_budget_basic') THEN 'basic'
      WHEN li.column_key IN ('project', 'general_budget_project') THEN 'project'
    END AS measure,
    li.amount_fen,
    row_number() OVER (PARTITION BY li.table_id, li.row_index, li.func_code,
      CASE
        WHEN li.column_key IN ('total', 'general_budget', 'appropriation') THEN 'total'
        WHEN li.column_key IN ('basic', 'general_budget_basic') THEN 'basic'
        WHEN li.column_key IN ('project', 'general_budget_project') THEN 'project'
      END ORDER BY li.id) AS nth
  FROM function_source fs
  JOIN line_items li ON li.table_id = fs.table_id
  WHERE li.func_code IS NOT NULL
) WHERE measure IS NOT NULL AND nth = 1;

-- Per department, year and phase (summed over the department's documents of that year and phase).
CREATE VIEW function_expenditure AS
SELECT
  dd.department_id, dep.name AS department, d.year, d.phase, fi.func_code,
  CASE length(fi.func_code) WHEN 3 THEN '类' WHEN 5 THEN '款' WHEN 7 THEN '项' END AS level,
  min(fi.label) AS label,
  sum(CASE WHEN fi.measure = 'total' THEN fi.amount_fen END) AS total_fen,
  sum(CASE WHEN fi.measure = 'basic' THEN fi.amount_fen END) AS basic_fen,
  sum(CASE WHEN fi.measure = 'project' THEN fi.amount_fen END) AS project_fen,
  (CASE WHEN sum(CASE WHEN fi.measure = 'total' THEN fi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN fi.measure = 'total' THEN fi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN fi.measure = 'total' THEN fi.amount_fen END)) % 100)) AS total_yuan,
  (CASE WHEN sum(CASE WHEN fi.measure = 'basic' THEN fi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN fi.measure = 'basic' THEN fi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN fi.measure = 'basic' THEN fi.amount_fen END)) % 100)) AS basic_yuan,
  (CASE WHEN sum(CASE WHEN fi.measure = 'project' THEN fi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN fi.measure = 'project' THEN fi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN fi.measure = 'project' THEN fi.amount_fen END)) % 100)) AS project_yuan,
  group_concat(DISTINCT fi.source_kind) AS source_kind,
  group_concat(DISTINCT fi.document_id) AS document_ids
FROM function_items fi
JOIN documents d ON d.id = fi.document_id
LEFT JOIN document_departments dd ON dd.document_id = d.id
LEFT JOIN departments dep ON dep.id = dd.department_id
GROUP BY dd.department_id, d.year, d.phase, fi.func_code;

-- ------------------------------------------------------------------------------------------------
-- Basic expenditure by economic code (基本支出 经济分类), from general_budget_basic /
-- final_general_budget_basic (the first such table of a document). personnel/public are the printed
-- 人员经费/公用经费 columns, where the table has them (Jiangsu 2017/2018 print only a total).

CREATE VIEW basic_source AS
SELECT document_id, table_id, kind AS source_kind FROM (
  SELECT t.document_id, t.id AS table_id, t.kind,
    row_number() OVER (PARTITION BY t.document_id ORDER BY t.table_index) AS rank
  FROM doc_tables t
  WHERE t.kind IN ('general_budget_basic', 'final_general_budget_basic')
    AND EXISTS (SELECT 1 FROM line_items li WHERE li.table_id = t.id AND li.econ_code IS NOT NULL)
) WHERE rank = 1;

CREATE VIEW basic_items AS
SELECT document_id, table_id, source_kind, econ_code, label, measure, amount_fen FROM (
  SELECT bs.document_id, bs.table_id, bs.source_kind, li.econ_code, li.label,
    CASE WHEN li.column_key IN ('total', 'general_budget', 'basic', 'general_budget_basic') THEN 'total'
         WHEN li.column_key IN ('personnel', 'public') THEN li.column_key END AS measure,
    li.amount_fen,
    row_number() OVER (PARTITION BY li.table_id, li.row_index, li.econ_code,
      CASE WHEN li.column_key IN ('total', 'general_budget', 'basic', 'general_budget_basic') THEN 'total'
           WHEN li.column_key IN ('personnel', 'public') THEN li.column_key END ORDER BY li.id) AS nth
  FROM basic_source bs
  JOIN line_items li ON li.table_id = bs.table_id
  WHERE li.econ_code IS NOT NULL
) WHERE measure IS NOT NULL AND nth = 1;

CREATE VIEW basic_expenditure_by_econ AS
SELECT
  dd.department_id, dep.name AS department, d.year, d.phase, bi.econ_code,
  CASE length(bi.econ_code) WHEN 3 THEN '类' WHEN 5 THEN '款' END AS level,
  min(bi.label) AS label,
  sum(CASE WHEN bi.measure = 'total' THEN bi.amount_fen END) AS total_fen,
  sum(CASE WHEN bi.measure = 'personnel' THEN bi.amount_fen END) AS personnel_fen,
  sum(CASE WHEN bi.measure = 'public' THEN bi.amount_fen END) AS public_fen,
  (CASE WHEN sum(CASE WHEN bi.measure = 'total' THEN bi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN bi.measure = 'total' THEN bi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN bi.measure = 'total' THEN bi.amount_fen END)) % 100)) AS total_yuan,
  (CASE WHEN sum(CASE WHEN bi.measure = 'personnel' THEN bi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN bi.measure = 'personnel' THEN bi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN bi.measure = 'personnel' THEN bi.amount_fen END)) % 100)) AS personnel_yuan,
  (CASE WHEN sum(CASE WHEN bi.measure = 'public' THEN bi.amount_fen END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN bi.measure = 'public' THEN bi.amount_fen END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN bi.measure = 'public' THEN bi.amount_fen END)) % 100)) AS public_yuan,
  group_concat(DISTINCT bi.document_id) AS document_ids
FROM basic_items bi
JOIN documents d ON d.id = bi.document_id
LEFT JOIN document_departments dd ON dd.document_id = d.id
LEFT JOIN departments dep ON dep.id = dd.department_id
GROUP BY dd.department_id, d.year, d.phase, bi.econ_code;

-- Personnel share of basic expenditure, by the classification: 人员经费 = 301 工资福利支出 +
-- 303 对个人和家庭的补助, the rest (302 商品和服务支出, 310 资本性支出, …) 公用经费. It works for every
-- document, including those that print no 人员经费 column.
CREATE VIEW basic_personnel_share AS
SELECT department_id, department, year, phase,
  sum(total_fen) AS basic_fen,
  sum(CASE WHEN econ_code IN ('301', '303') THEN total_fen ELSE 0 END) AS personnel_fen,
  (CASE WHEN sum(total_fen) < 0 THEN '-' ELSE '' END || (abs(sum(total_fen)) / 100) || '.' || printf('%02d', abs(sum(total_fen)) % 100)) AS basic_yuan,
  (CASE WHEN sum(CASE WHEN econ_code IN ('301', '303') THEN total_fen ELSE 0 END) < 0 THEN '-' ELSE '' END || (abs(sum(CASE WHEN econ_code IN ('301', '303') THEN total_fen ELSE 0 END)) / 100) || '.' || printf('%02d', abs(sum(CASE WHEN econ_code IN ('301', '303') THEN total_fen ELSE 0 END)) % 100)) AS personnel_yuan,
  -- a ratio, not an amount: rounded to 0.01 %
  round(100.0 * sum(CASE WHEN econ_code IN ('301', '303') THEN total_fen ELSE 0 END) / nullif(sum(total_fen), 0), 2) AS personnel_pct
FROM basic_expenditure_by_econ
WHERE level = '类'
GROUP BY department_id, year, phase;

-- ------------------------------------------------------------------------------------------------
-- 三公 经费. Source per document: its three_public / final_three_public table, else an `other`
-- table whose title names 三公 (Shanghai's 部门“三公”经费和机关运行经费预算表); gov_fund_three_public
-- is left out. Each column is classified by its label (the key is not enough: a 购置费 sub-column
-- may carry the group's key): the last level of the label, without a trailing 预算数/决算数.
-- Rows: the table's 合计/总计 row when it prints one, else all rows. A final account prints 预算数
-- and 决算数 side by side: the figure of the document's phase is taken where the label says which.

CREATE VIEW three_public_source AS
SELECT document_id, table_id, kind AS source_kind FROM (
  SELECT t.document_id, t.id AS table_id, t.kind,
    row_number() OVER (PARTITION BY t.document_id ORDER BY
      CASE WHEN t.kind IN ('three_public', 'final_three_public') THEN 1 ELSE 2 END, t.table_index) AS rank
  FROM doc_tables t
  WHERE (t.kind IN ('three_public', 'final_three_public') OR (t.kind = 'other' AND t.title LIKE '%三公%'))
    AND EXISTS (SELECT 1 FROM line_items li WHERE li.table_id = t.id)
) WHERE rank = 1;

CREATE VIEW three_public_items AS
WITH labelled AS (
  SELECT li.*, ts.source_kind,
    replace(replace(li.column_label, '/预算数', ''), '/决算数', '') AS s,
    CASE WHEN li.column_label LIKE '%决算数%' THEN 'final'
         WHEN li.column_label LIKE '%预算数%' THEN 'budget' END AS figure
  FROM three_public_source ts
  JOIN line_items li ON li.table_id = ts.table_id
), split AS (
  SELECT l.*, rtrim(s, replace(s, '/', '')) AS prefix,
    substr(s, length(rtrim(s, replace(s, '/', ''))) + 1) AS last
  FROM labelled l
)
SELECT id AS line_item_id, document_id, table_id, source_kind, row_index, label, column_label, figure, amount_fen,
  CASE
    WHEN s LIKE '%机关运行经费%' OR last LIKE '%会议费%' OR last LIKE '%培训费%' THEN NULL
    WHEN last LIKE '%因公出国%' THEN 'overseas_travel'
    WHEN last LIKE '%公务接待%' THEN 'official_reception'
    WHEN last LIKE '%购置及运行%' THEN 'vehicles'
    WHEN s LIKE '%公务用车%' AND last LIKE '%购置%' THEN 'vehicle_purchase'
    WHEN s LIKE '%公务用车%' AND last LIKE '%运行%' THEN 'vehicle_operation'
    WHEN last IN ('小计', '合计') AND prefix LIKE '%公务用车%/' THEN 'vehicles'
    WHEN s LIKE '%三公%' THEN 'three_public'
  END AS item
FROM split
WHERE label IN ('合计', '总计')
   OR NOT EXISTS (SELECT 1 FROM line_items x WHERE x.table_id = split.table_id AND x.label IN ('合计', '总计'));

CREATE VIEW three_public_by_document AS
WITH chosen AS (
  SELECT i.*, d.phase FROM three_public_items i JOIN documents d ON d.id = i.document_id
  WHERE i.item IS NOT NULL
    AND (i.figure IS NULL OR i.figure = d.phase
         OR NOT EXISTS (SELECT 1 FROM three_public_items j
                        WHERE j.document_id = i.document_id AND j.item = i.item
                          AND (j.figure IS NULL OR j.figure = d.phase)))
)
SELECT document_id, min(source_kind) AS source_kind,
  sum(CASE WHEN item = 'three_public' THEN amount_fen END) AS three_public_fen,
  sum(CASE WHEN item = 'overseas_travel' THEN amount_fen END) AS overseas_travel_fen,
  sum(CASE WHEN item = 'vehicles' THEN amount_fen END) AS vehicles_fen,
  sum(CASE WHEN item = 'vehicle_purchase' THEN amount_fen END) AS vehicle_purchase_fen,
  sum(CASE WHEN item = 'vehicle_operation' THEN amount_fen END) AS vehicle_operation_fen,
  sum(CASE WHEN item = 'official_reception' THEN amount_fen END) AS official_reception_fen
FROM chosen
GROUP BY document_id;

CREATE VIEW three_public AS
SELECT dd.department_id, dep.name AS department, d.year, d.phase,
  sum(t.three_public_fen) AS three_public_fen,
  sum(t.overseas_travel_fen) AS overseas_travel_fen,
  sum(t.vehicles_fen) AS vehicles_fen,
  sum(t.vehicle_purchase_fen) AS vehicle_purchase_fen,
  sum(t.vehicle_operation_fen) AS vehicle_operation_fen,
  sum(t.official_reception_fen) AS official_reception_fen,
  (CASE WHEN sum(t.three_public_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.three_public_fen)) / 100) || '.' || printf('%02d', abs(sum(t.three_public_fen)) % 100)) AS three_public_yuan,
  (CASE WHEN sum(t.overseas_travel_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.overseas_travel_fen)) / 100) || '.' || printf('%02d', abs(sum(t.overseas_travel_fen)) % 100)) AS overseas_travel_yuan,
  (CASE WHEN sum(t.vehicles_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.vehicles_fen)) / 100) || '.' || printf('%02d', abs(sum(t.vehicles_fen)) % 100)) AS vehicles_yuan,
  (CASE WHEN sum(t.vehicle_purchase_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.vehicle_purchase_fen)) / 100) || '.' || printf('%02d', abs(sum(t.vehicle_purchase_fen)) % 100)) AS vehicle_purchase_yuan,
  (CASE WHEN sum(t.vehicle_operation_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.vehicle_operation_fen)) / 100) || '.' || printf('%02d', abs(sum(t.vehicle_operation_fen)) % 100)) AS vehicle_operation_yuan,
  (CASE WHEN sum(t.official_reception_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.official_reception_fen)) / 100) || '.' || printf('%02d', abs(sum(t.official_reception_fen)) % 100)) AS official_reception_yuan,
  group_concat(DISTINCT t.source_kind) AS source_kind,
  group_concat(DISTINCT t.document_id) AS document_ids
FROM three_public_by_document t
JOIN documents d ON d.id = t.document_id
LEFT JOIN document_departments dd ON dd.document_id = d.id
LEFT JOIN departments dep ON dep.id = dd.department_id
GROUP BY dd.department_id, d.year, d.phase;

-- ------------------------------------------------------------------------------------------------
-- Department totals per year: the 合计 row of the 部门支出总表 (expenditure / final_expenditure:
-- all funds), i.e. its first row without a 功能 code labelled 合计/总计 or unlabelled; where a document
-- has no such table, the sum of the 类 rows of its function source (function_source).

CREATE VIEW department_totals_by_document AS
WITH exp_total_row AS (
  SELECT document_id, table_id, row_index FROM (
    SELECT li.document_id, li.table_id, li.row_index,
      row_number() OVER (PARTITION BY li.document_id ORDER BY t.table_index, li.row_index) AS nth
    FROM line_items li JOIN doc_tables t ON t.id = li.table_id
    WHERE t.kind IN ('expenditure', 'final_expenditure') AND li.func_code IS NULL
      AND (li.label = '' OR li.label LIKE '%合计' OR li.label LIKE '%总计')
  ) WHERE nth = 1
), printed AS (
  SELECT r.document_id, 'printed_total' AS method,
    (SELECT x.amount_fen FROM line_items x WHERE x.table_id = r.table_id AND x.row_index = r.row_index AND x.column_key = 'total' ORDER BY x.id LIMIT 1) AS total_fen,
    (SELECT x.amount_fen FROM line_items x WHERE x.table_id = r.table_id AND x.row_index = r.row_index AND x.column_key = 'basic' ORDER BY x.id LIMIT 1) AS basic_fen,
    (SELECT x.amount_fen FROM line_items x WHERE x.table_id = r.table_id AND x.row_index = r.row_index AND x.column_key = 'project' ORDER BY x.id LIMIT 1) AS project_fen
  FROM exp_total_row r
), class_sum AS (
  SELECT fi.document_id, 'sum_of_function_classes' AS method,
    sum(CASE WHEN measure = 'total' THEN amount_fen END) AS total_fen,
    sum(CASE WHEN measure = 'basic' THEN amount_fen END) AS basic_fen,
    sum(CASE WHEN measure = 'project' THEN amount_fen END) AS project_fen
  FROM function_items fi
  WHERE length(fi.func_code) = 3 AND fi.document_id NOT IN (SELECT document_id FROM printed)
  GROUP BY fi.document_id
)
SELECT * FROM printed UNION ALL SELECT * FROM class_sum;

CREATE VIEW department_totals AS
SELECT dd.department_id, dep.name AS department, d.year, d.phase,
  sum(t.total_fen) AS total_fen, sum(t.basic_fen) AS basic_fen, sum(t.project_fen) AS project_fen,
  (CASE WHEN sum(t.total_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.total_fen)) / 100) || '.' || printf('%02d', abs(sum(t.total_fen)) % 100)) AS total_yuan,
  (CASE WHEN sum(t.basic_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.basic_fen)) / 100) || '.' || printf('%02d', abs(sum(t.basic_fen)) % 100)) AS basic_yuan,
  (CASE WHEN sum(t.project_fen) < 0 THEN '-' ELSE '' END || (abs(sum(t.project_fen)) / 100) || '.' || printf('%02d', abs(sum(t.project_fen)) % 100)) AS project_yuan,
  group_concat(DISTINCT t.method) AS method,
  group_concat(DISTINCT t.document_id) AS document_ids
FROM department_totals_by_document t
JOIN documents d ON d.id = t.document_id
LEFT JOIN document_departments dd ON dd.document_id = d.id
LEFT JOIN departments dep ON dep.id = dd.department_id
GROUP BY dd.department_id, d.year, d.phase;

-- ------------------------------------------------------------------------------------------------
-- Full-text search. Trigram tokenizer: Chinese has no spaces, so words are found as substrings;
-- a MATCH query needs at least 3 characters (use LIKE for 1–2 characters, e.g. label LIKE '%工资%').
-- External-content tables kept in step by triggers (Datasette finds them by their names).

CREATE VIRTUAL TABLE line_items_fts USING fts5(
  label, column_label, content = 'line_items', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER line_items_fts_insert AFTER INSERT ON line_items BEGIN
  INSERT INTO line_items_fts (rowid, label, column_label) VALUES (new.id, new.label, new.column_label);
END;
CREATE TRIGGER line_items_fts_delete AFTER DELETE ON line_items BEGIN
  INSERT INTO line_items_fts (line_items_fts, rowid, label, column_label) VALUES ('delete', old.id, old.label, old.column_label);
END;
CREATE TRIGGER line_items_fts_update AFTER UPDATE OF label, column_label ON line_items BEGIN
  INSERT INTO line_items_fts (line_items_fts, rowid, label, column_label) VALUES ('delete', old.id, old.label, old.column_label);
  INSERT INTO line_items_fts (rowid, label, column_label) VALUES (new.id, new.label, new.column_label);
END;
INSERT INTO line_items_fts (line_items_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE doc_tables_fts USING fts5(
  title, department_label, content = 'doc_tables', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER doc_tables_fts_insert AFTER INSERT ON doc_tables BEGIN
  INSERT INTO doc_tables_fts (rowid, title, department_label) VALUES (new.id, new.title, new.department_label);
END;
CREATE TRIGGER doc_tables_fts_delete AFTER DELETE ON doc_tables BEGIN
  INSERT INTO doc_tables_fts (doc_tables_fts, rowid, title, department_label) VALUES ('delete', old.id, old.title, old.department_label);
END;
CREATE TRIGGER doc_tables_fts_update AFTER UPDATE OF title, department_label ON doc_tables BEGIN
  INSERT INTO doc_tables_fts (doc_tables_fts, rowid, title, department_label) VALUES ('delete', old.id, old.title, old.department_label);
  INSERT INTO doc_tables_fts (rowid, title, department_label) VALUES (new.id, new.title, new.department_label);
END;
INSERT INTO doc_tables_fts (doc_tables_fts) VALUES ('rebuild');
