// pdf.js in the browser, loaded from this server (/pdfjs/): the original file of a document by its id
// (the server reads it from the path stored in the database), a page rendered on a canvas, and a
// page cropped around a box.
import type * as PdfJs from 'pdfjs-dist';
import type { Box } from '../../types.js';

type PdfLib = typeof PdfJs;

// The module's URL in a variable, so neither tsc nor esbuild tries to resolve it.
const PDFJS_URL = '/pdfjs/pdf.mjs';
let lib: Promise<PdfLib> | undefined;

function pdfjs(): Promise<PdfLib> {
  lib ??= (import(/* @vite-ignore */ PDFJS_URL) as Promise<PdfLib>).then((m) => {
    m.GlobalWorkerOptions.workerSrc = '/pdfjs/pdf.worker.mjs';
    return m;
  });
  return lib;
}

const docs = new Map<number, Promise<PdfJs.PDFDocumentProxy>>();

/** The document's PDF (once per page load). */
export function openPdf(documentId: number): Promise<PdfJs.PDFDocumentProxy> {
  let p = docs.get(documentId);
  if (!p) {
    p = pdfjs().then((m) => m.getDocument({
      url: `/api/documents/${documentId}/pdf`, cMapUrl: '/pdfjs/cmaps/', cMapPacked: true, standardFontDataUrl: '/pdfjs/standard_fonts/',
      wasmUrl: '/pdfjs/wasm/', isEvalSupported: false, disableRange: true, disableAutoFetch: true,
    }).promise);
    docs.set(documentId, p);
  }
  return p;
}

/** Render a page at `scale` (CSS pixels per PDF point) onto the canvas; its CSS size is the viewport's. */
export async function renderPage(canvas: HTMLCanvasElement, pdf: PdfJs.PDFDocumentProxy, pageNo: number, scale: number): Promise<{ width: number; height: number }> {
  const page = await pdf.getPage(pageNo);
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
  return { width: viewport.width, height: viewport.height };
}

/** A page's size in points as displayed (after /Rotate), the coordinates of the stored boxes. */
export async function pageSize(pdf: PdfJs.PDFDocumentProxy, pageNo: number): Promise<{ width: number; height: number }> {
  const v = (await pdf.getPage(pageNo)).getViewport({ scale: 1 });
  return { width: v.width, height: v.height };
}

// Around the evidence: this much of the page on each side of the box (points).
const CROP_MARGIN_PT = 36;
const CROP_SCALE = 2;

/** The page cropped around a box (with a margin), the box outlined: for the findings view. */
export async function cropCanvas(pdf: PdfJs.PDFDocumentProxy, pageNo: number, box: Box): Promise<HTMLCanvasElement> {
  const full = document.createElement('canvas');
  const size = await renderPage(full, pdf, pageNo, CROP_SCALE);
  const x0 = Math.max(0, box[0] - CROP_MARGIN_PT * 3) * CROP_SCALE;
  const y0 = Math.max(0, box[1] - CROP_MARGIN_PT) * CROP_SCALE;
  const x1 = Math.min(size.width, (box[2] + CROP_MARGIN_PT * 3) * CROP_SCALE);
  const y1 = Math.min(size.height, (box[3] + CROP_MARGIN_PT) * CROP_SCALE);
  const ratio = full.width / size.width;
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round((x1 - x0) * ratio));
  out.height = Math.max(1, Math.round((y1 - y0) * ratio));
  out.style.width = `${(x1 - x0) / CROP_SCALE * 1.25}px`;
  const ctx = out.getContext('2d')!;
  ctx.drawImage(full, x0 * ratio, y0 * ratio, out.width, out.height, 0, 0, out.width, out.height);
  ctx.strokeStyle = '#e00';
  ctx.lineWidth = 2 * ratio;
  ctx.strokeRect((box[0] * CROP_SCALE - x0) * ratio - 2, (box[1] * CROP_SCALE - y0) * ratio - 2, (box[2] - box[0]) * CROP_SCALE * ratio + 4, (box[3] - box[1]) * CROP_SCALE * ratio + 4);
  return out;
}
