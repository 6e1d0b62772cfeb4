// One scanned page read: render, whiten the lid's dark bands, deskew, set the
// page upright, find the ruling lines in the pixels and erase them, cut the ink into text blocks, read them (read.ts) → a Page with source 'ocr' whose runs carry the words'
// confidences, and which goes through the same layout and recognition as a text page.
import type { Box, Page, Rule, TextRun } from '../../types.js';
import type { PdfDocument } from '../pdf.js';
import { normalizeText } from '../normalize.js';
import { LOW_CONFIDENCE, type OcrEngine } from './engine.js';
import { cleanWord, fixConfusions } from './misreadings.js';
import { whitenBorders } from './border.js';
import { detectOrientation } from './orientation.js';
import { eraseLines, estimateSkew, findLines, otsuThreshold, rotateGray, rotateQuarter, thickenStrokes, RASTER_SETTINGS } from './raster.js';
import { readBlocks, readNumbers, type OcrWord } from './read.js';
import { renderForOcr } from './render.js';
import { inkMask, ruleMask, textBlocks } from './segment.js';

/** OCR words on one line closer than this (× font size) are one run, as in the text path. */
const RUN_JOIN_GAP = 0.3;
/** Han words on one line of one text block closer than this (× font size) are one run. */
const HAN_JOIN_GAP = 0.8;
/** Pieces of one number split by tesseract at a separator are at most this far apart (× font size). */
const NUMBER_JOIN_GAP = 0.45;
/** Glyph box height as a share of the font size: Han characters fill the em, digits about 0.72 of it. */
const HAN_HEIGHT = 0.92;
const DIGIT_HEIGHT = 0.72;

/** Image preparation before tesseract (measured with bench/ocr.ts). */
export const OCR_SETTINGS = {
  /** Thicken strokes by a pixel: thin Song strokes are misread (支 → 文) at 300 DPI without it. */
  thicken: true,
};

export interface OcrPageResult {
  page: Page;
  /** The rotation corrected, in degrees; null when the page was straight enough to leave alone. */
  deskewDegrees: number | null;
  /** Clockwise turn (0, 90, 180, 270) that set the page upright; the Page is the turned one. */
  turnDegrees: number;
  /** Resolution of the page's scan (null when it paints no image). */
  imageDpi: number | null;
  /** Time spent: rendering, image steps, the orientation test (its readings included), reading. */
  ms: { render: number; raster: number; orient: number; ocr: number };
}

/** Render, whiten borders, deskew, turn upright, find rules, erase them, OCR: one page as a Page with source 'ocr'. */
export async function ocrPage(doc: PdfDocument, pageNumber: number, engine: OcrEngine): Promise<OcrPageResult> {
  const t0 = performance.now();
  const r = await renderForOcr(doc, pageNumber, engine.dpi);
  const t1 = performance.now();
  let img = r.img;
  const scale = r.scale, dpi = scale * 72;
  // The lid's dark bands go first: they would shift the threshold and pass for rules or ink.
  const first = otsuThreshold(img);
  const threshold = whitenBorders(img, first, dpi).length ? otsuThreshold(img) : first;
  const skew = estimateSkew(img, threshold);
  const deskew = Math.abs(skew) >= RASTER_SETTINGS.minDeskew;
  if (deskew) img = rotateGray(img, skew);
  const to = performance.now();
  const quarters = await detectOrientation(img, threshold, dpi, engine);
  const orient = performance.now() - to;
  if (quarters) img = rotateQuarter(img, quarters);
  const sideways = quarters % 2 === 1;
  const lines = findLines(img, dpi, threshold);
  const ruled = [...lines.h, ...lines.v];
  eraseLines(img, ruled);
  const blocks = textBlocks(inkMask(img, threshold), ruleMask(img.width, img.height, ruled), img.width, img.height, dpi);
  const t2 = performance.now();
  const words = await readNumbers(img, threshold, await readBlocks(OCR_SETTINGS.thicken ? thickenStrokes(img) : img, threshold, blocks, engine, img), engine);
  const t3 = performance.now();
  const k = 1 / scale;
  const rules: Rule[] = ruled.map((l) => ({ x0: l.x0 * k, y0: l.y0 * k, x1: l.x1 * k, y1: l.y1 * k, width: l.thickness * k }));
  return {
    page: {
      number: pageNumber, width: sideways ? r.height : r.width, height: sideways ? r.width : r.height,
      rotation: (r.rotation + 90 * quarters) % 360, runs: wordsToRuns(words, k), rules, source: 'ocr',
    },
    deskewDegrees: deskew ? skew : null,
    turnDegrees: 90 * quarters,
    imageDpi: r.imageDpi,
    ms: { render: t1 - t0, raster: t2 - t1 - orient, orient, ocr: t3 - t2 },
  };
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


const NUMERIC = /^[-−]?[\d,.]+$/;

function toRun(c: { text: string; box: Box; size: number; conf: number }): TextRun {
  const text = fixConfusions(c.text);
  // Glyph boxes are tight; widen vertically to the em box the text path reports.
  const cy = (c.box[1] + c.box[3]) / 2;
  return { text, box: [c.box[0], cy - 0.5 * c.size, c.box[2], cy + 0.5 * c.size], fontSize: c.size, confidence: Math.round(c.conf * 10) / 10 };
}

