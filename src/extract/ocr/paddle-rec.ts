// PP-OCRv4 recognition, the pure parts: a grey image as the recognizer's input tensor, CTC greedy
// decoding of its output with the key list, and characters placed back on the image by their time
// steps, cut to their ink. No onnxruntime here (paddle.ts runs the model).
import type { GrayImage } from './raster.js';
import type { PixelBox } from './segment.js';

/** The recognizer's input height (PP-OCRv4 rec). */
export const REC_HEIGHT = 48;
/** Input columns per output time step (the model downsamples the width by 8). */
export const REC_STRIDE = 8;
/** Widest input (pixels at REC_HEIGHT): a longer line is squeezed to it rather than run at any width. */
export const REC_MAX_WIDTH = 3200;
/** Pixels darker than this are ink when characters' boxes are cut to it. */
export const INK_LEVEL = 160;
/** A blank gap between two characters wider than this (× the line's height) splits a word. */
export const WORD_GAP = 0.6;

/** A grey image as a [1, 3, 48, W] float tensor: aspect kept, (x/255 − 0.5)/0.5, grey in all three channels. */
export function recInput(img: GrayImage): { data: Float32Array; width: number; scale: number } {
  const natural = Math.max(REC_STRIDE, Math.round((img.width * REC_HEIGHT) / Math.max(1, img.height)));
  const width = Math.min(REC_MAX_WIDTH, Math.ceil(natural / REC_STRIDE) * REC_STRIDE);
  const plane = width * REC_HEIGHT;
  const data = new Float32Array(3 * plane);
  // Bilinear resampling; the right margin beyond the image (rounding up to the stride) stays white.
  const sx = img.width / Math.min(width, natural), sy = img.height / REC_HEIGHT;
  for (let y = 0; y < REC_HEIGHT; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(img.height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      let v = 255;
      const fx = (x + 0.5) * sx - 0.5;
      if (fx <= img.width - 1 + 0.5) {
        const cx = Math.min(img.width - 1, Math.max(0, fx));
        const x0 = Math.floor(cx), x1 = Math.min(img.width - 1, x0 + 1), wx = cx - x0;
        const d = img.data;
        const top = d[y0 * img.width + x0] * (1 - wx) + d[y0 * img.width + x1] * wx;
        const bot = d[y1 * img.width + x0] * (1 - wx) + d[y1 * img.width + x1] * wx;
        v = top * (1 - wy) + bot * wy;
      }
      const n = (v / 255 - 0.5) / 0.5;
      const i = y * width + x;
      data[i] = n;
      data[plane + i] = n;
      data[2 * plane + i] = n;
    }
  }
  return { data, width, scale: Math.min(width, natural) / img.width };
}

/**
 * The recognizer's classes from the key list file: 0 is the CTC blank, then one class per line of
 * the file, and last a space.
 */
export function recClasses(keyFile: string): string[] {
  const keys = keyFile.replace(/\r/g, '').split('\n');
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}

/** A character decoded from the CTC output: its text, probability and time steps [t0, t1). */
export interface CtcChar { text: string; prob: number; t0: number; t1: number }

/**
 * Greedy CTC decoding of one line's [steps × classes] probabilities: the best class at each step,
 * repeats merged, blanks dropped. With `allowed`, a step whose best class is not blank reads as the
 * best allowed class (a whitelist, as tesseract's for digits): a lookalike letter becomes the digit
 * it resembles, with that digit's lower probability.
 */
export function ctcDecode(probs: Float32Array, steps: number, classes: string[], allowed?: Set<number>): CtcChar[] {
  const n = classes.length;
  const out: CtcChar[] = [];
  let prev = 0;
  for (let t = 0; t < steps; t++) {
    const row = t * n;
    let best = 0;
    for (let c = 1; c < n; c++) if (probs[row + c] > probs[row + best]) best = c;
    if (best !== 0 && allowed && !allowed.has(best)) {
      let alt = -1;
      for (const c of allowed) if (alt < 0 || probs[row + c] > probs[row + alt]) alt = c;
      best = alt < 0 ? 0 : alt;
    }
    const p = probs[row + best];
    if (best !== 0 && best === prev) {
      const last = out[out.length - 1];
      last.t1 = t + 1;
      last.prob = Math.max(last.prob, p);
    } else if (best !== 0) {
      out.push({ text: classes[best], prob: p, t0: t, t1: t + 1 });
    }
    prev = best;
  }
  return out;
}

