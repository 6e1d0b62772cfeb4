// A bulk ingest run: hash each file, consult the ledger, send what needs doing to the worker pool
// (scheduled with p-queue), and store each result on this thread, the only writer: the document and
// its ledger entry in one transaction, so a run killed at any moment leaves every file either stored
// whole or not at all, and the next run picks up where this one stopped.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import PQueue from 'p-queue';
import { OcrPool } from '../extract/ocr/index.js';
import { processFile } from '../pipeline.js';
import { errorMessage } from '../errors.js';
import { PIPELINE_VERSION } from '../version.js';
import type { Db } from '../store/db.js';
import { hasDocument, writeDocument } from '../store/write.js';
import * as ledger from '../store/ledger.js';
import type { DocStatus, DocumentResult } from '../types.js';
import { PoolStartError, WorkerPool, type PoolOptions, type TaskOutcome } from './pool.js';
import type { OcrMode } from './protocol.js';
import type { Reporter } from './report.js';

export interface RunOptions {
  db: Db;
  /** Files as they will be shown and stored in documents.path (see collectFiles). */
  files: string[];
  /** Worker threads; 0 runs everything on this thread (no timeout or memory bound; for debugging). */
  jobs: number;
  force: boolean;
  retry: boolean;
  dryRun: boolean;
  ocr: OcrMode;
  /** Tesseract workers per pool worker (with jobs 0: in all). */
  ocrJobs: number;
  /** Per file, 0 for none. */
  timeoutMs: number;
  /** Heap limit per worker, MB. */
  maxMemoryMb: number;
  /** Larger files are marked failed without being parsed. */
  maxFileSizeBytes: number;
  reporter: Reporter;
  /** Where to write run_results.json; null for nowhere. */
  resultsFile: string | null;
  /** The command line, recorded in ledger_runs. */
  argv: string[];
  /** For tests: how workers are made. */
  spawn?: PoolOptions['spawn'];
}

export interface FileOutcome {
  path: string;
  sha256: string | null;
  size: number | null;
  /** processed: run through the pipeline now; skipped: done before, or a duplicate path; unreadable: no bytes. */
  action: 'processed' | 'skipped' | 'would-process' | 'unreadable';
  /** Why it was processed (new, retry, forced, interrupted, pipeline changed) or skipped. */
  reason: string;
  status: DocStatus | null;
  error: string | null;
  pages: number;
  tables: number;
  items: number;
  elapsedMs: number;
  /** How many times the file has been started, this run included. */
  attempts: number;
}

export interface RunSummary {
  runId: number | null;
  dryRun: boolean;
  pipelineVersion: string;
  node: string;
  jobs: number;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  counts: {
    files: number;
    processed: number;
    ok: number;
    partial: number;
    failed: number;
    skipped: number;
    duplicates: number;
    unreadable: number;
    wouldProcess: number;
    /** Skipped because they failed in an earlier run (--retry takes them up again). */
    failedBefore: number;
    /** Left running by a run that was killed, found at the start of this one. */
    interrupted: number;
  };
  pages: number;
  tables: number;
  items: number;
  pagesPerSec: number;
  docsPerSec: number;
  peakRssMb: number;
  /** CPU time of the whole process (all threads), seconds. */
  cpuSeconds: number;
  /** Main-thread time spent hashing files and storing results, ms (the rest of it waits on workers). */
  mainThreadMs: { hash: number; store: number };
  workersReplaced: number;
  workersRecycled: number;
  exitCode: number;
  resultsFile: string | null;
}

/** The run could not go on (workers cannot start, another run holds the database). Exit code 2. */
export class RunError extends Error {
  override name = 'RunError';
}

const MB = 1024 * 1024;

