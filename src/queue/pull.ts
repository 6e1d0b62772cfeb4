// Pull: a slice of a shared store (PostgreSQL) copied into a store of one's own (a SQLite file):
// each document read whole from the source (readDocument: its tables, line items, findings and
// narrative lines) and written whole into the target (writeDocument, one transaction each), with its
// pipeline version and ingest time kept. Nothing is copied table by table.
import { listDocuments, readDocument } from '../store/read.js';
import type { DocumentRecord } from '../store/schemas.js';
import type { Sql } from '../store/sql.js';
import { writeDocument, type WriteOutcome } from '../store/write.js';

export interface SliceFilter {
  /** Documents whose department (as printed, its canonical name or an alias) contains this. */
  department?: string;
  year?: number;
}

export interface PullSummary {
  /** Documents in the slice. */
  documents: number;
  byOutcome: Record<WriteOutcome, number>;
  tables: number;
  lineItems: number;
}

/** The source's documents in the slice, by path. */
export async function selectSlice(src: Sql, f: SliceFilter): Promise<DocumentRecord[]> {
  let docs = await listDocuments(src);
  if (f.year !== undefined) docs = docs.filter((d) => d.year === f.year);
  if (f.department !== undefined) {
    const names = await departmentNames(src);
    const needle = f.department;
    docs = docs.filter((d) => (d.department ?? '').includes(needle) || (names.get(d.id) ?? []).some((n) => n.includes(needle)));
  }
  return docs;
}

/** Each linked document's canonical department name and that department's aliases. */
async function departmentNames(src: Sql): Promise<Map<number, string[]>> {
  const rows = await src.all<{ document_id: number; name: string; alias: string | null }>(
    `SELECT dd.document_id, dep.name, a.alias FROM document_departments dd
     JOIN departments dep ON dep.id = dd.department_id
     LEFT JOIN department_aliases a ON a.department_id = dd.department_id`);
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const names = out.get(r.document_id) ?? out.set(r.document_id, [r.name]).get(r.document_id)!;
    if (r.alias !== null) names.push(r.alias);
  }
  return out;
}

/**
 * Copy the slice. A document the target has already (same sha256) is replaced when `force`, else
 * left as it is.
 */
export async function pullSlice(src: Sql, dst: Sql, f: SliceFilter, o: { force: boolean; onDocument?: (d: DocumentRecord, outcome: WriteOutcome) => void }): Promise<PullSummary> {
  const slice = await selectSlice(src, f);
  const s: PullSummary = { documents: slice.length, byOutcome: { inserted: 0, replaced: 0, skipped: 0 }, tables: 0, lineItems: 0 };
  for (const row of slice) {
    const doc = await readDocument(src, row);
    if (!doc) continue; // deleted meanwhile
    const outcome = await writeDocument(dst, doc, { force: o.force, pipelineVersion: row.pipeline_version, ingestedAt: row.ingested_at });
    s.byOutcome[outcome]++;
    if (outcome !== 'skipped') {
      s.tables += doc.tables.length;
      s.lineItems += doc.tables.reduce((n, t) => n + t.items.length, 0);
    }
    o.onDocument?.(row, outcome);
  }
  return s;
}
