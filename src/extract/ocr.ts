// Scanned pages: render with pdfjs + @napi-rs/canvas, deskew, find ruling lines in the pixels, read
// the words with tesseract.js (chi_sim from its npm package, nothing downloaded) → a Page with
// source 'ocr' that goes through the same layout and recognition as a text page.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import PQueue from 'p-queue';
import Tesseract from 'tesseract.js';
import type { Box, Finding, LineItem, Page, RecognizedTable, Rule, TextRun } from '../types.js';
import type { PdfDocument } from './pdf.js';
import { normalizeText } from './normalize.js';
import { eraseLines, estimateSkew, findLines, otsuThreshold, rgbaToGray, rotateGray, thickenStrokes, toPgm, RASTER_SETTINGS, type GrayImage } from './raster.js';
import { inkMask, ruleMask, textBlocks, type PixelBox, type TextBlock } from './segment.js';
import { assessTextLayer, needsImageCheck, type TextLayerVerdict } from './textlayer.js';

const require = createRequire(import.meta.url);


/**
 * Pages are rendered for OCR at this resolution. Measured on image-only copies of the keyed pages
 * (bench/ocr.ts, 300 DPI scans): exact amounts 98.7% when read at 200, 99.7% at 250, 98.6% at 300.
 */
export const OCR_DPI = 250;
/** An amount read with a word confidence below this (0–100) gets an `ocr.low_confidence` finding. */
export const LOW_CONFIDENCE = 80;
/** OCR words on one line closer than this (× font size) are one run, as in the text path. */
const RUN_JOIN_GAP = 0.3;
/** Han words on one line of one text block closer than this (× font size) are one run. */
const HAN_JOIN_GAP = 0.8;
/** Pieces of one number split by tesseract at a separator are at most this far apart (× font size). */
const NUMBER_JOIN_GAP = 0.45;
/** Glyph box height as a share of the font size: Han characters fill the em, digits about 0.72 of it. */
const HAN_HEIGHT = 0.92;
const DIGIT_HEIGHT = 0.72;
/** Pages wider or taller than this many pixels at OCR_DPI are rendered at a lower resolution (A2 and up). */
const MAX_PIXELS_SIDE = 7000;

/** Image preparation before tesseract (measured with bench/ocr.ts). */
export const OCR_SETTINGS = {
  /** Thicken strokes by a pixel: thin Song strokes are misread (支 → 文) at 300 DPI without it. */
  thicken: true,
};

export type OcrMode = 'auto' | 'force' | 'off';

/** Where tesseract.js finds its files: all inside node_modules, so nothing is fetched. */
export function tesseractPaths(): { langPath: string; digitsLangPath: string; workerPath: string; corePath: string } {
  const dataRoot = path.dirname(require.resolve('@tesseract.js-data/chi_sim/package.json'));
  const tessRoot = path.dirname(require.resolve('tesseract.js/package.json'));
  const coreRoot = path.dirname(require.resolve('tesseract.js-core/package.json'));
  const engRoot = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  return {
    langPath: path.join(dataRoot, '4.0.0_best_int'),
    digitsLangPath: path.join(engRoot, '4.0.0_best_int'),
    workerPath: path.join(tessRoot, 'src', 'worker-script', 'node', 'index.js'),
    corePath: coreRoot,
  };
}

export function defaultOcrJobs(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(n, 8));
}

interface OcrWord {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
  line: number; // index of the tesseract line it belongs to
  /** The text block it was read from (segment.ts): a number's ink is looked for only inside it. */
  block?: TextBlock;
  /** Its characters with their boxes (tesseract's symbols), for digits inside a word of text. */
  symbols?: { text: string; bbox: PixelBox }[];
}

/**
 * A pool of tesseract.js workers, each started once (loading chi_sim takes about a second) and
 * reused for every page of every document until `close()`.
 */
export class OcrPool {
  private workers: Tesseract.Worker[] = [];
  private idle: Tesseract.Worker[] = [];
  private waiting: ((w: Tesseract.Worker) => void)[] = [];
  private starting: Promise<void> | null = null;
  private closed = false;
  private digitWorkers: Tesseract.Worker[] = [];
  private digitIdle: Tesseract.Worker[] = [];
  private digitWaiting: ((w: Tesseract.Worker) => void)[] = [];
  private digitStarting: Promise<void> | null = null;

  constructor(readonly size = defaultOcrJobs(), readonly dpi = OCR_DPI) {}

  private start(): Promise<void> {
    this.starting ??= (async () => {
      const { langPath, workerPath, corePath } = tesseractPaths();
      const made = await Promise.all(Array.from({ length: this.size }, async () => {
        const w = await Tesseract.createWorker('chi_sim', Tesseract.OEM.LSTM_ONLY, {
          langPath, workerPath, corePath, gzip: true, cacheMethod: 'none', logger: () => {},
          errorHandler: () => {},
        });
        await w.setParameters({
          tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE, // blocks cut out by segment.ts are single lines
          user_defined_dpi: String(this.dpi), // without it the error rate is tens of times higher
          preserve_interword_spaces: '0',
        });
        return w;
      }));
      this.workers.push(...made);
      this.idle.push(...made);
    })();
    return this.starting;
  }

