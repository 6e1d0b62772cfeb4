// Store one DocumentResult: validate every record, then write it all in one transaction.
import { z } from 'zod';
import { PIPELINE_VERSION } from '../version.js';
import type { DocumentResult, Finding } from '../types.js';
import type { Sql, SqlParam } from './sql.js';
import { codeCoverage } from '../domain/codes.js';
import { NewDocTable, NewDocument, NewFinding, NewLineItem, NewNarrativeLine } from './schemas.js';

export type WriteOutcome = 'inserted' | 'replaced' | 'skipped';

export interface WriteOptions {
  /** Replace a stored document with the same sha256 instead of skipping it. */
  force?: boolean;
  /** Recorded in documents.pipeline_version; defaults to the running pipeline's. */
  pipelineVersion?: string;
  /** ISO timestamp for documents.ingested_at; defaults to now. */
  ingestedAt?: string;
}

/** A record that does not match its schema; nothing of the document was written. */
export class RecordValidationError extends Error {
  override name = 'RecordValidationError';
}

/** Whether the file with this hash is stored (by this pipeline version, when one is given). */
export async function hasDocument(sql: Sql, sha256: string, pipelineVersion?: string): Promise<boolean> {
  const row = await sql.get<{ pipeline_version: string }>('SELECT pipeline_version FROM documents WHERE sha256 = ?', [sha256]);
  return row !== undefined && (pipelineVersion === undefined || row.pipeline_version === pipelineVersion);
}

/**
 * Write a document with its tables, line items, findings and narrative lines.
 * Same sha256 already stored: 'skipped', or with `force` deleted (cascade) and written anew, atomically.
 * Throws RecordValidationError (writing nothing) when a record fails its schema.
 * Inside a transaction (`sql` a transaction's), it joins it.
 */
export async function writeDocument(sql: Sql, result: DocumentResult, opts: WriteOptions = {}): Promise<WriteOutcome> {
  // Cheap check first, so a skipped document is never validated.
  if (!opts.force && (await sql.get(Q.findId, [result.sha256])) !== undefined) return 'skipped';

  const rec = toRecords(result, opts.pipelineVersion ?? PIPELINE_VERSION, opts.ingestedAt ?? new Date().toISOString());

  return sql.transaction(async (tx): Promise<WriteOutcome> => {
    // Checked again inside the transaction: another process may have written it meanwhile.
    const existing = (await tx.get<{ id: number }>(Q.findId, [result.sha256]))?.id;
    if (existing !== undefined) {
      if (!opts.force) return 'skipped';
      await tx.run(Q.deleteDocument, [existing]);
    }
    const documentId = await insert(tx, INSERT.documents, rec.document);
    const tableIds: number[] = [];
    for (const { table } of rec.tables) tableIds.push(await insert(tx, INSERT.tables, { document_id: documentId, ...table }));
    await insertMany(tx, INSERT.items, rec.tables.flatMap(({ items }, ti) => items.map((item) => ({ document_id: documentId, table_id: tableIds[ti], ...item }))));
    await insertMany(tx, INSERT.findings, rec.findings.map(({ tableIndex, finding }) =>
      ({ document_id: documentId, table_id: tableIndex === null ? null : tableIds[tableIndex], ...finding })));
    await insertMany(tx, INSERT.lines, rec.narrative.map((line) => ({ document_id: documentId, ...line })));
    return existing === undefined ? 'inserted' : 'replaced';
  });
}

/** New findings of a stored document, in place of the stored ones that `replaces` picks. */
export interface FindingsReplacement {
  documentId: number;
  replaces: (stored: Pick<Finding, 'rule' | 'severity' | 'actual'>) => boolean;
  findings: Finding[];
}

/**
 * Replace findings of stored documents (`yusuan audit --save`), all in one transaction; the stored
 * findings not picked stay. Throws RecordValidationError (writing nothing) when a finding fails its
 * schema. Returns how many findings were written.
 */
