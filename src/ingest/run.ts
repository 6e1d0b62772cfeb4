// A bulk ingest run in three parts: plan (src/ingest/plan.ts: hash each file, record its paths in
// the ledger, decide once whether to process it), run (here: the files to process through a Runner,
// the worker pool or --jobs 0's inline one, each result stored by the one writer) and summarize
// (src/ingest/summary.ts: counts from the typed outcomes). The caller owns the process: it passes
// an AbortSignal for "start no new file" and turns the summary into an exit code.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { failedDocument } from '../document.js';
import { errorMessage } from '../errors.js';
import { PIPELINE_VERSION } from '../version.js';
import type { Sql } from '../store/sql.js';
import * as ledger from '../store/ledger.js';
import { planRun, type PlannedFile } from './plan.js';
import { PoolStartError, WorkerPool, type PoolOptions } from './pool.js';
import type { OcrEngineName, OcrMode } from '../extract/ocr/index.js';
import type { Reporter } from './report.js';
import type { Runner, TaskOutcome } from './runner.js';
import { files, summarize, type FileOutcome, type RunSummary } from './summary.js';
import { makeWriter } from './writer.js';

export type { FileOutcome, RunSummary } from './summary.js';

export interface RunOptions {
  /** The store written to (and read from, to plan). */
  sql: Sql;
  /** Files as they will be shown and stored in documents.path (see collectFiles). */
  files: string[];
  /** Worker threads; 0 runs everything on this thread (no timeout or memory bound; for debugging). */
  jobs: number;
  force: boolean;
  retry: boolean;
  dryRun: boolean;
  ocr: OcrMode;
  ocrEngine?: OcrEngineName;
  /** OCR workers per pool worker (with jobs 0: in all). */
  ocrJobs: number;
  /** Per file, 0 for none. */
  timeoutMs: number;
  /** Heap limit per worker, MB. */
  maxMemoryMb: number;
  /** Larger files are marked failed without being parsed. */
  maxFileSizeBytes: number;
  reporter: Reporter;
  /** Where to write the run's results (JSON); null for nowhere. */
  resultsFile: string | null;
  /** The command line, recorded in ledger_runs. */
  argv: string[];
  /** Once aborted, no new file is started (nor hashed); the files in progress finish and are stored. */
  signal?: AbortSignal;
  /** For tests: how workers are made. */
  spawn?: PoolOptions['spawn'];
}

/** The run could not go on (workers cannot start, another run holds the database). Exit code 2. */
export class RunError extends Error {
  override name = 'RunError';
}

/** Files read ahead per worker, so a worker finishing a file finds the next one's bytes ready. */
const READ_AHEAD = 2;

export async function runBulk(o: RunOptions): Promise<RunSummary> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { runId, resumed } = await beginRun(o);
  o.reporter.start({ total: o.files.length, jobs: o.jobs, runId, dryRun: o.dryRun });

  const plan = await planRun(o.sql, o.files, { ...o, onProgress: (done, total) => o.reporter.planning(done, total) });
  o.reporter.planned();
  const outcomes = new Outcomes(o.files, o.reporter);
  const toProcess: Extract<PlannedFile, { kind: 'file' }>[] = [];
  for (const f of plan.files) {
    if (f.kind === 'file' && f.decision.process && !o.dryRun) toProcess.push(f);
    else outcomes.add(plannedOutcome(f));
  }
  const stats = await processFiles(o, toProcess, runId, (out) => outcomes.add(out));
  if (stats.fatal) {
    if (runId !== null) await ledger.finishRun(o.sql, runId, { error: stats.fatal }, 2);
    throw new RunError(stats.fatal);
  }
  const summary = summarize(outcomes.all(), {
    runId,
    dryRun: o.dryRun,
    interrupted: o.signal?.aborted ?? false,
    jobs: o.jobs,
    startedAt,
    elapsedMs: performance.now() - t0,
    resumed,
    mainThreadMs: { hash: plan.hashMs, store: stats.storeMs },
    workers: stats.workers,
    resultsFile: o.dryRun ? null : o.resultsFile,
  });
  if (runId !== null) await ledger.finishRun(o.sql, runId, { interrupted: summary.interrupted, ...summary.counts }, summary.exitCode);
  summary.resultsWritten = await writeResults(summary, outcomes.all());
  o.reporter.finish(summary);
  return summary;
}