  /**
   * Words of a grey image (PGM bytes), with pixel boxes and confidences. `line`: the image is one
   * line of text (PSM 7); `page`: let tesseract segment it (PSM 3, for blocks that are not a line).
   */
  async recognize(image: Uint8Array, mode: 'line' | 'page' = 'line'): Promise<OcrWord[]> {
    if (this.closed) throw new Error('OCR pool is closed');
    await this.start();
    const w = this.idle.pop() ?? (await new Promise<Tesseract.Worker>((res) => this.waiting.push(res)));
    try {
      if (mode === 'page') await w.setParameters({ tessedit_pageseg_mode: Tesseract.PSM.AUTO });
      const { data } = await w.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { blocks: true, text: false });
      const words: OcrWord[] = [];
      let line = 0;
      for (const b of data.blocks ?? []) {
        for (const p of b.paragraphs) {
          for (const l of p.lines) {
            for (const wd of l.words) words.push({ text: wd.text, confidence: wd.confidence, bbox: wd.bbox, line, symbols: (wd.symbols ?? []).map((c) => ({ text: c.text, bbox: c.bbox })) });
            line++;
          }
        }
      }
      return words;
    } finally {
      if (mode === 'page') await w.setParameters({ tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE }).catch(() => {});
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }

  /** The English model restricted to digits and separators, reading one number per image. */
  private startDigits(): Promise<void> {
    this.digitStarting ??= (async () => {
      const { digitsLangPath, workerPath, corePath } = tesseractPaths();
      const made = await Promise.all(Array.from({ length: this.size }, async () => {
        const w = await Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
          langPath: digitsLangPath, workerPath, corePath, gzip: true, cacheMethod: 'none', logger: () => {}, errorHandler: () => {},
        });
        await w.setParameters({
          tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE, // one number cut out of its cell
          tessedit_char_whitelist: '0123456789,.-',
          user_defined_dpi: String(this.dpi),
        });
        return w;
      }));
      this.digitWorkers.push(...made);
      this.digitIdle.push(...made);
    })();
    return this.digitStarting;
  }

  /**
   * The numbers in an image holding one line of digits (PGM bytes), with pixel boxes. A number's
   * confidence is its least sure digit's: word confidences under a whitelist are not comparable (a
   * correct "12,706.28" scores 0), the digits' own are. Separators are checked by the number's form.
   */
  async readNumbers(image: Uint8Array): Promise<{ text: string; confidence: number; bbox: PixelBox }[]> {
    if (this.closed) throw new Error('OCR pool is closed');
    await this.startDigits();
    const w = this.digitIdle.pop() ?? (await new Promise<Tesseract.Worker>((res) => this.digitWaiting.push(res)));
    try {
      const { data } = await w.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { blocks: true, text: false });
      const words = (data.blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.flatMap((l) => l.words)));
      return words.filter((x) => x.text.trim()).map((x) => {
        const digits = (x.symbols ?? []).filter((c) => /\d/.test(c.text));
        return { text: x.text.trim(), confidence: digits.length ? Math.min(...digits.map((c) => c.confidence)) : 0, bbox: x.bbox };
      });
    } finally {
      const next = this.digitWaiting.shift();
      if (next) next(w);
      else this.digitIdle.push(w);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.starting) await this.starting.catch(() => {});
    if (this.digitStarting) await this.digitStarting.catch(() => {});
    await Promise.all([...this.workers, ...this.digitWorkers].map((w) => w.terminate().catch(() => {})));
    this.workers = [];
    this.idle = [];
    this.digitWorkers = [];
    this.digitIdle = [];
  }
}

/** The page as displayed (after /Rotate), rendered on white at `dpi`, as a grey image. */
export async function renderPageGray(doc: PdfDocument, pageNumber: number, dpi = OCR_DPI): Promise<{ img: GrayImage; scale: number; width: number; height: number; rotation: number }> {
  const page = await doc.getPage(pageNumber);
  try {
    const base = page.getViewport({ scale: 1 });
    let scale = dpi / 72;
    const side = Math.max(base.width, base.height) * scale;
    if (side > MAX_PIXELS_SIDE) scale *= MAX_PIXELS_SIDE / side;
    const vp = page.getViewport({ scale });
    const w = Math.ceil(vp.width), h = Math.ceil(vp.height);
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport: vp, background: '#ffffff' }).promise;
    const rgba = ctx.getImageData(0, 0, w, h).data;
    return { img: rgbaToGray(rgba, w, h), scale, width: base.width, height: base.height, rotation: page.rotate };
  } finally {
    page.cleanup();
  }
}

/** Size in pixels of the largest image a page paints (0 when none): a page-sized one is a scan. */
export async function largestImagePixels(doc: PdfDocument, pageNumber: number): Promise<number> {
  const page = await doc.getPage(pageNumber);
  try {
    const ops = await page.getOperatorList();
    let max = 0;
    const OPS = pdfjs.OPS;
    for (let i = 0; i < ops.fnArray.length; i++) {
      const fn = ops.fnArray[i];
      const args = ops.argsArray[i] as unknown[] | null;
      if (fn === OPS.paintImageXObject || fn === OPS.paintImageXObjectRepeat) {
        const w = Number(args?.[1]) || 0, h = Number(args?.[2]) || 0;
        max = Math.max(max, w * h);
      } else if (fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) {
        const img = args?.[0] as { width?: number; height?: number } | undefined;
        max = Math.max(max, (img?.width ?? 0) * (img?.height ?? 0));
      }
    }
    return max;
  } finally {
    page.cleanup();
  }
}

/** Decide for one page extracted by the text path. */
export async function textLayerVerdict(doc: PdfDocument, page: Page): Promise<TextLayerVerdict> {
  const pixels = needsImageCheck(page) ? await largestImagePixels(doc, page.number) : undefined;
  return assessTextLayer(page, pixels);
}

export interface OcrPageResult {
  page: Page;
  skewDegrees: number;
  ms: { render: number; raster: number; ocr: number };
}

