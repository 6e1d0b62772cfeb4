// Throughput over the real corpus (../shared/corpus/real, listed in MANIFEST.tsv):
// processFile (extract + layout + recognize + validate, no database) against `pdftotext -layout`,
// plus pdfjs extraction alone to show where the time goes. One process, files one after another.
// Usage: npm run bench
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractPdf } from '../src/extract/pdf.js';
import { processFile } from '../src/pipeline.js';
import { projectRoot } from './paths.js';


const root = projectRoot();
const realDir = path.resolve(root, '../shared/corpus/real');
const outDir = path.join(root, 'bench', 'out');
const resultsFile = path.join(root, 'bench', 'results.md');

interface FileRow {
  file: string;
  pages: number;
  pipelineMs: number | null;
  status: string | null;
  timings: { extractMs: number; layoutMs: number; recognizeMs: number } | null;
  extractMs: number | null;
  pdftotextMs: number | null;
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
  // No manifest: every PDF under real/.
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

function hasPdftotext(): boolean {
  const r = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  return !r.error;
}

function runPdftotext(file: string): number {
  const t0 = performance.now();
  const r = spawnSync('pdftotext', ['-layout', file, '/dev/null'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`pdftotext failed on ${file}: ${r.error?.message ?? r.stderr}`);
  return ms;
}

/** A fresh copy each time: pdfjs may take ownership of (detach) the buffer it is given. */
const readPdf = (file: string) => new Uint8Array(fs.readFileSync(file));

async function timePipeline(file: string): Promise<{ ms: number; pages: number; status: string; timings: FileRow['timings'] }> {
  const data = readPdf(file);
  const t0 = performance.now();
  const r = await processFile(file, data);
  return { ms: performance.now() - t0, pages: r.pages, status: r.status, timings: r.timings ?? null };
}

async function timeExtract(file: string): Promise<{ ms: number; pages: number }> {
  const data = readPdf(file);
  const t0 = performance.now();
  const r = await extractPdf(data);
  return { ms: performance.now() - t0, pages: r.numPages };
}

const sec = (ms: number) => (ms / 1000).toFixed(2);
const rate = (pages: number, ms: number) => (ms > 0 ? ((pages * 1000) / ms).toFixed(1) : '—');

async function main(): Promise<void> {
  if (!fs.existsSync(realDir)) {
    console.log(`Corpus not found at ${realDir}: nothing to measure.`);
    return;
  }
  const files = manifestFiles().filter((f) => fs.existsSync(path.join(realDir, f.file)));
  if (!files.length) {
    console.log(`No PDFs in ${realDir}.`);
    return;
  }
  const withPdftotext = hasPdftotext();
  if (!withPdftotext) console.log('pdftotext is not installed (poppler-utils): skipping the pdftotext comparison.');

  // Warm-up: once through each path on the first file (JIT, pdfjs worker and cmaps, disk cache).
  const first = path.join(realDir, files[0].file);
  let pipelineError: string | null = null;
  try {
    await timePipeline(first);
  } catch (e) {
    pipelineError = (e as Error).message ?? String(e);
    console.log(`processFile threw (${pipelineError}): timing extraction and pdftotext only.`);
  }
  await timeExtract(first);
  if (withPdftotext) runPdftotext(first);

  const rows: FileRow[] = [];
  for (const f of files) {
    const file = path.join(realDir, f.file);
    const row: FileRow = { file: f.file, pages: f.pages, pipelineMs: null, status: null, timings: null, extractMs: null, pdftotextMs: null };
    if (!pipelineError) {
      try {
        const p = await timePipeline(file);
        Object.assign(row, { pipelineMs: p.ms, status: p.status, timings: p.timings });
        if (p.pages) row.pages = p.pages;
      } catch (e) {
        row.status = 'threw: ' + ((e as Error).message ?? String(e));
      }
    }
    const x = await timeExtract(file);
    row.extractMs = x.ms;
    if (x.pages) row.pages = x.pages;
    if (withPdftotext) row.pdftotextMs = runPdftotext(file);
    rows.push(row);
    process.stderr.write(
      `  ${f.file}: ${row.pages} p, pipeline ${row.pipelineMs === null ? '—' : Math.round(row.pipelineMs) + ' ms'}, ` +
        `extract ${Math.round(x.ms)} ms${row.pdftotextMs === null ? '' : `, pdftotext ${Math.round(row.pdftotextMs)} ms`}\n`,
    );
  }

  const pages = rows.reduce((s, r) => s + r.pages, 0);
  const sum = (get: (r: FileRow) => number | null) => {
    const v = rows.map(get);
    return v.every((x) => x !== null) ? (v as number[]).reduce((a, b) => a + b, 0) : null;
  };
  const pipelineMs = sum((r) => r.pipelineMs);
  const extractMs = sum((r) => r.extractMs)!;
  const pdftotextMs = withPdftotext ? sum((r) => r.pdftotextMs) : null;
  const stage = (k: 'extractMs' | 'layoutMs' | 'recognizeMs') => sum((r) => r.timings?.[k] ?? null);
  const stages = pipelineMs === null ? null : { extractMs: stage('extractMs'), layoutMs: stage('layoutMs'), recognizeMs: stage('recognizeMs') };

  console.log('');
  console.log(`${rows.length} files, ${pages} pages, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu?'} (${os.cpus().length} cores), one file at a time`);
  console.log(`${'what'.padEnd(34)} ${'seconds'.padStart(8)} ${'pages/s'.padStart(8)}`);
  const line = (what: string, ms: number | null) =>
    console.log(`${what.padEnd(34)} ${(ms === null ? '—' : sec(ms)).padStart(8)} ${(ms === null ? '—' : rate(pages, ms)).padStart(8)}`);
  line('processFile (no DB)', pipelineMs);
  if (stages) {
    for (const [k, v] of Object.entries(stages)) line(`  of which ${k.replace('Ms', '')} (reported)`, v);
  }
  line('extractPdf alone (pdfjs)', extractMs);
  line('pdftotext -layout', pdftotextMs);
  const ratio = pipelineMs !== null && pdftotextMs ? pipelineMs / pdftotextMs : null;
  if (ratio !== null) console.log(`processFile / pdftotext time: ${ratio.toFixed(ratio < 10 ? 2 : 1)}×`);
  if (pdftotextMs) console.log(`extractPdf / pdftotext time: ${(extractMs / pdftotextMs).toFixed(1)}×`);
  if (pipelineMs !== null) console.log(`extraction share of processFile: ${((100 * extractMs) / pipelineMs).toFixed(0)}%`);
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
    date,
    node: process.version,
    commit,
    cpu: os.cpus()[0]?.model ?? null,
    files: rows.length,
    pages,
    pipeline: pipelineMs === null ? { error: pipelineError ?? 'some files failed' } : { ms: Math.round(pipelineMs), pagesPerSec: (pages * 1000) / pipelineMs, stages },
    extract: { ms: Math.round(extractMs), pagesPerSec: (pages * 1000) / extractMs },
    pdftotext: pdftotextMs === null ? null : { ms: Math.round(pdftotextMs), pagesPerSec: (pages * 1000) / pdftotextMs },
    ratioPipelineToPdftotext: ratio,
    perFile: rows.map((r) => ({
      ...r,
      pipelineMs: r.pipelineMs === null ? null : Math.round(r.pipelineMs),
      extractMs: r.extractMs === null ? null : Math.round(r.extractMs),
      pdftotextMs: r.pdftotextMs === null ? null : Math.round(r.pdftotextMs),
    })),
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'throughput.json'), JSON.stringify(out, null, 1) + '\n');

