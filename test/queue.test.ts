// The pg-boss queue over a PostgreSQL store (src/queue/). A job's retry and fail path with a small
// fixture and a runner that fails on purpose; then the real corpus enqueued and processed by three
// `yusuan work` processes, one killed with SIGKILL in the middle of a document and another started:
// every document stored exactly once, whole, with the line items of a SQLite ingest of the same
// files. Skipped with a reason when there is no PostgreSQL (test/support/postgres.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineRunner } from '../src/ingest/inline.js';
import type { Runner, Task, TaskOutcome } from '../src/ingest/runner.js';
import { enqueueFiles } from '../src/queue/enqueue.js';
import { DEFAULT_JOB_SETTINGS, openQueue, QUEUE } from '../src/queue/jobs.js';
import { workerThroughput } from '../src/queue/status.js';
import { runWorker, type WorkEvent } from '../src/queue/work.js';
import * as ledger from '../src/store/ledger.js';
import { openStore } from '../src/store/open.js';
import type { Sql } from '../src/store/sql.js';
import { postgresUnavailable, testPostgres } from './support/postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REAL = path.resolve(ROOT, '../shared/corpus/real');
const HAVE_CORPUS = fs.existsSync(REAL);
const TSX = createRequire(import.meta.url).resolve('tsx');
const FIXTURE = path.join(ROOT, 'samples/达州信息中心2024年部门预算-样例.pdf');

const skipReason = postgresUnavailable();

/** A runner that fails the first `failures` attempts, then processes on this thread. */
class FlakyRunner implements Runner {
  readonly replaced = 0;
  readonly recycled = 0;
  attempts = 0;
  private readonly inline = new InlineRunner();
  constructor(private readonly failures: number) {}
  async run(task: Task): Promise<TaskOutcome> {
    if (this.attempts++ < this.failures) return { kind: 'failed', reason: `the worker died while processing it (attempt ${this.attempts})`, elapsedMs: 1 };
    return this.inline.run(task);
  }
  close(): Promise<void> {
    return this.inline.close();
  }
}