/** What became of each file, reported as it comes. */
class Outcomes {
  private readonly list: FileOutcome[] = [];
  constructor(private readonly files: string[], private readonly reporter: Reporter) {}

  add(out: FileOutcome): void {
    this.list.push(out);
    if (out.action !== 'not-started') this.reporter.file(out); // counted in the summary, not listed one by one
  }

  /** One per input file, in input order; files planning did not reach (it was stopped) are not started. */
  all(): FileOutcome[] {
    const reached = new Set(this.list.map((x) => x.path));
    for (const path of this.files) if (!reached.has(path)) this.list.push(notStarted({ path, sha256: null, size: null }, 'the run was interrupted'));
    const order = new Map(this.files.map((f, i) => [f, i]));
    return this.list.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
  }
}

/** Refuse a database another live run writes to; take up files a killed run left running. */
async function beginRun(o: RunOptions): Promise<{ runId: number | null; resumed: number }> {
  if (o.dryRun) return { runId: null, resumed: 0 };
  const live = await ledger.liveRuns(o.sql);
  if (live.length > 0) throw new RunError(`another ingest (pid ${live[0].pid}, run ${live[0].id}) is writing to this database`);
  const recovered = await ledger.recoverInterrupted(o.sql);
  if (recovered.interrupted > 0) {
    o.reporter.note(`${files(recovered.interrupted)} left unfinished by a run that stopped ${recovered.interrupted === 1 ? 'is' : 'are'} taken up again`
      + (recovered.givenUp ? ` (${recovered.givenUp} given up after ${ledger.MAX_INTERRUPTED_ATTEMPTS} attempts)` : ''));
  }
  const runId = await ledger.beginRun(o.sql, { pipelineVersion: PIPELINE_VERSION, jobs: o.jobs, argv: o.argv });
  return { runId, resumed: recovered.interrupted };
}

const MB = 1024 * 1024;

/** Megabytes with the digits that matter: 1024, 24.1, 0.13, 0.0098. */
export function fmtMb(bytes: number, extraDigits = 0): string {
  const mb = bytes / MB;
  const digits = mb >= 100 ? 0 : mb >= 1 ? 1 : Math.max(1, 1 - Math.floor(Math.log10(mb || 1)));
  return String(Number(mb.toFixed(Math.min(digits + extraDigits, 9))));
}

/** The reason of a file over --max-file-size, its size told apart from the limit. */
export function tooLargeReason(size: number, limit: number): string {
  let extra = 0;
  while (extra < 6 && fmtMb(size, extra) === fmtMb(limit, extra)) extra++;
  return `file too large: ${fmtMb(size, extra)} MB, over the limit of ${fmtMb(limit, extra)} MB (--max-file-size)`;
}

function plannedOutcome(f: PlannedFile): FileOutcome {
  const base = { path: f.path, status: null, error: null, pages: 0, tables: 0, items: 0, elapsedMs: 0, attempts: 0 };
  if (f.kind === 'unreadable') return { ...base, sha256: null, size: null, action: 'unreadable', why: 'unreadable', reason: 'unreadable', status: 'failed', error: f.error };
  const d = f.decision;
  if (d.process) return { ...base, sha256: f.sha256, size: f.size, action: 'would-process', why: d.why, reason: d.reason };
  return { ...base, sha256: f.sha256, size: f.size, action: 'skipped', why: d.why, reason: d.reason, status: f.status, error: f.error, pages: f.pages };
}

function notStarted(f: { path: string; sha256: string | null; size: number | null }, why: string): FileOutcome {
  return { ...f, action: 'not-started', why: 'not-started', reason: `not started: ${why}`, status: null, error: null, pages: 0, tables: 0, items: 0, elapsedMs: 0, attempts: 0 };
}

interface RunStats {
  storeMs: number;
  workers: { replaced: number; recycled: number };
  /** Why the run could not go on (workers cannot start). */
  fatal: string | null;
}

