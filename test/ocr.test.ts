// OCR path: text-layer verdicts, image line finding and deskew, OCR findings, a mixed text/scan PDF,
// offline operation, and real table pages read by OCR against the text path (when the corpus is there).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessTextLayer } from '../src/extract/textlayer.js';
import { estimateSkew, findLines, rotateGray, type GrayImage } from '../src/extract/ocr/raster.js';
import { OcrPool, tesseractPaths } from '../src/extract/ocr/index.js';
import { EnginePool } from '../src/extract/ocr/engine.js';
import { cleanWord } from '../src/extract/ocr/misreadings.js';
import { wordsToRuns } from '../src/extract/ocr/page.js';
import { ocrFamily, oneDigitChange } from '../src/validate/rules/ocr.js';
import { validateDocument } from '../src/validate/index.js';
import { processFile } from '../src/pipeline.js';
import { compact } from '../src/extract/normalize.js';
import type { DocumentResult, LineItem, RecognizedTable, TextRun } from '../src/types.js';
import { layoutPage } from '../src/layout/tables.js';
import { recognizeTables } from '../src/recognize/table.js';
import { rasterizePages, writePdf } from './fixtures/ocr/image-pdf.js';
import { corpusSource, makeMixedPdf } from './fixtures/ocr/make-mixed.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(here, '../../shared/corpus');
const run = (text: string): TextRun => ({ text, box: [0, 0, 10, 10], fontSize: 10 });

describe('text layer verdict', () => {
  it('no text over a page image needs OCR; no text and no image is a blank page', () => {
    expect(assessTextLayer({ runs: [], rules: [] }, 2_000_000)).toMatchObject({ usable: false, reason: 'none' });
    expect(assessTextLayer({ runs: [], rules: [] }, 0)).toMatchObject({ usable: true, reason: 'blank' });
  });
  it('private-use and mojibake glyphs are garbage; Latin text where a table must have Han is too', () => {
    expect(assessTextLayer({ runs: [run('\uE001\uE002\uE003\uE004 12.00'), run('\uE010\uE011')], rules: [] }).reason).toBe('garbage');
    expect(assessTextLayer({ runs: [run('ÊÕÈë×Ü±í ²¿ÃÅÔ¤Ëã')], rules: [] }).reason).toBe('garbage');
    expect(assessTextLayer({ runs: [run('abcdefghij klmnopqrst uvwxyzabcd 1234.00')], rules: [] }).reason).toBe('no_han');
  });
  it('a page number over a scan is too little; an ordinary table page is usable', () => {
    expect(assessTextLayer({ runs: [run('- 3 -')], rules: [] }, 5_000_000).reason).toBe('too_little');
    expect(assessTextLayer({ runs: [run('一般公共预算支出预算表'), run('公共安全支出'), run('87,267,272.44'), run('司法'), run('行政运行 16726725.44')], rules: [] }).usable).toBe(true);
  });
});

/** A white image with a ruled grid (3 px lines) and some short strokes, turned by `deg`. */
function gridImage(deg: number): GrayImage {
  const w = 1200, h = 900;
  let img: GrayImage = { width: w, height: h, data: new Uint8Array(w * h).fill(255) };
  const dark = (x: number, y: number) => { img.data[y * w + x] = 0; };
  for (const y of [100, 200, 300, 400, 500]) for (let x = 100; x <= 1100; x++) for (let t = 0; t < 3; t++) dark(x, y + t);
  for (const x of [100, 400, 700, 1100]) for (let y = 100; y <= 502; y++) for (let t = 0; t < 3; t++) dark(x + t, y);
  // Glyph-like strokes: short bars that are not rules.
  for (let k = 0; k < 10; k++) for (let x = 150 + k * 80; x < 180 + k * 80; x++) dark(x, 150);
  for (let y = 700; y < 740; y++) dark(600, y);
  if (deg) img = rotateGray(img, -deg); // rotateGray(img, -d) turns the content clockwise by d
  return img;
}

