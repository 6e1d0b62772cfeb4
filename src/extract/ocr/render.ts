// Pages as pixels: rendering with pdfjs + @napi-rs/canvas, and the size of a page's largest image,
// which tells a scan from a page with a logo when deciding whether its text layer will do.
import { createCanvas } from '@napi-rs/canvas';
import type { Page } from '../../types.js';
import { pdfjs, renderable, type PdfDocument } from '../pdf.js';
import { assessTextLayer, needsImageCheck, type TextLayerVerdict } from '../textlayer.js';
import { rgbaToGray, type GrayImage } from './raster.js';

/** Pages wider or taller than this many pixels at the asked resolution are rendered smaller (A2 and up). */
const MAX_PIXELS_SIDE = 7000;

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
    const base = page.getViewport({ scale: 1 });
    let scale = dpi / 72;
    const side = Math.max(base.width, base.height) * scale;
    if (side > MAX_PIXELS_SIDE) scale *= MAX_PIXELS_SIDE / side;
    const { ctx, w, h } = await renderOnCanvas(page, scale);
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

/** Decide for one page extracted by the text path (looking at its images only when the text is in doubt). */
export async function textLayerVerdict(doc: PdfDocument, page: Page): Promise<TextLayerVerdict> {
  const pixels = needsImageCheck(page) ? await largestImagePixels(doc, page.number) : undefined;
  return assessTextLayer(page, pixels);
}