/** Render, deskew, find rules, erase them, OCR: one page as a Page with source 'ocr'. */
export async function ocrPage(doc: PdfDocument, pageNumber: number, pool: OcrPool): Promise<OcrPageResult> {
  const t0 = performance.now();
  const r = await renderPageGray(doc, pageNumber, pool.dpi);
  const t1 = performance.now();
  let img = r.img;
  const threshold = otsuThreshold(img);
  const skew = estimateSkew(img, threshold);
  if (Math.abs(skew) >= RASTER_SETTINGS.minDeskew) img = rotateGray(img, skew);
  const dpi = r.scale * 72;
  const lines = findLines(img, dpi, threshold);
  const ruled = [...lines.h, ...lines.v];
  eraseLines(img, ruled);
  const blocks = textBlocks(inkMask(img, threshold), ruleMask(img.width, img.height, ruled), img.width, img.height, dpi);
  const t2 = performance.now();
  const words = await readNumbers(img, threshold, await readBlocks(OCR_SETTINGS.thicken ? thickenStrokes(img) : img, threshold, blocks, pool, img), pool);
  const t3 = performance.now();
  const k = 1 / r.scale;
  const rules: Rule[] = ruled.map((l) => ({ x0: l.x0 * k, y0: l.y0 * k, x1: l.x1 * k, y1: l.y1 * k, width: l.thickness * k }));
  return {
    page: { number: pageNumber, width: r.width, height: r.height, rotation: r.rotation, runs: wordsToRuns(words, k), rules, source: 'ocr' },
    skewDegrees: skew,
    ms: { render: t1 - t0, raster: t2 - t1, ocr: t3 - t2 },
  };
}

/** White margin around a text block cut out for tesseract (pixels). */
const BLOCK_CROP_PAD = 12;
/** Margins of the second readings of a doubtful block. */
const BLOCK_RETRY_PADS = [6, 24];

/**
 * Read each text block (see segment.ts) on its own, as one line (or, for a taller block, as a
 * small page), and put the words back at their place on the page. Each block gets its own line
 * number, so words of two cells never join into one run.
 */
export async function readBlocks(img: GrayImage, threshold: number, blocks: TextBlock[], pool: OcrPool, plain: GrayImage = img): Promise<OcrWord[]> {
  // Thickened strokes reach a pixel past the block's ink box: cut a little wider.
  const cuts = blocks.map((b): PixelBox => ({ x0: Math.max(0, b.x0 - 2), y0: Math.max(0, b.y0 - 2), x1: Math.min(img.width, b.x1 + 2), y1: Math.min(img.height, b.y1 + 2) }));
  const readAt = async (k: number, pad: number, from = img): Promise<OcrWord[]> => {
    const words = await pool.recognize(toPgm(cropPadded(from, cuts[k], pad)), blocks[k].line ? 'line' : 'page');
    const shift = (b: PixelBox) => shiftBox(b, cuts[k].x0 - pad, cuts[k].y0 - pad);
    return words.filter((w) => w.text.trim()).map((w) => ({ ...w, block: blocks[k], bbox: shift(w.bbox), symbols: w.symbols?.map((c) => ({ text: c.text, bbox: shift(c.bbox) })) }));
  };
  const retries: [number, GrayImage][] = [...(plain !== img ? [[BLOCK_CROP_PAD, plain] as [number, GrayImage]] : []), ...BLOCK_RETRY_PADS.map((p): [number, GrayImage] => [p, img])];
  const read = await Promise.all(blocks.map(async (b, k) => {
    let words = await readAt(k, BLOCK_CROP_PAD);
    // A doubtful or empty line of text is read again with other margins and without thickening
    // (tesseract's reading of a short line changes with them: 类 or 区, or nothing for 收入总计);
    // the surest reading is kept. Numbers are read again anyway.
    if (b.line && (!words.length || (minConfidence(words) < LOW_CONFIDENCE && !words.every((w) => numericWord(w.text))))) {
      for (const [pad, from] of retries) {
        const again = await readAt(k, pad, from);
        if (again.length && (!words.length || minConfidence(again) > minConfidence(words))) words = again;
        if (words.length && minConfidence(words) >= LOW_CONFIDENCE) break;
      }
    }
    return words;
  }));
  const out: OcrWord[] = [];
  let lineBase = 0;
  read.forEach((words, k) => {
    const first = words[0];
    const bar = blocks[k].line && first ? leadingBar(img, threshold, blocks[k]) : null;
    if (first && bar && first.bbox.x0 >= bar.x1 - 2 && /^[\p{Script=Han}、]/u.test(first.text) && !first.text.startsWith('一')) {
      first.text = '一' + first.text;
      first.bbox = { ...first.bbox, x0: bar.x0 };
    }
    let last = 0;
    for (const w of words) {
      out.push({ ...w, line: lineBase + w.line });
      last = Math.max(last, w.line);
    }
    lineBase += last + 1;
  });
  return out;
}

const minConfidence = (words: OcrWord[]) => Math.min(...words.map((w) => w.confidence));

/** Whether column x of the image has a dark pixel between rows y0 (included) and y1. */
function columnHasInk(img: GrayImage, threshold: number, x: number, y0: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) if (img.data[y * img.width + x] < threshold) return true;
  return false;
}

/**
 * A flat bar at the start of a line of text, as wide as a Han character and set at its middle:
 * the character 一. Tesseract's chi_sim drops it there (一、一般公共预算 reads 、一般公共预算, and
 * 一般 at the start of a title is lost), taking it for a rule or a dash.
 */
export function leadingBar(img: GrayImage, threshold: number, b: PixelBox): PixelBox | null {
  const h = b.y1 - b.y0;
  const inkInColumn = (x: number) => columnHasInk(img, threshold, x, b.y0, b.y1);
  let x0 = b.x0;
  while (x0 < b.x1 && !inkInColumn(x0)) x0++;
  let x1 = x0;
  while (x1 < b.x1 && inkInColumn(x1)) x1++;
  let top = b.y1, bottom = b.y0 - 1;
  for (let y = b.y0; y < b.y1; y++) {
    for (let x = x0; x < x1; x++) if (img.data[y * img.width + x] < threshold) { top = Math.min(top, y); bottom = Math.max(bottom, y); break; }
  }
  const w = x1 - x0, barHeight = bottom - top + 1, centre = (top + bottom) / 2 - b.y0;
  const isBar = barHeight > 0 && barHeight <= 0.2 * h && w >= 0.6 * h && w <= 1.2 * h && centre >= 0.3 * h && centre <= 0.7 * h;
  return isBar ? { x0, y0: top, x1, y1: bottom + 1 } : null;
}

