// The review app's answers, from the store (no HTTP here): the documents list, one document as grids
// of cells with their boxes, findings grouped by rule and document with their verdicts, a department's
// figures over the years, and the vocabulary of titles and column labels.
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Sql, SqlParam } from '../store/sql.js';
import { listLineItems, listTables } from '../store/read.js';
import type { DocumentRecord } from '../store/schemas.js';
import type { Box, Severity } from '../types.js';
import { anchorKey, verdictsByAnchor, type VerdictRecord } from '../analyze/verdicts.js';
import { storedVocabulary } from '../analyze/audit.js';
import type { CellJson, ColumnJson, DepartmentJson, DocumentJson, DocumentRow, FindingGroup, FindingJson, RowJson, TableJson, VocabularyJson } from './types.js';

// ------------------------------------------------------------------------------------------------
// Documents

export const SORT_KEYS = ['id', 'department', 'year', 'phase', 'status', 'pages', 'tables', 'findings', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface DocumentQuery {
  /** A part of the file name or department, or (3 characters or more) of a table title (FTS). */
  q?: string;
  /** One document. */
  id?: number;
  status?: string;
  phase?: string;
  year?: number;
  department?: string;
  sort?: SortKey;
  desc?: boolean;
}

const SORT_SQL: Record<SortKey, string> = {
  id: 'd.id', department: 'd.department', year: 'd.year', phase: 'd.phase', status: 'd.status', pages: 'd.pages',
  tables: 'd.n_tables', findings: '(coalesce(f.e, 0) * 1000000 + coalesce(f.w, 0) * 1000 + coalesce(f.i, 0))', name: 'd.file_name',
};

// Table titles are searched from 3 characters on (as the trigram index doc_tables_fts of
// db/003_analysis.sql would: a shorter part matches too many titles to help).
const TITLE_MIN_CHARS = 3;

/** The documents list, filtered, searched and sorted in one query (a database of 500 lists in milliseconds). */
export async function listDocumentRows(sql: Sql, q: DocumentQuery = {}): Promise<DocumentRow[]> {
  const where: string[] = [];
  const args: SqlParam[] = [];
  const text = q.q?.trim();
  if (text) {
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
    const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    const contains = (column: string) => `lower(${column}) LIKE ? ESCAPE '\\'`;
    const parts = [contains('d.file_name'), contains("coalesce(d.department, '')")];
    args.push(like, like);
    if ([...text].length >= TITLE_MIN_CHARS) {
      parts.push(`d.id IN (SELECT t.document_id FROM doc_tables t WHERE ${contains('t.title')} OR ${contains("coalesce(t.department_label, '')")})`);
      args.push(like, like);
    }
    where.push(`(${parts.join(' OR ')})`);
  }
  if (q.id !== undefined) { where.push('d.id = ?'); args.push(q.id); }
  if (q.status) { where.push('d.status = ?'); args.push(q.status); }
  if (q.phase) { where.push('d.phase = ?'); args.push(q.phase); }
  if (q.year !== undefined) { where.push('d.year = ?'); args.push(q.year); }
  if (q.department) { where.push('d.department = ?'); args.push(q.department); }
  // NULLs said where they go (SQLite puts them first ascending, PostgreSQL last).
  const order = `${SORT_SQL[q.sort ?? 'id']} ${q.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}, d.id`;
  const count = (severity: string) => `sum(CASE WHEN severity = '${severity}' THEN 1 ELSE 0 END)`;
  const rows = await sql.all<RawDocRow>(`
    SELECT d.id, d.sha256, d.file_name, d.department, d.year, d.phase, d.status, d.pages, d.n_tables, f.e, f.w, f.i
    FROM documents d LEFT JOIN (
      SELECT document_id, ${count('error')} AS e, ${count('warning')} AS w, ${count('info')} AS i
      FROM findings GROUP BY document_id) f ON f.document_id = d.id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`, args);
  return rows.map(toDocumentRow);
}

interface RawDocRow { id: number; sha256: string; file_name: string; department: string | null; year: number | null; phase: 'budget' | 'final' | null; status: DocumentRow['status']; pages: number; n_tables: number; e: number | null; w: number | null; i: number | null }

const toDocumentRow = (r: RawDocRow): DocumentRow => ({
  id: r.id, sha256: r.sha256, fileName: r.file_name, department: r.department, year: r.year, phase: r.phase, status: r.status,
  pages: r.pages, tables: r.n_tables, findings: { error: r.e ?? 0, warning: r.w ?? 0, info: r.i ?? 0 },
});

// ------------------------------------------------------------------------------------------------
// The original file: only ever a path stored in the database (ledger_paths, documents.path).

/**
 * The file of a document: the first stored path (the ledger's absolute paths, then documents.path)
 * that is a file now; with `root`, each is also looked for under it (relative paths joined to it, and
 * the file name alone), for a corpus that moved. Null when none exists.
 */
export async function documentFile(sql: Sql, doc: Pick<DocumentRecord, 'sha256' | 'path'>, root?: string): Promise<string | null> {
  const stored = [...(await sql.pluck<string>('SELECT path FROM ledger_paths WHERE sha256 = ? ORDER BY last_seen DESC', [doc.sha256])), doc.path];
  const candidates: string[] = [];
  for (const p of stored) {
    if (root) candidates.push(isAbsolute(p) ? join(root, basename(p)) : join(root, p), join(root, basename(p)));
    candidates.push(resolve(p));
  }
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

export const isPdf = (path: string) => /\.pdf$/i.test(path);

// ------------------------------------------------------------------------------------------------
// One document

export async function getDocumentRecord(sql: Sql, id: number): Promise<DocumentRecord | undefined> {
  return sql.get<DocumentRecord>('SELECT * FROM documents WHERE id = ?', [id]);
}

export async function documentJson(sql: Sql, id: number, root?: string): Promise<DocumentJson | null> {
  const doc = await getDocumentRecord(sql, id);
  if (!doc) return null;
  const [row] = await listDocumentRows(sql, { id });
  const file = await documentFile(sql, doc, root);
  const pdf = file && isPdf(file) ? { available: true, message: null }
    : file ? { available: false, message: `${basename(file)} is a text dump, not a PDF: there are no pages to show` }
      : { available: false, message: `the original file is not where the database says (${doc.path}); start yusuan serve with --root DIR to say where the files now live` };
  return { document: { ...row, path: doc.path, error: doc.error }, pdf, tables: await tableGrids(sql, id), findings: await documentFindings(sql, doc) };
}

/** The stored tables as grids: rows by row index, one column per amount column, each cell its line item. */
export async function tableGrids(sql: Sql, documentId: number): Promise<TableJson[]> {
  const tables = await listTables(sql, documentId);
  const items = await listLineItems(sql, documentId);
  return tables.map((t): TableJson => {
    const columns = new Map<string, ColumnJson>();
    const rows = new Map<number, RowJson & { labels: Set<string> }>();
    for (const it of items) {
      if (it.table_id !== t.id) continue;
      const colId = `${it.column_key}|${it.column_label}`;
      if (!columns.has(colId)) columns.set(colId, { id: colId, key: it.column_key, label: it.column_label });
      let row = rows.get(it.row_index);
      if (!row) rows.set(it.row_index, (row = { rowIndex: it.row_index, label: '', funcCode: it.func_code, econCode: it.econ_code, cells: {}, labels: new Set() }));
      if (it.label) row.labels.add(it.label);
      const cell: CellJson = { id: it.id, text: it.amount_text, fen: it.amount_fen, page: it.page, box: it.bbox as Box, confidence: it.confidence ?? 1, isTotal: Boolean(it.is_total) };
      row.cells[colId] = cell;
    }
    const order = (t.column_specs as { key: string; label: string; isAmount: boolean }[]).filter((c) => c.isAmount).map((c) => `${c.key}|${c.label}`);
    const cols = [...columns.values()].sort((a, b) => rank(order, a.id) - rank(order, b.id));
    return {
      index: t.table_index, kind: t.kind, title: t.title, unit: t.unit, pageStart: t.page_start, pageEnd: t.page_end, source: t.source,
      box: t.bbox as Box, columns: cols,
      rows: [...rows.values()].sort((a, b) => a.rowIndex - b.rowIndex).map(({ labels, ...r }) => ({ ...r, label: [...labels].join(' | ') })),
    };
  });
}

const rank = (order: string[], id: string) => (order.includes(id) ? order.indexOf(id) : order.length);

interface RawFinding { id: number; document_id: number; table_id: number | null; rule: string; severity: Severity; message: string; page: number | null; bbox: string | null; expected: string | null; actual: string | null }

function findingJson(f: RawFinding, tableIndex: Map<number, number>, verdicts: Map<string, VerdictRecord>): FindingJson {
  const box = f.bbox === null ? null : (JSON.parse(f.bbox) as Box);
  const v = verdicts.get(anchorKey({ rule: f.rule, page: f.page, box, printed: f.actual }));
  return {
    id: f.id, documentId: f.document_id, rule: f.rule, severity: f.severity, message: f.message, page: f.page, box, expected: f.expected,
    printed: f.actual, tableIndex: f.table_id === null ? null : tableIndex.get(f.table_id) ?? null,
    verdict: v ? { verdict: v.verdict, note: v.note, decidedAt: v.decidedAt } : null,
  };
}

async function documentFindings(sql: Sql, doc: DocumentRecord): Promise<FindingJson[]> {
  const tables = await sql.all<{ id: number; table_index: number }>('SELECT id, table_index FROM doc_tables WHERE document_id = ?', [doc.id]);
  const tableIndex = new Map(tables.map((t) => [t.id, t.table_index]));
  const verdicts = await verdictsByAnchor(sql, doc.sha256);
  return (await sql.all<RawFinding>('SELECT * FROM findings WHERE document_id = ? ORDER BY id', [doc.id])).map((f) => findingJson(f, tableIndex, verdicts));
}

/** A stored finding by id with its document (the verdict's anchor is taken from it, never from the request). */
export async function getFinding(sql: Sql, id: number): Promise<{ finding: FindingJson; sha256: string } | null> {
  const f = await sql.get<RawFinding & { sha256: string }>('SELECT f.*, d.sha256 FROM findings f JOIN documents d ON d.id = f.document_id WHERE f.id = ?', [id]);
  return f ? { finding: findingJson(f, new Map(), new Map()), sha256: f.sha256 } : null;
}

// ------------------------------------------------------------------------------------------------
// Findings across documents

export async function findingGroups(sql: Sql, opts: { rule?: string; severity?: Severity; root?: string } = {}): Promise<FindingGroup[]> {
  const docs = new Map((await sql.all<DocumentRecord>('SELECT * FROM documents')).map((d) => [d.id, d]));
  const groups = new Map<string, FindingGroup>();
  for (const doc of docs.values()) {
    let findings = await documentFindings(sql, doc);
    if (opts.rule) findings = findings.filter((f) => f.rule === opts.rule || f.rule.startsWith(opts.rule + '.'));
    if (opts.severity) findings = findings.filter((f) => f.severity === opts.severity);
    if (!findings.length) continue;
    const file = await documentFile(sql, doc, opts.root);
    const byRule = new Map<string, FindingJson[]>();
    for (const f of findings) (byRule.get(f.rule) ?? byRule.set(f.rule, []).get(f.rule)!).push(f);
    for (const [rule, fs] of byRule) {
      const g = groups.get(rule) ?? groups.set(rule, { rule, count: 0, verdicts: { confirmed: 0, false_alarm: 0, unsure: 0 }, documents: [] }).get(rule)!;
      g.count += fs.length;
      for (const f of fs) if (f.verdict) g.verdicts[f.verdict.verdict]++;
      g.documents.push({ id: doc.id, fileName: doc.file_name, sha256: doc.sha256, pdf: file !== null && isPdf(file), findings: fs });
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

// ------------------------------------------------------------------------------------------------
// Across documents: a department over the years, and the vocabulary

export async function departmentSeries(sql: Sql): Promise<DepartmentJson[]> {
  // Names ordered here: each engine's collation orders Chinese its own way.
  const deps = (await sql.all<{ id: number; name: string; n_documents: number }>('SELECT id, name, n_documents FROM departments'))
    .sort((a, b) => b.n_documents - a.n_documents || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const totals = await sql.all<{ department_id: number; year: number; phase: string; total_fen: number | null; basic_fen: number | null; project_fen: number | null }>(
    'SELECT department_id, year, phase, total_fen, basic_fen, project_fen FROM department_totals WHERE year IS NOT NULL');
  const three = await sql.all<{ department_id: number; year: number; phase: string; three_public_fen: number | null }>(
    'SELECT department_id, year, phase, three_public_fen FROM three_public WHERE year IS NOT NULL');
  const key = (d: number, y: number, p: string) => `${d}|${y}|${p}`;
  const threeBy = new Map(three.map((t) => [key(t.department_id, t.year, t.phase), t.three_public_fen]));
  const points = new Map<number, DepartmentJson['series']>();
  for (const t of totals) {
    const list = points.get(t.department_id) ?? points.set(t.department_id, []).get(t.department_id)!;
    list.push({ year: t.year, phase: t.phase, totalFen: t.total_fen, basicFen: t.basic_fen, projectFen: t.project_fen, threePublicFen: threeBy.get(key(t.department_id, t.year, t.phase)) ?? null });
  }
  return deps.map((d) => ({ id: d.id, name: d.name, documents: d.n_documents, series: (points.get(d.id) ?? []).sort((a, b) => a.year - b.year || a.phase.localeCompare(b.phase)) }));
}

// A variant is rare when at most this many documents print it while the group's most common text is
// printed by RARE_RATIO times as many (the same thresholds as the audit's corpus.*_variant rules).
const RARE_MAX_DOCUMENTS = 2;
const RARE_RATIO = 3;

export async function vocabularyJson(sql: Sql): Promise<VocabularyJson> {
  const v = await storedVocabulary(sql);
  const mark = (groups: Record<string, { text: string; count: number }[]>) => Object.fromEntries(Object.entries(groups).map(([k, entries]) => {
    const top = Math.max(...entries.map((e) => e.count));
    return [k, entries.map((e) => ({ text: e.text, count: e.count, rare: e.count <= RARE_MAX_DOCUMENTS && top >= RARE_RATIO * e.count }))];
  }));
  return { titles: mark(v.titles), columnLabels: mark(v.columnLabels) };
}
