// PDF → pages of positioned text runs and ruling lines, with pdfjs-dist.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page, Rule, TextRun } from '../types.js';
import { normalizeText } from './normalize.js';
import { mayHoldTable } from './textlayer.js';
import type { LayoutSettings } from '../layout/settings.js';
import { errorMessage } from '../errors.js';

// pdfjs-dist is pinned to 5.6.205: the constructPath operator layout below is the 5.1+ one.
import type * as Pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Built-ins that the core-js polyfills inside pdfjs's legacy build (the build for Node) replace for
 * the whole thread, over edge cases nobody here meets (push onto an array whose length is read-only
 * or past 2^32, JSON.rawJSON): their replacements are plain JavaScript, and push alone cost about a
 * tenth of a document's time. The built-ins the polyfills add (Promise.withResolvers, Set methods, …)
 * are kept. pdfjs's own code uses push and JSON only in the ordinary way.
 */
const REPLACED_BUILTINS: [object, string][] = [[Array.prototype, 'push'], [JSON, 'parse'], [JSON, 'stringify']];

/** pdfjs's worker code (it ships without types; only its side effect is wanted). */
const PDFJS_WORKER: string = 'pdfjs-dist/legacy/build/pdf.worker.mjs';

/** pdfjs and its worker code (run in this thread, as pdfjs does in Node), with the built-ins above put back. */
async function loadPdfjs(): Promise<typeof Pdfjs> {
  const saved = REPLACED_BUILTINS.map(([o, k]) => [o, k, Object.getOwnPropertyDescriptor(o, k)] as const);
  const lib = await import('pdfjs-dist/legacy/build/pdf.mjs');
  await import(PDFJS_WORKER); // sets globalThis.pdfjsWorker, which getDocument then uses
  for (const [o, k, d] of saved) if (d) Object.defineProperty(o, k, d);
  return lib;
}

/** The one import of pdfjs in src/ (others take it from here, so that it loads as above). */
export const pdfjs = await loadPdfjs();

const require = createRequire(import.meta.url);
const pdfjsRoot = path.dirname(require.resolve('pdfjs-dist/package.json'));
const PDFJS_ASSETS = {
  cMapUrl: path.join(pdfjsRoot, 'cmaps') + '/',
  cMapPacked: true,
  standardFontDataUrl: path.join(pdfjsRoot, 'standard_fonts') + '/',
  wasmUrl: path.join(pdfjsRoot, 'wasm') + '/',
};

/** Two text pieces on one baseline closer than this (× font size) belong to the same run. */
export const RUN_JOIN_GAP = 0.3;
/** A filled rectangle thinner than this (points) is a ruling line, not a shaded area. */
export const THIN_FILL = 2.5;
/** A segment whose ends differ by less than this across its axis counts as axis-aligned (points). */
const AXIS_TOLERANCE = 1;
/** Segments shorter than this are glyph strokes or ticks, not rules (points). */
const MIN_RULE_LENGTH = 3;

export class PdfOpenError extends Error {
  constructor(
    message: string,
    readonly reason: 'encrypted' | 'corrupt' | 'empty',
  ) {
    super(message);
  }
}

export type PdfDocument = Pdfjs.PDFDocumentProxy;

/** pdfjs's own exceptions (its parser's, its loader's), known by name: pdfjs does not export them. */
const PDFJS_EXCEPTIONS = new Set(['FormatError', 'XRefEntryException', 'XRefParseException', 'ParserEOFException',
  'MissingDataException', 'InvalidPDFException', 'UnknownErrorException', 'ResponseException', 'PasswordException', 'AbortException']);

export function isPdfjsException(e: unknown): boolean {
  return e instanceof Error && PDFJS_EXCEPTIONS.has(e.name);
}

/**
 * pdfjs fetches some objects ahead (the page tree's kids) into caches without awaiting them; in a
 * damaged file such a fetch rejects with nobody listening, and Node then ends the thread. Those
 * rejections are taken here: the same error reaches the caller through the page call that needs
 * the object (as that page's error), or concerns an object nothing reads. Other unhandled
 * rejections are left as they were: thrown, unless the process listens for them itself.
 */