describe('image rules and deskew', () => {
  it('finds the grid and not the strokes', () => {
    const { h, v } = findLines(gridImage(0), 150);
    expect(h.map((l) => Math.round(l.y0))).toEqual([101, 201, 301, 401, 501]);
    expect(v.map((l) => Math.round(l.x0))).toEqual([101, 401, 701, 1101]);
  });
  it('measures a 1° skew and the deskewed image gives straight rules', () => {
    const img = gridImage(1);
    const skew = estimateSkew(img);
    expect(Math.abs(skew - 1)).toBeLessThan(0.1);
    const { h, v } = findLines(rotateGray(img, skew), 150);
    expect(h.length).toBe(5);
    expect(v.length).toBe(4);
  });
  it('tolerates a slight skew without deskewing', () => {
    const { h, v } = findLines(gridImage(0.3), 150);
    expect(h.length).toBe(5);
    expect(v.length).toBe(4);
  });
});

describe('OCR words and findings', () => {
  it('cleans quotes invented before labels, rule remnants and lookalike digits, and flags the change', () => {
    expect(cleanWord('“行政运行')).toBe('行政运行');
    expect(cleanWord('“三公”经费')).toBe('“三公”经费');
    expect(cleanWord('|款')).toBe('款');
    expect(cleanWord('0l')).toBe('01');
    expect(cleanWord('部门文出预算总表')).toBe('部门支出预算总表');
    expect(cleanWord('-、财政拨款')).toBe('一、财政拨款'); // a numbered item's 一 read as a dash
    expect(cleanWord('-12.50')).toBe('-12.50');
    // 1-bit scans: 一 of 一般 read as dashes, an ordinal's 、 read as a colon or lost before 一般.
    expect(cleanWord('一、--般公共服务支出')).toBe('一、一般公共服务支出');
    expect(cleanWord('三:卫生健康支出')).toBe('三、卫生健康支出');
    expect(cleanWord('事业单位经营收人')).toBe('事业单位经营收入');
    expect(cleanWord('、基本支出')).toBe('基本支出');
    expect(cleanWord('公共财政拨款《补助)资金')).toBe('公共财政拨款(补助)资金');
    expect(cleanWord('《预算法》')).toBe('《预算法》');
    expect(cleanWord('- - 般公共预算基本支出')).toBe('一般公共预算基本支出');
    expect(cleanWord('一一般公共服务支出')).toBe('一、一般公共服务支出');
    expect(cleanWord('一般公共预算')).toBe('一般公共预算');
    expect(cleanWord('单位:万元')).toBe('单位:万元');
    const runs = wordsToRuns([{ text: '1O.00', confidence: 95, bbox: { x0: 0, y0: 0, x1: 50, y1: 12 }, line: 0 }], 0.24);
    expect(runs[0].text).toBe('10.00');
    expect(runs[0].confidence).toBeLessThan(80);
  });
  it('joins the pieces of a number tesseract split at its separators, not neighbouring amounts', () => {
    const w = (text: string, x0: number, x1: number) => ({ text, confidence: 90, bbox: { x0, y0: 0, x1, y1: 40 }, line: 0 });
    const runs = wordsToRuns([w('17,', 0, 40), w('981.', 48, 100), w('68', 108, 130), w('2,010.25', 400, 520)], 0.24);
    expect(runs.map((r) => r.text)).toEqual(['17,981.68', '2,010.25']);
  });
  it('finds one-digit changes', () => {
    expect(oneDigitChange('1,234.56', 123456, 500, '元')).toBe('1239.56');
    expect(oneDigitChange('1,234.56', 123456, 1100, '元')).toBeNull(); // two digits change
    expect(oneDigitChange('12.30', 123_000_000, 1_000_000, '万元')).toBe('13.30');
  });
  const ocrDoc = (tables: RecognizedTable[], extra: Partial<DocumentResult> = {}): DocumentResult => ({
    sha256: '0'.repeat(64), path: 'scan.pdf', fileName: 'scan.pdf', pages: 1, phase: 'budget', year: null, department: null,
    status: 'ok', error: null, tables, findings: [], narrative: [], timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 }, ...extra,
  });
  it('reports a digit suspect and low confidence without changing the amount', () => {
    const item = (label: string, code: string, text: string, fen: number, y: number, confidence: number): LineItem => ({
      tableIndex: 0, page: 1, rowIndex: y, label, funcCode: code, econCode: null, columnKey: 'total', columnLabel: '合计',
      amountFen: fen, amountText: text, box: [100, y * 20, 200, y * 20 + 20], isTotal: false, confidence,
    });
    const items = [item('公共安全支出', '204', '300.00', 30000, 1, 0.95), item('司法', '20406', '100.00', 10000, 2, 0.6), item('公安', '20402', '260.00', 26000, 3, 0.93)];
    const table: RecognizedTable = { kind: 'expenditure', title: 't', unit: '元', departmentLabel: null, year: null, pageStart: 1, pageEnd: 1, source: 'ocr', columns: [], items, box: [0, 0, 1, 1] };
    const f = ocrFamily(ocrDoc([table]));
    expect(f.filter((x) => x.rule === 'ocr.low_confidence').map((x) => [x.actual, x.message.match(/（(\d+)）/)?.[1]])).toEqual([['100.00', '60']]);
    const suspects = f.filter((x) => x.rule === 'ocr.digit_suspect').map((x) => `${x.actual}→${x.expected}`);
    expect(suspects).toEqual(expect.arrayContaining(['300.00→360.00', '100.00→40.00'].slice(0, 1)));
    expect(items[0].amountFen).toBe(30000);
    // The same table from a text layer: nothing to doubt.
    expect(ocrFamily(ocrDoc([{ ...table, source: 'pdf_text' }]))).toEqual([]);
  });
  it('reports pages read by OCR and pages that could not be read, through the registered families', () => {
    const f = validateDocument(ocrDoc([], {
      ocrPages: [{ page: 2, reason: 'none', detail: 'no text layer', deskewDegrees: 0.4 }],
      pageErrors: [{ page: 1, stage: 'extract', message: 'bad stream' }, { page: 2, stage: 'ocr', message: 'worker died' }],
    }));
    expect(f.map((x) => [x.rule, x.severity, x.page])).toEqual([
      ['extract.page_failed', 'error', 1], ['ocr.page_failed', 'error', 2], ['ocr.page', 'info', 2],
    ]);
    expect(f[2].message).toBe('第2页经 OCR 识别 / page 2 read by OCR: no text layer; deskewed by 0.4°');
    expect(f[1].message).toBe("第2页无法识别 / page 2 could not be OCR'd: worker died");
  });
  it('an amount cell carries its least sure OCR run into the line item, as 0..1', () => {
    const run = (text: string, x: number, y: number, confidence?: number): TextRun => ({ text, box: [x, y, x + 40, y + 10], fontSize: 10, confidence });
    const rules = [0, 20, 40].map((y) => ({ x0: 0, y0: y, x1: 200, y1: y, width: 0.5 }))
      .concat([0, 100, 200].map((x) => ({ x0: x, y0: 0, x1: x, y1: 40, width: 0.5 })));
    const page = (source: 'ocr' | 'pdf_text', conf?: number) => ({
      number: 1, width: 300, height: 100, rotation: 0, rules, source,
      runs: [run('项目', 10, 5, conf), run('合计', 110, 5, conf), run('行政运行', 10, 25, conf), run('12.00', 110, 25, conf === undefined ? undefined : 71.5)],
    });
    const confidences = (p: ReturnType<typeof page>) => recognizeTables(layoutPage(p).grids, { phase: 'budget', defaultUnit: '元' }).flatMap((t) => t.items.map((i) => i.confidence));
    const ocr = confidences(page('ocr', 90));
    expect(ocr.length).toBeGreaterThan(0);
    expect(ocr).toEqual(ocr.map(() => 0.715));
    expect(confidences(page('pdf_text'))).toEqual(ocr.map(() => 1));
  });
});

