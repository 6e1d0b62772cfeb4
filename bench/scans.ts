// Whole scanned documents made by other tools: every page of the keyed documents as image-only PDFs
// (pdftoppm + ImageMagick + img2pdf, see test/fixtures/scans.ts), ingested through the OCR path and
// scored against the keys and against the text path on all pages.
//
// Usage: node --import tsx bench/scans.ts [--docs sha12,…] [--variants gray300,bw300,jpeg200 (default; also rot90,
//        rot180,rot270,rotflag,dpi150,dpi600,skew2,border,strips: see test/fixtures/scans.ts)] [--pages N]
//        [--jobs 2] [--ocr auto|force] [--engine tesseract|paddle]
//        [--keep DIR] (make the scans in DIR and reuse those already there)
// Figures are printed and written to bench/out/scans.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../src/pipeline.js';
import { DEFAULT_OCR_ENGINE, makeOcrEngine, OCR_ENGINES, type OcrEngineName } from '../src/extract/ocr/index.js';
import { errorMessage } from '../src/errors.js';
import type { DocumentResult } from '../src/types.js';
import { corpusDir, projectRoot } from './paths.js';
import { amountCellKeys, flaggedCells, matchCells, scoreDocument, type KeyFile } from './score.js';
import { LOW_CONFIDENCE } from '../src/extract/ocr/engine.js';
import { DEFAULT_SCAN_VARIANTS, makeScan, missingScanTools, SCAN_VARIANTS, type ScanVariant } from '../test/fixtures/scans.js';

const root = projectRoot();
const corpus = corpusDir();
const outDir = path.join(root, 'bench', 'out');
const MAX_LISTED = 8;

const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) + '%' : '—');

/** Tables with amounts, by kind and first page: what "the same tables" means between two readings. */
const tableKeys = (r: DocumentResult) => r.tables.filter((t) => t.items.length > 0).map((t) => `${t.kind}@${t.pageStart}`);

