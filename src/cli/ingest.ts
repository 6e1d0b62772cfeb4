// `yusuan ingest`: files and folders → documents in the store (SQLite file or PostgreSQL), one transaction each, in a
// pool of worker threads, with a ledger that makes reruns resume (src/ingest/run.ts). The process
// is this command's: its exit code, and Ctrl-C (the first stops starting new files, a second stops
// at once).
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { openStore } from '../store/open.js';
import { isPostgresLocation, type Sql } from '../store/sql.js';
import { collectFiles, EXTENSIONS } from '../ingest/plan.js';
import { DEFAULT_OCR_ENGINE, OCR_ENGINES, type OcrEngineName, type OcrMode } from '../extract/ocr/index.js';
import { makeReporter, type LogFormat, type Reporter } from '../ingest/report.js';
import { RunError, runBulk } from '../ingest/run.js';
import { parseFormat, usageError as reportUsage, parseCommand, showStore, storeLocation, storeHelp, STORE_OPTIONS } from './args.js';
import { errorMessage } from '../errors.js';

const MB = 1024 * 1024;
export const DEFAULT_TIMEOUT_S = 600;
export const DEFAULT_MAX_FILE_MB = 1024;

/** Heap limit per worker: 60% of the machine's memory shared by the workers, within 512 MB–4 GB. */
export function defaultMaxMemoryMb(jobs: number): number {
  return Math.max(512, Math.min(4096, Math.floor((0.6 * totalmem()) / MB / Math.max(1, jobs))));
}

export const INGEST_USAGE = `usage: yusuan ingest <files or folders…> [options]

  Folders are searched recursively for .pdf and .txt files (hidden entries skipped).
  Every file is recorded in the database's ledger. A file already done by this pipeline
  version is skipped (also under another path or name: the same bytes are stored once);
  a run that was killed is resumed by running the same command again.

${storeHelp(26, 'a SQLite file is created when missing')}
  --jobs <n>              worker threads (default: the number of cores, ${availableParallelism()} here);
                          0 runs everything on the main thread, without timeout or memory bound
  --retry                 process again files that failed in an earlier run
  --force                 process again every file, replacing what is stored
  --dry-run               list what would be processed and why, on stdout; change nothing
  --ocr <mode>            auto (OCR pages without text), force (OCR every page), off
  --ocr-engine <name>     ${OCR_ENGINES.join(' or ')}: the OCR engine (default ${DEFAULT_OCR_ENGINE}; see README, OCR)
  --ocr-jobs <n>          OCR workers per worker thread, each started once (default: the
                          cores shared out among the --jobs threads, at least 1)
  --timeout <seconds>     per file; a file taking longer is marked failed (default ${DEFAULT_TIMEOUT_S}; 0: none)
  --max-memory <MB>       heap limit of each worker; a file needing more is marked failed
                          (default ${defaultMaxMemoryMb(availableParallelism())} here)
  --max-file-size <MB>    larger files are marked failed without being read (default ${DEFAULT_MAX_FILE_MB})
  --format <f>            table (progress bar on a terminal, else a line per file; the default)
                          or jsonl (one JSON object per event on stdout)
  --log-format <fmt>      the older spelling of --format: text (= table) or json (= jsonl)
  --results <file>        where to write the run's results (default <db name>.run_results.json beside
                          a database file, none for PostgreSQL; a run that processes no file leaves an
                          existing one as it is)

  Ctrl-C once: no new file is started, the files in progress are finished and stored. Twice: stop now.
  Exit code: 0 every file ok, 1 some stand failed (in this run or an earlier one), 2 could not run
  (also: no .pdf or .txt file found), 130 interrupted.`;

const OCR_MODES = ['auto', 'force', 'off'] as const;
const LOG_FORMATS = ['text', 'json'] as const;

