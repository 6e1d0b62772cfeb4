// Throughput over the real corpus (../shared/corpus/real, listed in MANIFEST.tsv), side by side with
// `pdftotext -layout` (poppler) over the same files, in one run:
// - processFile (extract + layout + recognize + validate, no database), in this process, one file
//   at a time after a warm-up, with the stage split;
// - what a user runs: the whole `yusuan ingest <files> --db <fresh> --jobs N` (compiled, dist/) for
//   N = 1 and 2, as a child process, timed from outside, with its peak RSS (its worker threads share
//   the process, so with --jobs 1 that is the memory of one worker plus the main thread);
// - pdftotext -layout over the same files, one process per file as a user would run it.
// Whole runs are timed under /usr/bin/time when present (wall, CPU, peak RSS), best of --rounds.
// Usage: npm run bench [-- --rounds 3] [--no-build] [--jobs 1,2]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../src/pipeline.js';
import { projectRoot } from './paths.js';

const root = projectRoot();
const realDir = path.resolve(root, '../shared/corpus/real');
const outDir = path.join(root, 'bench', 'out');
const resultsFile = path.join(root, 'bench', 'results.md');
const TIME = '/usr/bin/time';
/** The header of the table this bench appends a row to in bench/results.md. */
const TABLE_HEAD = '| date | node | commit | load | files | pages | pdftotext s | processFile s | ×pdftotext | ingest -j1 s | ×pdftotext | CPU ×pdftotext | peak RSS -j1 MB | ingest -j2 s | peak RSS -j2 MB |';

interface FileRow {
  file: string;
  pages: number;
  pipelineMs: number | null;
  status: string | null;
  timings: { extractMs: number; layoutMs: number; recognizeMs: number } | null;
}

/** One whole run of a command: wall and CPU seconds, peak RSS (MB); CPU and RSS null without /usr/bin/time. */
interface Whole {
  wallS: number;
  cpuS: number | null;
  maxRssMb: number | null;
  /** From ingest's own results file. */
  ingest?: { elapsedS: number; cpuS: number; peakRssMb: number; pages: number; docs: number; failed: number; storeMs: number };
}

