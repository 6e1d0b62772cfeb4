// A queue worker: takes document jobs from the pg-boss queue (src/queue/jobs.ts), runs each file
// through the ingest's runner (the worker-thread pool of src/ingest/pool.ts, `jobs` documents at a
// time) and stores each document with its ledger entry in one transaction (src/ingest/writer.ts).
//
// A document whose processing failed (timeout, out of memory, a worker thread that died, a file it
// cannot read) fails its job, which pg-boss retries with backoff; after the last retry the document
// is stored as failed and the ledger says why. A worker killed mid-document leaves nothing written:
// its job expires and another worker takes it up. Once `signal` is aborted no job is fetched; the
// documents in progress are finished and stored.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import { failedDocument } from '../document.js';
import { errorMessage } from '../errors.js';
import { tooLargeReason } from '../ingest/run.js';
import type { Runner } from '../ingest/runner.js';
import { makeWriter } from '../ingest/writer.js';
import type { OcrMode } from '../extract/ocr/index.js';
import * as ledger from '../store/ledger.js';
import { hasDocument } from '../store/write.js';
import type { Sql } from '../store/sql.js';
import type { DocStatus, DocumentResult } from '../types.js';
import { PIPELINE_VERSION } from '../version.js';
import { QUEUE, STORE_MARGIN_S, unfinishedJobs, type DocumentJob } from './jobs.js';

/** How often an idle worker asks for jobs. */
export const POLL_MS = 2000;
/** How often an idle worker, seeing active jobs elsewhere, makes pg-boss retry the expired ones (a killed worker's). */
export const EXPIRE_CHECK_MS = 5000;

/** What a worker reports, one event at a time. */
export type WorkEvent =
  | { event: 'start'; worker: string; path: string; sha256: string; attempt: number }
  | { event: 'done'; worker: string; path: string; sha256: string; status: DocStatus; error: string | null; pages: number; elapsedMs: number; attempt: number }
  | { event: 'retry'; worker: string; path: string; sha256: string; reason: string; attempt: number; retriesLeft: number }
  | { event: 'skipped'; worker: string; path: string; sha256: string; reason: string }
  | { event: 'warning'; worker: string; message: string }
  | ({ event: 'summary' } & WorkSummary);

export interface WorkSummary {
  worker: string;
  runId: number;
  documents: number;
  pages: number;
  failed: number;
  retried: number;
  skipped: number;
  elapsedMs: number;
  /** Time in pg-boss: fetching the jobs that were processed, completing and failing them. */
  queueMs: number;
  /** Time in the runner (the pipeline on a worker thread), summed over documents. */
  processMs: number;
  /** Time storing documents and their ledger entries. */
  storeMs: number;
  interrupted: boolean;
}

export interface WorkOptions {
  sql: Sql;
  boss: PgBoss;
  runner: Runner;
  /** Documents at once (the runner's size). */
  jobs: number;
  ocr: OcrMode;
  ocrJobs: number;
  /** The runner's per-document time limit, to compare with each job's expiry. */
  timeoutMs: number;
  maxFileSizeBytes: number;
  /** Stop when no job is left in the queue (queued, waiting to be retried or active anywhere). */
  exitWhenIdle: boolean;
  /** Once aborted, no job is fetched; the documents in progress are finished. */
  signal: AbortSignal;
  onEvent: (e: WorkEvent) => void;
  /** The command line, recorded in the ledger's run row. */
  argv: string[];
  pollMs?: number;
}

/** This worker, as recorded and shown: host and process. */
export const workerId = (): string => `${hostname()}:${process.pid}`;

