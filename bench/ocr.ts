// OCR accuracy and speed: image-only versions of the keyed pages of the real PDFs (300 DPI, 200 DPI,
// 300 DPI with 1° skew and noise, 300 DPI with the ruling lines erased) are ingested through the OCR path and their amounts compared with
// those the text path finds in the originals on the same pages.
//
// Usage: node --import tsx bench/ocr.ts [--variants 300,200,skew] [--timing-pages 10] [--docs sha12,…] [--no-native]
//        [--jobs 2] [--ocr-dpi 250] (the resolution pages are rendered at for OCR; the default is the pipeline's)
// Scratch files go to bench/out/ocr/ (outside git). Figures are printed and written to bench/out/ocr.json.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../src/pipeline.js';
import { OcrPool, OCR_DPI, renderPageGray } from '../src/extract/ocr/index.js';
import { openPdf } from '../src/extract/pdf.js';
import { toPgm } from '../src/extract/ocr/raster.js';
import { corpusDir, projectRoot } from './paths.js';
import { amountCellKeys as cellKeys, matchCells as matchCount } from './score.js';
import { rasterizePages, writePdf, type RasterOptions } from '../test/fixtures/ocr/image-pdf.js';

const root = projectRoot();
const corpus = corpusDir();
const outDir = path.join(root, 'bench', 'out');
const scratch = path.join(outDir, 'ocr');

const VARIANTS: Record<string, RasterOptions> = {
  '300': { dpi: 300, quality: 85 },
  '200': { dpi: 200, quality: 85 },
  skew: { dpi: 300, quality: 80, skewDegrees: 1, noise: 12, seed: 7 },
  unruled: { dpi: 300, quality: 85, eraseRules: true },
};

interface Sample { sha12: string; file: string; pages: number[] }

function samples(filter: string[]): Sample[] {
  const keysDir = path.join(corpus, 'keys');
  return fs.readdirSync(keysDir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const k = JSON.parse(fs.readFileSync(path.join(keysDir, f), 'utf8')) as { sha12: string; file: string; items: { page: number }[] };
    return { sha12: k.sha12, file: k.file, pages: [...new Set(k.items.map((i) => i.page))].sort((a, b) => a - b) };
  }).filter((s) => !filter.length || filter.some((x) => s.sha12.startsWith(x)));
}