/** Run: each file through the runner, its result stored as it comes; `finish` gets each outcome. */
async function processFiles(o: RunOptions, todo: Extract<PlannedFile, { kind: 'file' }>[], runId: number | null, finish: (out: FileOutcome) => void): Promise<RunStats> {
  if (todo.length === 0 || runId === null) return { storeMs: 0, workers: { replaced: 0, recycled: 0 }, fatal: null };
  const { sql } = o;
  const stop = new AbortController(); // the caller's signal, or the runner failing
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let fatal: string | null = null;
  let runner: Runner;
  try {
    runner = await makeRunner(o, todo.length);
  } catch (e) {
    if (e instanceof PoolStartError) return { storeMs: 0, workers: { replaced: 0, recycled: 0 }, fatal: e.message };
    throw e;
  }
  const writer = makeWriter(sql);

  const one = async (f: Extract<PlannedFile, { kind: 'file' }>): Promise<FileOutcome> => {
    const id = { path: f.path, sha256: f.sha256, size: f.size };
    if (signal.aborted) return notStarted(id, fatal ?? 'the run was interrupted');
    // Marked running when the runner takes the file up (onStart, called synchronously); awaited
    // before its result is stored, so the ledger sees running, then finished.
    let marked: Promise<void> | null = null;
    const started = () => {
      marked = ledger.markRunning(sql, f.sha256, runId, PIPELINE_VERSION);
      marked.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    };
    let outcome: TaskOutcome;
    if (f.size > o.maxFileSizeBytes) {
      started();
      outcome = { kind: 'failed', reason: tooLargeReason(f.size, o.maxFileSizeBytes), elapsedMs: 0 };
    } else {
      let data: Uint8Array;
      try {
        data = await readFile(f.abs);
      } catch (e) {
        const error = `could not read the file: ${errorMessage(e)}`;
        await ledger.pathError(sql, f.abs, error);
        return { ...id, action: 'unreadable', why: 'unreadable', reason: 'unreadable', status: 'failed', error, pages: 0, tables: 0, items: 0, elapsedMs: 0, attempts: 0 };
      }
      try {
        outcome = await runner.run({ path: f.path, data, ocr: o.ocr, ocrEngine: o.ocrEngine, ocrJobs: o.ocrJobs, onStart: started, signal });
      } catch (e) {
        if (!(e instanceof PoolStartError)) throw e;
        fatal ??= e.message;
        stop.abort();
        return notStarted(id, fatal);
      }
    }
    if (outcome.kind === 'not-started') return notStarted(id, fatal ?? 'the run was interrupted');
    await marked;
    let result = outcome.kind === 'result' ? outcome.result : failedDocument(f, outcome.reason);
    // The file was hashed when planned and read again now: it changed in between.
    if (result.sha256 !== f.sha256) result = failedDocument(f, 'the file changed during the run (its content no longer matches its hash); run again to read it');
    result = await writer.store(result, outcome.elapsedMs);
    return {
      ...id,
      action: 'processed',
      why: f.decision.why,
      reason: f.decision.reason,
      status: result.status,
      error: result.error,
      pages: result.pages,
      tables: result.tables.length,
      items: result.tables.reduce((n, t) => n + t.items.length, 0),
      elapsedMs: outcome.elapsedMs,
      attempts: (await ledger.getFile(sql, f.sha256))?.attempts ?? 1,
    };
  };

  try {
    await eachLimit(todo, Math.max(1, o.jobs) * READ_AHEAD, async (f) => finish(await one(f)));
  } finally {
    await runner.close();
  }
  return { storeMs: writer.ms, workers: { replaced: runner.replaced, recycled: runner.recycled }, fatal };
}

async function makeRunner(o: RunOptions, files: number): Promise<Runner> {
  // Imported only here: the pipeline (pdfjs, OCR) loads in the workers, not on the main thread, with a pool.
  if (o.jobs === 0) return new (await import('./inline.js')).InlineRunner();
  const pool = new WorkerPool({ size: Math.min(o.jobs, files), timeoutMs: o.timeoutMs, maxMemoryMb: o.maxMemoryMb, spawn: o.spawn });
  try {
    await pool.ready();
  } catch (e) {
    await pool.close();
    throw e;
  }
  return pool;
}

/** Run `f` on every item, at most `limit` at a time, in order of start. */
async function eachLimit<T>(items: T[], limit: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await f(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * The results file: the summary and one entry per file. A run that processed nothing leaves an
 * existing one as it is (it holds the results of the run that did the work).
 */
async function writeResults(s: RunSummary, outcomes: FileOutcome[]): Promise<boolean> {
  if (!s.resultsFile) return false;
  if (s.counts.processed === 0 && existsSync(s.resultsFile)) return false;
  await writeFile(s.resultsFile, JSON.stringify({ ...s, resultsWritten: true, files: outcomes }, null, 1) + '\n');
  return true;
}
