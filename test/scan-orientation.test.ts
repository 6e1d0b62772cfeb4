// Scanner output as it comes: pages turned a quarter or upside down, lid borders, the scan's own
// resolution, pages cut into strips. Pure steps on small synthetic images; then one page of a real
// document turned 90° by ImageMagick (skipped without the corpus or the tools) read like the text path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whitenBorders, findBorders } from '../src/extract/ocr/border.js';
import { isTurnedQuarter, isUpsideDown, lineShare, readingConfidence, sampleLines } from '../src/extract/ocr/orientation.js';
import { downscaleGray, rotateQuarter, type GrayImage } from '../src/extract/ocr/raster.js';
import { imageDpi, scanPixels } from '../src/extract/ocr/render.js';
import type { TextBlock } from '../src/extract/ocr/segment.js';
import { processFile } from '../src/pipeline.js';
import { amountCellKeys } from '../bench/score.js';
import { corpusDir } from '../bench/paths.js';
import { makeScan, scanTestSkipReason } from './fixtures/scans.js';

const blank = (width: number, height: number): GrayImage => ({ width, height, data: new Uint8Array(width * height).fill(255) });
const fill = (img: GrayImage, x0: number, y0: number, x1: number, y1: number, v = 0) => {
  for (let y = y0; y < y1; y++) img.data.fill(v, y * img.width + x0, y * img.width + x1);
};
const at = (img: GrayImage, x: number, y: number) => img.data[y * img.width + x];

describe('quarter turns and area downscaling', () => {
  it('turns clockwise, four turns giving the image back', () => {
    const img: GrayImage = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const q1 = rotateQuarter(img, 1);
    expect([q1.width, q1.height]).toEqual([2, 3]);
    expect([...q1.data]).toEqual([4, 1, 5, 2, 6, 3]);
    expect([...rotateQuarter(img, 2).data]).toEqual([6, 5, 4, 3, 2, 1]);
    expect([...rotateQuarter(img, 3).data]).toEqual([3, 6, 2, 5, 1, 4]);
    expect([...rotateQuarter(rotateQuarter(q1, 1), 2).data]).toEqual([...img.data]);
  });

  it('averages areas: a 1-pixel stroke turns grey instead of vanishing', () => {
    const img = blank(8, 8);
    fill(img, 3, 0, 4, 8); // one dark column
    const half = downscaleGray(img, 0.5);
    expect([half.width, half.height]).toEqual([4, 4]);
    expect(at(half, 1, 2)).toBeGreaterThan(100);
    expect(at(half, 1, 2)).toBeLessThan(160); // half dark
    expect(at(half, 0, 0)).toBe(255);
    expect(downscaleGray(img, 1)).toBe(img);
  });
});

describe('scanner lid borders', () => {
  it('whitens dark bands on the sides that have one, slanted or not, and nothing else', () => {
    const img = blank(200, 300); // 72 DPI: a pixel is a point
    fill(img, 0, 0, 20, 300, 40); // left band
    for (let x = 0; x < 200; x++) fill(img, x, 0, x + 1, 12 + Math.floor(x / 40), 40); // slanted top band
    fill(img, 60, 100, 140, 102); // a rule
    fill(img, 60, 120, 70, 130); // a glyph
    fill(img, 196, 150, 200, 152); // a short mark touching the right edge
    expect(whitenBorders(img, 128, 72).sort()).toEqual(['left', 'top']);
    expect(at(img, 5, 200)).toBe(255);
    expect(at(img, 150, 14)).toBe(255);
    expect(at(img, 100, 101)).toBe(0);
    expect(at(img, 65, 125)).toBe(0);
    expect(at(img, 198, 151)).toBe(0);
  });

  it('takes no rule at the edge for a band', () => {
    const img = blank(200, 300);
    fill(img, 0, 0, 3, 300); // a 3 pt rule along the edge: thinner than a band
    expect(Object.keys(findBorders(img, 128, 72))).toEqual([]);
  });
});