export async function runBulk(o: RunOptions): Promise<RunSummary> {
  const { db, reporter } = o;
  const startedAt = new Date();
  const t0 = performance.now();

  const live = ledger.liveRuns(db);
  if (live.length > 0 && !o.dryRun) {
    throw new RunError(`another ingest (pid ${live[0].pid}, run ${live[0].id}) is writing to this database`);
  }
  const recovered = o.dryRun ? { interrupted: 0, givenUp: 0 } : ledger.recoverInterrupted(db);
  if (recovered.interrupted > 0) {
    reporter.note(`${recovered.interrupted} files were left unfinished by a run that stopped; they are taken up again`
      + (recovered.givenUp ? ` (${recovered.givenUp} given up after ${ledger.MAX_INTERRUPTED_ATTEMPTS} attempts)` : ''));
  }
  const runId = o.dryRun ? null : ledger.beginRun(db, { pipelineVersion: PIPELINE_VERSION, jobs: o.jobs, argv: o.argv });

  const outcomes: FileOutcome[] = [];
  const firstPathOf = new Map<string, string>(); // sha256 → first path seen this run
  let pool: WorkerPool | null = null;
  let ownOcrPool: OcrPool | null = null; // --jobs 0: OCR on this thread
  let poolReady: Promise<WorkerPool> | null = null;
  let fatal: Error | null = null;
  const getPool = (): Promise<WorkerPool> => {
    poolReady ??= (async () => {
      pool = new WorkerPool({ size: Math.max(1, Math.min(o.jobs, o.files.length)), timeoutMs: o.timeoutMs, maxMemoryMb: o.maxMemoryMb, spawn: o.spawn });
      await pool.ready();
      return pool;
    })();
    return poolReady;
  };

  const queue = new PQueue({ concurrency: Math.max(1, o.jobs) * 2 }); // a file read ahead per worker
  reporter.start({ total: o.files.length, jobs: o.jobs, runId, dryRun: o.dryRun });

  const finish = (out: FileOutcome) => {
    outcomes.push(out);
    reporter.file(out);
  };

  const storeTx = db.transaction((result: DocumentResult, elapsedMs: number) => {
    writeDocument(db, result, { force: true });
    ledger.markFinished(db, result.sha256, { status: result.status, error: result.error, pages: result.pages, elapsedMs, timings: result.timings });
  });
  const mainMs = { hash: 0, store: 0 };
  const store = (result: DocumentResult, elapsedMs: number): DocumentResult => {
    const ts = performance.now();
    try {
      storeTx(result, elapsedMs);
      return result;
    } catch (e) {
      const failed = failedResult(result.path, result.sha256, `could not store: ${errorMessage(e)}`, result.pages);
      storeTx(failed, elapsedMs); // a failed document has no records that could be invalid
      return failed;
    } finally {
      mainMs.store += performance.now() - ts;
    }
  };

  const handle = async (display: string): Promise<void> => {
    const abs = resolve(display);
    const base = { path: display, sha256: null, size: null, status: null, error: null, pages: 0, tables: 0, items: 0, elapsedMs: 0, attempts: 0 };
    const unreadable = (e: unknown) => {
      const error = `could not read the file: ${errorMessage(e)}`;
      if (!o.dryRun) ledger.pathError(db, abs, error);
      finish({ ...base, action: 'unreadable', reason: 'unreadable', status: 'failed', error });
    };
    let st;
    try {
      st = await stat(abs);
    } catch (e) {
      return unreadable(e);
    }
    const size = st.size;
    const mtimeMs = st.mtimeMs;
    const tooLarge = size > o.maxFileSizeBytes;

    // A path unchanged (size, mtime) since it was hashed, whose file is done: skipped without reading it.
    const known = ledger.getPath(db, abs);
    let sha = known?.sha256 && known.size === size && known.mtime_ms === Math.trunc(mtimeMs) ? known.sha256 : null;
    let data: Uint8Array | null = null;
    if (!sha || decide(db, sha, o).process) {
      try {
        if (tooLarge) sha = await hashStream(abs);
        else {
          data = await readFile(abs);
          const th = performance.now();
          sha = createHash('sha256').update(data).digest('hex');
          mainMs.hash += performance.now() - th;
        }
      } catch (e) {
        return unreadable(e);
      }
    }
    const out = { ...base, sha256: sha, size };

    const first = firstPathOf.get(sha);
    if (first !== undefined) {
      if (!o.dryRun) ledger.seePath(db, { path: abs, sha256: sha, size, mtimeMs });
      return finish({ ...out, action: 'skipped', reason: `same content as ${first}` });
    }
    firstPathOf.set(sha, display);

    const d = decide(db, sha, o);
    if (!d.process) {
      if (!o.dryRun) ledger.seePath(db, { path: abs, sha256: sha, size, mtimeMs });
      const f = ledger.getFile(db, sha);
      return finish({ ...out, action: 'skipped', reason: d.reason, status: f?.status === 'ok' || f?.status === 'partial' || f?.status === 'failed' ? f.status : null, error: f?.error ?? null, pages: f?.pages ?? 0 });
    }
    if (o.dryRun) return finish({ ...out, action: 'would-process', reason: d.reason });
    if (fatal) return;

    ledger.seePath(db, { path: abs, sha256: sha, size, mtimeMs });
    const started = () => ledger.markRunning(db, sha, runId!, PIPELINE_VERSION);
    let outcome: TaskOutcome;
    if (tooLarge) {
      started();
      outcome = { kind: 'failed', reason: `file too large: ${(size / MB).toFixed(0)} MB, over the limit of ${(o.maxFileSizeBytes / MB).toFixed(0)} MB (--max-file-size)`, elapsedMs: 0 };
    } else if (o.jobs === 0) {
      started();
      const ti = performance.now();
      try {
        ownOcrPool ??= new OcrPool(o.ocrJobs);
        outcome = { kind: 'result', result: await processFile(display, data!, { ocr: o.ocr, ocrPool: ownOcrPool }), elapsedMs: performance.now() - ti };
      } catch (e) {
        outcome = { kind: 'failed', reason: `unexpected error: ${errorMessage(e)}`, elapsedMs: performance.now() - ti };
      }
    } else {
      try {
        const p = await getPool();
        outcome = await p.run({ path: display, data: data!, ocr: o.ocr, ocrJobs: o.ocrJobs, onStart: started });
      } catch (e) {
        if (e instanceof PoolStartError) {
          fatal ??= e;
          queue.clear();
          return;
        }
        throw e;
      }
    }
    let result = outcome.kind === 'result' ? outcome.result : failedResult(display, sha, outcome.reason);
    if (result.sha256 !== sha) result = failedResult(display, sha, 'internal error: the worker hashed other bytes than the file (please report)');
    result = store(result, outcome.elapsedMs);
    finish({
      ...out,
      action: 'processed',
      reason: d.reason,
      status: result.status,
      error: result.error,
      pages: result.pages,
      tables: result.tables.length,
      items: result.tables.reduce((n, t) => n + t.items.length, 0),
      elapsedMs: outcome.elapsedMs,
      attempts: ledger.getFile(db, sha)?.attempts ?? 1,
    });
  };

  // Ctrl-C: start nothing new, let the files in the workers finish and be stored, then summarise.
  let interruptedBySignal = false;
  const onSigint = () => {
    if (interruptedBySignal) process.exit(130); // a second Ctrl-C: stop now (stored files stay stored)
    interruptedBySignal = true;
    reporter.note('interrupted: finishing the files in progress (Ctrl-C again to stop at once)');
    queue.clear();
  };
  if (!o.dryRun) process.on('SIGINT', onSigint);

  try {
    // Not awaiting the add() promises themselves: those of files cleared from the queue never settle.
    const errors: unknown[] = [];
    for (const f of o.files) queue.add(() => handle(f)).catch((e: unknown) => void errors.push(e));
    await queue.onIdle();
    if (errors.length > 0) throw errors[0];
  } finally {
    process.off('SIGINT', onSigint);
    if (pool) await (pool as WorkerPool).close();
    if (ownOcrPool) await (ownOcrPool as OcrPool).close();
  }
  if (fatal) {
    if (runId !== null) ledger.finishRun(db, runId, { error: (fatal as Error).message }, 2);
    throw new RunError((fatal as Error).message);
  }

  const elapsedMs = performance.now() - t0;
  const processed = outcomes.filter((x) => x.action === 'processed');
  const count = (s: DocStatus) => processed.filter((x) => x.status === s).length;
  const unreadable = outcomes.filter((x) => x.action === 'unreadable').length;
  const failed = count('failed') + unreadable;
  const pages = processed.reduce((n, x) => n + x.pages, 0);
  const poolStats = pool as WorkerPool | null;
  const summary: RunSummary = {
    runId,
    dryRun: o.dryRun,
    pipelineVersion: PIPELINE_VERSION,
    node: process.version,
    jobs: o.jobs,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    elapsedMs: Math.round(elapsedMs),
    counts: {
      files: o.files.length,
      processed: processed.length,
      ok: count('ok'),
      partial: count('partial'),
      failed,
      skipped: outcomes.filter((x) => x.action === 'skipped').length,
      duplicates: outcomes.filter((x) => x.action === 'skipped' && x.reason.startsWith('same content as')).length,
      unreadable,
      wouldProcess: outcomes.filter((x) => x.action === 'would-process').length,
      failedBefore: outcomes.filter((x) => x.action === 'skipped' && x.reason.startsWith('failed before')).length,
      interrupted: recovered.interrupted,
    },
    pages,
    tables: processed.reduce((n, x) => n + x.tables, 0),
    items: processed.reduce((n, x) => n + x.items, 0),
    pagesPerSec: elapsedMs > 0 ? (pages * 1000) / elapsedMs : 0,
    docsPerSec: elapsedMs > 0 ? (processed.length * 1000) / elapsedMs : 0,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cpuSeconds: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e4) / 100,
    mainThreadMs: { hash: Math.round(mainMs.hash), store: Math.round(mainMs.store) },
    workersReplaced: poolStats?.replaced ?? 0,
    workersRecycled: poolStats?.recycled ?? 0,
    exitCode: interruptedBySignal ? 130 : failed > 0 ? 1 : 0,
    resultsFile: o.dryRun ? null : o.resultsFile,
  };
  if (runId !== null) ledger.finishRun(db, runId, summary.counts, summary.exitCode);
  if (summary.resultsFile) {
    const order = new Map(o.files.map((f, i) => [f, i]));
    outcomes.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
    await writeFile(summary.resultsFile, JSON.stringify({ ...summary, files: outcomes }, null, 1) + '\n');
  }
  reporter.finish(summary);
  return summary;
}