/** White margin around a number cut out for its own reading (pixels). */
const NUMBER_CROP_PAD = 12;
/** Ink of one number: glyphs closer than this (× the digits' height) belong to it. */
const NUMBER_INK_GAP = 0.5;
/** A number as printed: digits with optional thousands separators and decimals. */
const WELL_FORMED_NUMBER = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

/**
 * The ink of the number a word box belongs to: the box is widened left and right over ink on its
 * rows until a gap wider than NUMBER_INK_GAP × its height, a box of `stops` (text read as words),
 * or the page edge, then cut to the ink. Tesseract's word boxes on tables often miss a digit or
 * split a number at its separators; the ink does not.
 */
export function numberInk(img: GrayImage, threshold: number, wordBox: PixelBox, stops: PixelBox[], within?: PixelBox): PixelBox | null {
  const lim = within ?? { x0: 0, y0: 0, x1: img.width, y1: img.height };
  // A word box that runs over the next word (tesseract's box of "2025" can cover 年预算…) is cut at it.
  const box = { ...wordBox };
  for (const s of stops) {
    if (s.y0 >= box.y1 || s.y1 <= box.y0) continue;
    if (s.x0 > box.x0 && s.x0 < box.x1) box.x1 = s.x0;
    if (s.x1 < box.x1 && s.x1 > box.x0) box.x0 = s.x1;
  }
  const y0 = Math.max(lim.y0, box.y0 - 2), y1 = Math.min(lim.y1, box.y1 + 2);
  const maxGap = Math.max(2, Math.round(NUMBER_INK_GAP * (box.y1 - box.y0)));
  const blocked = (x: number) => stops.some((s) => x >= s.x0 && x < s.x1 && s.y0 < y1 && s.y1 > y0);
  const inkAt = (x: number) => columnHasInk(img, threshold, x, y0, y1);
  let left = Infinity, right = -1;
  for (let x = Math.max(0, box.x0); x < Math.min(img.width, box.x1); x++) if (inkAt(x)) { left = Math.min(left, x); right = x; }
  if (right < 0) return null;
  for (let x = left - 1, gap = 0; x >= lim.x0 && gap <= maxGap && !blocked(x); x--) {
    if (inkAt(x)) { left = x; gap = 0; } else gap++;
  }
  for (let x = right + 1, gap = 0; x < lim.x1 && gap <= maxGap && !blocked(x); x++) {
    if (inkAt(x)) { right = x; gap = 0; } else gap++;
  }
  let top = -1, bottom = -1;
  for (let y = y0; y < y1; y++) {
    const row = y * img.width;
    for (let x = left; x <= right; x++) if (img.data[row + x] < threshold) { if (top < 0) top = y; bottom = y; break; }
  }
  return { x0: left, y0: top, x1: right + 1, y1: bottom + 1 };
}

/** The numbers in a box of the page, read by the digit model, with their boxes on the page. */
async function readNumbersIn(img: GrayImage, box: PixelBox, pool: OcrPool): Promise<{ text: string; confidence: number; bbox: PixelBox }[]> {
  const read = await pool.readNumbers(toPgm(cropPadded(img, box, NUMBER_CROP_PAD)));
  return read.map((r) => ({ ...r, bbox: shiftBox(r.bbox, box.x0 - NUMBER_CROP_PAD, box.y0 - NUMBER_CROP_PAD) }));
}

const shiftBox = (b: PixelBox, dx: number, dy: number): PixelBox => ({ x0: b.x0 + dx, x1: b.x1 + dx, y0: b.y0 + dy, y1: b.y1 + dy });

/** A cut-out of the image on white, with a margin. */
export function cropPadded(img: GrayImage, b: PixelBox, pad: number): GrayImage {
  const w = b.x1 - b.x0 + 2 * pad, h = b.y1 - b.y0 + 2 * pad;
  const out: GrayImage = { width: w, height: h, data: new Uint8Array(w * h).fill(255) };
  for (let y = b.y0; y < b.y1; y++) out.data.set(img.data.subarray(y * img.width + b.x0, y * img.width + b.x1), (y - b.y0 + pad) * w + pad);
  return out;
}

const digitsOf = (text: string) => text.replace(/\D/g, '');
const numericWord = (text: string) => /^[-−]?[\d,.]*\d[\d,.]*$/.test(cleanWord(text));

/**
 * A block chi_sim read as mostly digits, with no Han word: a cell of numbers, some of whose
 * digits it took for letters or marks ("5,骨78.17", "1,O68.78").
 */
export function numberLikeText(text: string): boolean {
  const t = text.replace(/\s/g, '');
  const digits = (t.match(/\d/g) ?? []).length;
  const han = (t.match(/\p{Script=Han}/gu) ?? []).length;
  return digits > 0 && !/\p{Script=Han}{2}/u.test(t) && digits >= 2 * han && digits >= 0.5 * t.length;
}

/**
 * chi_sim misreads digits of Song fonts (5 as 0 or 9, a doubled 0); read as part of a line, a
 * number also loses digits to the word segmentation. Numbers are read again by the English model
 * limited to digits and separators, from the page without stroke thickening: a block that reads
 * as numbers is read again whole, one line; a number among words is cut out whole (its ink, see
 * numberInk) and read on its own. Measured on the keyed pages (bench/out): the digit model read
 * every cut-out amount cell right at 250 DPI, chi_sim about 90% of them. The second reading
 * replaces chi_sim's when every number in it is well-formed; when not, the chi_sim reading stays
 * with a confidence below LOW_CONFIDENCE, so the amount gets a finding.
 */