export async function runWorker(o: WorkOptions): Promise<WorkSummary> {
  const t0 = performance.now();
  const worker = workerId();
  const runId = await ledger.beginRun(o.sql, { pipelineVersion: PIPELINE_VERSION, jobs: o.jobs, argv: ['work', ...o.argv] });
  const writer = makeWriter(o.sql);
  const s: WorkSummary = { worker, runId, documents: 0, pages: 0, failed: 0, retried: 0, skipped: 0, elapsedMs: 0, queueMs: 0, processMs: 0, storeMs: 0, interrupted: false };
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      s.queueMs += performance.now() - t;
    }
  };
  let warnedExpiry = false;
  const running = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  let lastExpireCheck = 0;

  const handle = async (job: PgBoss.JobWithMetadata<DocumentJob>): Promise<void> => {
    const expireS = Number(job.expireInSeconds); // pg returns the interval's seconds as numeric text
    if (!warnedExpiry && o.timeoutMs > 0 && expireS < o.timeoutMs / 1000 + STORE_MARGIN_S) {
      warnedExpiry = true;
      o.onEvent({ event: 'warning', worker, message: `jobs expire after ${expireS} s, less than this worker's --timeout plus ${STORE_MARGIN_S} s: a slow document may be taken up twice` });
    }
    const d = job.data;
    const attempt = job.retryCount + 1;
    // Done meanwhile (another job for the same content, or an ingest): nothing to do.
    if (!d.force && (await storedAlready(o.sql, d.sha256))) {
      const reason = 'already stored';
      s.skipped++;
      o.onEvent({ event: 'skipped', worker, path: d.path, sha256: d.sha256, reason });
      await timed(() => o.boss.complete(QUEUE, job.id, { skipped: reason }));
      return;
    }
    await ledger.markRunning(o.sql, d.sha256, runId, PIPELINE_VERSION);
    o.onEvent({ event: 'start', worker, path: d.path, sha256: d.sha256, attempt });
    const t = performance.now();
    const got = await processJob(o, d);
    const elapsedMs = performance.now() - t;
    s.processMs += elapsedMs;
    let result: DocumentResult;
    if ('retryable' in got) {
      if (job.retryCount < job.retryLimit) {
        await ledger.markRetrying(o.sql, d.sha256, got.retryable);
        s.retried++;
        o.onEvent({ event: 'retry', worker, path: d.path, sha256: d.sha256, reason: got.retryable, attempt, retriesLeft: job.retryLimit - job.retryCount });
        await timed(() => o.boss.fail(QUEUE, job.id, { reason: got.retryable }));
        return;
      }
      result = failedDocument(d, `${got.retryable} (after ${attempt} attempts)`);
    } else result = got.result;
    const ts = performance.now();
    const stored = await writer.store(result, elapsedMs);
    s.storeMs += performance.now() - ts;
    s.documents++;
    s.pages += stored.pages;
    if (stored.status === 'failed') s.failed++;
    o.onEvent({ event: 'done', worker, path: d.path, sha256: d.sha256, status: stored.status, error: stored.error, pages: stored.pages, elapsedMs, attempt });
    await timed(() => (stored.status === 'failed' && 'retryable' in got
      ? o.boss.fail(QUEUE, job.id, { reason: stored.error })
      : o.boss.complete(QUEUE, job.id, { status: stored.status })));
  };

  const start = (job: PgBoss.JobWithMetadata<DocumentJob>) => {
    const p: Promise<void> = handle(job)
      .catch(async (e: unknown) => {
        // The store, the queue or the runner failed (PostgreSQL unreachable…): pg-boss retries the job.
        const reason = `could not process or store: ${errorMessage(e)}`;
        o.onEvent({ event: 'warning', worker, message: `${job.data.path}: ${reason}` });
        await o.boss.fail(QUEUE, job.id, { reason }).catch(() => undefined); // else it expires and is retried
      })
      .finally(() => {
        running.delete(p);
        wake?.();
      });
    running.add(p);
  };

  /** Until `ms` have passed, a document finished, or the worker is stopped. */
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', done);
      wake = null;
      resolve();
    };
    const timer = setTimeout(done, ms);
    o.signal.addEventListener('abort', done, { once: true });
    wake = done;
  });

  const pollMs = o.pollMs ?? POLL_MS;
  while (!o.signal.aborted) {
    const free = o.jobs - running.size;
    if (free <= 0) {
      await pause(pollMs);
      continue;
    }
    const tf = performance.now();
    const fetched = await o.boss.fetch<DocumentJob>(QUEUE, { batchSize: free, includeMetadata: true });
    if (fetched.length > 0) {
      s.queueMs += performance.now() - tf;
      for (const job of fetched) start(job);
      continue;
    }
    if (running.size === 0) {
      const left = await unfinishedJobs(o.boss);
      if (left === 0 && o.exitWhenIdle) break;
      // Jobs left but none to fetch: active elsewhere, or waiting for their retry. A killed
      // worker's job stays active until it expires; pg-boss's own check runs every two minutes.
      if (left > 0 && performance.now() - lastExpireCheck > EXPIRE_CHECK_MS) {
        lastExpireCheck = performance.now();
        await o.boss.expire();
      }
    }
    await pause(pollMs);
  }
  await Promise.all([...running]);
  s.interrupted = o.signal.aborted;
  s.elapsedMs = performance.now() - t0;
  await ledger.finishRun(o.sql, runId, s, 0);
  o.onEvent({ event: 'summary', ...s });
  return s;
}

/** Whether the document is stored, whole, by this pipeline version (a failed one is not: a retry job may be for it). */
async function storedAlready(sql: Sql, sha256: string): Promise<boolean> {
  const f = await ledger.getFile(sql, sha256);
  return (f?.status === 'ok' || f?.status === 'partial') && f.pipeline_version === PIPELINE_VERSION && (await hasDocument(sql, sha256, PIPELINE_VERSION));
}

/** The document, or why this attempt failed (it may succeed on another worker or later). */
async function processJob(o: WorkOptions, d: DocumentJob): Promise<{ result: DocumentResult } | { retryable: string }> {
  // Too large is too large on every worker: no retry.
  if (d.size > o.maxFileSizeBytes) return { result: failedDocument(d, tooLargeReason(d.size, o.maxFileSizeBytes)) };
  let data: Uint8Array;
  try {
    data = await readFile(d.path);
  } catch (e) {
    return { retryable: `could not read the file: ${errorMessage(e)}` };
  }
  const outcome = await o.runner.run({ path: d.path, data, ocr: o.ocr, ocrJobs: o.ocrJobs });
  if (outcome.kind === 'not-started') return { retryable: 'not started' };
  if (outcome.kind === 'failed') return { retryable: outcome.reason };
  if (outcome.result.sha256 !== d.sha256) {
    return { result: failedDocument(d, 'the file changed after it was enqueued (its content no longer matches its hash); enqueue it again') };
  }
  return { result: outcome.result };
}
