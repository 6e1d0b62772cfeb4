// Text blocks of a page image by recursive X–Y cuts (as in Nagy & Seth's page segmentation): the
// ink, with ruling lines erased, is split at empty rows and columns, and always at a ruling line,
// until each block is one line of one cell. Tesseract reads such a block as one line (PSM 7) far
// better than it segments a ruled table page by itself. Pure functions over plain images.
import type { GrayImage, PixelLine } from './raster.js';

/** A pixel box, half-open on the right and bottom. */
export interface PixelBox { x0: number; y0: number; x1: number; y1: number }

/** Cut tolerances in points, scaled to pixels by the image's DPI. */
export const SEGMENT_SETTINGS = {
  /** Blank rows at least this high split a block into lines (leading is 2–6 pt; strokes of 三 are closer than this). */
  rowGap: 1.2,
  /** A band lower than this is a stroke of a glyph (一, the dots of 、), not a line: it joins a neighbour. */
  minLineHeight: 4,
  /** Blank columns at least this wide (× the band's height) split a line into blocks (cells, columns). */
  columnGap: 1.5,
  /** Blocks smaller than this both ways are specks, not text. */
  minInk: 2.5,
  /** A block higher than this is not one line of text (a stamp, a logo, a picture): read as a block. */
  maxLineHeight: 30,
};

export interface TextBlock extends PixelBox {
  /** One line of text (read with PSM 7), or something taller (read as a block). */
  line: boolean;
}

/**
 * Dark pixels that touch at least two other dark pixels: isolated specks of a noisy scan would
 * otherwise put ink in every row and column.
 */
export function inkMask(img: GrayImage, threshold: number): Uint8Array {
  const { width: w, height: h, data } = img;
  // Dark pixels with a blank border of one pixel all round: neighbours need no bounds checks.
  const pw = w + 2;
  const dark = new Uint8Array(pw * (h + 2));
  for (let y = 0; y < h; y++) {
    const src = y * w, dst = (y + 1) * pw + 1;
    for (let x = 0; x < w; x++) dark[dst + x] = data[src + x] < threshold ? 1 : 0;
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = (y + 1) * pw + 1;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (!dark[i]) continue;
      const n = dark[i - pw - 1] + dark[i - pw] + dark[i - pw + 1] + dark[i - 1] + dark[i + 1] + dark[i + pw - 1] + dark[i + pw] + dark[i + pw + 1];
      if (n >= 2) out[y * w + x] = 1;
    }
  }
  return out;
}

/** Where ruling lines are, painted into a mask of the image's size (1 = on a rule). */
export function ruleMask(width: number, height: number, lines: PixelLine[]): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const l of lines) {
    const half = Math.max(1, Math.ceil(l.thickness / 2));
    if (l.y0 === l.y1) {
      const y = Math.round(l.y0);
      for (let yy = Math.max(0, y - half); yy <= Math.min(height - 1, y + half); yy++) m.fill(1, yy * width + Math.max(0, Math.floor(l.x0)), yy * width + Math.min(width, Math.ceil(l.x1) + 1));
    } else {
      const x = Math.round(l.x0);
      for (let yy = Math.max(0, Math.floor(l.y0)); yy <= Math.min(height - 1, Math.ceil(l.y1)); yy++) m.fill(1, yy * width + Math.max(0, x - half), yy * width + Math.min(width, x + half + 1));
    }
  }
  return m;
}

interface Plane { mask: Uint8Array; rules: Uint8Array; width: number }

/** Ink count per row (horizontal) or column of a box, and whether a rule crosses most of it there. */
function profile(p: Plane, b: PixelBox, rows: boolean): { ink: Int32Array; ruled: Uint8Array } {
  const n = rows ? b.y1 - b.y0 : b.x1 - b.x0;
  const ink = new Int32Array(n);
  const ruleCount = new Int32Array(n);
  const { mask, rules, width } = p;
  for (let y = b.y0; y < b.y1; y++) {
    const row = y * width;
    if (rows) {
      let a = 0, r = 0;
      for (let x = b.x0; x < b.x1; x++) { a += mask[row + x]; r += rules[row + x]; }
      ink[y - b.y0] = a; ruleCount[y - b.y0] = r;
    } else {
      for (let x = b.x0, k = 0; x < b.x1; x++, k++) { ink[k] += mask[row + x]; ruleCount[k] += rules[row + x]; }
    }
  }
  const across = rows ? b.x1 - b.x0 : b.y1 - b.y0;
  const ruled = new Uint8Array(n);
  for (let k = 0; k < n; k++) ruled[k] = ruleCount[k] * 2 >= across ? 1 : 0;
  return { ink, ruled };
}