export async function readNumbers(img: GrayImage, threshold: number, words: OcrWord[], pool: OcrPool): Promise<OcrWord[]> {
  const byBlock = new Map<TextBlock, number[]>();
  words.forEach((w, i) => { if (w.block?.line) (byBlock.get(w.block) ?? byBlock.set(w.block, []).get(w.block)!).push(i); });
  const numberBlocks = [...byBlock].filter(([, idx]) => numberLikeText(idx.map((i) => words[i].text).join('')));
  const blockReads = await Promise.all(numberBlocks.map(([b]) => readNumbersIn(img, b, pool)));
  const replaced = new Set<number>();
  const fromBlocks: OcrWord[] = [];
  numberBlocks.forEach(([b, idx], k) => {
    const read = blockReads[k];
    if (!read.length || !read.every((r) => WELL_FORMED_NUMBER.test(r.text))) return;
    idx.forEach((i) => replaced.add(i));
    const agree = digitsOf(idx.map((i) => cleanWord(words[i].text)).join('')) === digitsOf(read.map((r) => r.text).join(''));
    const chiConfidence = Math.min(...idx.map((i) => words[i].confidence));
    for (const r of read) {
      fromBlocks.push({ text: r.text, confidence: agree ? Math.max(r.confidence, chiConfidence) : r.confidence, line: words[idx[0]].line, block: b, bbox: r.bbox });
    }
  });

  const inText = await readDigitsInText(img, threshold, words, pool);
  const stops: PixelBox[] = words.filter((w) => !numericWord(w.text)).map((w) => w.bbox);
  const picks: { i: number; ink: PixelBox | null }[] = [];
  words.forEach((w, i) => {
    if (replaced.has(i) || !numericWord(w.text)) return;
    const ink = numberInk(img, threshold, w.bbox, stops, w.block);
    if (!ink) return;
    // Pieces of one number widen to the same ink: read it once.
    picks.push({ i, ink: picks.some((p) => p.ink && overlapShare(p.ink, ink) > 0.5) ? null : ink });
  });
  const read = await Promise.all(picks.map((p) => (p.ink ? readNumbersIn(img, p.ink, pool) : null)));
  const drop = new Set<number>(replaced);
  const out = words.map((w, i) => inText.get(i) ?? w);
  picks.forEach((p, k) => {
    const r = read[k];
    if (!r || !p.ink) { drop.add(p.i); return; } // a piece of a number read whole elsewhere
    const w = words[p.i];
    const text = r.map((x) => x.text).join('');
    // Next to Han text (2025年), the cut-out may take in a stroke of the next character, read as one
    // more digit: there the two readings must have as many digits.
    const gap = w.bbox.y1 - w.bbox.y0;
    const hanNear = words.some((o) => /\p{Script=Han}/u.test(o.text) && o.bbox.y0 < w.bbox.y1 && o.bbox.y1 > w.bbox.y0 &&
      (Math.abs(o.bbox.x0 - w.bbox.x1) <= gap || Math.abs(w.bbox.x0 - o.bbox.x1) <= gap));
    if (hanNear && digitsOf(text).length !== digitsOf(cleanWord(w.text)).length) return;
    if (r.length && WELL_FORMED_NUMBER.test(text)) {
      const confidence = Math.min(...r.map((x) => x.confidence));
      const agree = digitsOf(cleanWord(w.text)) === digitsOf(text);
      out[p.i] = { ...w, text, confidence: agree ? Math.max(confidence, w.confidence) : confidence, bbox: p.ink };
    } else {
      out[p.i] = { ...w, confidence: Math.min(w.confidence, LOW_CONFIDENCE - 1) };
    }
  });
  return [...out.filter((_, i) => !drop.has(i)), ...fromBlocks];
}

/**
 * Digits inside a word of text ("2024年部门预算", read "20244年…" by chi_sim): each run of at least two
 * digit characters is cut out by its characters' boxes, widened to its ink up to the word's other
 * characters, and read by the digit model; a well-formed reading replaces the run. Returns the
 * changed words by index.
 */
async function readDigitsInText(img: GrayImage, threshold: number, words: OcrWord[], pool: OcrPool): Promise<Map<number, OcrWord>> {
  const jobs: { i: number; from: number; to: number; ink: PixelBox }[] = [];
  words.forEach((w, i) => {
    const sym = w.symbols ?? [];
    if (numericWord(w.text) || !/\p{Script=Han}/u.test(w.text) || !/\d\d/.test(w.text) || sym.map((c) => c.text).join('') !== w.text) return;
    for (let a = 0; a < sym.length;) {
      if (!/^\d$/.test(sym[a].text)) { a++; continue; }
      let z = a;
      while (z + 1 < sym.length && /^[\d,.]$/.test(sym[z + 1].text)) z++;
      if (z > a) {
        const digits = sym.slice(a, z + 1).map((c) => c.bbox);
        const box = { x0: Math.min(...digits.map((b) => b.x0)), y0: Math.min(...digits.map((b) => b.y0)), x1: Math.max(...digits.map((b) => b.x1)), y1: Math.max(...digits.map((b) => b.y1)) };
        const stops = [...sym.slice(0, a), ...sym.slice(z + 1)].map((c) => c.bbox).concat(words.filter((_, k) => k !== i).map((o) => o.bbox));
        const ink = numberInk(img, threshold, box, stops, w.block);
        if (ink) jobs.push({ i, from: a, to: z + 1, ink });
      }
      a = z + 1;
    }
  });
  const read = await Promise.all(jobs.map((j) => readNumbersIn(img, j.ink, pool)));
  const out = new Map<number, OcrWord>();
  // Later runs first, so that earlier symbol positions stay valid.
  for (let k = jobs.length - 1; k >= 0; k--) {
    const j = jobs[k], r = read[k];
    const text = r.map((x) => x.text).join('');
    if (r.length !== 1 || !WELL_FORMED_NUMBER.test(text)) continue;
    const w = out.get(j.i) ?? words[j.i];
    const sym = w.symbols!;
    const chars = sym.map((c) => c.text);
    chars.splice(j.from, j.to - j.from, text);
    const symbols = [...sym.slice(0, j.from), { text, bbox: j.ink }, ...sym.slice(j.to)];
    out.set(j.i, { ...w, text: chars.join(''), symbols });
  }
  return out;
}

