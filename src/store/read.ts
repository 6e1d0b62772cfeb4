// Reading records back: the one place that does. Rows as records (JSON columns parsed, amounts as
// integers), and a whole document as the pipeline handed it to the store (readDocument).
import type { Db } from './db.js';
import type { Box, ColumnSpec, DocStatus, DocumentResult, Finding, LineItem, RecognizedTable, RejectedCode, TextLine, UnitCodeCell } from '../types.js';
import { FEN_PER_UNIT, type Unit } from '../domain/money.js';
import type { DocTableRecord, DocumentRecord, FindingRecord, LineItemRecord } from './schemas.js';
import { perConnection } from './prepared.js';

export interface Counts {
  documents: number;
  byStatus: Record<DocStatus, number>;
  pages: number;
  tables: number;
  lineItems: number;
  findings: number;
  narrativeLines: number;
}

export function counts(db: Db): Counts {
  const n = (sql: string) => db.prepare(sql).pluck().get() as number;
  const byStatus: Record<DocStatus, number> = { ok: 0, partial: 0, failed: 0 };
  const rows = db.prepare('SELECT status, count(*) AS n FROM documents GROUP BY status').all() as { status: DocStatus; n: number }[];
  for (const r of rows) byStatus[r.status] = r.n;
  return {
    documents: n('SELECT count(*) FROM documents'),
    byStatus,
    pages: n('SELECT coalesce(sum(pages), 0) FROM documents'),
    tables: n('SELECT count(*) FROM doc_tables'),
    lineItems: n('SELECT count(*) FROM line_items'),
    findings: n('SELECT count(*) FROM findings'),
    narrativeLines: n('SELECT count(*) FROM narrative_lines'),
  };
}

/** Stored documents by path, of one status or of several (`['ok', 'partial']`: all that have content). */
export function listDocuments(db: Db, opts: { status?: DocStatus | readonly DocStatus[] } = {}): DocumentRecord[] {
  const statuses = opts.status === undefined ? [] : typeof opts.status === 'string' ? [opts.status] : [...opts.status];
  const sql = `SELECT * FROM documents ${statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : ''} ORDER BY path, id`;
  return db.prepare(sql).all(...statuses) as DocumentRecord[];
}

export function getDocument(db: Db, sha256: string): DocumentRecord | undefined {
  return db.prepare('SELECT * FROM documents WHERE sha256 = ?').get(sha256) as DocumentRecord | undefined;
}

export function listTables(db: Db, documentId: number): DocTableRecord[] {
  const rows = db.prepare('SELECT * FROM doc_tables WHERE document_id = ? ORDER BY table_index').all(documentId);
  return rows.map((r) => parseJson(r, ['bbox', 'column_specs', 'unit_codes', 'rejected_codes'])) as DocTableRecord[];
}

export function listLineItems(db: Db, documentId: number): LineItemRecord[] {
  const rows = db.prepare('SELECT * FROM line_items WHERE document_id = ? ORDER BY id').all(documentId);
  return rows.map((r) => parseBooleans(parseJson(r, ['bbox']), ['is_total'])) as LineItemRecord[];
}

export function listFindings(db: Db, documentId: number): FindingRecord[] {
  const rows = db.prepare('SELECT * FROM findings WHERE document_id = ? ORDER BY id').all(documentId);
  return rows.map((r) => parseJson(r, ['bbox'])) as FindingRecord[];
}

/** INTEGER 0/1 columns back to booleans. */
function parseBooleans(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  for (const c of columns) if (typeof row[c] === 'number') row[c] = row[c] !== 0;
  return row;
}

/**
 * A stored document as the pipeline handed it to the store (DocumentResult): its tables with their
 * line items, its findings and narrative lines; timings as recorded. By id, or from its row.
 */
