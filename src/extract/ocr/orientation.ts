// Which way up a scanned page is: a sheet fed sideways or upside down comes out turned 90°, 180° or
// 270°. Two questions, two kinds of evidence:
// - are the text lines horizontal? Cut into blocks (segment.ts) a page of horizontal lines gives
//   wide one-line blocks, the same page turned a quarter gives tall or single-glyph ones: geometry;
// - upright or upside down? A Han line turned 180° keeps its shape, so the engine reads a few
//   sample lines: a sure upright reading settles it (the common case), else each is read both
//   ways and the surer reading wins.
import type { OcrEngine } from './engine.js';
import { downscaleGray, eraseLines, findLines, rotateQuarter, type GrayImage } from './raster.js';
import { inkMask, ruleMask, textBlocks, type TextBlock } from './segment.js';

export const ORIENTATION_SETTINGS = {
  /** The line test runs on the page scaled to this resolution (DPI): enough for blocks, four times cheaper. */
  sampleDpi: 125,
  /** A block at least this many times wider than high is a line of text. */
  lineAspect: 2,
  /** The page is turned a quarter when the turned image's line share beats the upright one's by this. */
  quarterMargin: 0.15,
  /** Sample lines are this high (points): body text, not titles or specks. */
  minSampleHeight: 6,
  maxSampleHeight: 20,
  /** Sample lines at least this many times wider than high (a label or a number, not one glyph). */
  minSampleAspect: 3,
  /** At most this many sample lines. */
  samples: 3,
  /**
   * A sample is cut to this many times its height (a dozen glyphs or so): that tells as well, and a
   * full-width line of prose would cost four times as much to read.
   */
  maxSampleAspect: 12,
  /**
   * A sample read upright at least this sure (0–100) settles it: the page is upright, and the 180°
   * reading is not paid for. Measured on 369 sample lines of the keyed scans (grey, 1-bit, JPEG):
   * a line upside down never read above 51, 95% of upright first samples read 74 or more.
   */
  uprightSure: 70,
  /** A sample read as fewer characters than this both ways (nothing, a bar left of a rule) tells nothing. */
  minSampleChars: 2,
  /** Upside down only when the 180° readings are at least this sure on average (0–100): text set right reads well… */
  flippedSure: 50,
  /** …and beat the upright ones' confidence by this (0–100)… */
  flipMargin: 10,
  /** …and the verdict is taken after one sample when the two differ by this. */
  decisive: 25,
};

/** Share of the block area (blocks of one page) in wide one-line blocks: near 1 for upright lines. */
export function lineShare(blocks: TextBlock[], settings = ORIENTATION_SETTINGS): number {
  let all = 0, lines = 0;
  for (const b of blocks) {
    const w = b.x1 - b.x0, h = b.y1 - b.y0, a = w * h;
    all += a;
    if (b.line && w >= settings.lineAspect * h) lines += a;
  }
  return all ? lines / all : 0;
}

/** Whether the lines run top to bottom (the page turned a quarter) by the line shares of both readings. */
export function isTurnedQuarter(shareUpright: number, shareTurned: number, settings = ORIENTATION_SETTINGS): boolean {
  return shareTurned > shareUpright + settings.quarterMargin;
}

/** Text blocks of an image with its ruling lines erased (the image is not changed). */
function blocksOf(img: GrayImage, threshold: number, dpi: number): TextBlock[] {
  const work: GrayImage = { ...img, data: img.data.slice() };
  const lines = findLines(work, dpi, threshold);
  const ruled = [...lines.h, ...lines.v];
  eraseLines(work, ruled);
  return textBlocks(inkMask(work, threshold), ruleMask(work.width, work.height, ruled), work.width, work.height, dpi);
}

/** The sample lines for the upside-down test: body-sized wide blocks, widest first, at most `settings.samples`. */
export function sampleLines(blocks: TextBlock[], dpi: number, settings = ORIENTATION_SETTINGS): TextBlock[] {
  const px = dpi / 72;
  return blocks
    .filter((b) => {
      const h = b.y1 - b.y0, w = b.x1 - b.x0;
      return b.line && h >= settings.minSampleHeight * px && h <= settings.maxSampleHeight * px && w >= settings.minSampleAspect * h;
    })
    .sort((a, b) => b.x1 - b.x0 - (a.x1 - a.x0))
    .slice(0, settings.samples);
}