/** Run the command; returns the exit code (0 all stored, 1 some failed, 2 could not run). */
export async function runIngest(argv: string[]): Promise<number> {
  const parsed = parseCommand('ingest', INGEST_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      jobs: { type: 'string' },
      retry: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      ocr: { type: 'string', default: 'auto' },
      'ocr-engine': { type: 'string', default: DEFAULT_OCR_ENGINE },
      'ocr-jobs': { type: 'string' },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_S) },
      'max-memory': { type: 'string' },
      'max-file-size': { type: 'string', default: String(DEFAULT_MAX_FILE_MB) },
      'log-format': { type: 'string', default: 'text' },
      format: { type: 'string' },
      results: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length === 0) return usageError('no files or folders given');
  const ocr = values.ocr as OcrMode;
  if (!OCR_MODES.includes(ocr)) return usageError(`--ocr must be one of ${OCR_MODES.join(', ')}`);
  const ocrEngine = values['ocr-engine'] as OcrEngineName;
  if (!OCR_ENGINES.includes(ocrEngine)) return usageError(`--ocr-engine must be one of ${OCR_ENGINES.join(', ')}`);
  const format = values.format === undefined ? undefined : parseFormat('ingest', values.format, ['table', 'jsonl'] as const);
  if (typeof format === 'number') return format;
  const logFormat = (format === undefined ? values['log-format'] : format === 'jsonl' ? 'json' : 'text') as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) return usageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}`);
  const jobs = values.jobs === undefined ? availableParallelism() : wholeNumber(values.jobs);
  if (jobs === null) return usageError('--jobs must be a whole number (0 or more)');
  const ocrJobs = values['ocr-jobs'] === undefined ? Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs))) : wholeNumber(values['ocr-jobs']);
  if (ocrJobs === null || ocrJobs < 1) return usageError('--ocr-jobs must be a whole number, at least 1');
  const timeoutS = positiveNumber(values.timeout);
  if (timeoutS === null) return usageError('--timeout must be a number of seconds (0 for none)');
  const maxMemoryMb = values['max-memory'] === undefined ? defaultMaxMemoryMb(jobs) : wholeNumber(values['max-memory']);
  if (maxMemoryMb === null || maxMemoryMb < 16) return usageError('--max-memory must be a number of MB, at least 16');
  const maxFileMb = positiveNumber(values['max-file-size']);
  if (maxFileMb === null || maxFileMb === 0) return usageError('--max-file-size must be a positive number of MB');

  let files: string[];
  try {
    files = await collectFiles(positionals);
  } catch (e) {
    return usageError(errorMessage(e));
  }
  if (files.length === 0) {
    console.error(`yusuan ingest: no ${EXTENSIONS.join(' or ')} files found in ${positionals.join(', ')}`);
    return 2;
  }

  const dryRun = values['dry-run'];
  const store = storeLocation(values);
  let sql: Sql;
  try {
    // A dry run against a database file that does not exist yet creates nothing.
    sql = await openStore(dryRun && !isPostgresLocation(store) && !existsSync(store) ? ':memory:' : store);
  } catch (e) {
    return usageError(`cannot open database ${showStore(store)}: ${errorMessage(e)}`);
  }
  const resultsFile = values.results ?? defaultResultsFile(store);
  const reporter = makeReporter(logFormat);
  const stopOnSigint = dryRun ? null : onFirstSigint(reporter);
  try {
    const summary = await runBulk({
      sql,
      files,
      jobs,
      force: values.force,
      retry: values.retry,
      dryRun,
      ocr,
      ocrEngine,
      ocrJobs,
      timeoutMs: Math.round(timeoutS * 1000),
      maxMemoryMb,
      maxFileSizeBytes: maxFileMb * MB,
      reporter,
      resultsFile,
      argv,
      signal: stopOnSigint?.signal,
    });
    // Keep the departments links current for Datasette users who only ingest.
    if (!dryRun) {
      try { await (await import('../analyze/departments.js')).refreshDepartments(sql); } catch (e) { console.error(`departments: ${errorMessage(e)}`); }
      // Stored findings are those of an audit: the rules over the whole database, after this run's documents.
      if (summary.counts.processed > 0) try { await (await import('../analyze/audit.js')).refreshFindings(sql); } catch (e) { console.error(`findings: ${errorMessage(e)}`); }
    }
    return summary.exitCode;
  } catch (e) {
    if (e instanceof RunError) {
      console.error(`yusuan ingest: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    stopOnSigint?.dispose();
    await sql.close();
  }
}

/** `<db name>.run_results.json` beside the database file (none for an in-memory one or PostgreSQL). */
export function defaultResultsFile(db: string): string | null {
  if (db === ':memory:' || isPostgresLocation(db)) return null;
  const abs = resolve(db);
  return join(dirname(abs), `${parse(abs).name}.run_results.json`);
}

/**
 * Ctrl-C: the first aborts the returned signal (no new file starts; the ones in progress finish and
 * are stored, then the summary says how many were left); a second exits at once (stored files stay
 * stored, the files in progress are taken up by the next run).
 */
function onFirstSigint(reporter: Reporter): { signal: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  const handler = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    reporter.note('interrupted: finishing the files in progress, starting no new one (Ctrl-C again to stop at once)');
  };
  process.on('SIGINT', handler);
  return { signal: stop.signal, dispose: () => void process.off('SIGINT', handler) };
}

function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s.trim()) ? Number(s) : null;
}

function positiveNumber(s: string): number | null {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : null;
}

const usageError = (message: string): number => reportUsage('ingest', INGEST_USAGE, message);

