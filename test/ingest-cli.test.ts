// `yusuan ingest` at its edges, as a user meets them (issue 12): Ctrl-C, --dry-run's list on stdout,
// sizes over --max-file-size, a folder with nothing to read, the results file named after the
// database, files that stand failed on a rerun, wording, and the hashing shown while it runs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A4_PORTRAIT, Content, PdfWriter } from '../samples/pdf-writer.js';
import { runIngest } from '../src/cli/ingest.js';
import { makeReporter } from '../src/ingest/report.js';
import { fmtMb, tooLargeReason } from '../src/ingest/run.js';
import { summarize } from '../src/ingest/summary.js';
import { withDb } from './fixtures/db.js';
import { capture } from './fixtures/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const BAD = path.join(ROOT, 'test/fixtures/bad');
const RULED = path.join(SAMPLES, '达州信息中心2024年部门预算-样例.pdf');
const DUMP = path.join(SAMPLES, '达州市人力资源和社会保障信息中心2024年部门预算.txt');
const TSX = createRequire(import.meta.url).resolve('tsx');
const MB = 1024 * 1024;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-ingest-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});


const ingest = (...argv: string[]) => capture(() => runIngest([...argv, '--jobs', '0', '--ocr', 'off']));


describe('--dry-run', () => {
  it('lists the files on stdout, and nothing else; the summary goes to stderr', async () => {
    const dbFile = path.join(tmp, 'dry.db');
    const r = await ingest(SAMPLES, '--db', dbFile, '--dry-run');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    const samples = fs.readdirSync(SAMPLES).filter((f) => /\.(pdf|txt)$/.test(f));
    expect(lines).toHaveLength(samples.length);
    for (const l of lines) expect(l).toMatch(/^would process {2}\S.* {2}\(new\)$/);
    expect(lines.map((l) => path.basename(l.split(/ {2}/)[1])).sort()).toEqual(samples.sort());
    expect(r.err).toMatch(new RegExp(`^dry run: ${samples.length} files would be processed`, 'm'));
    expect(fs.existsSync(dbFile)).toBe(false);
  });
});

describe('--max-file-size', () => {
  it('prints sizes with the digits that tell them apart, never "0 MB"', async () => {
    const size = fs.statSync(RULED).size;
    const limitMb = (size / MB) / 2; // well under the file's size
    const dbFile = path.join(tmp, 'size.db');
    const r = await ingest(RULED, '--db', dbFile, '--max-file-size', limitMb.toPrecision(1));
    expect(r.code).toBe(1);
    const m = /file too large: ([\d.]+) MB, over the limit of ([\d.]+) MB/.exec(r.err);
    expect(m, r.err).not.toBeNull();
    const [shownSize, shownLimit] = [Number(m![1]), Number(m![2])];
    expect(shownSize).toBeGreaterThan(0);
    expect(Math.abs(shownSize - size / MB) / (size / MB)).toBeLessThan(0.05);
    expect(shownLimit).toBe(Number(limitMb.toPrecision(1)));
  });

  it('formats megabytes by magnitude and keeps a size apart from a limit just under it', () => {
    expect(fmtMb(1024 * MB)).toBe('1024');
    expect(fmtMb(24.14 * MB)).toBe('24.1');
    expect(fmtMb(0.1 * MB)).toBe('0.1');
    expect(Number(fmtMb(0.127 * MB))).toBeCloseTo(0.13, 5);
    const r = tooLargeReason(Math.round(0.1004 * MB), Math.round(0.1 * MB));
    const [, a, b] = /: ([\d.]+) MB, over the limit of ([\d.]+) MB/.exec(r)!;
    expect(a).not.toBe(b);
    expect(Number(a)).toBeGreaterThan(Number(b));
  });
});

describe('a folder with nothing to read', () => {
  it('says so on stderr and exits 2, creating no database', async () => {
    const empty = path.join(tmp, 'empty');
    const other = path.join(tmp, 'no-pdfs');
    fs.mkdirSync(empty);
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.md'), '# notes\n');
    for (const dir of [empty, other]) {
      const dbFile = path.join(tmp, `${path.basename(dir)}.db`);
      const r = await ingest(dir, '--db', dbFile);
      expect(r.code, dir).toBe(2);
      expect(r.err.trim()).toBe(`yusuan ingest: no .pdf or .txt files found in ${dir}`);
      expect(r.out).toBe('');
      expect(fs.existsSync(dbFile)).toBe(false);
    }
  });
});

