// Text blocks and numbers read from a page image: each block (segment.ts) read on its own as a line,
// a doubtful one again with other margins; every number read again by the engine's digit reader from
// its ink, which replaces the text model's digits when well-formed.
import type { GrayImage } from './raster.js';
import type { PixelBox, TextBlock } from './segment.js';
import { LOW_CONFIDENCE, type EngineWord, type NumberRead, type OcrEngine } from './engine.js';
import { cleanWord, numericWord } from './misreadings.js';

/** A word read from the page image, in the page's pixels. */
export interface OcrWord extends EngineWord {
  /** The text block it was read from (segment.ts): a number's ink is looked for only inside it. */
  block?: TextBlock;
}

/** White margin around a text block cut out for tesseract (pixels). */
const BLOCK_CROP_PAD = 12;
/** Margins of the second readings of a doubtful block. */
const BLOCK_RETRY_PADS = [6, 24];
/**
 * The widest margin is tried on lines of at most this many characters only (labels, titles): on a
 * line of prose (40–60 characters, the costliest reading of a page) it changed punctuation both
 * ways and no character error in all (9cf8afd0f960 pages 1–6, grey and 1-bit: 47 and 46 errors in
 * 2,633 characters with or without it), for a third of the retries' time there.
 */
const WIDE_PAD_MAX_CHARS = 24;

/**
 * Read each text block (see segment.ts) on its own, as one line (or, for a taller block, as a
 * small page), and put the words back at their place on the page. Each block gets its own line
 * number, so words of two cells never join into one run.
 */
export async function readBlocks(img: GrayImage, threshold: number, blocks: TextBlock[], engine: OcrEngine, plain: GrayImage = img): Promise<OcrWord[]> {
  // Thickened strokes reach a pixel past the block's ink box: cut a little wider.
  const cuts = blocks.map((b): PixelBox => ({ x0: Math.max(0, b.x0 - 2), y0: Math.max(0, b.y0 - 2), x1: Math.min(img.width, b.x1 + 2), y1: Math.min(img.height, b.y1 + 2) }));
  const readAt = async (k: number, pad: number, from = img): Promise<OcrWord[]> => {
    const words = await engine.recognize(cropPadded(from, cuts[k], pad), blocks[k].line ? 'line' : 'page');
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
        if (pad > BLOCK_CROP_PAD && textLength(words) > WIDE_PAD_MAX_CHARS) continue;
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
const textLength = (words: OcrWord[]) => words.reduce((n, w) => n + [...w.text].length, 0);

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
async function readNumbersIn(img: GrayImage, box: PixelBox, engine: OcrEngine): Promise<NumberRead[]> {
  const read = await engine.readNumbers(cropPadded(img, box, NUMBER_CROP_PAD));
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
export async function readNumbers(img: GrayImage, threshold: number, words: OcrWord[], engine: OcrEngine): Promise<OcrWord[]> {
  const byBlock = new Map<TextBlock, number[]>();
  words.forEach((w, i) => { if (w.block?.line) (byBlock.get(w.block) ?? byBlock.set(w.block, []).get(w.block)!).push(i); });
  const numberBlocks = [...byBlock].filter(([, idx]) => numberLikeText(idx.map((i) => words[i].text).join('')));
  const blockReads = await Promise.all(numberBlocks.map(([b]) => readNumbersIn(img, b, engine)));
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

  const inText = await readDigitsInText(img, threshold, words, engine);
  const stops: PixelBox[] = words.filter((w) => !numericWord(w.text)).map((w) => w.bbox);
  const picks: { i: number; ink: PixelBox | null }[] = [];
  words.forEach((w, i) => {
    if (replaced.has(i) || !numericWord(w.text)) return;
    const ink = numberInk(img, threshold, w.bbox, stops, w.block);
    if (!ink) return;
    // Pieces of one number widen to the same ink: read it once.
    picks.push({ i, ink: picks.some((p) => p.ink && overlapShare(p.ink, ink) > 0.5) ? null : ink });
  });
  const read = await Promise.all(picks.map((p) => (p.ink ? readNumbersIn(img, p.ink, engine) : null)));
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
async function readDigitsInText(img: GrayImage, threshold: number, words: OcrWord[], engine: OcrEngine): Promise<Map<number, OcrWord>> {
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
  const read = await Promise.all(jobs.map((j) => readNumbersIn(img, j.ink, engine)));
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

