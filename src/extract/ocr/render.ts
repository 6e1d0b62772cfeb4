// Pages as pixels: rendering with pdfjs + @napi-rs/canvas, and the images a page paints: their pixels
// tell a scan from a page with a logo (whether its text layer will do), their size against the page
// the scan's resolution (what to render it at).
import { createCanvas } from '@napi-rs/canvas';
import type { Page } from '../../types.js';
import { pdfjs, renderable, type PdfDocument } from '../pdf.js';
import { assessTextLayer, needsImageCheck, type TextLayerVerdict } from '../textlayer.js';
import { rgbaToGray, type GrayImage } from './raster.js';

/** Pages wider or taller than this many pixels at the asked resolution are rendered smaller (A2 and up). */
const MAX_PIXELS_SIDE = 7000;

/** An image painted on a page: its pixels and its size on the page in points. */
export interface PlacedImage { pixelsWide: number; pixelsHigh: number; widthPt: number; heightPt: number }

/** The resolution (DPI) of a page's images, weighted by their pixels (null when there are none). */
export function imageDpi(images: PlacedImage[]): number | null {
  let n = 0, s = 0;
  for (const im of images) {
    if (im.widthPt <= 0 || im.heightPt <= 0) continue;
    const px = im.pixelsWide * im.pixelsHigh;
    const dpi = Math.sqrt(((im.pixelsWide * 72) / im.widthPt) * ((im.pixelsHigh * 72) / im.heightPt));
    n += px; s += px * dpi;
  }
  return n ? s / n : null;
}

export interface RenderedPage {
  img: GrayImage;
  /** Pixels per PDF point. */
  scale: number;
  /** Page size in points, as displayed. */
  width: number;
  height: number;
  rotation: number;
}

type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

/** The page as displayed (after /Rotate), rendered on a white canvas at `scale` pixels per point. */
export async function renderOnCanvas(page: PdfPage, scale: number) {
  const vp = page.getViewport({ scale });
  const w = Math.ceil(vp.width), h = Math.ceil(vp.height);
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, w, h);
  await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport: vp, background: '#ffffff' }).promise;
  return { canvas, ctx, w, h };
}

/** The page as displayed (after /Rotate), rendered on white at `dpi`, as a grey image. */
export async function renderPageGray(doc: PdfDocument, pageNumber: number, dpi: number): Promise<RenderedPage> {
  const page = await (await renderable(doc)).getPage(pageNumber);
  try {
    return await renderGray(page, dpi);
  } finally {
    page.cleanup();
  }
}

async function renderGray(page: PdfPage, dpi: number): Promise<RenderedPage> {
  const base = page.getViewport({ scale: 1 });
  let scale = dpi / 72;
  const side = Math.max(base.width, base.height) * scale;
  if (side > MAX_PIXELS_SIDE) scale *= MAX_PIXELS_SIDE / side;
  const { canvas, w, h } = await renderOnCanvas(page, scale);
  // The raw pixels (RGBA, as getImageData's on this opaque canvas) without getImageData's conversion: half the time.
  const rgba = canvas.data();
  return { img: rgbaToGray(rgba, w, h), scale, width: base.width, height: base.height, rotation: page.rotate };
}

/**
 * The page rendered at the engine's resolution, with the resolution of its scan (null when it paints
 * no image). Measured on 300 DPI scans (2 pages, 15 amounts): rendered at 300 and area-averaged
 * down to the engine's 250, 13 amounts were read, rendered at 250 by pdfjs, 15; 150 DPI scans were
 * read no better rendered at 300 (2×) than at 250. So every scan, 150–600 DPI, is rendered at the
 * resolution the engine reads best.
 */