describe('the results file', () => {
  it('is named after the database, beside it; a run that processes nothing leaves it as it was', async () => {
    const dir = path.join(tmp, 'two-dbs');
    fs.mkdirSync(dir);
    const a = await ingest(DUMP, '--db', path.join(dir, 'a.db'));
    const b = await ingest(RULED, '--db', path.join(dir, 'b.db'));
    expect([a.code, b.code]).toEqual([0, 0]);
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { files: { path: string; action: string }[] };
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(['a.run_results.json', 'b.run_results.json']);
    expect(read('a.run_results.json').files.map((f) => f.path)).toEqual([DUMP]);
    expect(read('b.run_results.json').files.map((f) => f.path)).toEqual([RULED]);

    const before = fs.readFileSync(path.join(dir, 'a.run_results.json'), 'utf8');
    const again = await ingest(DUMP, '--db', path.join(dir, 'a.db'));
    expect(again.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.run_results.json'), 'utf8')).toBe(before);
    expect(again.out).toContain(`results: ${path.join(dir, 'a.run_results.json')} left as it was (this run processed no file)`);
  });
});

describe('a rerun over files that failed before', () => {
  it('exits 1 while one stands failed, and says how many in words that agree with the number', async () => {
    const dbFile = path.join(tmp, 'stands.db');
    const first = await ingest(path.join(BAD, 'empty.pdf'), DUMP, '--db', dbFile);
    expect(first.code).toBe(1);
    const again = await ingest(path.join(BAD, 'empty.pdf'), DUMP, '--db', dbFile);
    expect(again.code, again.out).toBe(1);
    expect(again.out).toMatch(/^1 file failed in an earlier run and still stands failed \(--retry to try again\)$/m);
    expect(again.out).not.toMatch(/\b1 files\b|\b0 jobs\b/);
    expect(again.out).toMatch(/on the main thread/); // --jobs 0
  });
});

describe('the progress display on a terminal', () => {
  it('shows the hashing before any file is processed', async () => {
    const { err } = await capture(async () => {
      const r = makeReporter('text', { tty: true });
      r.start({ total: 20, jobs: 2, runId: 1, dryRun: false });
      r.planning(7, 20);
      await new Promise((res) => setTimeout(res, 400)); // the display is redrawn every 250 ms
      r.planned();
      r.finish(summarize([], { runId: 1, dryRun: false, interrupted: false, jobs: 2, startedAt: new Date(), elapsedMs: 400, resumed: 0,
        mainThreadMs: { hash: 0, store: 0 }, workers: { replaced: 0, recycled: 0 }, resultsFile: null }));
      return 0;
    });
    expect(err).toMatch(/hashing 7\/20 files/);
  });
});

/** A PDF of `pages` pages of 200 ruled rows: slow enough to read that Ctrl-C lands mid-file. */
function slowPdf(pages: number, tag: number): Buffer {
  const rows = 200;
  const h = 760 / rows;
  const w = new PdfWriter({ title: `部门预算 ${tag}` });
  for (let p = 0; p < pages; p++) {
    const c = new Content(A4_PORTRAIT.width, A4_PORTRAIT.height);
    c.text(72, 40, 14, `一般公共预算支出表 ${tag}-${p + 1}`);
    for (let r = 0; r < rows; r++) {
      const y = 50 + r * h;
      c.line(40, y, 560, y);
      c.text(44, y + h - 1, h * 0.8, `2010101 行政运行 ${r}`);
      c.text(300, y + h - 1, h * 0.8, `${(r * 1234.5 + tag).toFixed(2)}`);
    }
    for (const x of [40, 296, 560]) c.line(x, 50, x, 50 + rows * h);
    w.addPage(c);
  }
  return w.toBuffer();
}

describe('Ctrl-C', () => {
  const N = 8;
  let dir: string;
  let dbFile: string;
  let run: { code: number | null; out: string; err: string; doneAtSignal: number };

  beforeAll(async () => {
    dir = path.join(tmp, 'sigint');
    fs.mkdirSync(dir);
    for (let i = 0; i < N; i++) fs.writeFileSync(path.join(dir, `doc${i}.pdf`), slowPdf(12, i));
    dbFile = path.join(tmp, 'sigint.db');
    run = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/cli/main.ts'), 'ingest', dir, '--db', dbFile, '--jobs', '1', '--ocr', 'off'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let doneAtSignal = -1;
      child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        const done = err.split('\n').filter((l) => /^(ok|partial|failed) /.test(l)).length;
        if (done >= 1 && doneAtSignal < 0) {
          doneAtSignal = done;
          child.kill('SIGINT');
        }
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, out, err, doneAtSignal }));
    });
  }, 120_000);

  it('starts no new file after the first SIGINT, finishes the one in progress and exits 130', () => {
    expect(run.code, run.err).toBe(130);
    const rows = withDb(dbFile, (db) => db.prepare('SELECT status, attempts FROM ledger_files').all()) as { status: string; attempts: number }[];
    const started = rows.filter((r) => r.attempts > 0);
    // The files done when the signal was sent, and at most the one the worker had then.
    expect(started.length).toBeGreaterThanOrEqual(run.doneAtSignal);
    expect(started.length).toBeLessThanOrEqual(run.doneAtSignal + 1);
    expect(rows.filter((r) => r.status === 'running')).toEqual([]);
    expect(withDb(dbFile, (db) => db.prepare('SELECT count(*) FROM documents').pluck().get())).toBe(started.length);
  });

  it('says how many files were left, and records the run as interrupted', () => {
    const started = withDb(dbFile, (db) => db.prepare('SELECT count(*) FROM ledger_files WHERE attempts > 0').pluck().get()) as number;
    const left = N - started;
    expect(run.out).toMatch(new RegExp(`^interrupted: ${left} files? left unprocessed`, 'm'));
    const recorded = withDb(dbFile, (db) => db.prepare('SELECT summary, exit_code FROM ledger_runs').get()) as { summary: string; exit_code: number };
    expect(recorded.exit_code).toBe(130);
    expect(JSON.parse(recorded.summary)).toMatchObject({ interrupted: true, notStarted: left, processed: started, files: N });
  });
});
