// What `yusuan ingest` tells the user while it runs: a progress bar on a terminal, one line per file
// otherwise, or JSON lines (`--log-format json`) for machines. Progress and logs go to stderr; data
// (a dry run's list of files, the JSON lines, the summary) to stdout.
import { files, plural, type FileOutcome, type RunSummary } from './summary.js';

export interface Reporter {
  start(info: { total: number; jobs: number; runId: number | null; dryRun: boolean }): void;
  /** Files hashed and decided on so far, before any is processed. */
  planning(done: number, total: number): void;
  /** Planning is over (every file decided on, or the run stopped). */
  planned(): void;
  file(o: FileOutcome): void;
  /** A note outside any one file (recovered files, warnings). */
  note(message: string): void;
  finish(s: RunSummary): void;
}

export type LogFormat = 'text' | 'json';

/** Without a terminal, how long hashing must take to be worth a line in the log, seconds. */
const SLOW_PLANNING_S = 2;

export function makeReporter(format: LogFormat, opts: { tty?: boolean } = {}): Reporter {
  return format === 'json' ? new JsonReporter() : new TextReporter(opts.tty ?? process.stderr.isTTY === true);
}

/** One JSON object per line on stdout: {event: start | file | note | summary, …}. */
class JsonReporter implements Reporter {
  private emit(event: string, body: object): void {
    process.stdout.write(JSON.stringify({ event, time: new Date().toISOString(), ...body }) + '\n');
  }
  start(info: { total: number; jobs: number; runId: number | null; dryRun: boolean }): void {
    this.emit('start', info);
  }
  planning(): void {}
  planned(): void {}
  file(o: FileOutcome): void {
    this.emit('file', o);
  }
  note(message: string): void {
    this.emit('note', { message });
  }
  finish(s: RunSummary): void {
    this.emit('summary', s);
  }
}

export function fileLine(o: FileOutcome): string {
  if (o.action === 'skipped') return `skipped  ${o.path}  ${o.reason}`;
  if (o.action === 'would-process') return `would process  ${o.path}  (${o.reason})`;
  const status = o.status ?? 'failed';
  let line = `${status.padEnd(8)} ${o.path}`;
  if (o.action === 'processed') line += `  ${o.pages}p ${o.tables}t ${o.items} items  ${(o.elapsedMs / 1000).toFixed(1)}s`;
  return o.error ? `${line}  ${o.error}` : line;
}

/** Without a terminal: one line per file on stderr. On a terminal: a bar, redrawn, with failures above it. */
class TextReporter implements Reporter {
  private total = 0;
  private done = 0;
  private failed = 0;
  private pages = 0;
  private processed = 0;
  private started = 0;
  private firstWork = 0;
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private dryRun = false;
  /** Files hashed so far, while planning; null once planning is over. */
  private hashed: number | null = 0;

  constructor(private readonly tty: boolean) {}

  start(info: { total: number; jobs: number; dryRun: boolean }): void {
    this.total = info.total;
    this.dryRun = info.dryRun;
    this.started = performance.now();
    if (this.tty) this.timer = setInterval(() => this.draw(), 250).unref();
  }

  planning(done: number): void {
    this.hashed = done;
  }

  planned(): void {
    const n = this.hashed ?? 0;
    this.hashed = null;
    if (this.tty) process.stderr.write('\r\x1b[2K');
    if (this.dryRun && this.timer) clearInterval(this.timer);
    const sec = (performance.now() - this.started) / 1000;
    if (!this.tty && sec >= SLOW_PLANNING_S) process.stderr.write(`hashed ${files(n)} in ${sec.toFixed(1)} s\n`);
  }

  file(o: FileOutcome): void {
    this.done++;
    if (o.action === 'processed') {
      this.pages += o.pages;
      this.processed++;
      if (!this.firstWork) this.firstWork = performance.now() - o.elapsedMs;
    }
    if (o.status === 'failed') this.failed++;
    this.last = o.path;
    const line = fileLine(o);
    if (this.dryRun) process.stdout.write(line + '\n'); // the list is a dry run's data
    else if (!this.tty) process.stderr.write(line + '\n');
    else {
      if (o.status === 'failed' || o.status === 'partial') process.stderr.write('\r\x1b[2K' + line + '\n');
      this.draw();
    }
  }

  note(message: string): void {
    process.stderr.write((this.tty ? '\r\x1b[2K' : '') + message + '\n');
  }

  finish(s: RunSummary): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r\x1b[2K');
    const sec = s.elapsedMs / 1000;
    const c = s.counts;
    if (s.dryRun) {
      // On stderr: stdout holds the list alone.
      process.stderr.write(`dry run: ${files(c.wouldProcess)} would be processed, ${c.skipped} skipped, ${plural(c.duplicates, 'duplicate path')}, ${c.unreadable} unreadable`
        + (c.failedBefore ? `; ${files(c.failedBefore)} failed in an earlier run (--retry to try again)` : '') + '\n');
      return;
    }
    console.log(`documents: ${c.ok} ok, ${c.partial} partial, ${c.failed} failed, ${c.skipped} skipped`
      + (c.duplicates ? `, ${plural(c.duplicates, 'duplicate path')}` : ''));
    if (c.failedBefore) console.log(`${files(c.failedBefore)} failed in an earlier run and still ${c.failedBefore === 1 ? 'stands' : 'stand'} failed (--retry to try again)`);
    if (s.interrupted) console.log(`interrupted: ${files(c.notStarted)} left unprocessed (run the same command again to go on)`);
    console.log(`tables: ${s.tables}  line items: ${s.items}  pages: ${s.pages}`);
    const threads = s.jobs === 0 ? 'on the main thread' : `${s.jobs} ${s.jobs === 1 ? 'worker' : 'workers'}`;
    console.log(`elapsed: ${sec.toFixed(1)} s  (${s.pagesPerSec.toFixed(1)} pages/s, ${s.docsPerSec.toFixed(2)} documents/s, ${threads}, peak memory ${s.peakRssMb} MB)`);
    if (s.resultsFile) {
      console.log(s.resultsWritten ? `results: ${s.resultsFile}` : `results: ${s.resultsFile} left as it was (this run processed no file)`);
    }
  }

  private draw(): void {
    if (this.hashed !== null) {
      // Planning: every file is hashed (or found unchanged) before any is processed.
      process.stderr.write(`\r\x1b[2Khashing ${this.hashed}/${this.total} files  ${fmtDuration((performance.now() - this.started) / 1000)}`);
      return;
    }
    if (this.dryRun) return;
    const width = 24;
    const frac = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(frac * width);
    const elapsedS = (performance.now() - this.started) / 1000;
    const workS = this.firstWork ? (performance.now() - this.firstWork) / 1000 : 0;
    const rate = workS > 0 ? this.pages / workS : 0;
    // ETA: the files still to come at the rate files have been processed so far (skips are quick).
    const fileRate = workS > 0 ? this.processed / workS : 0;
    const eta = fileRate > 0 && this.done < this.total ? fmtDuration((this.total - this.done) / fileRate) : '—';
    const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} files  ${this.pages} p  `
      + `${rate.toFixed(1)} p/s  ETA ${eta}  ${this.failed} failed  ${fmtDuration(elapsedS)}  `;
    const room = Math.max(0, (process.stderr.columns || 100) - head.length - 1);
    const name = this.last.length <= room ? this.last : room < 2 ? '' : '…' + this.last.slice(-(room - 1));
    process.stderr.write('\r\x1b[2K' + head + name);
  }
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