/** Runs of inked positions, split at blank runs of at least `gap` and at every ruled position. */
function spans(ink: Int32Array, ruled: Uint8Array, gap: number): [number, number][] {
  const out: [number, number][] = [];
  let start = -1, last = -1;
  for (let k = 0; k < ink.length; k++) {
    if (ruled[k]) {
      if (start >= 0) out.push([start, last + 1]);
      start = -1;
      continue;
    }
    if (ink[k] === 0) continue;
    if (start >= 0 && k - last - 1 >= gap) { out.push([start, last + 1]); start = -1; }
    if (start < 0) start = k;
    last = k;
  }
  if (start >= 0) out.push([start, last + 1]);
  return out;
}

/** Bands thinner than `min` are strokes of a glyph: join each to its nearer neighbour. */
function joinThin(bands: [number, number][], min: number, maxGap: number): [number, number][] {
  const out = bands.map((b) => [...b] as [number, number]);
  for (let changed = true; changed && out.length > 1;) {
    changed = false;
    for (let i = 0; i < out.length; i++) {
      if (out[i][1] - out[i][0] >= min) continue;
      const up = i > 0 ? out[i][0] - out[i - 1][1] : Infinity;
      const down = i + 1 < out.length ? out[i + 1][0] - out[i][1] : Infinity;
      const j = up <= down ? i - 1 : i + 1;
      if (Math.min(up, down) > maxGap) continue;
      out[Math.min(i, j)] = [Math.min(out[i][0], out[j][0]), Math.max(out[i][1], out[j][1])];
      out.splice(Math.max(i, j), 1);
      changed = true;
      break;
    }
  }
  return out;
}

/** The box cut to its ink (null when it has none). */
function tighten(p: Plane, b: PixelBox): PixelBox | null {
  let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
  for (let y = b.y0; y < b.y1; y++) {
    const row = y * p.width;
    for (let x = b.x0; x < b.x1; x++) {
      if (!p.mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * The text blocks of an image: recursive cuts at blank rows, then blank columns, down to single
 * lines of single cells. `mask` is the despeckled ink (inkMask) with rules erased; `rules` marks
 * ruling lines, where a cut is always made however narrow the gap.
 */
export function textBlocks(mask: Uint8Array, rules: Uint8Array, width: number, height: number, dpi: number, settings = SEGMENT_SETTINGS): TextBlock[] {
  const px = dpi / 72;
  const p: Plane = { mask, rules, width };
  const rowGap = Math.max(1, Math.round(settings.rowGap * px));
  const minLine = settings.minLineHeight * px;
  const minInk = settings.minInk * px;
  const maxLine = settings.maxLineHeight * px;
  const out: TextBlock[] = [];
  const stack: PixelBox[] = [{ x0: 0, y0: 0, x1: width, y1: height }];
  while (stack.length) {
    const box = stack.pop()!;
    const b = tighten(p, box);
    if (!b) continue;
    const r = profile(p, b, true);
    const bands = joinThin(spans(r.ink, r.ruled, rowGap), minLine, 2 * rowGap + minLine);
    if (bands.length === 0) continue; // the ink lies on ruled rows only
    if (bands.length > 1 || bands[0][1] - bands[0][0] < b.y1 - b.y0) {
      for (const [a, z] of bands) stack.push({ x0: b.x0, y0: b.y0 + a, x1: b.x1, y1: b.y0 + z });
      continue;
    }
    const c = profile(p, b, false);
    const colGap = Math.max(2, Math.round(settings.columnGap * Math.min(b.y1 - b.y0, maxLine)));
    const cols = spans(c.ink, c.ruled, colGap);
    if (cols.length === 0) continue;
    if (cols.length > 1 || cols[0][1] - cols[0][0] < b.x1 - b.x0) {
      for (const [a, z] of cols) stack.push({ x0: b.x0 + a, y0: b.y0, x1: b.x0 + z, y1: b.y1 });
      continue;
    }
    const h = b.y1 - b.y0, w = b.x1 - b.x0;
    if (h < minInk && w < minInk) continue;
    if (h < minInk / 2 || w < minInk / 2) continue; // a hairline left of an erased rule
    out.push({ ...b, line: h <= maxLine });
  }
  // Reading order: top to bottom, then left to right.
  return out.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}