/** Share of the smaller box covered by the intersection of two boxes. */
function overlapShare(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const small = Math.min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0));
  return small > 0 ? (w * h) / small : 0;
}

function wordSize(text: string, heightPt: number): number {
  return /\p{Script=Han}/u.test(text) ? heightPt / HAN_HEIGHT : heightPt / DIGIT_HEIGHT;
}

/**
 * OCR words → runs in PDF points: words of one tesseract line join when the gap between them is
 * below RUN_JOIN_GAP em (Han words), as pdf.ts joins text pieces. A run's confidence is its
 * lowest word's.
 */
export function wordsToRuns(words: OcrWord[], pointsPerPixel: number): TextRun[] {
  const byLine = new Map<number, OcrWord[]>();
  for (let w of words) {
    const fixed = cleanWord(w.text);
    const text = normalizeText(fixed);
    if (!text) continue;
    // A lookalike letter read inside a number was replaced: say so through the confidence.
    if (fixed !== w.text && /\d/.test(text)) w = { ...w, confidence: Math.min(w.confidence, LOW_CONFIDENCE - 1) };
    (byLine.get(w.line) ?? byLine.set(w.line, []).get(w.line)!).push({ ...w, text });
  }
  const runs: TextRun[] = [];
  const hanEdge = /[\p{Script=Han}：:;；（）()、]/u;
  for (const ws of byLine.values()) {
    ws.sort((a, b) => a.bbox.x0 - b.bbox.x0);
    // One size for the line: a flat glyph (一, 、) says nothing about the font size.
    const size = Math.max(...ws.map((w) => wordSize(w.text, (w.bbox.y1 - w.bbox.y0) * pointsPerPixel)));
    let cur: { text: string; box: Box; size: number; conf: number } | null = null;
    for (const w of ws) {
      const box: Box = [w.bbox.x0 * pointsPerPixel, w.bbox.y0 * pointsPerPixel, w.bbox.x1 * pointsPerPixel, w.bbox.y1 * pointsPerPixel];
      const gap = box[0] - (cur?.box[2] ?? -Infinity);
      const numeric = cur !== null && NUMERIC.test(cur.text) && NUMERIC.test(w.text);
      const han = cur !== null && hanEdge.test(cur.text.slice(-1)) && hanEdge.test(w.text[0]);
      // Pieces of one number (tesseract splits "17, 981. 68" at its separators) are closer than
      // NUMBER_JOIN_GAP em; two amounts in neighbouring columns never are. Han words of one line
      // of one cell are one label, however spaced (标 题 set with letter-spacing).
      const join = numeric ? NUMBER_JOIN_GAP : han ? HAN_JOIN_GAP : RUN_JOIN_GAP;
      if (cur && gap <= join * size) {
        // Words this close are one piece of text: Han joins anything without a space, as printed.
        const glue = numeric || /[\p{Script=Han}：:（）()、]$/u.test(cur.text) || /^[\p{Script=Han}：:（）()、]/u.test(w.text) ? '' : ' ';
        cur.text = normalizeText(cur.text + glue + w.text);
        cur.box = [cur.box[0], Math.min(cur.box[1], box[1]), Math.max(cur.box[2], box[2]), Math.max(cur.box[3], box[3])];
        cur.size = Math.max(cur.size, size);
        cur.conf = Math.min(cur.conf, w.confidence);
      } else {
        if (cur) runs.push(toRun(cur));
        cur = { text: w.text, box, size, conf: w.confidence };
      }
    }
    if (cur) runs.push(toRun(cur));
  }
  return runs;
}

/**
 * Characters chi_sim confuses in the budget vocabulary, fixed only in contexts where the misread
 * never occurs in these documents (文出 is not a word; 支出 is in every table title).
 */
const CONFUSIONS: [RegExp, string][] = [
  [/文出/g, '支出'],
  [/收文(?=预算|决算|总表|总计|合计)/g, '收支'],
  [/文付/g, '支付'],
  [/办公打/g, '办公厅'], // 打 never follows 办公
  [/^[歼球欺软]$/, '款'], // the 款 of a 类/款/项 code header, alone in its cell
  [/^[上士土](?=[一二三四五六七八九]?、)/, '十'], // 十八、 read 上八、: a numbered item's 十
  [/^(\d{1,2})[,，]\s*(?=\p{Script=Han})/u, '$1.'], // 1.一般公共预算资金 read 1,一般…: no separator precedes a Han character
];

/** Known chi_sim misreadings in budget wording, on text joined from several words. */
export function foldOcrConfusions(text: string): string {
  let t = text;
  for (const [re, to] of CONFUSIONS) if (!re.source.startsWith('^')) t = t.replace(re, to);
  // A numbered label's "1." read as "1," (a separate word, so it only shows in the cell's text).
  t = t.replace(/^(\d{1,2})[,，]\s*(?=\p{Script=Han})/u, '$1.');
  // Punctuation read for the colon after 单位/部门 ("部门; X", "单位 ;万元").
  return t.replace(/(单位|部门|编制部门|编制单位|预算单位)\s*[;；,，.、]\s*/g, '$1:');
}

