// Fuzzing the readers with damaged PDFs: a few hundred byte-mutated copies of the bundled samples
// (and of a few real PDFs, when ../shared/corpus is there), made at test time from a seeded PRNG
// (flipped bytes, truncation, zeroed blocks, shuffled chunks), ingested by the worker pool. Every
// copy must end ok, partial or failed with a specific reason, and no worker may die on one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool, workerEntry } from '../src/ingest/pool.js';
import type { Reporter } from '../src/ingest/report.js';
import { runBulk } from '../src/ingest/run.js';
import type { FileOutcome, RunSummary } from '../src/ingest/summary.js';
import { openStore } from '../src/store/open.js';
import { MUTATIONS, mutate, prng } from './fixtures/mutate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const REAL = path.resolve(ROOT, '../shared/corpus/real');
/** Mutated copies per sample PDF, and per real PDF used. */
const PER_SAMPLE = 100;
const PER_REAL = 6;
/** How many real PDFs (the smallest) are mutated. */
const REAL_FILES = 3;
const SEED = 20261130;

/** Reasons that say what is wrong with the file (not that the reader broke). */
const SPECIFIC = [
  /^corrupt PDF: \S/,
  /^not a PDF file/,
  /^empty file/,
  /^encrypted PDF/,
  /^not a budget or final-accounts disclosure/,
  /^no text layer on any of its \d+ pages/,
];

function sources(): string[] {
  const samples = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.pdf')).map((f) => path.join(SAMPLES, f));
  if (!fs.existsSync(REAL)) return samples;
  const real: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.pdf')) real.push(path.join(d, e.name));
    }
  };
  walk(REAL);
  real.sort((a, b) => fs.statSync(a).size - fs.statSync(b).size);
  return [...samples, ...real.slice(0, REAL_FILES)];
}

describe('damaged PDFs', () => {
  let tmp: string;
  let outcomes: FileOutcome[];
  let summary: RunSummary;
  let made = 0;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-fuzz-'));
    const dir = path.join(tmp, 'copies');
    fs.mkdirSync(dir);
    const files: string[] = [];
    sources().forEach((src, s) => {
      const data = fs.readFileSync(src);
      const n = src.startsWith(SAMPLES) ? PER_SAMPLE : PER_REAL;
      for (let i = 0; i < n; i++) {
        const kind = MUTATIONS[i % MUTATIONS.length];
        const seed = SEED + s * 1000 + i;
        const file = path.join(dir, `s${s}-${kind}-${seed}.pdf`);
        fs.writeFileSync(file, mutate(data, kind, prng(seed)));
        files.push(file);
      }
    });
    made = files.length;
    outcomes = [];
    const reporter: Reporter = { start() {}, planning() {}, planned() {}, note() {}, file: (o) => void outcomes.push(o), finish() {} };
    const sql = await openStore(path.join(tmp, 'fuzz.db'));
    try {
      summary = await runBulk({
        sql, files, jobs: 2, force: false, retry: false, dryRun: false, ocr: 'off', ocrJobs: 1,
        timeoutMs: 60_000, maxMemoryMb: 1024, maxFileSizeBytes: 1024 ** 3, reporter, resultsFile: null, argv: ['fuzz'],
      });
    } finally {
      await sql.close();
    }
  }, 180_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('made a few hundred copies and read every one (same bytes are read once)', () => {
    expect(made).toBeGreaterThanOrEqual(200);
    expect(summary.counts.files).toBe(made);
    expect(summary.counts.processed + summary.counts.duplicates).toBe(made);
  });

  it('ends every copy ok, partial, or failed with a specific reason', () => {
    const vague = outcomes.filter((o) => o.action === 'processed' && o.status === 'failed' && !SPECIFIC.some((re) => re.test(o.error ?? '')));
    expect(vague.map((o) => `${path.basename(o.path)}: ${o.error}`)).toEqual([]);
    // Damage is seen: some copies fail, and some keep the pages that could be read.
    expect(summary.counts.failed).toBeGreaterThan(0);
    expect(summary.counts.partial).toBeGreaterThan(0);
  });

  it('never kills a worker', () => {
    expect(summary.workersReplaced).toBe(0);
    const died = outcomes.filter((o) => /worker died|unexpected error|unhandled/.test(o.error ?? ''));
    expect(died.map((o) => `${path.basename(o.path)}: ${o.error}`)).toEqual([]);
  });
});

describe('a promise rejected with nobody listening, in a worker', () => {
  it('fails the file the worker had, with the reason, and the worker goes on', async () => {
    const entry = workerEntry();
    if (!('code' in entry)) return; // from the sources, the entry is started by a bootstrap we can extend
    // Before the real entry listens, a listener that leaves a rejected promise behind for files named stray*.
    const code = `require('node:worker_threads').parentPort.on('message', (m) => {
      if (m.path.startsWith('stray')) Promise.reject(new Error('a stray rejection'));
    });\n${entry.code}`;
    const pool = new WorkerPool({ size: 1, timeoutMs: 60_000, maxMemoryMb: 512, spawn: (resourceLimits) => new Worker(code, { eval: true, resourceLimits }) });
    try {
      await pool.ready();
      // A PDF: read over many turns of the event loop, so the rejection is seen while the file is in progress.
      const pdf = fs.readFileSync(path.join(SAMPLES, fs.readdirSync(SAMPLES).find((f) => f.endsWith('.pdf'))!));
      const stray = await pool.run({ path: 'stray.pdf', data: new Uint8Array(pdf), ocr: 'off', ocrJobs: 1 });
      expect(stray).toMatchObject({ kind: 'failed' });
      expect(stray.kind === 'failed' && stray.reason).toBe('unexpected error: a stray rejection (an unhandled promise rejection)');
      const next = await pool.run({ path: 'next.pdf', data: new Uint8Array(pdf), ocr: 'off', ocrJobs: 1 });
      expect(next.kind === 'result' && next.result.status).toBe('ok');
      expect(pool.replaced).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60_000);
});