/** Confidence of a reading, weighted by each word's length (0 when nothing was read). */
export function readingConfidence(words: { text: string; confidence: number }[]): number {
  let n = 0, s = 0;
  for (const w of words) {
    const len = [...w.text.trim()].length;
    n += len; s += len * w.confidence;
  }
  return n ? s / n : 0;
}

/**
 * Upside down? `pairs` are the confidences of sample lines read upright and turned 180°, in order;
 * the answer comes as soon as one sample is decisive, else from their sums.
 */
export function isUpsideDown(pairs: [number, number][], settings = ORIENTATION_SETTINGS): boolean {
  let up = 0, down = 0, n = 0;
  for (const [u, d] of pairs) {
    up += u; down += d; n++;
    if (Math.abs(d - u) >= settings.decisive) break;
  }
  return n > 0 && down >= settings.flippedSure * n && down > up + settings.flipMargin * n;
}

/** Characters of a reading that are text (Han, letters, digits): marks and bars are not evidence. */
export const textChars = (words: { text: string }[]) => words.reduce((n, w) => n + (w.text.match(/[\p{Script=Han}\p{L}\d]/gu)?.length ?? 0), 0);

/** A box cut out of an image with a white margin of `pad` pixels. */
function crop(img: GrayImage, b: { x0: number; y0: number; x1: number; y1: number }, pad: number): GrayImage {
  const x0 = Math.max(0, b.x0), y0 = Math.max(0, b.y0), x1 = Math.min(img.width, b.x1), y1 = Math.min(img.height, b.y1);
  const w = x1 - x0 + 2 * pad, h = y1 - y0 + 2 * pad;
  const out = new Uint8Array(Math.max(0, w * h)).fill(255);
  for (let y = y0; y < y1; y++) out.set(img.data.subarray(y * img.width + x0, y * img.width + x1), (y - y0 + pad) * w + pad);
  return { width: w, height: h, data: out };
}

/**
 * Clockwise quarter turns that set the page upright (0–3): the line test on a small copy, then
 * the upside-down test with the engine on a few lines of the full image, each read upright first
 * and turned 180° only when that reading is doubtful.
 */
export async function detectOrientation(img: GrayImage, threshold: number, dpi: number, engine: OcrEngine, settings = ORIENTATION_SETTINGS): Promise<number> {
  const f = Math.min(1, settings.sampleDpi / dpi);
  const small = downscaleGray(img, f);
  const sdpi = dpi * f;
  const upright = blocksOf(small, threshold, sdpi);
  const turnedSmall = rotateQuarter(small, 1);
  const turned = blocksOf(turnedSmall, threshold, sdpi);
  const quarter = isTurnedQuarter(lineShare(upright, settings), lineShare(turned, settings), settings);
  const samples = sampleLines(quarter ? turned : upright, sdpi, settings);
  if (!samples.length) return quarter ? 1 : 0;
  const full = quarter ? rotateQuarter(img, 1) : img;
  const k = full.width / (quarter ? turnedSmall.width : small.width);
  const pad = Math.round(dpi / 12);
  const pairs: [number, number][] = [];
  for (const b of samples) {
    const line = crop(full, sampleBox(b, k, settings), pad);
    const upright = await engine.recognize(line, 'line');
    const u = readingConfidence(upright);
    if (u >= settings.uprightSure && textChars(upright) >= settings.minSampleChars) return quarter ? 1 : 0;
    const flipped = await engine.recognize(rotateQuarter(line, 2), 'line');
    if (Math.max(textChars(upright), textChars(flipped)) < settings.minSampleChars) continue;
    pairs.push([u, readingConfidence(flipped)]);
    if (Math.abs(pairs.at(-1)![1] - pairs.at(-1)![0]) >= settings.decisive) break;
  }
  return (quarter ? 1 : 0) + (isUpsideDown(pairs, settings) ? 2 : 0);
}

/**
 * The box of a sample line (found on the small copy) on the full image, `k` times larger, with 2
 * pixels of margin, cut to its first `maxSampleAspect` heights.
 */
export function sampleBox(b: TextBlock, k: number, settings = ORIENTATION_SETTINGS): { x0: number; y0: number; x1: number; y1: number } {
  const x0 = Math.floor(b.x0 * k) - 2, y0 = Math.floor(b.y0 * k) - 2, y1 = Math.ceil(b.y1 * k) + 2;
  return { x0, y0, x1: Math.min(Math.ceil(b.x1 * k) + 2, x0 + Math.round(settings.maxSampleAspect * (y1 - y0))), y1 };
}