export async function replaceFindings(sql: Sql, replacements: FindingsReplacement[]): Promise<number> {
  const rows: Record<string, unknown>[][] = [];
  for (const r of replacements) {
    const ids: number[] = []; // doc_tables.id by table_index
    for (const t of await sql.all<{ table_index: number; id: number }>(Q.tableIds, [r.documentId])) ids[t.table_index] = t.id;
    rows.push(r.findings.map((f, fi) => {
      if (f.tableIndex !== null && ids[f.tableIndex] === undefined) {
        throw new RecordValidationError(`finding ${fi} (${f.rule}) of document ${r.documentId} refers to table ${f.tableIndex}, which is not stored`);
      }
      const rec = check(NewFinding, `finding ${fi} of document ${r.documentId}`, {
        rule: f.rule, severity: f.severity, message: f.message, page: f.page, bbox: f.box, expected: f.expected, actual: f.actual,
      });
      return { document_id: r.documentId, table_id: f.tableIndex === null ? null : ids[f.tableIndex], ...rec };
    }));
  }
  return sql.transaction(async (tx) => {
    let n = 0;
    for (const [i, r] of replacements.entries()) {
      for (const s of await tx.all<{ id: number; rule: string; severity: Finding['severity']; actual: string | null }>(Q.storedFindings, [r.documentId])) {
        if (r.replaces(s)) await tx.run(Q.deleteFinding, [s.id]);
      }
      await insertMany(tx, INSERT.findings, rows[i]);
      n += rows[i].length;
    }
    return n;
  });
}

// The same texts every time, so the store's statement cache serves them.
const Q = {
  findId: 'SELECT id FROM documents WHERE sha256 = ?',
  deleteDocument: 'DELETE FROM documents WHERE id = ?',
  storedFindings: 'SELECT id, rule, severity, actual FROM findings WHERE document_id = ? ORDER BY id',
  deleteFinding: 'DELETE FROM findings WHERE id = ?',
  tableIds: 'SELECT table_index, id FROM doc_tables WHERE document_id = ?',
};

/** Rows of the coded tables that should carry a code, and those that do (documents.code_rows / coded_rows). */
function codeRows(r: DocumentResult): { code_rows: number; coded_rows: number } {
  let code_rows = 0, coded_rows = 0;
  for (const t of r.tables) {
    const cov = codeCoverage(t);
    if (cov) { code_rows += cov.rows; coded_rows += cov.coded; }
  }
  return { code_rows, coded_rows };
}

/** Map the hand-off value to validated rows (column names), before touching the database. */
function toRecords(r: DocumentResult, pipelineVersion: string, ingestedAt: string) {
  const ms = (x: number) => Math.max(0, Math.round(x)); // timings are whole milliseconds
  const document = check(NewDocument, 'document', {
    sha256: r.sha256,
    path: r.path,
    file_name: r.fileName,
    pages: r.pages,
    phase: r.phase,
    year: r.year,
    department: r.department,
    status: r.status,
    error: r.error,
    ingested_at: ingestedAt,
    pipeline_version: pipelineVersion,
    n_tables: r.tables.length,
    n_items: r.tables.reduce((n, t) => n + t.items.length, 0),
    ...codeRows(r),
    extract_ms: ms(r.timings.extractMs),
    layout_ms: ms(r.timings.layoutMs),
    recognize_ms: ms(r.timings.recognizeMs),
  });
  const tables = r.tables.map((t, ti) => ({
    table: check(NewDocTable, `table ${ti}`, {
      table_index: ti,
      kind: t.kind,
      title: t.title,
      page_start: t.pageStart,
      page_end: t.pageEnd,
      unit: t.unit,
      department_label: t.departmentLabel,
      year_label: t.year,
      source: t.source,
      bbox: t.box,
      column_specs: t.columns,
      unit_codes: t.unitCodes ?? [],
      rejected_codes: t.rejectedCodes ?? [],
    }),
    items: t.items.map((it, ii) => {
      // An item nested in table ti must point at ti; anything else is a stage bug, not data.
      if (it.tableIndex !== ti) {
        throw new RecordValidationError(`line item ${ii} of table ${ti} has tableIndex ${it.tableIndex}`);
      }
      return check(NewLineItem, `line item ${ii} of table ${ti}`, {
        page: it.page,
        row_index: it.rowIndex,
        label: it.label,
        func_code: it.funcCode,
        econ_code: it.econCode,
        column_key: it.columnKey,
        column_label: it.columnLabel,
        amount_fen: it.amountFen,
        amount_text: it.amountText,
        bbox: it.box,
        is_total: it.isTotal,
        confidence: it.confidence,
      });
    }),
  }));
  const findings = r.findings.map((f, fi) => {
    if (f.tableIndex !== null && !(Number.isInteger(f.tableIndex) && f.tableIndex >= 0 && f.tableIndex < r.tables.length)) {
      throw new RecordValidationError(`finding ${fi} (${f.rule}) refers to table ${f.tableIndex} of ${r.tables.length}`);
    }
    const finding = check(NewFinding, `finding ${fi}`, {
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      page: f.page,
      bbox: f.box,
      expected: f.expected,
      actual: f.actual,
    });
    return { tableIndex: f.tableIndex, finding };
  });
  const narrative = r.narrative.map((l, li) =>
    check(NewNarrativeLine, `narrative line ${li}`, { line_index: li, page: l.page, text: l.text, bbox: l.box }),
  );
  return { document, tables, findings, narrative };
}

