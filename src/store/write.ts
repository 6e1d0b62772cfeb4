// Store one DocumentResult: validate every record, then write it all in one transaction.
import { z } from 'zod';
import { PIPELINE_VERSION } from '../version.js';
import type { DocumentResult, Finding } from '../types.js';
import type { Db } from './db.js';
import { codeCoverage } from '../domain/codes.js';
import { NewDocTable, NewDocument, NewFinding, NewLineItem, NewNarrativeLine } from './schemas.js';
import { perConnection } from './prepared.js';

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
export function hasDocument(db: Db, sha256: string, pipelineVersion?: string): boolean {
  const row = db.prepare('SELECT pipeline_version FROM documents WHERE sha256 = ?').get(sha256) as
    | { pipeline_version: string }
    | undefined;
  return row !== undefined && (pipelineVersion === undefined || row.pipeline_version === pipelineVersion);
}

/**
 * Write a document with its tables, line items, findings and narrative lines.
 * Same sha256 already stored: 'skipped', or with `force` deleted (cascade) and written anew, atomically.
 * Throws RecordValidationError (writing nothing) when a record fails its schema.
 */
export function writeDocument(db: Db, result: DocumentResult, opts: WriteOptions = {}): WriteOutcome {
  const { findId, deleteDocument, insertDocument, insertTable, insertItem, insertFinding, insertLine } = statementsOf(db);
  // Cheap check first, so a skipped document is never validated.
  if (!opts.force && findId.get(result.sha256) !== undefined) return 'skipped';

  const rec = toRecords(result, opts.pipelineVersion ?? PIPELINE_VERSION, opts.ingestedAt ?? new Date().toISOString());

  const write = db.transaction((): WriteOutcome => {
    // Checked again inside the transaction: another process may have written it meanwhile.
    const existing = findId.get(result.sha256) as number | undefined;
    if (existing !== undefined) {
      if (!opts.force) return 'skipped';
      deleteDocument.run(existing);
    }
    const documentId = insertDocument(rec.document);
    const tableIds = rec.tables.map(({ table, items }) => {
      const tableId = insertTable({ document_id: documentId, ...table });
      for (const item of items) insertItem({ document_id: documentId, table_id: tableId, ...item });
      return tableId;
    });
    for (const { tableIndex, finding } of rec.findings) {
      insertFinding({ document_id: documentId, table_id: tableIndex === null ? null : tableIds[tableIndex], ...finding });
    }
    for (const line of rec.narrative) insertLine({ document_id: documentId, ...line });
    return existing === undefined ? 'inserted' : 'replaced';
  });
  // IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock under concurrency.
  return write.immediate();
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
export function replaceFindings(db: Db, replacements: FindingsReplacement[]): number {
  const { insertFinding, storedFindings, deleteFinding, tableIds } = statementsOf(db);
  const rows = replacements.map((r) => {
    const ids: number[] = []; // doc_tables.id by table_index
    for (const [ti, id] of tableIds.all(r.documentId) as [number, number][]) ids[ti] = id;
    return r.findings.map((f, fi) => {
      if (f.tableIndex !== null && ids[f.tableIndex] === undefined) {
        throw new RecordValidationError(`finding ${fi} (${f.rule}) of document ${r.documentId} refers to table ${f.tableIndex}, which is not stored`);
      }
      const rec = check(NewFinding, `finding ${fi} of document ${r.documentId}`, {
        rule: f.rule, severity: f.severity, message: f.message, page: f.page, bbox: f.box, expected: f.expected, actual: f.actual,
      });
      return { document_id: r.documentId, table_id: f.tableIndex === null ? null : ids[f.tableIndex], ...rec };
    });
  });
  return db.transaction(() => {
    let n = 0;
    replacements.forEach((r, i) => {
      for (const s of storedFindings.all(r.documentId) as { id: number; rule: string; severity: Finding['severity']; actual: string | null }[]) {
        if (r.replaces(s)) deleteFinding.run(s.id);
      }
      for (const row of rows[i]) { insertFinding(row); n++; }
    });
    return n;
  }).immediate();
}

const statementsOf = perConnection(prepareStatements);
function prepareStatements(db: Db) {
  return {
    findId: db.prepare('SELECT id FROM documents WHERE sha256 = ?').pluck(),
    deleteDocument: db.prepare('DELETE FROM documents WHERE id = ?'),
    insertDocument: inserter(db, 'documents', Object.keys(NewDocument.shape)),
    insertTable: inserter(db, 'doc_tables', ['document_id', ...Object.keys(NewDocTable.shape)]),
    insertItem: inserter(db, 'line_items', ['document_id', 'table_id', ...Object.keys(NewLineItem.shape)]),
    insertFinding: inserter(db, 'findings', ['document_id', 'table_id', ...Object.keys(NewFinding.shape)]),
    insertLine: inserter(db, 'narrative_lines', ['document_id', ...Object.keys(NewNarrativeLine.shape)]),
    storedFindings: db.prepare('SELECT id, rule, severity, actual FROM findings WHERE document_id = ? ORDER BY id'),
    deleteFinding: db.prepare('DELETE FROM findings WHERE id = ?'),
    tableIds: db.prepare('SELECT table_index, id FROM doc_tables WHERE document_id = ?').raw(),
  };
}

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

// JSON-valued columns, and booleans (INTEGER 0/1 in SQLite); everything else binds as is.
const JSON_COLUMNS = new Set(['bbox', 'column_specs', 'unit_codes', 'rejected_codes']);
const toSql = (c: string, v: unknown) => (JSON_COLUMNS.has(c) && v !== null ? JSON.stringify(v) : typeof v === 'boolean' ? Number(v) : v);

/** A prepared INSERT taking a row keyed by column name; returns the new row id. */
function inserter(db: Db, table: string, columns: string[]) {
  const stmt = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`);
  return (row: Record<string, unknown>): number => {
    const bound: Record<string, unknown> = {};
    for (const c of columns) {
      bound[c] = toSql(c, row[c]);
    }
    return Number(stmt.run(bound).lastInsertRowid);
  };
}