describe('engine pool', () => {
  it('starts its workers once, lends each to one job at a time, and stops them on close', async () => {
    let started = 0, busy = 0, most = 0;
    const stopped: number[] = [];
    const p = new EnginePool(2, async () => ++started, async (w) => stopped.push(w));
    const job = (k: number) => p.use(async (w) => {
      most = Math.max(most, ++busy);
      await new Promise((r) => setTimeout(r, 5));
      busy--;
      return [k, w];
    });
    const done = await Promise.all([1, 2, 3, 4, 5].map(job));
    expect(done.map(([k]) => k)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(done.map(([, w]) => w))).toEqual(new Set([1, 2]));
    expect([started, most]).toEqual([2, 2]);
    await p.close();
    expect(stopped.sort()).toEqual([1, 2]);
    await expect(p.use(async () => 0)).rejects.toThrow('closed');
  });
});

const pool = new OcrPool(2);
afterAll(() => pool.close());

describe('tesseract.js setup', () => {
  it('tesseract.js files are all local', () => {
    const p = tesseractPaths();
    expect(fs.existsSync(path.join(p.langPath, 'chi_sim.traineddata.gz'))).toBe(true);
    expect(fs.existsSync(p.workerPath)).toBe(true);
    expect(fs.existsSync(path.join(p.corePath, 'tesseract-core-simd-lstm.wasm'))).toBe(true);
  });

});

