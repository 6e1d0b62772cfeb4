// Bulk-import benchmark: `yusuan ingest` (compiled, dist/) over ≥500 documents made from the real
// corpus, at --jobs 1 and --jobs 2, with `pdftotext -layout` over the same files as the floor.
//
// The documents: the 19 real PDFs (../shared/corpus/real) and variants of each with different bytes
// (a PDF comment appended after %%EOF: same pages, new sha256), written to a scratch folder outside
// git (default: $TMPDIR/yusuan-bench-bulk). Each run starts from an empty database.
//
// Usage: node --import tsx bench/bulk.ts [--copies 29] [--jobs 1,2] [--scratch DIR] [--no-build] [--keep]
// Prints documents/s, pages/s, speed-up, peak memory (RSS of the whole ingest process, workers
// included), database size per 1,000 documents; writes bench/out/bulk.json.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { corpusDir, projectRoot } from './paths.js';

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '29' }, // 19 × 29 = 551 documents, 11,919 pages
    jobs: { type: 'string', default: '1,2' },
    scratch: { type: 'string', default: path.join(os.tmpdir(), 'yusuan-bench-bulk') },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const root = projectRoot();
const realDir = path.join(corpusDir(), 'real');
const scratch = path.resolve(values.scratch);
const docsDir = path.join(scratch, 'docs');
const copies = Number(values.copies);
const jobsList = values.jobs.split(',').map(Number);

interface Source { rel: string; pages: number }

