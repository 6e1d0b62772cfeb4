// Page segmentation for OCR (X–Y cuts into one-line text blocks) and the image checks around it:
// pure functions on small synthetic images.
import { describe, expect, it } from 'vitest';
import { eraseLines, findLines, type GrayImage } from '../src/extract/ocr/raster.js';
import { inkMask, ruleMask, textBlocks } from '../src/extract/ocr/segment.js';
import { leadingBar, numberInk, numberLikeText } from '../src/extract/ocr/read.js';

const DPI = 144; // 2 px per point: glyph sizes below are in pixels at this resolution

function blank(w: number, h: number): GrayImage {
  return { width: w, height: h, data: new Uint8Array(w * h).fill(255) };
}
function fill(img: GrayImage, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y < y1; y++) img.data.fill(0, y * img.width + x0, y * img.width + x1);
}
/** A line of `n` glyph-like blobs 20 px high, 18 px wide, 4 px apart, starting at (x, y). */
function glyphs(img: GrayImage, x: number, y: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const gx = x + k * 22;
    fill(img, gx, y, gx + 18, y + 3); // strokes with white between them, like 三 or 目
    fill(img, gx, y + 9, gx + 18, y + 11);
    fill(img, gx, y + 17, gx + 18, y + 20);
    fill(img, gx + 8, y, gx + 10, y + 20);
  }
}
function blocksOf(img: GrayImage) {
  const { h, v } = findLines(img, DPI);
  const lines = [...h, ...v];
  eraseLines(img, lines);
  return textBlocks(inkMask(img, 128), ruleMask(img.width, img.height, lines), img.width, img.height, DPI);
}

describe('text blocks by X–Y cuts', () => {
  it('gives one block per line of each cell of a ruled table, and splits a wrapped cell into its lines', () => {
    const img = blank(600, 260);
    for (const y of [20, 80, 180, 240]) fill(img, 20, y, 580, y + 2);
    for (const x of [20, 300, 578]) fill(img, x, 20, x + 2, 242);
    glyphs(img, 40, 40, 4); // header cell
    glyphs(img, 320, 40, 2);
    glyphs(img, 40, 100, 6); // a label wrapped over two lines
    glyphs(img, 40, 140, 3);
    glyphs(img, 460, 120, 5); // an amount, vertically centred in its cell
    glyphs(img, 40, 200, 2);
    const b = blocksOf(img);
    expect(b.map((x) => [x.x0, x.y0, x.x1 - x.x0, x.y1 - x.y0])).toEqual([
      [40, 40, 84, 20], [320, 40, 40, 20],
      [40, 100, 128, 20], [460, 120, 106, 20], [40, 140, 62, 20],
      [40, 200, 40, 20],
    ]);
    expect(b.every((x) => x.line)).toBe(true);
  });

  it('always cuts at a column rule, however narrow the gap; keeps a spaced label whole', () => {
    const img = blank(400, 80);
    fill(img, 10, 10, 390, 12);
    fill(img, 10, 66, 390, 68);
    for (const x of [10, 200, 388]) fill(img, x, 10, x + 2, 68);
    glyphs(img, 110, 30, 4); // ends 2 px before the rule at 200 (its erased width included)
    fill(img, 205, 30, 215, 50); // starts 3 px after it
    glyphs(img, 260, 30, 1);
    glyphs(img, 290, 30, 1); // 12 px after the previous glyph: the same label
    const b = blocksOf(img);
    expect(b.map((x) => [x.x0, x.x1])).toEqual([[110, 194], [205, 215], [260, 308]]);
  });

  it('ignores scan specks and hairlines left by an erased rule', () => {
    const img = blank(300, 100);
    glyphs(img, 50, 40, 3);
    for (const [x, y] of [[10, 10], [200, 80], [250, 20], [120, 90]]) img.data[y * 300 + x] = 0;
    fill(img, 280, 5, 281, 95); // a 1 px remnant
    expect(blocksOf(img).map((x) => [x.x0, x.y0, x.x1, x.y1])).toEqual([[50, 40, 112, 60]]);
  });

  it('marks a block taller than a line (a stamp, a picture) for a full-page reading', () => {
    const img = blank(300, 200);
    fill(img, 50, 20, 170, 180);
    const b = blocksOf(img);
    expect(b).toHaveLength(1);
    expect(b[0].line).toBe(false);
  });
});