describe('page orientation decisions', () => {
  const box = (x0: number, y0: number, w: number, h: number, line = true): TextBlock => ({ x0, y0, x1: x0 + w, y1: y0 + h, line });

  it('measures how much of the ink is in wide one-line blocks', () => {
    const upright = [box(0, 0, 200, 20), box(0, 40, 120, 20), box(0, 80, 20, 20)];
    const turned = [box(0, 0, 20, 200, false), box(40, 0, 20, 120, false), box(80, 0, 20, 20)];
    expect(lineShare(upright)).toBeCloseTo(6400 / 6800, 3);
    expect(lineShare(turned)).toBe(0);
    expect(lineShare([])).toBe(0);
    expect(isTurnedQuarter(lineShare(turned), lineShare(upright))).toBe(true);
    expect(isTurnedQuarter(lineShare(upright), lineShare(turned))).toBe(false);
    expect(isTurnedQuarter(0.5, 0.55)).toBe(false); // too close to call: left as it is
  });

  it('samples body-sized wide lines, widest first', () => {
    const dpi = 72;
    const s = sampleLines([box(0, 0, 100, 10), box(0, 20, 300, 10), box(0, 40, 20, 10), box(0, 60, 400, 40), box(0, 120, 200, 12, false)], dpi);
    expect(s.map((b) => b.x1 - b.x0)).toEqual([300, 100]);
  });

  it('weights a reading by its words’ lengths and calls a page upside down on clear evidence only', () => {
    expect(readingConfidence([{ text: '一般公共预算', confidence: 90 }, { text: '1', confidence: 30 }])).toBeCloseTo((6 * 90 + 30) / 7, 5);
    expect(readingConfidence([])).toBe(0);
    expect(isUpsideDown([[40, 90]])).toBe(true);
    expect(isUpsideDown([[91, 35]])).toBe(false);
    expect(isUpsideDown([[70, 78], [70, 79]])).toBe(false); // 8–9 points each: not enough
    expect(isUpsideDown([[60, 75], [60, 74]])).toBe(true);
    expect(isUpsideDown([])).toBe(false);
  });
});

describe('the scan’s resolution', () => {
  it('is its pixels against its size on the page, strips included', () => {
    expect(imageDpi([{ pixelsWide: 2480, pixelsHigh: 3508, widthPt: 595.2, heightPt: 841.92 }])).toBeCloseTo(300, 0);
    const strip = { pixelsWide: 1240, pixelsHigh: 219, widthPt: 595.2, heightPt: 105.12 };
    expect(imageDpi(Array.from({ length: 8 }, () => strip))).toBeCloseTo(150, 0);
    expect(imageDpi([])).toBeNull();
  });

  it('counts a page cut into strips as one scan, and logos not at all', () => {
    const strip = { pixelsWide: 1240, pixelsHigh: 219, widthPt: 595.2, heightPt: 105.12 };
    const logo = { pixelsWide: 900, pixelsHigh: 900, widthPt: 120, heightPt: 120 };
    expect(scanPixels(Array.from({ length: 8 }, () => strip), 595.2, 841.9)).toBe(8 * 1240 * 219);
    expect(scanPixels([logo, logo, strip], 595.2, 841.9)).toBe(900 * 900);
    expect(scanPixels([], 595.2, 841.9)).toBe(0);
  });
});

const corpus = corpusDir();
/** 收支预算总表 of a Jiangsu budget (page 3): one ruled table with its title. */
const SOURCE = path.join(corpus, 'real/jiangsu/江苏省委办公厅/江苏省委办公厅2018年度部门预算公开表.pdf');
const PAGE = 3;
const why = scanTestSkipReason(SOURCE, corpus);
if (why) console.warn(`scan-orientation.test.ts (ingest) skipped: ${why}`);

describe.skipIf(why !== null)('a page scanned turned 90° (ImageMagick -rotate 90 + img2pdf)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-rot-test-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  // Amounts by table kind and column: labels of 一、 items vary with the rendering's pixel phase
  // (一 read as - or dropped) however the page came, which scan-document.test.ts covers.
  it('is set upright and read with the amounts of the text path', async () => {
    const scan = path.join(work, 'rot90.pdf');
    makeScan(SOURCE, scan, 'rot90', { first: PAGE, last: PAGE, workDir: work });
    const text = await processFile(SOURCE, undefined, { ocr: 'off' });
    const ocr = await processFile(scan, undefined, { ocr: 'auto', ocrJobs: 2 });
    expect(ocr.status).toBe('ok');
    const amounts = (keys: string[]) => keys.map((k) => k.split('|')).map(([page, kind, , column, fen]) => `${page}|${kind}|${column}|${fen}`).sort();
    const ref = amounts(amountCellKeys(text, (p) => (p === PAGE ? 1 : null)));
    expect(ref.length).toBeGreaterThan(5);
    expect(amounts(amountCellKeys(ocr))).toEqual(ref);
  }, 600_000);
});