/**
 * Undo two habits of the chi_sim model: a quote mark invented at the start of a table label (an
 * opening quote with no closing one, or a closing quote first), and letters that look like digits
 * inside a number (0l → 01, 1O.00 → 10.00). A changed number keeps a low confidence (see above).
 */
export function cleanWord(text: string): string {
  // Bars at a word's edge are what is left of a ruling line, never text.
  let t = text.replace(/^[|｜¦]+|[|｜¦]+$/g, '');
  for (const [re, to] of CONFUSIONS) t = t.replace(re, to);
  if (/^[“"‘']/.test(t) && !/[”"’']/.test(t.slice(1))) t = t.slice(1);
  if (/^[”’]/.test(t)) t = t.slice(1);
  if (/^[\dOoIl|\],.\-]+$/.test(t) && /\d/.test(t) && (t.match(/\d/g)?.length ?? 0) >= t.length / 2) {
    t = t.replace(/[Oo]/g, '0').replace(/[Il|\]]/g, '1');
  }
  return t;
}

const NUMERIC = /^[-−]?[\d,.]+$/;

function toRun(c: { text: string; box: Box; size: number; conf: number }): TextRun {
  let text = c.text;
  for (const [re, to] of CONFUSIONS) text = text.replace(re, to);
  // Glyph boxes are tight; widen vertically to the em box the text path reports.
  const cy = (c.box[1] + c.box[3]) / 2;
  return { text, box: [c.box[0], cy - 0.5 * c.size, c.box[2], cy + 0.5 * c.size], fontSize: c.size, confidence: Math.round(c.conf * 10) / 10 };
}

// ------------------------------------------------------------------------------------------------
// Findings on amounts read by OCR: low confidence, and sums that would hold with one digit changed.

const centreIn = (b: Box, r: TextRun) => {
  const cx = (r.box[0] + r.box[2]) / 2, cy = (r.box[1] + r.box[3]) / 2;
  return cx >= b[0] && cx <= b[2] && cy >= b[1] && cy <= b[3];
};

/** The OCR confidence of an item's amount: the lowest of the runs in its cell that hold digits. */
export function itemConfidence(item: LineItem, pageRuns: TextRun[]): number | null {
  const confs = pageRuns.filter((r) => r.confidence !== undefined && /\d/.test(r.text) && centreIn(item.box, r)).map((r) => r.confidence!);
  return confs.length ? Math.min(...confs) : null;
}

/** Digits of a printed amount and how many of them are decimals. */
function printedDigits(text: string): { digits: string; dec: number } | null {
  const t = text.normalize('NFKC').replace(/[,\s]/g, '').replace(/^[-−(]|\)$/g, '');
  const m = /^(\d*)(?:\.(\d+))?$/.exec(t);
  if (!m || (!m[1] && !m[2])) return null;
  return { digits: (m[1] ?? '') + (m[2] ?? ''), dec: (m[2] ?? '').length };
}

/** Fen per printed unit of a table: 100 for 元, 1,000,000 for 万元. */
function fenPerUnit(unit: string | null): number {
  if (unit && unit.includes('亿')) return 10_000_000_000;
  if (unit && unit.includes('万')) return 1_000_000;
  if (unit && unit.includes('千')) return 100_000;
  return 100;
}

/**
 * If adding `deltaFen` to the item's amount changes exactly one printed digit, the printed text it
 * would then have; else null.
 */
export function oneDigitChange(amountText: string, amountFen: number, deltaFen: number, unit: string | null): string | null {
  const p = printedDigits(amountText);
  if (!p || amountFen < 0) return null;
  const perPrinted = fenPerUnit(unit) / 10 ** p.dec; // fen per unit of the last printed digit
  if (!Number.isInteger(perPrinted) || perPrinted <= 0 || deltaFen % perPrinted !== 0) return null;
  const from = BigInt(p.digits);
  const to = from + BigInt(deltaFen / perPrinted);
  if (to < 0n) return null;
  const a = from.toString().padStart(p.digits.length, '0');
  const b = to.toString().padStart(p.digits.length, '0');
  if (a.length !== b.length) return null;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  if (diff !== 1) return null;
  const int = b.slice(0, b.length - p.dec).replace(/^0+(?=\d)/, '') || '0';
  return p.dec ? `${int}.${b.slice(b.length - p.dec)}` : int;
}

/** class = Σ款 and 款 = Σ项 per column, in OCR'd tables (the relations validate/sums.ts checks). */
function hierarchyChecks(t: RecognizedTable): { parent: LineItem; children: LineItem[]; diff: number }[] {
  const out: { parent: LineItem; children: LineItem[]; diff: number }[] = [];
  const byCol = new Map<string, LineItem[]>();
  for (const it of t.items) {
    const k = it.columnKey + '|' + it.columnLabel;
    (byCol.get(k) ?? byCol.set(k, []).get(k)!).push(it);
  }
  for (const items of byCol.values()) {
    for (const sys of ['func', 'econ'] as const) {
      const code = (i: LineItem) => (sys === 'func' ? i.funcCode : i.econCode);
      const coded = items.filter((i) => code(i));
      const counts = new Map<string, number>();
      coded.forEach((i) => counts.set(code(i)!, (counts.get(code(i)!) ?? 0) + 1));
      for (const parent of coded) {
        const c = code(parent)!;
        if (c.length >= 7 || counts.get(c) !== 1) continue;
        const children = coded.filter((i) => code(i)!.length === c.length + 2 && code(i)!.startsWith(c));
        if (!children.length) continue;
        out.push({ parent, children, diff: parent.amountFen - children.reduce((s, i) => s + i.amountFen, 0) });
      }
    }
  }
  return out;
}

/**
 * Findings for amounts read by OCR. Nothing is corrected: a suspect digit is reported with the value
 * that would make the sum hold as `expected`, and the stored amount stays as read.
 */
