// `yusuan ingest` end to end: runIngest over samples/ and test/fixtures/bad into a temporary database.
//
// A document that fails while being written leaves nothing behind: writeDocument runs in one
// transaction, which test/store.test.ts covers ('rejects an invalid record and writes nothing',
// 'rolls back a forced replacement that fails, keeping the stored document'); not repeated here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runIngest } from '../src/cli/ingest.js';
import { processFile } from '../src/pipeline.js';
import { openDb, type Db } from '../src/store/db.js';
import { counts, type Counts } from '../src/store/read.js';
import { openStore } from '../src/store/open.js';

// processFile as it is, wrapped in a spy to count which files were (re)processed.
vi.mock('../src/pipeline.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../src/pipeline.js')>();
  return { ...mod, processFile: vi.fn(mod.processFile) };
});

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const BAD = path.join(ROOT, 'test/fixtures/bad');
const RULED = path.join(SAMPLES, '达州信息中心2024年部门预算-样例.pdf');
const SAMPLE_FILES = ['达州信息中心2024年部门预算-无框线.pdf', '达州信息中心2024年部门预算-样例.pdf', '达州市人力资源和社会保障信息中心2024年部门预算.txt'];

let tmp: string;

/** Run the command with its output captured (and kept off the test report). */
async function ingest(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  vi.mocked(processFile).mockClear();
  try {
    // --jobs 0: on this thread, so the spy on processFile sees the calls (workers: test/bulk.test.ts).
    const code = await runIngest([...argv, '--jobs', '0']);
    return { code, out: out.join('\n'), err: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

function withDb<T>(file: string, f: (db: Db) => T): T {
  const db = openDb(file);
  try {
    return f(db);
  } finally {
    db.close();
  }
}

/** The store's counts of a database file (opened for this look only). */
async function countsOf(file: string): Promise<Counts> {
  const sql = await openStore(file);
  try {
    return await counts(sql);
  } finally {
    await sql.close();
  }
}

interface DocRow {
  id: number;
  sha256: string;
  file_name: string;
  status: string;
  error: string | null;
  ingested_at: string;
  n_tables: number;
  n_items: number;
}
const docRows = (db: Db) => db.prepare('SELECT * FROM documents ORDER BY file_name').all() as DocRow[];
const processedFiles = () => vi.mocked(processFile).mock.calls.map((c) => path.basename(c[0])).sort();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-ingest-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('ingest samples/', () => {
  let dbFile: string;
  let first: { code: number; out: string; err: string };
  let firstCounts: Counts;
  let firstDocs: DocRow[];
  let firstProcessed: string[];

  beforeAll(async () => {
    dbFile = path.join(tmp, 'samples.db');
    first = await ingest(SAMPLES, '--db', dbFile);
    firstProcessed = processedFiles();
    firstCounts = await countsOf(dbFile);
    firstDocs = withDb(dbFile, docRows);
  }, 60_000);

  it('exits 0 with the three sample documents stored ok, with tables', () => {
    expect(first.code, first.err).toBe(0);
    expect(firstProcessed).toEqual([...SAMPLE_FILES].sort());
    expect(firstCounts.documents).toBe(3);
    expect(firstCounts.byStatus).toEqual({ ok: 3, partial: 0, failed: 0 });
    expect(firstCounts.tables).toBeGreaterThan(0);
    expect(firstCounts.lineItems).toBeGreaterThan(0);
    expect(firstDocs.map((d) => d.file_name)).toEqual([...SAMPLE_FILES].sort());
    for (const d of firstDocs) {
      expect(d.error, d.file_name).toBeNull();
      expect(d.n_tables, d.file_name).toBeGreaterThan(0);
    }
    expect(first.out).toMatch(/documents: 3 ok, 0 partial, 0 failed, 0 skipped/);
  });

  it('stores 基本工资 163.53 万元 exactly, as 163,530,000 fen, in each sample', () => {
    const rows = withDb(dbFile, (db) => db.prepare(`
      SELECT d.file_name, t.unit, li.label, li.amount_fen, li.amount_text
      FROM line_items li JOIN doc_tables t ON t.id = li.table_id JOIN documents d ON d.id = li.document_id
      WHERE t.kind = 'general_budget_basic' AND li.econ_code = '30101' AND li.column_key = 'total'
      ORDER BY d.file_name`).all()) as { file_name: string; unit: string; label: string; amount_fen: number; amount_text: string }[];
    expect(rows.map((r) => r.file_name)).toEqual([...SAMPLE_FILES].sort());
    for (const r of rows) {
      expect(r).toMatchObject({ unit: '万元', label: '基本工资', amount_text: '163.53' });
      expect(r.amount_fen).toBe(163_530_000);
      expect(Number.isInteger(r.amount_fen)).toBe(true);
    }
  });

  it('stores the 元 table of the PDFs in fen too: 6,411,500.00 元 = 641.15 万元', () => {
    const rows = withDb(dbFile, (db) => db.prepare(`
      SELECT d.file_name, li.amount_fen
      FROM line_items li JOIN doc_tables t ON t.id = li.table_id JOIN documents d ON d.id = li.document_id
      WHERE t.kind = 'general_budget_expenditure' AND t.unit = '元' AND li.amount_text = '6,411,500.00'`).all()) as
      { file_name: string; amount_fen: number }[];
    expect(new Set(rows.map((r) => r.file_name))).toEqual(new Set(SAMPLE_FILES.filter((f) => f.endsWith('.pdf'))));
    for (const r of rows) expect(r.amount_fen).toBe(641_150_000);
  });

  it('stores bboxes as JSON [x0, y0, x1, y1]', () => {
    const boxes = withDb(dbFile, (db) => [
      ...(db.prepare('SELECT bbox FROM line_items').pluck().all() as string[]),
      ...(db.prepare('SELECT bbox FROM doc_tables').pluck().all() as string[]),
    ]);
    expect(boxes.length).toBe(firstCounts.lineItems + firstCounts.tables);
    for (const s of boxes) {
      const b = JSON.parse(s) as unknown;
      expect(Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number' && Number.isFinite(v)), s).toBe(true);
      const [x0, y0, x1, y1] = b as number[];
      expect(x0 < x1 && y0 < y1, s).toBe(true);
    }
  });

  it('skips every file on a second run: nothing processed again, nothing changed', async () => {
    const again = await ingest(SAMPLES, '--db', dbFile);
    expect(again.code, again.err).toBe(0);
    expect(processedFiles()).toEqual([]);
    expect(again.out).toMatch(/documents: 0 ok, 0 partial, 0 failed, 3 skipped/);
    expect(again.err.match(/^skipped\s/gm)).toHaveLength(3);
    expect(await countsOf(dbFile)).toEqual(firstCounts);
    expect(withDb(dbFile, docRows)).toEqual(firstDocs); // same ids, same ingested_at
  }, 60_000);

  it('processes and replaces every file with --force, without duplicates', async () => {
    const forced = await ingest(SAMPLES, '--db', dbFile, '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(processedFiles()).toEqual([...SAMPLE_FILES].sort());
    expect(forced.out).toMatch(/documents: 3 ok, 0 partial, 0 failed, 0 skipped/);
    expect(await countsOf(dbFile)).toEqual(firstCounts);
    const docs = withDb(dbFile, docRows);
    expect(docs.map((d) => d.sha256).sort()).toEqual(firstDocs.map((d) => d.sha256).sort());
    expect(new Set(docs.map((d) => d.sha256)).size).toBe(3);
    // No orphans: every table and line item belongs to one of the three documents.
    const orphans = withDb(dbFile, (db) => db.prepare(`
      SELECT (SELECT count(*) FROM doc_tables WHERE document_id NOT IN (SELECT id FROM documents))
           + (SELECT count(*) FROM line_items WHERE document_id NOT IN (SELECT id FROM documents)
                                                 OR table_id NOT IN (SELECT id FROM doc_tables))`).pluck().get());
    expect(orphans).toBe(0);
  }, 60_000);
});

describe('ingest bad files with a good one', () => {
  const EXPECTED: Record<string, RegExp> = {
    'corrupt.pdf': /corrupt|invalid/i,
    'empty.pdf': /empty/i,
    'encrypted.pdf': /encrypt|password/i,
    'not-a-pdf.pdf': /not a PDF/i,
    'not-budget.pdf': /not a budget/i,
  };
  let dbFile: string;
  let run: { code: number; out: string; err: string };
  let processed: string[];

  beforeAll(async () => {
    dbFile = path.join(tmp, 'bad.db');
    run = await ingest(BAD, RULED, '--db', dbFile);
    processed = processedFiles();
  }, 60_000);

  it('covers exactly the fixtures in test/fixtures/bad', () => {
    expect(fs.readdirSync(BAD).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('exits 1, having processed all six files', () => {
    expect(run.code).toBe(1);
    expect(processed).toEqual([...Object.keys(EXPECTED), path.basename(RULED)].sort());
    expect(run.out).toMatch(/documents: 1 ok, 0 partial, 5 failed, 0 skipped/);
  });

  it('stores the good file ok, with its tables and line items', () => {
    const docs = withDb(dbFile, docRows);
    expect(docs).toHaveLength(6);
    const good = docs.find((d) => d.file_name === path.basename(RULED))!;
    expect(good).toMatchObject({ status: 'ok', error: null });
    expect(good.n_tables).toBeGreaterThan(0);
    expect(good.n_items).toBeGreaterThan(0);
    const stored = withDb(dbFile, (db) => ({
      tables: db.prepare('SELECT count(*) FROM doc_tables WHERE document_id = ?').pluck().get(good.id),
      items: db.prepare('SELECT count(*) FROM line_items WHERE document_id = ?').pluck().get(good.id),
    }));
    expect(stored).toEqual({ tables: good.n_tables, items: good.n_items });
  });

  it('stores each bad file as failed, with the specific reason and no tables or line items', () => {
    const docs = withDb(dbFile, docRows);
    for (const [name, reason] of Object.entries(EXPECTED)) {
      const d = docs.find((x) => x.file_name === name);
      expect(d, name).toBeDefined();
      expect(d!.status, name).toBe('failed');
      expect(d!.error, name).toMatch(reason);
      expect(d!.n_tables, name).toBe(0);
      expect(d!.n_items, name).toBe(0);
    }
    const leftovers = withDb(dbFile, (db) => db.prepare(`
      SELECT (SELECT count(*) FROM doc_tables t JOIN documents d ON d.id = t.document_id WHERE d.status = 'failed')
           + (SELECT count(*) FROM line_items li JOIN documents d ON d.id = li.document_id WHERE d.status = 'failed')`).pluck().get());
    expect(leftovers).toBe(0);
  });

  it('reports each failure with its reason', () => {
    for (const [name, reason] of Object.entries(EXPECTED)) {
      const line = run.err.split('\n').find((l) => l.startsWith('failed') && l.includes(name));
      expect(line, name).toBeDefined();
      expect(line!, name).toMatch(reason);
    }
  });
});