describe.skipIf(skipReason !== null)(`queue: job, retry, fail${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let sql: Sql;
  let boss: PgBoss;
  const work = async (runner: Runner) => {
    const events: WorkEvent[] = [];
    const summary = await runWorker({
      sql, boss, runner, jobs: 1, ocr: 'off', ocrJobs: 1, timeoutMs: 0, maxFileSizeBytes: 1 << 30, exitWhenIdle: true,
      signal: new AbortController().signal, onEvent: (e) => events.push(e), argv: [], pollMs: 200,
    });
    return { events, summary };
  };
  const settings = { ...DEFAULT_JOB_SETTINGS, retryLimit: 1, retryDelay: 1 };

  beforeAll(async () => {
    const url = await testPostgres();
    sql = await openStore(url);
    boss = await openQueue(url);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await sql?.close();
  });

  it('queues the same file once, however often it is enqueued', async () => {
    const first = await enqueueFiles(sql, boss, [FIXTURE], { force: false, retry: false, dryRun: false, settings });
    const again = await enqueueFiles(sql, boss, [FIXTURE], { force: false, retry: false, dryRun: false, settings });
    expect(first.counts.queued).toBe(1);
    expect(again.counts['already-queued']).toBe(1);
    expect(await boss.getQueueSize(QUEUE)).toBe(1);
    expect((await ledger.getFile(sql, first.files[0].sha256!))?.status).toBe('pending');
  });

  it('after the last retry, stores the document as failed with the reason in the ledger', async () => {
    const runner = new FlakyRunner(Infinity);
    const { events, summary } = await work(runner);
    expect(runner.attempts).toBe(2); // the first attempt and one retry
    expect(events.filter((e) => e.event === 'retry')).toHaveLength(1);
    const sha256 = (events.find((e) => e.event === 'start') as { sha256: string }).sha256;
    const f = await ledger.getFile(sql, sha256);
    expect(f?.status).toBe('failed');
    expect(f?.error).toMatch(/the worker died while processing it \(attempt 2\) \(after 2 attempts\)/);
    expect(f?.attempts).toBe(2);
    expect(await sql.pluck('SELECT status FROM documents WHERE sha256 = ?', [sha256])).toEqual(['failed']);
    expect(summary).toMatchObject({ documents: 1, failed: 1, retried: 1 });
    const [w] = await workerThroughput(sql, 5);
    expect(w).toMatchObject({ worker: summary.worker, documents: 1, failed: 1 });
  });

  it('a failed file enqueued again with --retry is processed, and a retry after one failure succeeds', async () => {
    const again = await enqueueFiles(sql, boss, [FIXTURE], { force: false, retry: false, dryRun: false, settings });
    expect(again.counts.skipped).toBe(1); // failed before, no --retry
    const retried = await enqueueFiles(sql, boss, [FIXTURE], { force: false, retry: true, dryRun: false, settings });
    expect(retried.counts.queued).toBe(1);
    const runner = new FlakyRunner(1);
    const { events } = await work(runner);
    expect(events.map((e) => e.event).filter((e) => e !== 'warning')).toEqual(['start', 'retry', 'start', 'done', 'summary']);
    const sha256 = retried.files[0].sha256!;
    expect((await ledger.getFile(sql, sha256))?.status).toBe('ok');
    const items = await sql.pluck<number>('SELECT count(*) FROM line_items i JOIN documents d ON d.id = i.document_id WHERE d.sha256 = ?', [sha256]);
    expect(items[0]).toBeGreaterThan(0);
    expect(await sql.pluck('SELECT count(*) FROM documents')).toEqual([1]);
  });
});

// ---- the corpus, three worker processes, one killed ----

interface Event { event: string; sha256?: string; worker?: string; action?: string }

/** Every process started here, stopped at the end if still running (a timed-out setup). */
const children: ChildProcess[] = [];

/** A `yusuan` command from the sources, its stdout read as JSON lines. */
function yusuan(args: string[], onEvent?: (e: Event, child: ChildProcess) => void): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; events: Event[]; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const events: Event[] = [];
  let buf = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => void (stderr += c.toString()));
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as Event;
      events.push(e);
      onEvent?.(e, child);
    }
  });
  const done = new Promise<{ code: number | null; signal: string | null; events: Event[]; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, events, stderr }));
  });
  return { child, done };
}

/** Line items as (document sha256, table index, row, column, amount), sorted in JS (one order for both engines). */
async function lineItems(sql: Sql): Promise<string[]> {
  const { rows } = await sql.rows(`SELECT d.sha256, t.table_index, i.row_index, i.column_key, i.amount_fen
    FROM line_items i JOIN doc_tables t ON t.id = i.table_id JOIN documents d ON d.id = i.document_id`);
  return rows.map((r) => JSON.stringify(r)).sort();
}

describe.skipIf(skipReason !== null || !HAVE_CORPUS)(`queue: the corpus, three workers, one killed mid-document${skipReason ? ` (skipped: ${skipReason})` : !HAVE_CORPUS ? ' (skipped: no ../shared/corpus)' : ''}`, () => {
  let url: string;
  let tmp: string;
  let pdfs: number;
  let enqueued: Event[];
  let enqueuedAgain: Event[];
  let killed: Awaited<ReturnType<typeof yusuan>['done']>;
  let survivors: Awaited<ReturnType<typeof yusuan>['done']>[];
  let ingest: Awaited<ReturnType<typeof yusuan>['done']>;
  let dbFile: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-queue-'));
    url = await testPostgres();
    pdfs = fs.readFileSync(path.join(REAL, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim()).length - 1;
    // Short expiry so the killed worker's job is taken up within the test; the time limit below it.
    const enqueue = ['enqueue', REAL, '--store', url, '--expire', '20', '--retry-delay', '1', '--format', 'jsonl'];
    enqueued = (await yusuan(enqueue).done).events;
    enqueuedAgain = (await yusuan(enqueue).done).events;
    const work = ['work', '--store', url, '--jobs', '1', '--exit-when-idle', '--timeout', '15', '--format', 'jsonl'];
    let victim: ReturnType<typeof yusuan> | null = null;
    const started = new Set<string>();
    victim = yusuan(work, (e, child) => {
      // Killed as soon as it has a document: the pipeline has the file, nothing is stored yet.
      if (e.event === 'start' && started.size === 0) {
        started.add(e.sha256!);
        child.kill('SIGKILL');
      }
    });
    const others = [yusuan(work), yusuan(work)];
    killed = await victim.done;
    others.push(yusuan(work));
    // The SQLite ingest of the same files, for the comparison, while the workers wait for the killed
    // worker's job to expire.
    dbFile = path.join(tmp, 'local.db');
    const sqliteIngest = yusuan(['ingest', REAL, '--db', dbFile, '--jobs', '1', '--format', 'jsonl']);
    survivors = await Promise.all(others.map((o) => o.done));
    ingest = await sqliteIngest.done;
    // About 1.5 minutes on an idle 2-core machine (most of it the killed job's expiry); far more
    // when the machine is shared with other test files.
  }, 420_000);

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('queued every file once, however often enqueued', () => {
    expect(enqueued.filter((e) => e.action === 'queued')).toHaveLength(pdfs);
    expect(enqueuedAgain.filter((e) => e.action === 'already-queued')).toHaveLength(pdfs);
  });

  it('killed one worker in the middle of a document, and the others took its job up', async () => {
    expect(killed.signal).toBe('SIGKILL');
    const start = killed.events.find((e) => e.event === 'start')!;
    expect(killed.events.some((e) => e.event === 'done' && e.sha256 === start.sha256)).toBe(false);
    for (const s of survivors) expect({ code: s.code, stderr: s.code === 0 ? '' : s.stderr }).toEqual({ code: 0, stderr: '' });
    const redone = survivors.flatMap((s) => s.events).filter((e) => e.event === 'done' && e.sha256 === start.sha256);
    expect(redone).toHaveLength(1);
    const sql = await openStore(url);
    try {
      expect((await ledger.getFile(sql, start.sha256!))?.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await sql.close();
    }
  });

  it('stored every document exactly once, whole, with the line items of a SQLite ingest', async () => {
    expect(ingest.code).toBe(0);
    const [pgStore, sqlite] = [await openStore(url), await openStore(dbFile)];
    try {
      const docs = await pgStore.all<{ sha256: string; status: string; n_tables: number; n_items: number; tables: number; items: number }>(
        `SELECT d.sha256, d.status, d.n_tables, d.n_items, (SELECT count(*) FROM doc_tables t WHERE t.document_id = d.id) AS tables,
           (SELECT count(*) FROM line_items i WHERE i.document_id = d.id) AS items FROM documents d`);
      expect(docs).toHaveLength(pdfs);
      expect(new Set(docs.map((d) => d.sha256)).size).toBe(pdfs);
      for (const d of docs) {
        expect(d.status, d.sha256).not.toBe('failed');
        expect({ tables: d.tables, items: d.items }, d.sha256).toEqual({ tables: d.n_tables, items: d.n_items });
      }
      const [fromPg, fromSqlite] = [await lineItems(pgStore), await lineItems(sqlite)];
      expect(fromPg.length).toBeGreaterThan(0);
      expect(fromPg).toEqual(fromSqlite);
      const byStatus = await pgStore.all<{ status: string; n: number }>('SELECT status, count(*) AS n FROM ledger_files GROUP BY status');
      expect(byStatus.filter((r) => r.status !== 'ok' && r.status !== 'partial')).toEqual([]);
      // Every finished document names the worker that finished it.
      const workers = await workerThroughput(pgStore, 10);
      expect(workers.reduce((n, w) => n + w.documents, 0)).toBe(pdfs);
    } finally {
      await pgStore.close();
      await sqlite.close();
    }
  });
});