/** Whether a file (by content) needs processing in this run, and why. */
export function decide(db: Db, sha256: string, o: { force: boolean; retry: boolean }): { process: boolean; reason: string } {
  const f = ledger.getFile(db, sha256);
  if (o.force) return { process: true, reason: 'forced' };
  if (!f || f.status === 'pending') {
    // Stored by an ingest before the ledger had it (or its ledger row was removed).
    if (hasDocument(db, sha256, PIPELINE_VERSION)) return { process: false, reason: 'already stored' };
    return { process: true, reason: 'new' };
  }
  if (f.status === 'running') return { process: true, reason: 'interrupted' };
  if (f.pipeline_version !== PIPELINE_VERSION) return { process: true, reason: `pipeline changed (${f.pipeline_version ?? '?'} → ${PIPELINE_VERSION})` };
  if (!hasDocument(db, sha256, PIPELINE_VERSION)) return { process: true, reason: 'missing from documents' };
  if (f.status === 'failed') {
    return o.retry ? { process: true, reason: 'retry' } : { process: false, reason: `failed before: ${f.error} (--retry to try again)` };
  }
  return { process: false, reason: 'already stored' };
}

async function hashStream(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function failedResult(file: string, sha256: string, error: string, pages = 0): DocumentResult {
  return {
    sha256,
    path: file,
    fileName: basename(file),
    pages,
    phase: null,
    year: null,
    department: null,
    status: 'failed',
    error,
    tables: [],
    findings: [],
    narrative: [],
    timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
  };
}