/** Class indices of the characters in `chars`: a whitelist for ctcDecode. */
export function classSet(classes: string[], chars: string): Set<number> {
  const s = new Set<number>();
  classes.forEach((c, i) => { if (i > 0 && c.length === 1 && chars.includes(c)) s.add(i); });
  return s;
}

/** The ink box inside columns [x0, x1) of an image, or null when they are blank. */
export function inkBox(img: GrayImage, x0: number, x1: number): PixelBox | null {
  let left = -1, right = -1, top = -1, bottom = -1;
  for (let y = 0; y < img.height; y++) {
    const row = y * img.width;
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) {
      if (img.data[row + x] >= INK_LEVEL) continue;
      if (left < 0 || x < left) left = x;
      if (x > right) right = x;
      if (top < 0) top = y;
      bottom = y;
    }
  }
  return left < 0 ? null : { x0: left, y0: top, x1: right + 1, y1: bottom + 1 };
}

/** A decoded character placed on the image: its box cut to the ink between its neighbours' steps. */
export interface PlacedChar { text: string; prob: number; bbox: PixelBox }

/**
 * Each character's box on the image: its share of the columns runs from halfway to the previous
 * character's steps to halfway to the next one's (time step × REC_STRIDE / scale), cut to the ink
 * there. A character with no ink in its share keeps the share at the image's full height.
 */
export function placeChars(img: GrayImage, chars: CtcChar[], scale: number): PlacedChar[] {
  const px = (t: number) => (t * REC_STRIDE) / scale;
  return chars.map((c, i) => {
    const from = i === 0 ? 0 : Math.round(px((chars[i - 1].t1 + c.t0) / 2));
    const to = i === chars.length - 1 ? img.width : Math.round(px((c.t1 + chars[i + 1].t0) / 2));
    const box = c.text.trim() ? inkBox(img, from, to) : null;
    return { text: c.text, prob: c.prob, bbox: box ?? { x0: from, y0: 0, x1: Math.max(from + 1, to), y1: img.height } };
  });
}

/** Characters split into words at spaces and at blank gaps wider than WORD_GAP × the text's height. */
export function charsToWords(chars: PlacedChar[]): PlacedChar[][] {
  const inked = chars.filter((c) => c.text.trim());
  const height = Math.max(1, ...inked.map((c) => c.bbox.y1 - c.bbox.y0));
  const words: PlacedChar[][] = [];
  let cur: PlacedChar[] = [];
  for (const c of chars) {
    if (!c.text.trim()) {
      if (cur.length) words.push(cur);
      cur = [];
      continue;
    }
    const last = cur[cur.length - 1];
    if (last && c.bbox.x0 - last.bbox.x1 > WORD_GAP * height) { words.push(cur); cur = []; }
    cur.push(c);
  }
  if (cur.length) words.push(cur);
  return words;
}

/**
 * Pieces of one number split at a space the recognizer read after or before a separator
 * ("10, 403.11"): a separator never ends nor starts a number, so such pieces are joined.
 */
export function joinNumberPieces(words: PlacedChar[][]): PlacedChar[][] {
  const out: PlacedChar[][] = [];
  for (const w of words) {
    const last = out[out.length - 1];
    const sep = (c: PlacedChar | undefined) => c !== undefined && /^[,.]$/.test(c.text);
    if (last && (sep(last[last.length - 1]) || sep(w[0]))) last.push(...w);
    else out.push([...w]);
  }
  return out;
}

/** The box around several boxes. */
export function unionBox(boxes: PixelBox[]): PixelBox {
  return {
    x0: Math.min(...boxes.map((b) => b.x0)), y0: Math.min(...boxes.map((b) => b.y0)),
    x1: Math.max(...boxes.map((b) => b.x1)), y1: Math.max(...boxes.map((b) => b.y1)),
  };
}
