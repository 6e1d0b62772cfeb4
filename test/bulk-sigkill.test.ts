// Crash safety: `yusuan ingest` of the real corpus in a child process, killed with SIGKILL mid-way,
// then run again. Every document must be stored exactly once and whole, and the rerun must not redo
// the files finished before the kill. Skipped when ../shared/corpus is missing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/store/db.js';
import { withDb } from './fixtures/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REAL = path.resolve(ROOT, '../shared/corpus/real');
const HAVE_CORPUS = fs.existsSync(REAL);
const TSX = createRequire(import.meta.url).resolve('tsx');
/** Kill after this many files are stored. */
const KILL_AFTER = 4;

interface Event { event: string; path?: string; action?: string; sha256?: string }

/** Run `yusuan ingest` from the sources; resolves with the exit code or signal and the JSON events. */
function ingest(args: string[], killAfter?: number): Promise<{ code: number | null; signal: string | null; events: Event[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/main.ts'), 'ingest', ...args, '--log-format', 'json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Event[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, i)) as Event;
        buf = buf.slice(i + 1);
        events.push(e);
        if (killAfter !== undefined && events.filter((x) => x.action === 'processed').length === killAfter) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 2) reject(new Error(`ingest could not run: ${stderr}`));
      else resolve({ code, signal, events });
    });
  });
}


interface Doc { id: number; sha256: string; ingested_at: string; n_tables: number; n_items: number; tables: number; items: number; status: string }
const docs = (db: Db) => db.prepare(`SELECT d.id, d.sha256, d.ingested_at, d.status, d.n_tables, d.n_items,
  (SELECT count(*) FROM doc_tables t WHERE t.document_id = d.id) AS tables,
  (SELECT count(*) FROM line_items i WHERE i.document_id = d.id) AS items FROM documents d ORDER BY d.id`).all() as Doc[];

describe.skipIf(!HAVE_CORPUS)('SIGKILL mid-way through an ingest of the corpus, then rerun', () => {
  let tmp: string;
  let dbFile: string;
  let first: Awaited<ReturnType<typeof ingest>>;
  let second: Awaited<ReturnType<typeof ingest>>;
  let beforeRerun: Doc[];
  let afterRerun: Doc[];
  let pdfs: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-sigkill-'));
    dbFile = path.join(tmp, 'corpus.db');
    pdfs = fs.readFileSync(path.join(REAL, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim()).length - 1;
    const args = [REAL, '--db', dbFile, '--jobs', '2', '--results', path.join(tmp, 'results.json')];
    first = await ingest(args, KILL_AFTER);
    beforeRerun = withDb(dbFile, docs);
    second = await ingest(args);
    afterRerun = withDb(dbFile, docs);
  }, 240_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('was killed part-way, with some documents stored', () => {
    expect(first.signal).toBe('SIGKILL');
    expect(beforeRerun.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(beforeRerun.length).toBeLessThan(pdfs);
  });

  it('stores every document exactly once after the rerun', () => {
    expect(second.code).toBe(0);
    // The files the workers had when the process was killed were found unfinished and taken up again.
    const summary = second.events.find((e) => e.event === 'summary') as unknown as { counts: { resumed: number } };
    expect(summary.counts.resumed).toBeGreaterThanOrEqual(1);
    expect(afterRerun).toHaveLength(pdfs);
    expect(new Set(afterRerun.map((d) => d.sha256)).size).toBe(pdfs);
    const paths = withDb(dbFile, (db) => db.prepare('SELECT count(*) FROM document_paths').pluck().get());
    expect(paths).toBe(pdfs);
  });

  it('has no partly stored document, before or after the rerun', () => {
    for (const d of [...beforeRerun, ...afterRerun]) {
      expect({ tables: d.tables, items: d.items }, d.sha256).toEqual({ tables: d.n_tables, items: d.n_items });
      expect(d.status).not.toBe('failed');
    }
    const orphans = withDb(dbFile, (db) => db.prepare(`SELECT
        (SELECT count(*) FROM doc_tables WHERE document_id NOT IN (SELECT id FROM documents))
      + (SELECT count(*) FROM line_items WHERE table_id NOT IN (SELECT id FROM doc_tables))
      + (SELECT count(*) FROM narrative_lines WHERE document_id NOT IN (SELECT id FROM documents))`).pluck().get());
    expect(orphans).toBe(0);
  });

  it('did not redo the files finished before the kill', () => {
    const done = new Set(beforeRerun.map((d) => d.sha256));
    const redone = second.events.filter((e) => e.action === 'processed' && done.has(e.sha256!));
    expect(redone).toEqual([]);
    expect(second.events.filter((e) => e.action === 'processed')).toHaveLength(pdfs - beforeRerun.length);
    // The documents stored before the kill are untouched: same ids, same ingested_at.
    expect(afterRerun.filter((d) => done.has(d.sha256))).toEqual(beforeRerun);
  });

  it('leaves the ledger with every file done and nothing running', () => {
    const ledger = withDb(dbFile, (db) => db.prepare('SELECT status, count(*) AS n FROM ledger_files GROUP BY status').all());
    expect(ledger).toEqual([{ status: 'ok', n: pdfs }]);
    const runs = withDb(dbFile, (db) => db.prepare('SELECT finished_at IS NOT NULL AS finished, exit_code FROM ledger_runs ORDER BY id').all());
    expect(runs).toEqual([{ finished: 0, exit_code: null }, { finished: 1, exit_code: 0 }]);
  });
});
