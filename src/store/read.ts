// Small read helpers for the CLI and tests. JSON columns come back parsed, amounts as integers.
import type { Db } from './db.js';
import type { DocStatus } from '../types.js';
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

export function listDocuments(db: Db, opts: { status?: DocStatus } = {}): DocumentRecord[] {
  const sql = `SELECT * FROM documents ${opts.status ? 'WHERE status = ?' : ''} ORDER BY path, id`;
  const args = opts.status ? [opts.status] : [];
  return db.prepare(sql).all(...args) as DocumentRecord[];
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
  return rows.map((r) => parseJson(r, ['bbox'])) as LineItemRecord[];
}

export function listFindings(db: Db, documentId: number): FindingRecord[] {
  const rows = db.prepare('SELECT * FROM findings WHERE document_id = ? ORDER BY id').all(documentId);
  return rows.map((r) => parseJson(r, ['bbox'])) as FindingRecord[];
}

function parseJson(row: unknown, columns: string[]): Record<string, unknown> {
  const out = { ...(row as Record<string, unknown>) };
  for (const c of columns) if (typeof out[c] === 'string') out[c] = JSON.parse(out[c] as string);
  return out;
}