function guardStrayRejections(): void {
  if (strayGuard) return;
  strayGuard = (reason: unknown) => {
    if (isPdfjsException(reason)) return;
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
  };
  process.on('unhandledRejection', strayGuard);
}
let strayGuard: ((reason: unknown) => void) | null = null;

/**
 * What a document opened for text is given as its DOM: enough for pdfjs to "install" each font as a
 * CSS rule nobody reads. In Node pdfjs otherwise turns every glyph a page shows into an outline
 * (FontPath) for canvas rendering, in each operator-list pass: about a quarter of the extraction time,
 * wasted when the operator list is read for its ruling lines only.
 */
const NO_FONTS_DOCUMENT = {
  createElement: () => ({ sheet: { cssRules: [], insertRule: () => 0 }, remove: () => {} }),
  documentElement: { getElementsByTagName: () => [{ append: () => {} }] },
} as unknown as Document; // the few members pdfjs's FontLoader touches

/** Documents opened for text, and the twin opened for rendering one of their pages (OCR), if any. */
const renderTwins = new WeakMap<PdfDocument, Promise<PdfDocument> | null>();

export interface OpenOptions {
  /**
   * For text, ruling lines and images only (the pipeline's text path): glyph outlines are not built,
   * so its pages cannot be rendered as they are; renderable() opens a twin that can. Default: false.
   */
  textOnly?: boolean;
}

export async function openPdf(data: Uint8Array, opts: OpenOptions = {}): Promise<PdfDocument> {
  guardStrayRejections();
  if (data.length === 0) throw new PdfOpenError('empty file (0 bytes)', 'empty');
  const head = Buffer.from(data.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) throw new PdfOpenError('not a PDF file (no %PDF- header)', 'corrupt');
  let doc: PdfDocument;
  try {
    const task = pdfjs.getDocument({
      data: new Uint8Array(data), // pdfjs takes ownership of the buffer
      ...PDFJS_ASSETS,
      useSystemFonts: false,
      isEvalSupported: false,
      verbosity: 0,
      stopAtErrors: false,
      ...(opts.textOnly ? { disableFontFace: false, ownerDocument: NO_FONTS_DOCUMENT } : {}),
    });
    doc = await task.promise;
  } catch (e) {
    if (e instanceof Error && e.name === 'PasswordException') {
      throw new PdfOpenError('encrypted PDF: a password is required to open it', 'encrypted');
    }
    throw new PdfOpenError(`corrupt PDF: ${errorMessage(e)}`, 'corrupt');
  }
  if (opts.textOnly) {
    renderTwins.set(doc, null);
    const destroy = doc.destroy.bind(doc);
    // The twin goes with the document.
    doc.destroy = async () => {
      const twin = renderTwins.get(doc);
      renderTwins.delete(doc);
      await (await twin?.catch(() => null))?.destroy();
      return destroy();
    };
  }
  return doc;
}

/** A document whose pages render as printed: `doc` itself, or for one opened textOnly its twin (opened once, closed with it). */
export function renderable(doc: PdfDocument): Promise<PdfDocument> {
  if (!renderTwins.has(doc)) return Promise.resolve(doc);
  let twin = renderTwins.get(doc);
  if (!twin) {
    twin = doc.getData().then((bytes) => openPdf(bytes));
    renderTwins.set(doc, twin);
  }
  return twin;
}

type Matrix = [number, number, number, number, number, number];
const mul = (m1: Matrix, m2: Matrix): Matrix => pdfjs.Util.transform(m1, m2) as Matrix;
const apply = (m: Matrix, x: number, y: number): [number, number] => [
  m[0] * x + m[2] * y + m[4],
  m[1] * x + m[3] * y + m[5],
];

