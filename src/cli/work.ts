// `yusuan work`: a queue worker (src/queue/work.ts) on this machine, for a PostgreSQL store. The
// process is this command's: Ctrl-C or SIGTERM once finishes the documents in progress and stops;
// twice stops at once (their jobs expire and are retried by another worker).
import { availableParallelism } from 'node:os';
import { openStore } from '../store/open.js';
import { isPostgresLocation } from '../store/sql.js';
import { errorMessage } from '../errors.js';
import type { OcrMode } from '../extract/ocr/index.js';
import { WorkerPool } from '../ingest/pool.js';
import { openQueue } from '../queue/jobs.js';
import { runWorker, type WorkEvent } from '../queue/work.js';
import { DEFAULT_MAX_FILE_MB, DEFAULT_TIMEOUT_S, defaultMaxMemoryMb } from './ingest.js';
import { parseCommand, parseFormat, showPath, showStore, storeHelp, STORE_OPTIONS, storeLocation, userError } from './args.js';

const MB = 1024 * 1024;

export const WORK_USAGE = `usage: yusuan work --store postgres://… [--jobs N] [--exit-when-idle] [options]

  Takes documents from the queue (\`yusuan enqueue\`) and processes them, --jobs at a time, each
  stored with its ledger entry in one transaction. Run one on each machine; every machine must see
  the files under the paths they were enqueued with. A document whose processing fails is retried
  (with backoff, as set by enqueue); after the last retry it is stored as failed with its reason.

${storeHelp(26, 'a postgres:// URL: the queue lives in its database')}
  --jobs <n>              documents at once, each on a worker thread (default: the number of cores,
                          ${availableParallelism()} here)
  --exit-when-idle        stop once no job is left: none queued, waiting for a retry or active on any
                          worker (default: wait for more)
  --ocr <mode>            auto (OCR pages without text), force (OCR every page), off
  --ocr-jobs <n>          tesseract workers per worker thread (default: the cores shared out, at least 1)
  --timeout <seconds>     per document; one taking longer fails this attempt (default ${DEFAULT_TIMEOUT_S}; keep it
                          a minute below the jobs' expiry, enqueue --expire)
  --max-memory <MB>       heap limit of each worker thread (default ${defaultMaxMemoryMb(availableParallelism())} here)
  --max-file-size <MB>    larger files are stored as failed without being read (default ${DEFAULT_MAX_FILE_MB})
  --format <f>            table (a line per document; the default) or jsonl (one JSON object per event)

  Ctrl-C or SIGTERM once: no new job is taken, the documents in progress are finished and stored.
  Twice: stop at once (those documents' jobs expire and are taken up by another worker).
  Exit code: 0 stopped, 2 could not run, 130 stopped at once.`;

const OCR_MODES = ['auto', 'force', 'off'] as const;

export async function runWork(argv: string[]): Promise<number> {
  const parsed = parseCommand('work', WORK_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      ...STORE_OPTIONS,
      jobs: { type: 'string' },
      'exit-when-idle': { type: 'boolean', default: false },
      ocr: { type: 'string', default: 'auto' },
      'ocr-jobs': { type: 'string' },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_S) },
      'max-memory': { type: 'string' },
      'max-file-size': { type: 'string', default: String(DEFAULT_MAX_FILE_MB) },
      format: { type: 'string', default: 'table' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const store = storeLocation(values);
  if (!isPostgresLocation(store)) return usageError(`the queue needs a PostgreSQL store (--store postgres://…), not ${showStore(store)}`);
  const jobs = values.jobs === undefined ? availableParallelism() : wholeNumber(values.jobs);
  if (jobs === null || jobs < 1) return usageError('--jobs must be a whole number, at least 1');
  const ocr = values.ocr as OcrMode;
  if (!OCR_MODES.includes(ocr)) return usageError(`--ocr must be one of ${OCR_MODES.join(', ')}`);
  const ocrJobs = values['ocr-jobs'] === undefined ? Math.max(1, Math.floor(availableParallelism() / jobs)) : wholeNumber(values['ocr-jobs']);
  if (ocrJobs === null || ocrJobs < 1) return usageError('--ocr-jobs must be a whole number, at least 1');
  const timeoutS = Number(values.timeout);
  if (values.timeout.trim() === '' || !Number.isFinite(timeoutS) || timeoutS < 0) return usageError('--timeout must be a number of seconds (0 for none)');
  const maxMemoryMb = values['max-memory'] === undefined ? defaultMaxMemoryMb(jobs) : wholeNumber(values['max-memory']);
  if (maxMemoryMb === null || maxMemoryMb < 16) return usageError('--max-memory must be a number of MB, at least 16');
  const maxFileMb = Number(values['max-file-size']);
  if (!Number.isFinite(maxFileMb) || maxFileMb <= 0) return usageError('--max-file-size must be a positive number of MB');
  const format = parseFormat('work', values.format, ['table', 'jsonl'] as const);
  if (typeof format === 'number') return format;

  const sql = await openStore(store).catch((e: unknown) => {
    throw new Error(`cannot open ${showStore(store)}: ${errorMessage(e)}`);
  });
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    console.error('yusuan work: stopping: finishing the documents in progress, taking no new job (again to stop at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const pool = new WorkerPool({ size: jobs, timeoutMs: Math.round(timeoutS * 1000), maxMemoryMb });
  try {
    await pool.ready();
    const boss = await openQueue(store, { onError: (m) => console.error(`yusuan work: pg-boss: ${m}`) });
    try {
      const s = await runWorker({
        sql, boss, runner: pool, jobs, ocr, ocrJobs, timeoutMs: Math.round(timeoutS * 1000), maxFileSizeBytes: maxFileMb * MB,
        exitWhenIdle: values['exit-when-idle'], signal: stop.signal, argv, onEvent: format === 'jsonl' ? (e) => console.log(JSON.stringify(e)) : printEvent,
      });
      if (format === 'table') {
        console.log(`${s.worker}: ${s.documents} documents (${s.failed} failed, ${s.retried} retried, ${s.skipped} done elsewhere), ${s.pages} pages`
          + ` in ${(s.elapsedMs / 1000).toFixed(1)} s; queue ${(s.queueMs / Math.max(1, s.documents)).toFixed(1)} ms/document`);
      }
      return 0;
    } finally {
      await boss.stop({ graceful: false });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
    await sql.close();
  }
}

function printEvent(e: WorkEvent): void {
  if (e.event === 'done') console.log(`${e.status.padEnd(7)} ${String(e.pages).padStart(4)} p ${(e.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${showPath(e.path)}${e.error ? `  ${e.error}` : ''}`);
  else if (e.event === 'retry') console.log(`retry   attempt ${e.attempt} failed (${e.retriesLeft} left)  ${showPath(e.path)}  ${e.reason}`);
  else if (e.event === 'skipped') console.log(`skipped ${showPath(e.path)}  ${e.reason}`);
  else if (e.event === 'warning') console.error(`yusuan work: ${e.message}`);
}

function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s.trim()) ? Number(s) : null;
}

const usageError = (message: string): number => userError('work', message);
