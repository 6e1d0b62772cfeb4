// Reading records back: the one place that does. Rows as records (JSON columns parsed, amounts as
// integers), and a whole document as the pipeline handed it to the store (readDocument).
import type { Sql } from './sql.js';
import type { Box, ColumnSpec, DocStatus, DocumentResult, Finding, LineItem, RecognizedTable, RejectedCode, TextLine, UnitCodeCell } from '../types.js';
import { FEN_PER_UNIT, type Unit } from '../domain/money.js';
import type { DocTableRecord, DocumentRecord, FindingRecord, LineItemRecord } from './schemas.js';

export interface Counts {
  documents: number;
  byStatus: Record<DocStatus, number>;
  pages: number;
  tables: number;
  lineItems: number;
  findings: number;
  narrativeLines: number;
}

export async function counts(sql: Sql): Promise<Counts> {
  const n = async (q: string) => (await sql.pluck<number>(q))[0];
  const byStatus: Record<DocStatus, number> = { ok: 0, partial: 0, failed: 0 };
  const rows = await sql.all<{ status: DocStatus; n: number }>('SELECT status, count(*) AS n FROM documents GROUP BY status');
  for (const r of rows) byStatus[r.status] = r.n;
  return {
    documents: await n('SELECT count(*) FROM documents'),
    byStatus,
    pages: await n('SELECT COALESCE(sum(pages), 0) FROM documents'),
    tables: await n('SELECT count(*) FROM doc_tables'),
    lineItems: await n('SELECT count(*) FROM line_items'),
    findings: await n('SELECT count(*) FROM findings'),
    narrativeLines: await n('SELECT count(*) FROM narrative_lines'),
  };
}

/** Stored documents by path, of one status or of several (`['ok', 'partial']`: all that have content). */
export async function listDocuments(sql: Sql, opts: { status?: DocStatus | readonly DocStatus[] } = {}): Promise<DocumentRecord[]> {
  const statuses = opts.status === undefined ? [] : typeof opts.status === 'string' ? [opts.status] : [...opts.status];
  const q = `SELECT * FROM documents ${statuses.length ? `WHERE status IN (${statuses.map(() => '?').join(', ')})` : ''} ORDER BY path, id`;
  return sql.all<DocumentRecord>(q, statuses);
}

export async function getDocument(sql: Sql, sha256: string): Promise<DocumentRecord | undefined> {
  return sql.get<DocumentRecord>('SELECT * FROM documents WHERE sha256 = ?', [sha256]);
}

export async function listTables(sql: Sql, documentId: number): Promise<DocTableRecord[]> {
  const rows = await sql.all(Q.tables, [documentId]);
  return rows.map((r) => parseJson(r, ['bbox', 'column_specs', 'unit_codes', 'rejected_codes'])) as DocTableRecord[];
}

export async function listLineItems(sql: Sql, documentId: number): Promise<LineItemRecord[]> {
  const rows = await sql.all(Q.items, [documentId]);
  return rows.map((r) => parseBooleans(parseJson(r, ['bbox']), ['is_total'])) as LineItemRecord[];
}

export async function listFindings(sql: Sql, documentId: number): Promise<FindingRecord[]> {
  const rows = await sql.all(Q.findings, [documentId]);
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
export async function readDocument(sql: Sql, document: number | DocumentRecord): Promise<DocumentResult | undefined> {
  const row = typeof document === 'number' ? await sql.get<DocumentRecord>(Q.document, [document]) : document;
  if (!row) return undefined;
  const tables = await sql.all<RawTable>(Q.tables, [row.id]);
  const indexOf = new Map(tables.map((t) => [t.id, t.table_index]));
  const itemsOf = new Map<number, LineItem[]>();
  for (const it of await sql.all<RawItem>(Q.items, [row.id])) {
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
  const findings = (await sql.all<RawFinding>(Q.findings, [row.id])).map((f): Finding => ({
    rule: f.rule, severity: f.severity, message: f.message, page: f.page, box: f.bbox === null ? null : (JSON.parse(f.bbox) as Box),
    expected: f.expected, actual: f.actual, tableIndex: f.table_id === null ? null : indexOf.get(f.table_id) ?? null,
  }));
  const narrative = (await sql.all<{ page: number; text: string; bbox: string }>(Q.narrative, [row.id]))
    .map((l): TextLine => ({ page: l.page, text: l.text, box: JSON.parse(l.bbox) as Box }));
  return {
    sha256: row.sha256, path: row.path, fileName: row.file_name, pages: row.pages, phase: row.phase, year: row.year,
    department: row.department, status: row.status, error: row.error, tables: recognized, findings, narrative,
    timings: { extractMs: row.extract_ms, layoutMs: row.layout_ms, recognizeMs: row.recognize_ms },
  };
}

// Rows as the store returns them (JSON columns still text).
type RawTable = Omit<DocTableRecord, 'bbox' | 'column_specs' | 'unit_codes' | 'rejected_codes'> & { bbox: string; column_specs: string; unit_codes: string; rejected_codes?: string };
type RawItem = Omit<LineItemRecord, 'bbox' | 'is_total'> & { bbox: string; is_total: number };
type RawFinding = Omit<FindingRecord, 'bbox'> & { bbox: string | null };

/** The unit as stored: one of the units of src/domain/money.ts, or none. */
const asUnit = (u: string | null): Unit | null => (u !== null && Object.hasOwn(FEN_PER_UNIT, u) ? (u as Unit) : null);

// The same texts every time, so the store's statement cache serves them.
const Q = {
  document: 'SELECT * FROM documents WHERE id = ?',
  tables: 'SELECT * FROM doc_tables WHERE document_id = ? ORDER BY table_index',
  items: 'SELECT * FROM line_items WHERE document_id = ? ORDER BY id',
  findings: 'SELECT * FROM findings WHERE document_id = ? ORDER BY id',
  narrative: 'SELECT page, text, bbox FROM narrative_lines WHERE document_id = ? ORDER BY line_index',
};

function parseJson(row: unknown, columns: string[]): Record<string, unknown> {
  const out = { ...(row as Record<string, unknown>) };
  for (const c of columns) if (typeof out[c] === 'string') out[c] = JSON.parse(out[c] as string);
  return out;
}