interface TextItemLike {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

/** Width of a character in ems, for placing characters inside one pdfjs text item. */
function charEms(ch: string): number {
  return /[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFF60\u3000-\u303F]/.test(ch) ? 1 : 0.5;
}

interface Piece {
  text: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  size: number;
}

/** Split one text item at its whitespace into pieces with estimated extents. */
function itemPieces(item: TextItemLike, vt: Matrix): Piece[] {
  const m = mul(vt, item.transform as Matrix);
  const size = Math.hypot(m[2], m[3]) || Math.hypot(m[0], m[1]);
  // A damaged file can give a transform or width that is not a number: such text has no place.
  if (!item.str || !(size > 0) || !m.every(Number.isFinite) || !Number.isFinite(item.width)) return [];
  const horizontal = Math.abs(m[0]) >= Math.abs(m[1]);
  // Extent along the writing direction, in display space.
  const scaleX = Math.hypot(m[0], m[1]) / (Math.hypot(item.transform[0], item.transform[1]) || 1);
  const length = item.width * scaleX;
  const chars = [...item.str];
  const totalEms = chars.reduce((s, c) => s + charEms(c), 0) || 1;
  const perEm = length / totalEms;
  const pieces: Piece[] = [];
  let offset = 0;
  let cur: { text: string; start: number; end: number } | null = null;
  for (const ch of chars) {
    const w = charEms(ch) * perEm;
    if (/\s/.test(ch)) {
      if (cur) pieces.push(toPiece(cur));
      cur = null;
    } else {
      if (!cur) cur = { text: '', start: offset, end: offset };
      cur.text += ch;
      cur.end = offset + w;
    }
    offset += w;
  }
  if (cur) pieces.push(toPiece(cur));
  return pieces;

  function toPiece(c: { text: string; start: number; end: number }): Piece {
    if (horizontal) {
      const dir = Math.sign(m[0]) || 1;
      const a = m[4] + dir * c.start;
      const b = m[4] + dir * c.end;
      // Baseline at m[5]; glyphs extend ~0.88 em above and ~0.12 below it.
      return { text: c.text, x0: Math.min(a, b), x1: Math.max(a, b), top: m[5] - 0.88 * size, bottom: m[5] + 0.12 * size, size };
    }
    const dir = Math.sign(m[1]) || 1;
    const a = m[5] + dir * c.start;
    const b = m[5] + dir * c.end;
    return { text: c.text, x0: m[4] - 0.88 * size, x1: m[4] + 0.12 * size, top: Math.min(a, b), bottom: Math.max(a, b), size };
  }
}

/** Join pieces that sit on one baseline with no real gap into runs. */
export function joinPieces(pieces: Piece[]): TextRun[] {
  const sorted = [...pieces].sort((a, b) => a.top + a.bottom - (b.top + b.bottom) || a.x0 - b.x0);
  // Group by baseline: pieces whose vertical centres are within 0.3 em.
  const lines: Piece[][] = [];
  for (const p of sorted) {
    const mid = (p.top + p.bottom) / 2;
    const line = lines.find((l) => Math.abs((l[0].top + l[0].bottom) / 2 - mid) < 0.3 * Math.max(l[0].size, p.size));
    if (line) line.push(p);
    else lines.push([p]);
  }
  const runs: TextRun[] = [];
  for (const line of lines) {
    line.sort((a, b) => a.x0 - b.x0);
    let cur: Piece | null = null;
    for (const p of line) {
      if (cur && p.x0 - cur.x1 <= RUN_JOIN_GAP * Math.max(cur.size, p.size) && p.x0 >= cur.x0) {
        const c: Piece = cur;
        cur = { text: c.text + p.text, x0: c.x0, x1: Math.max(c.x1, p.x1), top: Math.min(c.top, p.top), bottom: Math.max(c.bottom, p.bottom), size: c.size };
      } else {
        if (cur) runs.push(pieceRun(cur));
        cur = { ...p };
      }
    }
    if (cur) runs.push(pieceRun(cur));
  }
  return runs.filter((r) => r.text.length > 0);
}

function pieceRun(p: Piece): TextRun {
  return { text: normalizeText(p.text), box: [p.x0, p.top, p.x1, p.bottom], fontSize: p.size };
}

interface GState {
  ctm: Matrix;
  lineWidth: number;
  strokeVisible: boolean;
  fillVisible: boolean;
}

function isWhite(args: unknown[]): boolean {
  const a = args[0];
  if (typeof a === 'string') return /^#f[a-f0-9]f[a-f0-9]f[a-f0-9]$/i.test(a) && a.toLowerCase() >= '#f0f0f0';
  if (args.length === 3) return (args as number[]).every((v) => v >= 0.94 || v >= 240);
  if (args.length === 1 && typeof a === 'number') return a >= 0.94;
  return false;
}

/** Ruling lines from a page's operator list, in display coordinates. */
export function rulesFromOperators(fnArray: number[], argsArray: unknown[][], vt: Matrix): Rule[] {
  const OPS = pdfjs.OPS;
  const rules: Rule[] = [];
  let gs: GState = { ctm: [1, 0, 0, 1, 0, 0], lineWidth: 1, strokeVisible: true, fillVisible: true };
  const stack: GState[] = [];
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] ?? [];
    switch (fn) {
      case OPS.save:
        stack.push({ ...gs });
        break;
      case OPS.restore:
        gs = stack.pop() ?? gs;
        break;
      case OPS.transform:
        gs.ctm = mul(gs.ctm, args as Matrix);
        break;
      case OPS.paintFormXObjectBegin:
        stack.push({ ...gs });
        if (Array.isArray(args[0]) && args[0].length === 6) gs.ctm = mul(gs.ctm, args[0] as Matrix);
        break;
      case OPS.paintFormXObjectEnd:
        gs = stack.pop() ?? gs;
        break;
      case OPS.setLineWidth:
        gs.lineWidth = args[0] as number;
        break;
      case OPS.setStrokeRGBColor:
      case OPS.setStrokeGray:
      case OPS.setStrokeColor:
      case OPS.setStrokeCMYKColor:
        gs.strokeVisible = !isWhite(args);
        break;
      case OPS.setFillRGBColor:
      case OPS.setFillGray:
      case OPS.setFillColor:
      case OPS.setFillCMYKColor:
        gs.fillVisible = !isWhite(args);
        break;
      case OPS.constructPath: {
        const paintOp = args[0] as number;
        const data = (args[1] as ArrayLike<number>[] | undefined)?.[0];
        if (!data || paintOp === OPS.endPath) break; // endPath after a path is a clip, not a line
        const stroke = [OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke].includes(paintOp);
        const fill = [OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke].includes(paintOp);
        const m = mul(vt, gs.ctm);
        const scale = Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2])) || 1;
        for (const sub of subpaths(data)) {
          const pts = sub.points.map(([x, y]) => apply(m, x, y));
          if (stroke && gs.strokeVisible) {
            const w = gs.lineWidth * scale || 0.5;
            const segs = pts.length;
            for (let k = 0; k + 1 < segs; k++) pushSegment(rules, pts[k], pts[k + 1], w);
            if (sub.closed && segs > 2) pushSegment(rules, pts[segs - 1], pts[0], w);
          }
          if (fill && gs.fillVisible && !sub.curved) {
            const xs = pts.map((p) => p[0]);
            const ys = pts.map((p) => p[1]);
            const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
            const w = x1 - x0, h = y1 - y0;
            if (!Number.isFinite(w) || !Number.isFinite(h)) continue; // a damaged path
            if (h <= THIN_FILL && w >= MIN_RULE_LENGTH) rules.push({ x0, x1, y0: (y0 + y1) / 2, y1: (y0 + y1) / 2, width: Math.max(h, 0.1) });
            else if (w <= THIN_FILL && h >= MIN_RULE_LENGTH) rules.push({ x0: (x0 + x1) / 2, x1: (x0 + x1) / 2, y0, y1, width: Math.max(w, 0.1) });
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return rules;
}

function pushSegment(rules: Rule[], a: [number, number], b: [number, number], width: number): void {
  if (![...a, ...b, width].every(Number.isFinite)) return; // a damaged path
  const dx = Math.abs(a[0] - b[0]);
  const dy = Math.abs(a[1] - b[1]);
  if (dy <= AXIS_TOLERANCE && dx >= MIN_RULE_LENGTH) {
    const y = (a[1] + b[1]) / 2;
    rules.push({ x0: Math.min(a[0], b[0]), x1: Math.max(a[0], b[0]), y0: y, y1: y, width });
  } else if (dx <= AXIS_TOLERANCE && dy >= MIN_RULE_LENGTH) {
    const x = (a[0] + b[0]) / 2;
    rules.push({ x0: x, x1: x, y0: Math.min(a[1], b[1]), y1: Math.max(a[1], b[1]), width });
  }
}

interface Subpath {
  points: [number, number][];
  closed: boolean;
  curved: boolean;
}

/** Decode pdfjs 5.x path data: 0 moveTo, 1 lineTo, 2 curveTo, 3 quadraticCurveTo, 4 closePath. */
export function subpaths(data: ArrayLike<number>): Subpath[] {
  const out: Subpath[] = [];
  let cur: Subpath | null = null;
  for (let i = 0; i < data.length; ) {
    const code = data[i++];
    if (code === 0) {
      cur = { points: [[data[i], data[i + 1]]], closed: false, curved: false };
      out.push(cur);
      i += 2;
    } else if (code === 1) {
      if (!cur) { cur = { points: [], closed: false, curved: false }; out.push(cur); }
      cur.points.push([data[i], data[i + 1]]);
      i += 2;
    } else if (code === 2) {
      if (cur) { cur.curved = true; cur.points.push([data[i + 4], data[i + 5]]); }
      i += 6;
    } else if (code === 3) {
      if (cur) { cur.curved = true; cur.points.push([data[i + 2], data[i + 3]]); }
      i += 4;
    } else if (code === 4) {
      if (cur) cur.closed = true;
    } else {
      break; // unknown code: stop rather than misread the rest
    }
  }
  return out;
}

export interface ExtractOptions {
  /**
   * Read ruling lines only on pages whose text may hold a table (textlayer.ts mayHoldTable, with
   * these layout settings): the operator list pdfjs builds for them costs as much as the text.
   * Default: on every page.
   */
  rulesOnlyForTables?: Pick<LayoutSettings, 'lineTolerance'>;
}

export async function extractPage(doc: PdfDocument, pageNumber: number, opts: ExtractOptions = {}): Promise<Page> {
  const page = await doc.getPage(pageNumber);
  try {
    const viewport = page.getViewport({ scale: 1 });
    const vt = viewport.transform as Matrix;
    const content = await page.getTextContent({ disableNormalization: false });
    const pieces: Piece[] = [];
    for (const it of content.items) {
      if ('str' in it) pieces.push(...itemPieces(it as TextItemLike, vt));
    }
    const runs = joinPieces(pieces);
    let rules: Rule[] = [];
    if (!opts.rulesOnlyForTables || mayHoldTable(runs, opts.rulesOnlyForTables)) {
      const ops = await page.getOperatorList();
      rules = rulesFromOperators(ops.fnArray, ops.argsArray as unknown[][], vt);
    }
    return {
      number: pageNumber,
      width: viewport.width,
      height: viewport.height,
      rotation: page.rotate,
      runs,
      rules,
      source: 'pdf_text',
    };
  } finally {
    page.cleanup();
  }
}

export async function extractPdf(data: Uint8Array): Promise<{ pages: Page[]; numPages: number }> {
  const doc = await openPdf(data);
  try {
    const pages: Page[] = [];
    for (let n = 1; n <= doc.numPages; n++) pages.push(await extractPage(doc, n));
    return { pages, numPages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}