// The scanned page is made at test time from a real page, so nothing of the corpus is committed.
describe.skipIf(!fs.existsSync(corpusSource))('OCR on scanned pages', () => {
  const mixed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-ocr-')), 'mixed.pdf');
  beforeAll(async () => { await makeMixedPdf(mixed); }, 60_000);

  it('reads a PDF mixing a text page and a scanned page, each the right way', async () => {
    const r = await processFile(mixed, undefined, { ocrPool: pool });
    const p1 = r.tables.filter((t) => t.pageStart === 1);
    const p2 = r.tables.filter((t) => t.pageStart === 2);
    expect(p1.map((t) => [t.kind, t.source])).toEqual([['income', 'pdf_text']]);
    expect(p2.map((t) => [t.kind, t.source])).toEqual([['expenditure', 'ocr']]);
    expect(p1[0].items.find((i) => i.label === '收入总计' && i.columnKey === 'total')?.amountFen).toBe(9628221344);
    const got = p2[0].items.map((i) => `${i.funcCode}|${i.columnKey}|${i.amountText}`);
    expect(got).toEqual(expect.arrayContaining([
      '204|total|87267272.44', '204|basic|16726725.44', '204|project|70540547.00',
      '20406|total|87267272.44', '2040601|total|16726725.44', '2040604|project|21703947.00', '2040607|total|6860000.00',
    ]));
    expect(r.findings.filter((f) => f.rule === 'ocr.page').map((f) => f.page)).toEqual([2]);
    // --ocr off: the scanned page is not read.
    const off = await processFile(mixed, undefined, { ocr: 'off' });
    expect(off.tables.every((t) => t.source === 'pdf_text')).toBe(true);
  }, 60_000);

  it('works with the network blocked', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/ocr/no-network.mjs', 'test/fixtures/ocr/ocr-offline.ts', mixed], {
      cwd: path.resolve(here, '..'), encoding: 'utf8', timeout: 60_000,
    });
    expect(r.stderr).not.toContain('NETWORK ACCESS');
    expect(r.status).toBe(0);
    const read = compact(JSON.parse(r.stdout.trim().split('\n').pop()!).text as string); // word spacing varies
    expect(read).toContain('公共安全');
    expect(read).toContain('87267272.44');
  }, 60_000);
});

const cellKeys = (r: DocumentResult, pages: number[]) => r.tables.flatMap((t) => t.items
  .filter((i) => pages.includes(i.page))
  .map((i) => [i.page, t.kind, i.funcCode ?? i.econCode ?? compact(i.label), i.columnKey, i.amountFen].join('|'))).sort();

describe.skipIf(!fs.existsSync(path.join(corpus, 'real')))('real table pages through OCR (corpus)', () => {
  it('two table pages reproduce the text path amounts exactly', async () => {
    const file = path.join(corpus, 'real/shanghai/上海市普陀区司法局2026年部门预算.pdf');
    const pages = [12, 19];
    const text = await processFile(file, undefined, { ocr: 'off' });
    const data = new Uint8Array(fs.readFileSync(file));
    const scan = writePdf(await rasterizePages(data, pages, { dpi: 300, quality: 85 }));
    const ocr = await processFile('scan.pdf', scan, { ocrPool: pool });
    const want = cellKeys(text, pages);
    const got = cellKeys({ ...ocr, tables: ocr.tables.map((t) => ({ ...t, items: t.items.map((i) => ({ ...i, page: pages[i.page - 1] })) })) }, pages);
    expect(want.length).toBeGreaterThan(50);
    expect(got).toEqual(want);
  }, 60_000);
});