function check<S extends z.ZodType>(schema: S, what: string, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RecordValidationError(`invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// JSON-valued columns as text, and booleans as 0/1 (both stores); everything else binds as is.
const JSON_COLUMNS = new Set(['bbox', 'column_specs', 'unit_codes', 'rejected_codes']);
const toSql = (c: string, v: unknown): SqlParam =>
  (JSON_COLUMNS.has(c) && v !== null ? JSON.stringify(v) : typeof v === 'boolean' ? Number(v) : v) as SqlParam;

interface Insert { table: string; text: string; columns: string[] }

/** An INSERT of these columns that returns the new row's id. */
function inserter(table: string, columns: string[]): Insert {
  return { table, text: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING id`, columns };
}

// Rows go in several to a statement: one round trip per row is what a PostgreSQL store over the
// network pays for (a document has hundreds of line items). Batches are powers of two up to this,
// so each table needs at most a handful of statement texts (the stores cache them by text), and
// stay under both engines' limits on parameters (SQLite 32766, PostgreSQL 65535).
const MAX_ROWS_PER_INSERT = 256;

/** The INSERT of `n` rows of these columns (no ids returned). */
function manyText(ins: Insert, n: number): string {
  const one = `(${ins.columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${ins.table} (${ins.columns.join(', ')}) VALUES ${Array.from({ length: n }, () => one).join(', ')}`;
}

/** Insert rows keyed by column name, in order, several to a statement. */
async function insertMany(sql: Sql, ins: Insert, rows: Record<string, unknown>[]): Promise<void> {
  let at = 0;
  while (at < rows.length) {
    let n = MAX_ROWS_PER_INSERT;
    while (n > rows.length - at) n >>= 1;
    const params: SqlParam[] = [];
    for (const row of rows.slice(at, at + n)) for (const c of ins.columns) params.push(toSql(c, row[c]));
    await sql.run(manyText(ins, n), params);
    at += n;
  }
}

const INSERT = {
  documents: inserter('documents', Object.keys(NewDocument.shape)),
  tables: inserter('doc_tables', ['document_id', ...Object.keys(NewDocTable.shape)]),
  items: inserter('line_items', ['document_id', 'table_id', ...Object.keys(NewLineItem.shape)]),
  findings: inserter('findings', ['document_id', 'table_id', ...Object.keys(NewFinding.shape)]),
  lines: inserter('narrative_lines', ['document_id', ...Object.keys(NewNarrativeLine.shape)]),
};

/** Insert a row keyed by column name; returns its id. */
async function insert(sql: Sql, ins: Insert, row: Record<string, unknown>): Promise<number> {
  const out = await sql.get<{ id: number }>(ins.text, ins.columns.map((c) => toSql(c, row[c])));
  return Number(out!.id);
}
