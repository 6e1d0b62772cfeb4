// `yusuan ingest`: files and folders → documents in the SQLite database, one transaction each.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../pipeline.js';
import { PIPELINE_VERSION } from '../version.js';
import { openDb, type Db } from '../store/db.js';
import { hasDocument, writeDocument } from '../store/write.js';
import type { DocumentResult } from '../types.js';

export const INGEST_USAGE = `usage: yusuan ingest <files or folders…> [--db yusuan.db] [--force] [--ocr auto|force|off]

  Folders are searched recursively for .pdf and .txt files (hidden entries skipped).
  A file already stored by this pipeline version is skipped unless --force.

  --db <file>     SQLite database (created when missing; default yusuan.db)
  --force         process and replace files already stored
  --ocr <mode>    auto (OCR pages without text), force (OCR every page), off`;

const OCR_MODES = ['auto', 'force', 'off'] as const;
type OcrMode = (typeof OCR_MODES)[number];
const EXTENSIONS = new Set(['.pdf', '.txt']);

/** Run the command; returns the exit code (0 all stored, 1 some failed, 2 usage error). */
export async function runIngest(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string', default: 'yusuan.db' },
        force: { type: 'boolean', default: false },
        ocr: { type: 'string', default: 'auto' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    return usageError(errorMessage(e));
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(INGEST_USAGE);
    return 0;
  }
  if (positionals.length === 0) return usageError('no files or folders given');
  const ocr = values.ocr as OcrMode;
  if (!OCR_MODES.includes(ocr)) return usageError(`--ocr must be one of ${OCR_MODES.join(', ')}`);

  let files: string[];
  try {
    files = await collectFiles(positionals);
  } catch (e) {
    return usageError(errorMessage(e));
  }

  let db: Db;
  try {
    db = openDb(values.db);
  } catch (e) {
    return usageError(`cannot open database ${values.db}: ${errorMessage(e)}`);
  }
  try {
    const stats = await ingestFiles(db, files, { force: values.force, ocr });
    printSummary(stats);
    return stats.failed > 0 ? 1 : 0;
  } finally {
    db.close();
  }
}

interface Stats {
  ok: number;
  partial: number;
  failed: number;
  skipped: number;
  tables: number;
  items: number;
  pages: number;
  elapsedMs: number;
}

async function ingestFiles(db: Db, files: string[], opts: { force: boolean; ocr: OcrMode }): Promise<Stats> {
  const stats: Stats = { ok: 0, partial: 0, failed: 0, skipped: 0, tables: 0, items: 0, pages: 0, elapsedMs: 0 };
  const started = performance.now();
  const progress = new Progress(files.length, () => stats.pages, started);

  for (const file of files) {
    progress.start(file);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (e) {
      // Unreadable: there is no hash to key a document row on, so it is only reported.
      stats.failed++;
      progress.done(`failed   ${file}  ${errorMessage(e)}`, true);
      continue;
    }
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (!opts.force && hasDocument(db, sha256, PIPELINE_VERSION)) {
      stats.skipped++;
      progress.done(`skipped  ${file}  already stored`, false);
      continue;
    }
    // Stored by another pipeline version: process again and replace it.
    const replace = opts.force || hasDocument(db, sha256);

    let result: DocumentResult;
    try {
      result = await processFile(file, data, { ocr: opts.ocr });
    } catch (e) {
      // processFile should not throw; if it does, the file is still recorded as failed.
      result = failedResult(file, sha256, `unexpected error: ${errorMessage(e)}`);
    }
    try {
      writeDocument(db, result, { force: replace });
    } catch (e) {
      result = failedResult(file, sha256, `could not store: ${errorMessage(e)}`, result.pages);
      try {
        writeDocument(db, result, { force: true });
      } catch {
        // Reported below; the summary still counts it.
      }
    }

    stats[result.status]++;
    stats.pages += result.pages;
    stats.tables += result.tables.length;
    stats.items += result.tables.reduce((n, t) => n + t.items.length, 0);
    progress.done(fileLine(file, result), result.status !== 'ok');
  }
  progress.finish();
  stats.elapsedMs = performance.now() - started;
  return stats;
}

function fileLine(file: string, r: DocumentResult): string {
  const items = r.tables.reduce((n, t) => n + t.items.length, 0);
  const line = `${r.status.padEnd(8)} ${file}  ${r.pages}p ${r.tables.length}t ${items} items`;
  return r.error ? `${line}  ${r.error}` : line;
}

function failedResult(file: string, sha256: string, error: string, pages = 0): DocumentResult {
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

function printSummary(s: Stats): void {
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? s.pages / seconds : 0;
  console.log(`documents: ${s.ok} ok, ${s.partial} partial, ${s.failed} failed, ${s.skipped} skipped`);
  console.log(`tables: ${s.tables}  line items: ${s.items}  pages: ${s.pages}`);
  console.log(`elapsed: ${seconds.toFixed(1)} s  (${rate.toFixed(1)} pages/s)`);
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

/** One line per file when stderr is not a terminal; a redrawn bar when it is. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private finished = 0;
  private current = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly total: number,
    private readonly pages: () => number,
    private readonly started: number,
  ) {
    // Redraw while a long file is processed, so elapsed time keeps moving.
    if (this.tty) this.timer = setInterval(() => this.draw(), 250).unref();
  }

  start(file: string): void {
    this.current = file;
    this.draw();
  }

  /** A file is finished; `line` is printed always without a terminal, and above the bar when notable. */
  done(line: string, notable: boolean): void {
    this.finished++;
    if (!this.tty) process.stderr.write(line + '\n');
    else {
      if (notable) process.stderr.write('\r\x1b[2K' + line + '\n');
      this.draw();
    }
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[2K');
  }

  private draw(): void {
    if (!this.tty) return;
    const width = 20;
    const filled = this.total === 0 ? width : Math.round((this.finished / this.total) * width);
    const elapsed = ((performance.now() - this.started) / 1000).toFixed(1);
    const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.finished}/${this.total} files  ${this.pages()}p  ${elapsed}s  `;
    const room = Math.max(0, (process.stderr.columns || 80) - head.length - 1);
    const name = this.current.length <= room ? this.current : room < 2 ? '' : '…' + this.current.slice(-(room - 1));
    process.stderr.write('\r\x1b[2K' + head + name);
  }
}

function usageError(message: string): number {
  console.error(`yusuan ingest: ${message}\n\n${INGEST_USAGE}`);
  return 2;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