interface DocFigures {
  sha12: string; pages: number; seconds: number; cpuSeconds: number; status: string;
  keyFound: number; keyTotal: number; cellsMatched: number; cellsTotal: number; cellsExtra: number;
  tablesMatched: number; tablesText: number; tablesOcr: number;
  flags: ReturnType<typeof flaggedCells>;
  missedCells: string[]; extraCells: string[]; missedTables: string[]; extraTables: string[]; findings: Record<string, number>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      docs: { type: 'string', default: '' },
      variants: { type: 'string', default: DEFAULT_SCAN_VARIANTS.join(',') },
      pages: { type: 'string', default: '' },
      jobs: { type: 'string', default: '2' },
      ocr: { type: 'string', default: 'auto' },
      engine: { type: 'string', default: DEFAULT_OCR_ENGINE },
      keep: { type: 'string', default: '' },
    },
  });
  const keysDir = path.join(corpus, 'keys');
  if (!fs.existsSync(keysDir)) { console.log(`Corpus not found at ${corpus}: nothing to measure.`); return; }
  const missing = missingScanTools();
  if (missing.length) {
    console.log(`bench:scans needs ${missing.join(', ')} (apt-get install poppler-utils img2pdf imagemagick): nothing measured.`);
    return;
  }
  const variants = values.variants.split(',').filter(Boolean) as ScanVariant[];
  const unknown = variants.filter((v) => !SCAN_VARIANTS.includes(v));
  if (unknown.length) throw new Error(`unknown variant(s) ${unknown.join(', ')} (known: ${SCAN_VARIANTS.join(', ')})`);
  const ocrMode = values.ocr === 'force' ? 'force' : 'auto';
  const engine = values.engine as OcrEngineName;
  if (!OCR_ENGINES.includes(engine)) throw new Error(`unknown engine ${engine} (known: ${OCR_ENGINES.join(', ')})`);
  const lastPage = values.pages ? Number(values.pages) : undefined;
  const inRange = (p: number) => lastPage === undefined || p <= lastPage;
  const filter = values.docs ? values.docs.split(',') : [];
  const keys = fs.readdirSync(keysDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(keysDir, f), 'utf8')) as KeyFile)
    .filter((k) => !filter.length || filter.some((x) => k.sha12.startsWith(x)));
  const work = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-scans-'));
  fs.mkdirSync(work, { recursive: true });
  console.log(`${keys.length} documents${lastPage ? `, first ${lastPage} pages` : ', every page'}; variants ${variants.join(', ')}; OCR ${ocrMode} (${engine}), ${values.jobs} workers; scans in ${work}`);

  // Reference: the text path on the originals, all pages.
  const refs = new Map<string, DocumentResult>();
  for (const k of keys) refs.set(k.sha12, await processFile(path.join(corpus, 'real', k.file), undefined, { ocr: 'off' }));

  const pool = makeOcrEngine(engine, Number(values.jobs));
  const results: Record<string, DocFigures[]> = {};
  try {
    for (const v of variants) {
      results[v] = [];
      for (const k of keys) {
        const file = path.join(work, `${k.sha12}-${v}${lastPage ? `-p${lastPage}` : ''}.pdf`);
        if (!values.keep || !fs.existsSync(file)) makeScan(path.join(corpus, 'real', k.file), file, v, { last: lastPage, seed: k.sha12, workDir: work });
        const t0 = performance.now();
        const cpu0 = process.cpuUsage(); // every thread of the process: OCR workers and ONNX Runtime's too
        let r: DocumentResult;
        try {
          r = await processFile(file, undefined, { ocr: ocrMode, ocrPool: pool });
        } catch (e) {
          console.log(`  ${v} ${k.sha12}: processFile threw ${errorMessage(e)}`);
          continue;
        }
        const seconds = (performance.now() - t0) / 1000;
        const cpuUsed = process.cpuUsage(cpu0);
        const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
        const key: KeyFile = { ...k, items: k.items.filter((i) => inRange(i.page)) };
        const score = scoreDocument(key, r);
        const ref = refs.get(k.sha12)!;
        const keep = (p: number) => (inRange(p) ? p : null);
        const cells = matchCells(amountCellKeys(ref, keep), amountCellKeys(r, keep));
        const refTables = tableKeys(ref).filter((t) => inRange(Number(t.split('@')[1])));
        const tables = matchCells(refTables, tableKeys(r));
        const findings: Record<string, number> = {};
        for (const f of r.findings) if (f.rule.startsWith('ocr.') && f.rule !== 'ocr.page') findings[f.rule] = (findings[f.rule] ?? 0) + 1;
        const fig: DocFigures = {
          sha12: k.sha12, pages: r.pages, seconds, cpuSeconds, status: r.status + (r.error ? `: ${r.error}` : ''),
          keyFound: score.found, keyTotal: score.total,
          cellsMatched: cells.matched, cellsTotal: cells.matched + cells.missed.length, cellsExtra: cells.extra.length,
          tablesMatched: tables.matched, tablesText: refTables.length, tablesOcr: tableKeys(r).length,
          flags: flaggedCells(ref, r, LOW_CONFIDENCE / 100),
          missedCells: cells.missed, extraCells: cells.extra, missedTables: tables.missed, extraTables: tables.extra, findings,
        };
        results[v].push(fig);
        process.stderr.write(`  ${v} ${k.sha12} keys ${fig.keyFound}/${fig.keyTotal} text ${fig.cellsMatched}/${fig.cellsTotal} tables ${fig.tablesMatched}/${fig.tablesText} (${fig.tablesOcr} found) ${(seconds / r.pages).toFixed(2)} s/page (CPU ${(cpuSeconds / r.pages).toFixed(2)} s/page) ${fig.status}\n`);
      }
    }
  } finally {
    await pool.close();
    if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
  }

  for (const v of variants) {
    const rows = results[v];
    console.log(`\n${v}`);
    console.log(['doc'.padEnd(13), 'keys exact'.padStart(16), 'vs text path'.padStart(18), 'tables'.padStart(13), 'pages'.padStart(6), 's/page'.padStart(7)].join(' '));
    const sum = (f: (d: DocFigures) => number) => rows.reduce((s, d) => s + f(d), 0);
    const line = (name: string, kf: number, kt: number, cm: number, ct: number, tm: number, tt: number, to: number, pages: number, s: number) =>
      console.log([name.padEnd(13), `${pct(kf, kt)} ${kf}/${kt}`.padStart(16), `${pct(cm, ct)} ${cm}/${ct}`.padStart(18),
        `${tm}/${tt} (${to})`.padStart(13), String(pages).padStart(6), (pages ? s / pages : 0).toFixed(2).padStart(7)].join(' '));
    for (const d of rows) line(d.sha12, d.keyFound, d.keyTotal, d.cellsMatched, d.cellsTotal, d.tablesMatched, d.tablesText, d.tablesOcr, d.pages, d.seconds);
    line('all', sum((d) => d.keyFound), sum((d) => d.keyTotal), sum((d) => d.cellsMatched), sum((d) => d.cellsTotal),
      sum((d) => d.tablesMatched), sum((d) => d.tablesText), sum((d) => d.tablesOcr), sum((d) => d.pages), sum((d) => d.seconds));
    const f = { right: sum((d) => d.flags.right), rightFlagged: sum((d) => d.flags.rightFlagged), wrong: sum((d) => d.flags.wrong), wrongFlagged: sum((d) => d.flags.wrongFlagged) };
    console.log(`  doubtful (ocr.low_confidence): ${f.wrongFlagged}/${f.wrong} cells not in the text path (${pct(f.wrongFlagged, f.wrong)}), ${f.rightFlagged}/${f.right} right cells (${pct(f.rightFlagged, f.right)})`);
    for (const d of rows) {
      if (d.missedTables.length || d.extraTables.length) console.log(`  ${d.sha12} tables missed: ${d.missedTables.join(' ') || '—'}; not in the text path: ${d.extraTables.join(' ') || '—'}`);
      if (Object.keys(d.findings).length) console.log(`  ${d.sha12} findings ${JSON.stringify(d.findings)}`);
      if (d.missedCells.length) console.log(`  ${d.sha12} first missed cells (page|kind|code|column|fen): ${d.missedCells.slice(0, MAX_LISTED).join('  ')}`);
    }
  }
  console.log('\n"keys exact": key amounts found (bench/score.ts, as bench:accuracy); "vs text path": text-path amount cells with an OCR cell of');
  console.log('the same page, table kind, code (else label), column and 分; "tables": text-path tables (kind@first page) found (tables the OCR reading has).');
  fs.mkdirSync(outDir, { recursive: true });
  const out = { date: new Date().toISOString(), node: process.version, jobs: Number(values.jobs), ocr: ocrMode, engine, pages: lastPage ?? null, variants: results };
  fs.writeFileSync(path.join(outDir, 'scans.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${path.relative(root, path.join(outDir, 'scans.json'))}`);
}

await main();