export function ocrFindings(tables: RecognizedTable[], ocrRuns: Map<number, TextRun[]>): Finding[] {
  const out: Finding[] = [];
  tables.forEach((t, ti) => {
    if (t.source !== 'ocr') return;
    for (const it of t.items) {
      const conf = itemConfidence(it, ocrRuns.get(it.page) ?? []);
      if (conf !== null && conf < LOW_CONFIDENCE) {
        out.push({
          rule: 'ocr.low_confidence', severity: 'warning',
          message: `第${it.page}页 ${it.label}（${it.columnLabel}）金额 ${it.amountText} 识别置信度低（${conf}）/ amount read by OCR with low confidence ${conf}; check the scan`,
          page: it.page, box: it.box, expected: null, actual: it.amountText, tableIndex: ti,
        });
      }
    }
    const perPrinted = fenPerUnit(t.unit) / 100; // one printed 分: a rounding difference, not a misread
    for (const c of hierarchyChecks(t)) {
      if (c.diff === 0 || Math.abs(c.diff) <= perPrinted * c.children.length) continue;
      const candidates: { item: LineItem; text: string }[] = [];
      const p = oneDigitChange(c.parent.amountText, c.parent.amountFen, -c.diff, t.unit);
      if (p) candidates.push({ item: c.parent, text: p });
      for (const ch of c.children) {
        const s = oneDigitChange(ch.amountText, ch.amountFen, c.diff, t.unit);
        if (s) candidates.push({ item: ch, text: s });
      }
      for (const cand of candidates) {
        const code = c.parent.funcCode ?? c.parent.econCode;
        out.push({
          rule: 'ocr.digit_suspect', severity: 'warning',
          message: `${cand.item.label}（${cand.item.columnLabel}）OCR 读作 ${cand.item.amountText}；若为 ${cand.text}，${code} 与其下级科目之和相符（仅差一位数字）/ ` +
            `the sum under ${code} would hold if this amount read ${cand.text} (one digit differs)${candidates.length > 1 ? `; ${candidates.length} amounts could explain it` : ''}`,
          page: cand.item.page, box: cand.item.box, expected: cand.text, actual: cand.item.amountText, tableIndex: ti,
        });
      }
    }
  });
  return out;
}

// ------------------------------------------------------------------------------------------------
// One document's OCR: which pages, read in the background in page order, a bounded number at a time.

export interface OcrPagesOptions {
  mode: OcrMode;
  /** Pool size when no pool is given. */
  jobs?: number;
  /** A shared pool (not closed here). */
  pool?: OcrPool;
}

export class OcrPages {
  private readonly tasks = new Map<number, Promise<OcrPageResult>>();
  readonly verdicts = new Map<number, TextLayerVerdict>();
  private pool: OcrPool | null;
  private readonly ownPool: boolean;
  private readonly queue: PQueue;

  constructor(private readonly doc: PdfDocument, private readonly opts: OcrPagesOptions) {
    this.pool = opts.pool ?? null;
    this.ownPool = !opts.pool;
    // Render one page ahead of each worker, no more: a 300 DPI page is tens of MB while in flight.
    this.queue = new PQueue({ concurrency: (opts.pool?.size ?? opts.jobs ?? defaultOcrJobs()) + 1 });
  }

  /** Look at a page read by the text path; queue it for OCR when its text layer will not do. */
  async consider(page: Page): Promise<void> {
    if (this.opts.mode === 'off') return;
    const v: TextLayerVerdict = this.opts.mode === 'force'
      ? { usable: false, reason: 'ok', detail: 'OCR forced (--ocr force)' }
      : await textLayerVerdict(this.doc, page);
    this.verdicts.set(page.number, v);
    if (!v.usable) this.schedule(page.number);
  }

  /** A page the text path could not read at all: try OCR. Returns whether it was queued. */
  async considerFailed(pageNumber: number): Promise<boolean> {
    if (this.opts.mode === 'off') return false;
    this.verdicts.set(pageNumber, { usable: false, reason: 'none', detail: 'text extraction failed' });
    this.schedule(pageNumber);
    return true;
  }

  private schedule(n: number): void {
    this.pool ??= new OcrPool(this.opts.jobs ?? defaultOcrJobs());
    const pool = this.pool;
    const task = this.queue.add(() => ocrPage(this.doc, n, pool)) as Promise<OcrPageResult>;
    task.catch(() => {}); // awaited in page(); keep an early failure from being unhandled
    this.tasks.set(n, task);
  }

  has(n: number): boolean {
    return this.tasks.has(n);
  }

  async result(n: number): Promise<OcrPageResult> {
    const t = this.tasks.get(n);
    if (!t) throw new Error(`page ${n} was not queued for OCR`);
    return t;
  }

  async page(n: number): Promise<Page> {
    return (await this.result(n)).page;
  }

  /** An info finding per OCR'd page: why it was read by OCR, and the skew corrected. */
  async notes(): Promise<Finding[]> {
    const out: Finding[] = [];
    for (const [n, t] of this.tasks) {
      const r = await t.catch(() => null);
      if (!r) continue;
      const v = this.verdicts.get(n);
      out.push({
        rule: 'ocr.page', severity: 'info',
        message: `第${n}页经 OCR 识别 / page ${n} read by OCR: ${v?.detail ?? 'forced'}${Math.abs(r.skewDegrees) >= RASTER_SETTINGS.minDeskew ? `; deskewed by ${r.skewDegrees}°` : ''}`,
        page: n, box: null, expected: null, actual: v?.reason ?? null, tableIndex: null,
      });
    }
    return out;
  }

  /** Wait for queued pages (the document is destroyed next), and close the pool if it is ours. */
  async close(): Promise<void> {
    this.queue.clear();
    await Promise.allSettled([...this.tasks.values()]);
    if (this.ownPool && this.pool) await this.pool.close();
  }
}