function manifest(): Source[] {
  const [head, ...rows] = fs.readFileSync(path.join(realDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim());
  const cols = head.split('\t');
  return rows.map((r) => r.split('\t')).map((c) => ({ rel: c[cols.indexOf('file')], pages: Number(c[cols.indexOf('pages')]) }));
}

/** Write the documents: copy k of each real PDF under docs/kNN/…, copy 0 byte-identical to the original. */
function makeDocuments(sources: Source[]): { files: string[]; pages: number; bytes: number } {
  fs.rmSync(docsDir, { recursive: true, force: true });
  const files: string[] = [];
  let pages = 0;
  let bytes = 0;
  for (let k = 0; k < copies; k++) {
    for (const s of sources) {
      const original = fs.readFileSync(path.join(realDir, s.rel));
      // A comment after %%EOF: readers ignore it; the bytes (and sha256) differ per copy.
      const data = k === 0 ? original : Buffer.concat([original, Buffer.from(`\n%yusuan bench variant ${k} of ${s.rel}\n`)]);
      const out = path.join(docsDir, `k${String(k).padStart(2, '0')}`, s.rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, data);
      files.push(out);
      pages += s.pages;
      bytes += data.length;
    }
  }
  return { files, pages, bytes };
}

interface IngestRun {
  jobs: number;
  seconds: number;
  documents: number;
  pages: number;
  ok: number;
  partial: number;
  failed: number;
  docsPerSec: number;
  pagesPerSec: number;
  peakRssMb: number;
  /** CPU seconds of the ingest process (all threads): unlike wall time, not inflated by other load. */
  cpuSeconds: number;
  /** Main-thread time hashing and storing (the single writer), seconds. */
  mainHashSeconds: number;
  mainStoreSeconds: number;
  dbBytes: number;
  dbBytesPer1000Docs: number;
}

async function ingest(jobs: number): Promise<IngestRun> {
  const db = path.join(scratch, `jobs${jobs}.db`);
  for (const f of [db, db + '-wal', db + '-shm']) fs.rmSync(f, { force: true });
  const results = path.join(scratch, `jobs${jobs}.run_results.json`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'ingest', docsDir, '--db', db, '--jobs', String(jobs),
    '--log-format', 'json', '--results', results], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  let done = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('{"event":"file"') && ++done % 50 === 0) process.stderr.write(`  jobs ${jobs}: ${done} files, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  });
  const code = await new Promise<number>((res) => child.on('exit', (c) => res(c ?? -1)));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`ingest --jobs ${jobs} exited ${code}`);
  const s = JSON.parse(fs.readFileSync(results, 'utf8')) as { counts: { processed: number; ok: number; partial: number; failed: number }; pages: number; peakRssMb: number; cpuSeconds: number;
    mainThreadMs?: { hash: number; store: number } };
  const dbBytes = [db, db + '-wal'].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
  return {
    jobs,
    seconds,
    documents: s.counts.processed,
    pages: s.pages,
    ok: s.counts.ok,
    partial: s.counts.partial,
    failed: s.counts.failed,
    docsPerSec: s.counts.processed / seconds,
    pagesPerSec: s.pages / seconds,
    peakRssMb: s.peakRssMb,
    cpuSeconds: s.cpuSeconds,
    mainHashSeconds: (s.mainThreadMs?.hash ?? 0) / 1000,
    mainStoreSeconds: (s.mainThreadMs?.store ?? 0) / 1000,
    dbBytes,
    dbBytesPer1000Docs: (dbBytes / s.counts.processed) * 1000,
  };
}

/** pdftotext -layout over the files, `parallel` processes at a time; seconds. */
async function pdftotext(files: string[], parallel: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const one = () => new Promise<void>((res, rej) => {
    const p = spawn('pdftotext', ['-layout', files[next++], '/dev/null'], { stdio: 'ignore' });
    p.on('error', rej);
    p.on('exit', () => res());
  });
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < files.length) await one();
  }));
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  if (!fs.existsSync(realDir)) {
    console.log(`Corpus not found at ${realDir}: nothing to measure.`);
    return;
  }
  if (!values['no-build']) {
    process.stderr.write('building dist/ (npm run build)…\n');
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  fs.mkdirSync(scratch, { recursive: true });
  const sources = manifest();
  const docs = makeDocuments(sources);
  console.log(`${docs.files.length} documents (${sources.length} real PDFs × ${copies} byte-different copies), ${docs.pages} pages, `
    + `${(docs.bytes / 1024 / 1024).toFixed(0)} MB, in ${docsDir}`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'} (${os.availableParallelism()} cores), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB`);

  const hasPdftotext = !spawnSync('pdftotext', ['-v']).error;
  const runs: IngestRun[] = [];
  const floors: { parallel: number; seconds: number; pagesPerSec: number }[] = [];
  for (const jobs of jobsList) {
    process.stderr.write(`ingest --jobs ${jobs}…\n`);
    runs.push(await ingest(jobs));
    if (hasPdftotext) {
      process.stderr.write(`pdftotext -layout, ${jobs} at a time…\n`);
      const seconds = await pdftotext(docs.files, jobs);
      floors.push({ parallel: jobs, seconds, pagesPerSec: docs.pages / seconds });
    }
  }

  console.log('');
  console.log(`${'what'.padEnd(30)} ${'seconds'.padStart(8)} ${'docs/s'.padStart(8)} ${'pages/s'.padStart(8)} ${'peak MB'.padStart(8)} ${'DB MB/1000 docs'.padStart(16)} ${'CPU s'.padStart(8)}`);
  for (const r of runs) {
    console.log(`${`yusuan ingest --jobs ${r.jobs}`.padEnd(30)} ${r.seconds.toFixed(1).padStart(8)} ${r.docsPerSec.toFixed(2).padStart(8)} ${r.pagesPerSec.toFixed(1).padStart(8)} `
      + `${String(r.peakRssMb).padStart(8)} ${(r.dbBytesPer1000Docs / 2 ** 20).toFixed(1).padStart(16)} ${r.cpuSeconds.toFixed(0).padStart(8)}`);
  }
  for (const f of floors) {
    console.log(`${`pdftotext -layout ×${f.parallel}`.padEnd(30)} ${f.seconds.toFixed(1).padStart(8)} ${(docs.files.length / f.seconds).toFixed(2).padStart(8)} ${f.pagesPerSec.toFixed(1).padStart(8)}`);
  }
  const j1 = runs.find((r) => r.jobs === 1);
  const j2 = runs.find((r) => r.jobs === 2);
  const speedup = j1 && j2 ? j1.seconds / j2.seconds : null;
  if (speedup !== null) console.log(`speed-up --jobs 2 / --jobs 1: ${speedup.toFixed(2)}× (target ≥ 1.7×); CPU time ratio ${(j2!.cpuSeconds / j1!.cpuSeconds).toFixed(2)}`);
  const load = os.loadavg()[0];
  if (load > os.availableParallelism() + 0.5) console.log(`note: load average ${load.toFixed(1)} on ${os.availableParallelism()} cores: other processes competed for the CPU; wall-time figures are pessimistic`);
  for (const r of runs) {
    const f = floors.find((x) => x.parallel === r.jobs);
    if (f) console.log(`--jobs ${r.jobs} / pdftotext ×${f.parallel} time: ${(r.seconds / f.seconds).toFixed(2)}× (target ≤ 10×)`);
  }
  for (const r of runs) console.log(`--jobs ${r.jobs}: main thread hashing ${r.mainHashSeconds.toFixed(1)} s, storing ${r.mainStoreSeconds.toFixed(1)} s`);
  for (const r of runs) if (r.failed || r.partial) console.log(`--jobs ${r.jobs}: ${r.ok} ok, ${r.partial} partial, ${r.failed} failed`);

  const out = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model ?? null, cores: os.availableParallelism(),
    documents: docs.files.length, pages: docs.pages, bytes: docs.bytes, runs, pdftotext: floors, speedup };
  fs.mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench', 'out', 'bulk.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`\nwrote bench/out/bulk.json`);
  if (!values.keep) fs.rmSync(scratch, { recursive: true, force: true });
}

await main();