const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) + '%' : '—');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variants: { type: 'string', default: '300,200,skew,unruled' },
      'timing-pages': { type: 'string', default: '10' },
      docs: { type: 'string', default: '' },
      'no-native': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
      'ocr-dpi': { type: 'string', default: String(OCR_DPI) },
    },
  });
  if (!fs.existsSync(path.join(corpus, 'keys'))) {
    console.log(`Corpus not found at ${corpus}: nothing to measure.`);
    return;
  }
  fs.mkdirSync(scratch, { recursive: true });
  const sample = samples(values.docs ? values.docs.split(',') : []);
  const variants = values.variants.split(',').filter((v) => VARIANTS[v]);
  const jobs = Number(values.jobs);
  console.log(`Sample: the keyed pages of ${sample.length} documents (${sample.reduce((s, x) => s + x.pages.length, 0)} pages):`);
  for (const s of sample) console.log(`  ${s.sha12} p${s.pages.join(',')}  ${s.file}`);

  // Reference: the text path on the originals.
  const refs = new Map<string, string[]>();
  for (const s of sample) {
    const r = await processFile(path.join(corpus, 'real', s.file), undefined, { ocr: 'off' });
    const keep = new Set(s.pages);
    refs.set(s.sha12, cellKeys(r, (p) => (keep.has(p) ? p : null)));
  }
  const refTotal = [...refs.values()].reduce((s, r) => s + r.length, 0);
  console.log(`Text path: ${refTotal} amount cells on those pages.\n`);

  // Image-only PDFs of the sampled pages.
  const made = new Map<string, string>();
  for (const v of variants) {
    for (const s of sample) {
      const file = path.join(scratch, `${s.sha12}-${v}.pdf`);
      if (!fs.existsSync(file)) {
        const data = new Uint8Array(fs.readFileSync(path.join(corpus, 'real', s.file)));
        fs.writeFileSync(file, writePdf(await rasterizePages(data, s.pages, VARIANTS[v])));
      }
      made.set(`${s.sha12}-${v}`, file);
    }
  }

  const results: Record<string, unknown> = {};
  const ocrDpi = Number(values['ocr-dpi']);
  const pool = new OcrPool(jobs, ocrDpi);
  try {
    for (const v of variants) {
      let matched = 0, total = 0, extra = 0, pages = 0, ms = 0;
      const findings: Record<string, number> = {};
      const misses: string[] = [];
      for (const s of sample) {
        const t0 = performance.now();
        const r = await processFile(made.get(`${s.sha12}-${v}`)!, undefined, { ocr: 'auto', ocrPool: pool });
        ms += performance.now() - t0;
        pages += s.pages.length;
        const got = cellKeys(r, (p) => s.pages[p - 1] ?? null);
        const m = matchCount(refs.get(s.sha12)!, got);
        matched += m.matched; total += refs.get(s.sha12)!.length; extra += m.extra.length;
        for (const f of r.findings) if (f.rule.startsWith('ocr.') && f.rule !== 'ocr.page') findings[f.rule] = (findings[f.rule] ?? 0) + 1;
        misses.push(...m.missed.map((k) => `${s.sha12} ${k}`));
        process.stderr.write(`  ${v} ${s.sha12} ${m.matched}/${refs.get(s.sha12)!.length} (+${m.extra.length} not in text path) ${r.status}${r.error ? ' ' + r.error : ''} ${Math.round(performance.now() - t0)} ms\n`);
      }
      console.log(`${v.padEnd(5)} exact ${pct(matched, total)} (${matched}/${total}), ${extra} OCR cells not in the text path, ` +
        `${(ms / 1000 / pages).toFixed(2)} s/page with ${jobs} workers; findings ${JSON.stringify(findings)}`);
      results[v] = { matched, total, share: total ? matched / total : null, extra, pages, secondsPerPage: ms / 1000 / pages, findings, misses: misses.slice(0, 200) };
      if (misses.length) console.log('  first misses: ' + misses.slice(0, 8).join('\n                '));
    }
  } finally {
    await pool.close();
  }

  // Speed: the same pages with 1 and 2 workers (pool start-up excluded), and native tesseract.
  const timingPages = Number(values['timing-pages']);
  const timingSet: { file: string; pages: number }[] = [];
  let left = timingPages;
  for (const s of sample) {
    if (left <= 0) break;
    if (s.pages.length > left) continue;
    timingSet.push({ file: made.get(`${s.sha12}-300`) ?? made.get(`${s.sha12}-${variants[0]}`)!, pages: s.pages.length });
    left -= s.pages.length;
  }
  const nTiming = timingSet.reduce((s, x) => s + x.pages, 0);
  const speed: Record<string, number> = {};
  for (const size of [1, 2]) {
    const p = new OcrPool(size, ocrDpi);
    try {
      await p.recognize({ width: 8, height: 8, data: new Uint8Array(64).fill(255) }); // start the workers
      const t0 = performance.now();
      for (const t of timingSet) await processFile(t.file, undefined, { ocr: 'auto', ocrPool: p });
      speed[`workers${size}`] = (performance.now() - t0) / 1000 / nTiming;
    } finally {
      await p.close();
    }
    console.log(`speed: ${speed[`workers${size}`].toFixed(2)} s/page with ${size} worker${size > 1 ? 's' : ''} (${nTiming} pages, 300 DPI image PDFs, render + OCR + layout)`);
  }
  const hasNative = !values['no-native'] && spawnSync('tesseract', ['--version']).status === 0;
  if (hasNative) {
    let ms = 0;
    for (const t of timingSet) {
      const doc = await openPdf(new Uint8Array(fs.readFileSync(t.file)));
      for (let n = 1; n <= doc.numPages; n++) {
        const r = await renderPageGray(doc, n, OCR_DPI);
        const f = path.join(scratch, 'native.pgm');
        fs.writeFileSync(f, toPgm(r.img));
        const t0 = performance.now();
        execFileSync('tesseract', [f, path.join(scratch, 'native'), '-l', 'chi_sim', '--dpi', String(OCR_DPI), '--psm', '3', 'tsv'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: 'ignore' });
        ms += performance.now() - t0;
      }
      await doc.destroy();
    }
    speed.native = ms / 1000 / nTiming;
    const version = spawnSync('tesseract', ['--version']).stdout.toString().split('\n')[0];
    console.log(`speed: ${speed.native.toFixed(2)} s/page native ${version} (one process per page, OMP_THREAD_LIMIT=1, same pages, OCR only)`);
  } else {
    console.log('native tesseract not installed (or --no-native): no anchor timing');
  }

  fs.mkdirSync(outDir, { recursive: true });
  const out = { date: new Date().toISOString(), node: process.version, jobs, ocrDpi, sample, refTotal, variants: results, speed, timingPages: nTiming };
  fs.writeFileSync(path.join(outDir, 'ocr.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`\nwrote ${path.relative(root, path.join(outDir, 'ocr.json'))}`);
}

await main();
