// `yusuan ingest`: files and folders → documents in the SQLite database, one transaction each, in a
// pool of worker threads, with a ledger that makes reruns resume (src/ingest/run.ts).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { openDb, type Db } from '../store/db.js';
import type { OcrMode } from '../ingest/protocol.js';
import { makeReporter, type LogFormat } from '../ingest/report.js';
import { RunError, runBulk } from '../ingest/run.js';
import { errorMessage, parseFormat, usageError as reportUsage, parseCommand } from './args.js';

const MB = 1024 * 1024;
const DEFAULT_TIMEOUT_S = 600;
const DEFAULT_MAX_FILE_MB = 1024;

/** Heap limit per worker: 60% of the machine's memory shared by the workers, within 512 MB–4 GB. */
export function defaultMaxMemoryMb(jobs: number): number {
  return Math.max(512, Math.min(4096, Math.floor((0.6 * totalmem()) / MB / Math.max(1, jobs))));
}

export const INGEST_USAGE = `usage: yusuan ingest <files or folders…> [options]

  Folders are searched recursively for .pdf and .txt files (hidden entries skipped).
  Every file is recorded in the database's ledger. A file already done by this pipeline
  version is skipped (also under another path or name: the same bytes are stored once);
  a run that was killed is resumed by running the same command again.

  --db <file>             SQLite database (created when missing; default yusuan.db)
  --jobs <n>              worker threads (default: the number of cores, ${availableParallelism()} here);
                          0 runs everything on the main thread, without timeout or memory bound
  --retry                 process again files that failed in an earlier run
  --force                 process again every file, replacing what is stored
  --dry-run               list what would be processed and why; change nothing
  --ocr <mode>            auto (OCR pages without text), force (OCR every page), off
  --ocr-jobs <n>          tesseract workers per worker thread, each started once (default: the
                          cores shared out among the --jobs threads, at least 1)
  --timeout <seconds>     per file; a file taking longer is marked failed (default ${DEFAULT_TIMEOUT_S}; 0: none)
  --max-memory <MB>       heap limit of each worker; a file needing more is marked failed
                          (default ${defaultMaxMemoryMb(availableParallelism())} here)
  --max-file-size <MB>    larger files are marked failed without being read (default ${DEFAULT_MAX_FILE_MB})
  --format <f>            table (progress bar on a terminal, else a line per file; the default)
                          or jsonl (one JSON object per event on stdout)
  --log-format <fmt>      the older spelling of --format: text (= table) or json (= jsonl)
  --results <file>        where to write the run's results (default run_results.json beside the database)

  Exit code: 0 all files ok, 1 some failed, 2 could not run.`;

const OCR_MODES = ['auto', 'force', 'off'] as const;
const LOG_FORMATS = ['text', 'json'] as const;
const EXTENSIONS = new Set(['.pdf', '.txt']);

/** Run the command; returns the exit code (0 all stored, 1 some failed, 2 could not run). */
export async function runIngest(argv: string[]): Promise<number> {
  const parsed = parseCommand('ingest', INGEST_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'yusuan.db' },
      jobs: { type: 'string' },
      retry: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      ocr: { type: 'string', default: 'auto' },
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

  const dryRun = values['dry-run'];
  let db: Db;
  try {
    // A dry run against a database that does not exist yet creates nothing.
    db = openDb(dryRun && !existsSync(values.db) ? ':memory:' : values.db);
  } catch (e) {
    return usageError(`cannot open database ${values.db}: ${errorMessage(e)}`);
  }
  const resultsFile = values.results
    ?? (values.db === ':memory:' ? 'run_results.json' : join(dirname(resolve(values.db)), 'run_results.json'));
  try {
    const summary = await runBulk({
      db,
      files,
      jobs,
      force: values.force,
      retry: values.retry,
      dryRun,
      ocr,
      ocrJobs,
      timeoutMs: Math.round(timeoutS * 1000),
      maxMemoryMb,
      maxFileSizeBytes: maxFileMb * MB,
      reporter: makeReporter(logFormat),
      resultsFile,
      argv,
    });
    // Keep the departments links current for Datasette users who only ingest.
    if (!dryRun) {
      try { (await import('../analyze/departments.js')).refreshDepartments(db); } catch (e) { console.error(`departments: ${errorMessage(e)}`); }
      // Stored findings are those of an audit: the rules over the whole database, after this run's documents.
      if (summary.counts.processed > 0) try { (await import('../analyze/audit.js')).refreshFindings(db); } catch (e) { console.error(`findings: ${errorMessage(e)}`); }
    }
    return summary.exitCode;
  } catch (e) {
    if (e instanceof RunError) {
      console.error(`yusuan ingest: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    db.close();
  }
}

/** The .pdf/.txt files named or found under the given paths, deduplicated and sorted. */
export async function collectFiles(inputs: string[]): Promise<string[]> {
  const found = new Map<string, string>(); // absolute path → path as shown and stored
  const add = (p: string) => {
    const abs = resolve(p);
    if (!found.has(abs)) found.set(abs, p);
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue; // hidden, incl. macOS "._x.pdf" resource forks
      const p = join(dir, entry.name);
      // Symlinked folders are not followed (no loops); symlinked files are.
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(p).catch(() => null))?.isFile());
      if (entry.isDirectory()) await walk(p);
      else if (isFile && EXTENSIONS.has(extname(entry.name).toLowerCase())) add(p);
    }
  };
  for (const input of inputs) {
    const s = await stat(input).catch(() => null);
    if (!s) throw new Error(`no such file or folder: ${input}`);
    if (s.isDirectory()) await walk(input);
    else add(input); // named explicitly: taken whatever its extension
  }
  return [...found.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function wholeNumber(s: string): number | null {
  return /^\d+$/.test(s.trim()) ? Number(s) : null;
}

function positiveNumber(s: string): number | null {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : null;
}

const usageError = (message: string): number => reportUsage('ingest', INGEST_USAGE, message);

