// Bulk import: the worker pool's guards (timeout, memory, a dying worker, workers that cannot start),
// and `yusuan ingest` with workers over a mixed folder: good files stored, bad ones in the ledger
// with their reasons, the same file under two paths stored once, reruns, --retry, --dry-run, status.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { A4_PORTRAIT, Content, PdfWriter } from '../samples/pdf-writer.js';
import { runIngest } from '../src/cli/ingest.js';
import { runStatus } from '../src/cli/status.js';
import { PoolStartError, WorkerPool, type TaskOutcome } from '../src/ingest/pool.js';
import { openDb } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import * as ledger from '../src/store/ledger.js';
import { withDb } from './fixtures/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const BAD = path.join(ROOT, 'test/fixtures/bad');
const RULED = '达州信息中心2024年部门预算-样例.pdf';
const UNRULED = '达州信息中心2024年部门预算-无框线.pdf';
const DUMP = '达州市人力资源和社会保障信息中心2024年部门预算.txt';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-bulk-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// A stand-in worker that misbehaves on request, by the file name it is given.
const EVIL_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.path.includes('hang')) for (;;) {}
  if (m.path.includes('oom')) { const keep = []; for (;;) keep.push(new Array(1e5).fill(Math.random())); }
  if (m.path.includes('die')) process.exit(7);
  if (m.path.includes('throw')) { setTimeout(() => { throw new Error('boom'); }); return; }
  parentPort.postMessage({ type: 'result', id: m.id, elapsedMs: 1, heapUsed: 0,
    result: { sha256: 'x', path: m.path, fileName: m.path, pages: m.data.length, phase: null, year: null, department: null,
      status: 'ok', error: null, tables: [], findings: [], narrative: [], timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 } } });
});
parentPort.postMessage({ type: 'ready' });
`;

describe('worker pool', () => {
  const task = (p: string) => ({ path: p, data: new Uint8Array([1, 2, 3]), ocr: 'off' as const, ocrJobs: 1 });
  const reason = (o: TaskOutcome) => (o.kind === 'failed' ? o.reason : o.kind === 'result' ? `result (${o.result.pages} pages)` : o.kind);

  it('stops a hung, an out-of-memory and a dying worker, fails their files with the reason, and goes on', async () => {
    const pool = new WorkerPool({ size: 2, timeoutMs: 1500, maxMemoryMb: 32, spawn: (resourceLimits) => new Worker(EVIL_WORKER, { eval: true, resourceLimits }) });
    try {
      await pool.ready();
      const out = await Promise.all(['a.pdf', 'hang.pdf', 'oom.pdf', 'b.pdf', 'die.pdf', 'throw.pdf', 'c.pdf'].map((p) => pool.run(task(p))));
      const reasons = out.map(reason);
      expect(reasons[0]).toBe('result (3 pages)');
      expect(reasons[1]).toMatch(/^timed out after 1.5 s \(--timeout\)/);
      expect(reasons[2]).toMatch(/^out of memory: the worker exceeded its heap limit of 32 MB/);
      expect(reasons[3]).toBe('result (3 pages)');
      expect(reasons[4]).toMatch(/worker died .*exit code 7/);
      expect(reasons[5]).toMatch(/worker died .*boom/);
      expect(reasons[6]).toBe('result (3 pages)');
      expect(pool.replaced).toBe(4);
      // The replacements work.
      expect(reason(await pool.run(task('d.pdf')))).toBe('result (3 pages)');
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('reports workers that cannot start', async () => {
    const pool = new WorkerPool({ size: 1, timeoutMs: 0, maxMemoryMb: 64, spawn: () => new Worker('throw new Error("no entry")', { eval: true }) });
    try {
      await expect(pool.ready()).rejects.toThrow(PoolStartError);
      await expect(pool.run(task('a.pdf'))).rejects.toThrow(/cannot start: no entry/);
    } finally {
      await pool.close();
    }
  });
});

/** Run a command with its output captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { err.push(String(chunk)); return true; });
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; });
  try {
    return { code: await run(), out: out.join('\n'), err: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    stdout.mockRestore();
  }
}


interface FileResult { path: string; action: string; reason: string; status: string | null; error: string | null }
const results = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { exitCode: number; counts: Record<string, number>; files: FileResult[] };

/**
 * A large PDF: many pages of 200 ruled rows each, far more than the time limit lets the pipeline read
 * (about 35 ms a page for layout alone, so ~35 s of work against a limit of 8 s).
 */
function hugePdf(pages: number): Buffer {
  const rows = 200;
  const h = 760 / rows;
  const w = new PdfWriter({ title: '大文件' });
  for (let p = 0; p < pages; p++) {
    const c = new Content(A4_PORTRAIT.width, A4_PORTRAIT.height);
    c.text(72, 40, 14, `一般公共预算支出表 第${p + 1}页`);
    for (let r = 0; r < rows; r++) {
      const y = 50 + r * h;
      c.line(40, y, 560, y);
      c.text(44, y + h - 1, h * 0.8, `2010101 行政运行 ${r}`);
      c.text(300, y + h - 1, h * 0.8, `${(r * 1234.5).toFixed(2)}`);
      c.text(430, y + h - 1, h * 0.8, `${(r * 34.5).toFixed(2)}`);
    }
    for (const x of [40, 296, 426, 560]) c.line(x, 50, x, 50 + rows * h);
    w.addPage(c);
  }
  return w.toBuffer();
}

describe('ingest a mixed folder with workers', () => {
  let dir: string;
  let dbFile: string;
  let resultsFile: string;
  let run: { code: number; out: string; err: string };
  const BAD_REASONS: Record<string, RegExp> = {
    'corrupt.pdf': /corrupt/i,
    'empty.pdf': /empty file/i,
    'encrypted.pdf': /encrypted/i,
    'not-a-pdf.pdf': /not a PDF/i,
    'not-budget.pdf': /not a budget/i,
    'huge-pages.pdf': /timed out after 8 s/,
    'huge-bytes.pdf': /file too large: \d+ MB, over the limit of 20 MB/,
    'notes.txt': /empty text file|not a text file/,
  };

  beforeAll(async () => {
    dir = path.join(tmp, 'mixed');
    fs.mkdirSync(path.join(dir, 'copies'), { recursive: true });
    for (const f of [RULED, UNRULED, DUMP]) fs.copyFileSync(path.join(SAMPLES, f), path.join(dir, f));
    fs.copyFileSync(path.join(SAMPLES, RULED), path.join(dir, 'copies', '另一个名字.pdf')); // same bytes, another name
    for (const f of fs.readdirSync(BAD)) fs.copyFileSync(path.join(BAD, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'huge-pages.pdf'), hugePdf(1000)); // ~6 MB
    const padded = Buffer.concat([fs.readFileSync(path.join(SAMPLES, UNRULED)), Buffer.alloc(24 * 1024 * 1024, 0x25)]);
    fs.writeFileSync(path.join(dir, 'huge-bytes.pdf'), padded);
    fs.writeFileSync(path.join(dir, 'notes.txt'), Buffer.from([0, 1, 2, 3, 0]));
    dbFile = path.join(tmp, 'mixed.db');
    resultsFile = path.join(tmp, 'mixed.json');
    run = await capture(() => runIngest([dir, '--db', dbFile, '--jobs', '2', '--timeout', '8', '--max-file-size', '20', '--results', resultsFile]));
  }, 120_000);

  it('exits 1 with every good file stored ok', () => {
    expect(run.code, run.err).toBe(1);
    const docs = withDb(dbFile, (db) => db.prepare("SELECT file_name, status, n_tables FROM documents WHERE status <> 'failed' ORDER BY file_name").all()) as
      { file_name: string; status: string; n_tables: number }[];
    // The ruled sample is also under copies/, found first: stored once, under that name.
    expect(docs.map((d) => d.file_name).sort(), run.err).toEqual([UNRULED, '另一个名字.pdf', DUMP].sort());
    for (const d of docs) {
      expect(d.status).toBe('ok');
      expect(d.n_tables).toBeGreaterThan(0);
    }
  });

  it('keeps every bad file in the ledger (and documents) as failed with a clear reason', () => {
    const rows = withDb(dbFile, (db) => db.prepare(`SELECT p.path, f.status, f.error, d.status AS doc_status FROM ledger_paths p
      JOIN ledger_files f ON f.sha256 = p.sha256 LEFT JOIN documents d ON d.sha256 = f.sha256`).all()) as
      { path: string; status: string; error: string | null; doc_status: string }[];
    for (const [name, reason] of Object.entries(BAD_REASONS)) {
      const r = rows.find((x) => path.basename(x.path) === name);
      expect(r, name).toBeDefined();
      expect(r!.status, name).toBe('failed');
      expect(r!.doc_status, name).toBe('failed');
      expect(r!.error, name).toMatch(reason);
    }
    const failedLines = run.err.split('\n').filter((l) => l.startsWith('failed'));
    expect(failedLines).toHaveLength(Object.keys(BAD_REASONS).length);
  });

  it('stores the same bytes under two names once, with both paths kept', () => {
    const { docs, paths } = withDb(dbFile, (db) => ({
      docs: db.prepare('SELECT count(*) FROM documents WHERE file_name IN (?, ?)').pluck().get(RULED, '另一个名字.pdf'),
      paths: (db.prepare('SELECT path FROM document_paths WHERE document_id = (SELECT id FROM documents WHERE file_name IN (?, ?))').pluck().all(RULED, '另一个名字.pdf') as string[])
        .map((p) => path.relative(dir, p)).sort(),
    }));
    expect(docs).toBe(1);
    expect(paths).toEqual([RULED, path.join('copies', '另一个名字.pdf')].sort());
    const dup = results(resultsFile).files.find((f) => f.path.endsWith(RULED))!;
    expect(dup).toMatchObject({ action: 'skipped' });
    expect(dup.reason).toMatch(/^same content as /);
  });

  it('writes run_results.json and a summary', () => {
    const r = results(resultsFile);
    expect(r.exitCode).toBe(1);
    expect(r.counts).toMatchObject({ files: 12, processed: 11, ok: 3, failed: 8, skipped: 1, duplicates: 1 });
    expect(run.out).toMatch(/documents: 3 ok, 0 partial, 8 failed, 1 skipped, 1 duplicate path$/m);
    expect(run.out).toMatch(/pages\/s/);
  });

  it('skips everything on a rerun, exiting 1 while files stand failed; --dry-run --retry lists the failed files on stdout; status shows them', async () => {
    const before = fs.readFileSync(resultsFile, 'utf8');
    const again = await capture(() => runIngest([dir, '--db', dbFile, '--jobs', '2', '--results', resultsFile]));
    expect(again.code, again.err).toBe(1);
    expect(again.out).toMatch(/documents: 0 ok, 0 partial, 0 failed, 12 skipped/);
    expect(again.out).toMatch(/^8 files failed in an earlier run and still stand failed \(--retry to try again\)$/m);
    // The results of the run that did the work are kept.
    expect(fs.readFileSync(resultsFile, 'utf8')).toBe(before);
    expect(again.out).toContain(`results: ${resultsFile} left as it was (this run processed no file)`);

    const dry = await capture(() => runIngest([dir, '--db', dbFile, '--retry', '--dry-run', '--results', resultsFile]));
    expect(dry.code).toBe(0);
    const would = dry.out.split('\n').filter((l) => l.startsWith('would process')).map((l) => path.basename(l.split(/\s+/)[2]));
    expect(would.sort()).toEqual(Object.keys(BAD_REASONS).sort());

    const status = await capture(() => runStatus(['--db', dbFile]));
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/ledger: 11 files \(3 ok, 0 partial, 8 failed, 0 running, 0 pending\)/);
    expect(status.out).toMatch(/huge-pages\.pdf {2}timed out/);
    expect(status.out).toMatch(/slowest:/);
  }, 60_000);

  it('retries only the failed files with --retry', async () => {
    const dbCopy = path.join(tmp, 'retry.db');
    fs.copyFileSync(dbFile, dbCopy);
    // Take the slow files out so the retry is quick; what is left failed before.
    const only = ['corrupt.pdf', 'empty.pdf', RULED].map((f) => path.join(dir, f));
    const r = await capture(() => runIngest([...only, '--db', dbCopy, '--jobs', '1', '--retry', '--results', resultsFile]));
    expect(r.code).toBe(1);
    const files = results(resultsFile).files;
    expect(files.filter((f) => f.action === 'processed').map((f) => path.basename(f.path)).sort()).toEqual(['corrupt.pdf', 'empty.pdf']);
    const attempts = withDb(dbCopy, (db) => db.prepare("SELECT attempts FROM ledger_files WHERE status = 'failed' AND error LIKE 'empty%'").pluck().get());
    expect(attempts).toBe(2);
  }, 60_000);
});

describe('a database written before the ledger existed', () => {
  it('gets its documents into the ledger by migration 002, so a rerun skips them', async () => {
    const dbFile = path.join(tmp, 'old.db');
    const only001 = path.join(tmp, 'migrations-001');
    fs.mkdirSync(only001, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'db/001_init.sql'), path.join(only001, '001_init.sql'));
    const old = openDb(dbFile, { migrationsDir: only001 });
    old.close();
    const file = path.join(SAMPLES, DUMP);
    const first = await capture(() => runIngest([file, '--db', dbFile, '--jobs', '0', '--results', path.join(tmp, 'old.json')]));
    expect(first.code).toBe(0);
    // Pretend the ledger never saw it: drop its rows, then replay migration 002's backfill.
    withDb(dbFile, (db) => {
      db.exec('DELETE FROM ledger_paths; DELETE FROM ledger_files;');
      db.exec(fs.readFileSync(path.join(ROOT, 'db/002_ledger.sql'), 'utf8').split('-- Documents stored before the ledger')[1].replace(/^.*\n/, ''));
    });
    const again = await capture(() => runIngest([file, '--db', dbFile, '--jobs', '0', '--results', path.join(tmp, 'old.json')]));
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/^skipped .* already stored$/m);
    expect(withDb(dbFile, (db) => db.prepare("SELECT status FROM ledger_files").pluck().all())).toEqual(['ok']);
  });
});

describe('ledger recovery', () => {
  it('takes up files a killed run left running, and gives up on one that stopped the importer 3 times', async () => {
    const sql = await openStore(':memory:');
    try {
      const dead = await ledger.beginRun(sql, { pipelineVersion: 'test', jobs: 1, argv: [] });
      await sql.run('UPDATE ledger_runs SET pid = ? WHERE id = ?', [2 ** 22 + 12345, dead]); // no such process
      for (const [sha, attempts] of [['a', 1], ['b', 3]] as const) {
        await ledger.seePath(sql, { path: `/x/${sha}.pdf`, sha256: sha.repeat(64), size: 1, mtimeMs: 0 });
        for (let i = 0; i < attempts; i++) await ledger.markRunning(sql, sha.repeat(64), dead, 'test');
      }
      expect(await ledger.liveRuns(sql)).toEqual([]);
      expect(await ledger.recoverInterrupted(sql)).toEqual({ interrupted: 2, givenUp: 1 });
      expect(await ledger.getFile(sql, 'a'.repeat(64))).toMatchObject({ status: 'running', attempts: 1 });
      expect(await ledger.getFile(sql, 'b'.repeat(64))).toMatchObject({ status: 'failed', attempts: 3 });
      expect((await ledger.getFile(sql, 'b'.repeat(64)))!.error).toMatch(/stopped 3 times .*--retry/);
    } finally {
      await sql.close();
    }
  });
});

describe('ingest usage errors', () => {
  it('exits 2 on bad options', async () => {
    for (const argv of [['x', '--jobs', 'two'], ['x', '--timeout', '-1'], ['x', '--log-format', 'xml'], ['x', '--max-memory', '8'], [path.join(tmp, 'nothing-here')]]) {
      const r = await capture(() => runIngest(argv));
      expect(r.code, argv.join(' ')).toBe(2);
    }
    const s = await capture(() => runStatus(['--db', path.join(tmp, 'missing.db')]));
    expect(s.code).toBe(2);
  });
});