export async function renderForOcr(doc: PdfDocument, pageNumber: number, engineDpi: number): Promise<RenderedPage & { imageDpi: number | null }> {
  const page = await doc.getPage(pageNumber);
  try {
    const rendered = await renderGray(page, engineDpi);
    // The images are found in the operator list the render just used: asking pdfjs for one again
    // would decode the scan a second time (about 150 ms of a grey 300 DPI page).
    const ops = renderedOperatorList(page) ?? (await page.getOperatorList());
    return { ...rendered, imageDpi: imageDpi(placedImages(ops)) };
  } finally {
    page.cleanup();
  }
}

interface OperatorList { fnArray: number[]; argsArray: unknown[] }

/**
 * The operator list pdfjs built for the page's last render: it keeps it until `cleanup()`, in a
 * field of its own (hence the guard; null when a pdfjs version keeps it elsewhere).
 */
export function renderedOperatorList(page: PdfPage): OperatorList | null {
  const states = (page as unknown as { _intentStates?: Map<unknown, { operatorList?: OperatorList & { lastChunk?: boolean } }> })._intentStates;
  if (!(states instanceof Map)) return null;
  for (const s of states.values()) {
    const ops = s.operatorList;
    if (ops?.lastChunk && Array.isArray(ops.fnArray) && Array.isArray(ops.argsArray)) return ops;
  }
  return null;
}

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
];

/** The images a page paints, with their size on the page (the transform in force maps the unit square). */
function placedImages(ops: OperatorList): PlacedImage[] {
  const OPS = pdfjs.OPS;
  const out: PlacedImage[] = [];
  const stack: Matrix[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    if (fn === OPS.save) stack.push(ctm);
    else if (fn === OPS.restore) ctm = stack.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, (args as number[]).slice(0, 6) as Matrix);
    else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) {
      // An XObject comes as [id, width, height]; inline images and masks as the image itself.
      const img = args?.[0] as { width?: number; height?: number } | undefined;
      const pw = fn === OPS.paintImageXObject ? Number(args?.[1]) || 0 : img?.width ?? 0;
      const ph = fn === OPS.paintImageXObject ? Number(args?.[2]) || 0 : img?.height ?? 0;
      out.push({ pixelsWide: pw, pixelsHigh: ph, widthPt: Math.hypot(ctm[0], ctm[1]), heightPt: Math.hypot(ctm[2], ctm[3]) });
    }
  }
  return out;
}

/** An image spanning at least this share of the page's width or height is part of a scan (a strip of it, say). */
const SPANNING = 0.5;

/**
 * Pixels of a page's scan: the largest image it paints, or all the images spanning the page's
 * width or height if they have more (a scan cut into strips placed one above the other); 0 when none.
 * Logos and seals span neither.
 */
export function scanPixels(images: PlacedImage[], pageWidthPt: number, pageHeightPt: number): number {
  let largest = 0, spanning = 0;
  for (const im of images) {
    const px = im.pixelsWide * im.pixelsHigh;
    largest = Math.max(largest, px);
    // Placed sizes are along the image's own axes: a turned image spans the other side.
    const w = Math.max(im.widthPt, im.heightPt), h = Math.min(im.widthPt, im.heightPt);
    const side = Math.max(pageWidthPt, pageHeightPt), other = Math.min(pageWidthPt, pageHeightPt);
    if (w >= SPANNING * other || h >= SPANNING * side) spanning += px;
  }
  return Math.max(largest, spanning);
}

/** Pixels of the page's scan (scanPixels): the page-sized image, whole or in strips; 0 when none. */
export async function pageImagePixels(doc: PdfDocument, pageNumber: number): Promise<number> {
  const page = await doc.getPage(pageNumber);
  try {
    const vp = page.getViewport({ scale: 1 });
    return scanPixels(placedImages(await page.getOperatorList()), vp.width, vp.height);
  } finally {
    page.cleanup();
  }
}

/** Decide for one page extracted by the text path (looking at its images only when the text is in doubt). */
export async function textLayerVerdict(doc: PdfDocument, page: Page): Promise<TextLayerVerdict> {
  const pixels = needsImageCheck(page) ? await pageImagePixels(doc, page.number) : undefined;
  return assessTextLayer(page, pixels);
}