describe('image rules', () => {
  it('finds a column rule that runs off the image edge (a table cut by the page or a crop)', () => {
    const img = blank(500, 300);
    for (const y of [40, 120, 200]) fill(img, 20, y, 480, y + 2);
    for (const x of [20, 250, 478]) fill(img, x, 40, x + 2, 300);
    const { v } = findLines(img, DPI);
    expect(v.map((l) => Math.floor(l.x0))).toEqual([20, 250, 478]); // centre lines of 2 px rules
  });

  it('takes neither the 一 of a large title nor the long stroke of a bold header glyph for a rule', () => {
    const img = blank(800, 300);
    fill(img, 200, 30, 272, 35); // 一 of a 36 pt title: 72 px wide, far from any column rule
    for (const y of [100, 180, 260]) fill(img, 20, y, 780, y + 2);
    for (const x of [20, 400, 778]) fill(img, x, 100, x + 2, 262);
    fill(img, 100, 118, 106, 181); // a 30 pt stroke that reaches down to the rule under it
    const { h, v } = findLines(img, DPI);
    expect(h.map((l) => Math.floor(l.y0))).toEqual([100, 180, 260]);
    expect(v.map((l) => Math.floor(l.x0))).toEqual([20, 400, 778]);
  });
});

describe('OCR helpers', () => {
  it('finds the 一 that starts a line, and not a minus sign or a glyph', () => {
    const img = blank(300, 60);
    fill(img, 20, 29, 38, 31); // 一: as wide as a glyph, at mid-height
    glyphs(img, 44, 20, 3);
    expect(leadingBar(img, 128, { x0: 20, y0: 20, x1: 110, y1: 40 })).toEqual({ x0: 20, y0: 29, x1: 38, y1: 31 });
    const minus = blank(300, 60);
    fill(minus, 20, 29, 26, 31);
    glyphs(minus, 30, 20, 3);
    expect(leadingBar(minus, 128, { x0: 20, y0: 20, x1: 96, y1: 40 })).toBeNull();
    const plain = blank(300, 60);
    glyphs(plain, 20, 20, 3);
    expect(leadingBar(plain, 128, { x0: 20, y0: 20, x1: 82, y1: 40 })).toBeNull();
  });

  it('widens a piece of a number to its whole ink, stopping at a wide gap, at words and at the block', () => {
    const img = blank(400, 40);
    for (const x of [100, 112, 124, 140, 152]) fill(img, x, 10, x + 9, 26); // "123 45" as drawn digits
    fill(img, 166, 10, 180, 26); // 5 px on: more ink of the same number…
    fill(img, 200, 10, 215, 26); // …20 px on: the next column
    const piece = { x0: 124, y0: 10, x1: 133, y1: 26 };
    expect(numberInk(img, 128, piece, [])).toEqual({ x0: 100, y0: 10, x1: 180, y1: 26 });
    // …unless it was read as a word of its own.
    expect(numberInk(img, 128, piece, [{ x0: 166, y0: 10, x1: 180, y1: 26 }])).toEqual({ x0: 100, y0: 10, x1: 161, y1: 26 });
    expect(numberInk(img, 128, piece, [], { x0: 110, y0: 0, x1: 400, y1: 40 })?.x0).toBe(112);
    // A word box that runs over the next word (tesseract's box of "2025" covering 年预算…) is cut there.
    expect(numberInk(img, 128, { x0: 100, y0: 10, x1: 215, y1: 26 }, [{ x0: 166, y0: 10, x1: 180, y1: 26 }])).toEqual({ x0: 100, y0: 10, x1: 161, y1: 26 });
  });

  it('tells a block of numbers with misread digits from a label', () => {
    expect(numberLikeText('5,骨78.17')).toBe(true);
    expect(numberLikeText('1,O68.78')).toBe(true);
    expect(numberLikeText('12,706.28')).toBe(true);
    expect(numberLikeText('2024年预算')).toBe(false);
    expect(numberLikeText('301 工资福利支出')).toBe(false);
    expect(numberLikeText('——')).toBe(false);
  });
});