  if (!fs.existsSync(resultsFile)) {
    fs.writeFileSync(
      resultsFile,
      '# Throughput results\n\nAppended by `npm run bench` (bench/throughput.ts): real corpus, one file at a time, after one warm-up.\n\n' +
        '| date | node | commit | files | pages | processFile s | pages/s | extract s | pages/s | pdftotext s | pages/s | processFile/pdftotext |\n' +
        '|---|---|---|---|---|---|---|---|---|---|---|---|\n',
    );
  }
  const cell = (ms: number | null) => (ms === null ? '—' : sec(ms));
  const r = (ms: number | null) => (ms === null ? '—' : rate(pages, ms));
  fs.appendFileSync(
    resultsFile,
    `| ${date.slice(0, 16).replace('T', ' ')} | ${process.version} | ${commit ?? '—'} | ${rows.length} | ${pages} | ${cell(pipelineMs)} | ${r(pipelineMs)} | ` +
      `${cell(extractMs)} | ${r(extractMs)} | ${cell(pdftotextMs)} | ${r(pdftotextMs)} | ${ratio === null ? '—' : ratio.toFixed(ratio < 10 ? 2 : 1) + '×'} |\n`,
  );
  console.log(`\nwrote ${path.relative(root, path.join(outDir, 'throughput.json'))}, appended to ${path.relative(root, resultsFile)}`);
}

await main();