export function readDocument(db: Db, document: number | DocumentRecord): DocumentResult | undefined {
  const st = statementsOf(db);
  const row = typeof document === 'number' ? (st.document.get(document) as DocumentRecord | undefined) : document;
  if (!row) return undefined;
  const tables = st.tables.all(row.id) as RawTable[];
  const indexOf = new Map(tables.map((t) => [t.id, t.table_index]));
  const itemsOf = new Map<number, LineItem[]>();
  for (const it of st.items.iterate(row.id) as Iterable<RawItem>) {
    const tableIndex = indexOf.get(it.table_id)!;
    const item: LineItem = {
      tableIndex, page: it.page, rowIndex: it.row_index, label: it.label, funcCode: it.func_code, econCode: it.econ_code,
      columnKey: it.column_key, columnLabel: it.column_label, amountFen: it.amount_fen, amountText: it.amount_text, box: JSON.parse(it.bbox) as Box,
      isTotal: it.is_total !== 0, confidence: it.confidence,
    };
    (itemsOf.get(tableIndex) ?? itemsOf.set(tableIndex, []).get(tableIndex)!).push(item);
  }
  const recognized = tables.map((t): RecognizedTable => ({
    kind: t.kind, title: t.title, unit: asUnit(t.unit), departmentLabel: t.department_label, year: t.year_label,
    pageStart: t.page_start, pageEnd: t.page_end, source: t.source, columns: JSON.parse(t.column_specs) as ColumnSpec[],
    items: itemsOf.get(t.table_index) ?? [], box: JSON.parse(t.bbox) as Box, unitCodes: JSON.parse(t.unit_codes) as UnitCodeCell[],
    ...(t.rejected_codes && t.rejected_codes !== '[]' ? { rejectedCodes: JSON.parse(t.rejected_codes) as RejectedCode[] } : {}),
  }));
  const findings = (st.findings.all(row.id) as RawFinding[]).map((f): Finding => ({
    rule: f.rule, severity: f.severity, message: f.message, page: f.page, box: f.bbox === null ? null : (JSON.parse(f.bbox) as Box),
    expected: f.expected, actual: f.actual, tableIndex: f.table_id === null ? null : indexOf.get(f.table_id) ?? null,
  }));
  const narrative = (st.narrative.all(row.id) as { page: number; text: string; bbox: string }[])
    .map((l): TextLine => ({ page: l.page, text: l.text, box: JSON.parse(l.bbox) as Box }));
  return {
    sha256: row.sha256, path: row.path, fileName: row.file_name, pages: row.pages, phase: row.phase, year: row.year,
    department: row.department, status: row.status, error: row.error, tables: recognized, findings, narrative,
    timings: { extractMs: row.extract_ms, layoutMs: row.layout_ms, recognizeMs: row.recognize_ms },
  };
}

// Rows as SQLite returns them (JSON columns still text).
type RawTable = Omit<DocTableRecord, 'bbox' | 'column_specs' | 'unit_codes' | 'rejected_codes'> & { bbox: string; column_specs: string; unit_codes: string; rejected_codes?: string };
type RawItem = Omit<LineItemRecord, 'bbox' | 'is_total'> & { bbox: string; is_total: number };
type RawFinding = Omit<FindingRecord, 'bbox'> & { bbox: string | null };

/** The unit as stored: one of the units of src/domain/money.ts, or none. */
const asUnit = (u: string | null): Unit | null => (u !== null && Object.hasOwn(FEN_PER_UNIT, u) ? (u as Unit) : null);

const statementsOf = perConnection(prepareStatements);
function prepareStatements(db: Db) {
  return {
    document: db.prepare('SELECT * FROM documents WHERE id = ?'),
    tables: db.prepare('SELECT * FROM doc_tables WHERE document_id = ? ORDER BY table_index'),
    items: db.prepare('SELECT * FROM line_items WHERE document_id = ? ORDER BY id'),
    findings: db.prepare('SELECT * FROM findings WHERE document_id = ? ORDER BY id'),
    narrative: db.prepare('SELECT page, text, bbox FROM narrative_lines WHERE document_id = ? ORDER BY line_index'),
  };
}

function parseJson(row: unknown, columns: string[]): Record<string, unknown> {
  const out = { ...(row as Record<string, unknown>) };
  for (const c of columns) if (typeof out[c] === 'string') out[c] = JSON.parse(out[c] as string);
  return out;
}