function manifestFiles(): { file: string; pages: number }[] {
  const manifest = path.join(realDir, 'MANIFEST.tsv');
  if (fs.existsSync(manifest)) {
    const [head, ...lines] = fs.readFileSync(manifest, 'utf8').split('\n').filter((l) => l.trim());
    const cols = head.split('\t');
    const fi = cols.indexOf('file');
    const pi = cols.indexOf('pages');
    return lines.map((l) => l.split('\t')).map((c) => ({ file: c[fi], pages: Number(c[pi]) || 0 }));
  }
  const out: { file: string; pages: number }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.pdf$/i.test(e.name)) out.push({ file: path.relative(realDir, p), pages: 0 });
    }
  };
  walk(realDir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

const has = (cmd: string, args: string[]) => !spawnSync(cmd, args, { encoding: 'utf8' }).error;

/** Run a command, timed from outside (under /usr/bin/time when there is one). */
function timed(cmd: string, args: string[], withTime: boolean): Whole {
  const timeFile = path.join(outDir, 'time.txt');
  fs.rmSync(timeFile, { force: true });
  const [c, a] = withTime ? [TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = spawnSync(c, a, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}… failed (${r.status}): ${r.error?.message ?? r.stderr.slice(-500)}`);
  if (!withTime) return { wallS, cpuS: null, maxRssMb: null };
  const [e, u, s, m] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallS: e || wallS, cpuS: u + s, maxRssMb: Math.round(m / 1024) };
}

function runPdftotext(files: string[], withTime: boolean): Whole {
  // One shell loop, so the whole is timed as one command: one pdftotext process per file.
  return timed('sh', ['-c', 'for f in "$@"; do pdftotext -layout "$f" /dev/null 2>/dev/null || exit 1; done', 'sh', ...files], withTime);
}

function runIngest(files: string[], jobs: number, withTime: boolean): Whole {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-bench-'));
  try {
    const db = path.join(dir, 'bench.db');
    const main = path.join(root, 'dist', 'cli', 'main.js');
    const w = timed(process.execPath, [main, 'ingest', ...files, '--db', db, '--jobs', String(jobs), '--format', 'jsonl'], withTime);
    const res = JSON.parse(fs.readFileSync(path.join(dir, 'bench.run_results.json'), 'utf8')) as {
      elapsedMs: number; cpuSeconds: number; peakRssMb: number; pages: number; counts: { processed: number; failed: number }; mainThreadMs: { store: number };
    };
    w.ingest = { elapsedS: res.elapsedMs / 1000, cpuS: res.cpuSeconds, peakRssMb: res.peakRssMb, pages: res.pages, docs: res.counts.processed, failed: res.counts.failed, storeMs: res.mainThreadMs.store };
    return w;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh copy each time: pdfjs may take ownership of (detach) the buffer it is given. */
const readPdf = (file: string) => new Uint8Array(fs.readFileSync(file));

async function timePipeline(file: string): Promise<{ ms: number; pages: number; status: string; timings: FileRow['timings'] }> {
  const data = readPdf(file);
  const t0 = performance.now();
  const r = await processFile(file, data);
  return { ms: performance.now() - t0, pages: r.pages, status: r.status, timings: r.timings ?? null };
}

const best = (ws: Whole[]): Whole => ws.reduce((a, b) => (b.wallS < a.wallS ? b : a));
const fx = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? '—' : v.toFixed(d));
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? a / b : null);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1' }, 'no-build': { type: 'boolean', default: false }, jobs: { type: 'string', default: '1,2' } } });
  const rounds = Math.max(1, Number(values.rounds) || 1);
  const jobList = values.jobs.split(',').map(Number).filter((n) => n >= 1);
  if (!fs.existsSync(realDir)) {
    console.log(`Corpus not found at ${realDir}: nothing to measure.`);
    return;
  }
  const listed = manifestFiles().filter((f) => fs.existsSync(path.join(realDir, f.file)));
  if (!listed.length) {
    console.log(`No PDFs in ${realDir}.`);
    return;
  }
  const files = listed.map((f) => path.join(realDir, f.file));
  fs.mkdirSync(outDir, { recursive: true });
  const withPdftotext = has('pdftotext', ['-v']);
  if (!withPdftotext) console.log('pdftotext is not installed (poppler-utils): skipping the pdftotext comparison.');
  const withTime = fs.existsSync(TIME);
  if (!withTime) console.log(`${TIME} not found: whole runs are timed by wall clock only, without CPU time and peak RSS.`);
  if (!values['no-build']) {
    process.stderr.write('building dist/ (tsc)…\n');
    const b = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`tsc failed:\n${b.stdout}${b.stderr}`);
  }

  // 1. processFile in this process, per file, after a warm-up on the first file.
  await timePipeline(files[0]);
  const rows: FileRow[] = [];
  for (const [i, f] of listed.entries()) {
    const row: FileRow = { file: f.file, pages: f.pages, pipelineMs: null, status: null, timings: null };
    try {
      const p = await timePipeline(files[i]);
      Object.assign(row, { pipelineMs: p.ms, status: p.status, timings: p.timings });
      if (p.pages) row.pages = p.pages;
    } catch (e) {
      row.status = 'threw: ' + ((e as Error).message ?? String(e));
    }
    rows.push(row);
  }
  const processMem = Math.round(process.resourceUsage().maxRSS / 1024);

  // 2. Whole runs, interleaved round by round so that a change in the machine's load hits all of them.
  const runs: { pdftotext: Whole[]; ingest: Map<number, Whole[]> } = { pdftotext: [], ingest: new Map(jobList.map((j) => [j, []])) };
  for (let r = 0; r < rounds; r++) {
    if (withPdftotext) runs.pdftotext.push(runPdftotext(files, withTime));
    for (const j of jobList) runs.ingest.get(j)!.push(runIngest(files, j, withTime));
    process.stderr.write(`  round ${r + 1}/${rounds}: pdftotext ${fx(runs.pdftotext.at(-1)?.wallS)} s, ` +
      jobList.map((j) => `ingest --jobs ${j} ${fx(runs.ingest.get(j)!.at(-1)!.wallS)} s`).join(', ') + '\n');
  }
  const pdftotext = withPdftotext ? best(runs.pdftotext) : null;
  const ingest = new Map([...runs.ingest].map(([j, ws]) => [j, best(ws)]));

  const pages = rows.reduce((s, r) => s + r.pages, 0);
  const sum = (get: (r: FileRow) => number | null) => {
    const v = rows.map(get);
    return v.every((x) => x !== null) ? (v as number[]).reduce((a, b) => a + b, 0) : null;
  };
  const pipelineS = ((ms) => (ms === null ? null : ms / 1000))(sum((r) => r.pipelineMs));
  const stage = (k: 'extractMs' | 'layoutMs' | 'recognizeMs') => ((ms) => (ms === null ? null : ms / 1000))(sum((r) => r.timings?.[k] ?? null));

  console.log('');
  console.log(`${rows.length} documents, ${pages} pages, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'} (${os.cpus().length} cores), load ${os.loadavg()[0].toFixed(1)}, best of ${rounds} round(s)`);
  console.log(`${'what'.padEnd(40)} ${'seconds'.padStart(8)} ${'pages/s'.padStart(8)} ${'docs/s'.padStart(7)} ${'CPU s'.padStart(7)} ${'×pdftotext'.padStart(10)} ${'peak RSS MB'.padStart(11)}`);
  const line = (what: string, s: number | null, cpu: number | null = null, rss: number | null = null) =>
    console.log(`${what.padEnd(40)} ${fx(s).padStart(8)} ${(s ? (pages / s).toFixed(1) : '—').padStart(8)} ${(s ? (rows.length / s).toFixed(2) : '—').padStart(7)} ` +
      `${fx(cpu).padStart(7)} ${(ratio(s, pdftotext?.wallS)?.toFixed(2) ?? '—').padStart(10)} ${(rss === null ? '—' : String(rss)).padStart(11)}`);
  line('pdftotext -layout (a process per file)', pdftotext?.wallS ?? null, pdftotext?.cpuS ?? null, pdftotext?.maxRssMb ?? null);
  line('processFile, in the bench (tsx, no DB)', pipelineS, null, processMem);
  for (const k of ['extractMs', 'layoutMs', 'recognizeMs'] as const) line(`  of which ${k.replace('Ms', '')} (reported)`, stage(k));
  for (const [j, w] of ingest) {
    line(`yusuan ingest --jobs ${j} (whole, fresh DB)`, w.wallS, w.cpuS, w.maxRssMb ?? w.ingest?.peakRssMb ?? null);
    if (w.ingest) console.log(`  its own count: ${w.ingest.elapsedS.toFixed(2)} s after start-up, ${w.ingest.cpuS.toFixed(2)} CPU s, store ${(w.ingest.storeMs / 1000).toFixed(2)} s, ${w.ingest.docs} documents (${w.ingest.failed} failed)`);
  }
  const j1 = ingest.get(1);
  const wallRatio = ratio(j1?.wallS, pdftotext?.wallS);
  const cpuRatio = ratio(j1?.cpuS, pdftotext?.cpuS);
  if (wallRatio !== null) console.log(`ingest --jobs 1 / pdftotext: ${wallRatio.toFixed(2)}× wall time${cpuRatio === null ? '' : `, ${cpuRatio.toFixed(2)}× CPU time`}`);
  if (pipelineS !== null && pdftotext) console.log(`processFile / pdftotext: ${(pipelineS / pdftotext.wallS).toFixed(2)}× wall time`);
  for (const [j, w] of ingest) {
    const rss = w.maxRssMb ?? w.ingest?.peakRssMb;
    if (rss === undefined || rss === null) continue;
    const per = j === 1 ? 'the memory of one worker process' : `at most ${Math.round(rss / j)} MB per worker, the main thread's share included`;
    console.log(`peak RSS, ingest --jobs ${j}: ${rss} MB for the process, main thread + ${j} worker thread${j > 1 ? 's' : ''} (${per})`);
  }
  const notOk = rows.filter((r) => r.status && r.status !== 'ok');
  if (notOk.length) console.log(`not ok: ${notOk.map((r) => `${r.file} (${r.status})`).join(', ')}`);

  const date = new Date().toISOString();
  const commit = (() => {
    const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) return null;
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
    return r.stdout.trim() + (dirty ? '+dirty' : '');
  })();
  const out = {
    date, node: process.version, commit, cpu: os.cpus()[0]?.model ?? null, load: os.loadavg()[0], rounds,
    documents: rows.length, pages,
    pdftotext, processFile: { seconds: pipelineS, stages: { extract: stage('extractMs'), layout: stage('layoutMs'), recognize: stage('recognizeMs') }, peakRssMb: processMem },
    ingest: Object.fromEntries([...ingest].map(([j, w]) => [`jobs${j}`, w])),
    ratios: { ingestJobs1ToPdftotext: wallRatio, ingestJobs1CpuToPdftotext: cpuRatio, processFileToPdftotext: ratio(pipelineS, pdftotext?.wallS) },
    allRounds: { pdftotext: runs.pdftotext, ingest: Object.fromEntries(runs.ingest) },
    perFile: rows.map((r) => ({ ...r, pipelineMs: r.pipelineMs === null ? null : Math.round(r.pipelineMs) })),
  };
  fs.writeFileSync(path.join(outDir, 'throughput.json'), JSON.stringify(out, null, 1) + '\n');

  const j2 = ingest.get(2);
  const row = `| ${date.slice(0, 16).replace('T', ' ')} | ${process.version} | ${commit ?? '—'} | ${os.loadavg()[0].toFixed(1)} | ${rows.length} | ${pages} | ${fx(pdftotext?.wallS)} | ` +
    `${fx(pipelineS)} | ${fx(ratio(pipelineS, pdftotext?.wallS))}× | ${fx(j1?.wallS)} | ${fx(wallRatio)}× | ${fx(cpuRatio)}× | ${j1?.maxRssMb ?? j1?.ingest?.peakRssMb ?? '—'} | ` +
    `${fx(j2?.wallS)} | ${j2?.maxRssMb ?? j2?.ingest?.peakRssMb ?? '—'} |`;
  appendRow(row);
  console.log(`\nwrote ${path.relative(root, path.join(outDir, 'throughput.json'))}, added a row to ${path.relative(root, resultsFile)}`);
}

/** Add the row under the last row of this bench's table in bench/results.md (a new section when there is none). */
function appendRow(row: string): void {
  const text = fs.existsSync(resultsFile) ? fs.readFileSync(resultsFile, 'utf8') : '# Throughput results\n';
  const lines = text.split('\n');
  const head = lines.indexOf(TABLE_HEAD);
  if (head < 0) {
    const section = `\n## Whole ingest vs pdftotext (\`npm run bench\`)\n\n${TABLE_HEAD}\n${TABLE_HEAD.replace(/[^|]+/g, '---')}\n${row}\n`;
    fs.writeFileSync(resultsFile, text.replace(/\n*$/, '\n') + section);
    return;
  }
  let end = head + 1;
  while (end + 1 < lines.length && lines[end + 1].startsWith('|')) end++;
  lines.splice(end + 1, 0, row);
  fs.writeFileSync(resultsFile, lines.join('\n'));
}

await main();
