// One document through the stages: extract → layout → recognize → validate.
// Never throws for bad input: a failed document comes back with status 'failed' and a reason.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DocumentResult, Grid, OcrPageNote, Page, PageError, TextLine, UnplacedRow } from './types.js';
import { extractPage, openPdf, PdfOpenError } from './extract/pdf.js';
import { foldOcrConfusions, OcrPages, type OcrEngine, type OcrEngineName, type OcrMode } from './extract/ocr/index.js';
import { parseTextDump } from './extract/textdump.js';
import { layoutPage } from './layout/tables.js';
import { carryFootTitle, gridTitle, markContinuations } from './layout/continuation.js';
import { layoutSettings, type LayoutSettings } from './layout/settings.js';
import { documentMeta, departmentFromLine } from './recognize/document.js';
import { parseUnit, type Unit } from './domain/money.js';
import { recognizeTables } from './recognize/table.js';
import { validateDocument } from './validate/index.js';
import { failedDocument as failed } from './document.js';
import { errorMessage } from './errors.js';

export interface ProcessOptions {
  /** auto: OCR pages whose text layer is missing or unusable (default); force: every page; off: never. */
  ocr?: OcrMode;
  /** Size of the OCR worker pool when the pipeline makes its own (default: the number of cores). */
  ocrJobs?: number;
  /** The OCR engine the pipeline makes when no pool is given (default: DEFAULT_OCR_ENGINE). */
  ocrEngine?: OcrEngineName;
  /** An OCR engine shared across documents (its workers start once per run); the caller closes it. */
  ocrPool?: OcrEngine;
  /** Layout tolerances to change from the defaults (src/layout/settings.ts), e.g. to measure them. */
  layout?: Partial<LayoutSettings>;
}

/** Layout output of a whole document, before recognition. */
export interface DocumentLayout {
  pages: number;
  grids: Grid[];
  lines: TextLine[];
  pageErrors: PageError[];
  textRuns: number;
  layoutMs: number;
  /** Title lines at the foot of the last page read, waiting for the next page's first table. */
  footTitle?: { page: number; lines: TextLine[] };
  /** Pages read by OCR, and why. */
  ocrPages?: OcrPageNote[];
}

async function layoutPdf(data: Uint8Array, opts: ProcessOptions = {}): Promise<DocumentLayout> {
  const settings = layoutSettings(opts.layout); // first: a bad setting throws before the PDF is open
  const doc = await openPdf(data, { textOnly: true });
  const out: DocumentLayout = { pages: doc.numPages, grids: [], lines: [], pageErrors: [], textRuns: 0, layoutMs: 0 };
  const pageError = (page: number, stage: PageError['stage'], e: unknown): PageError => ({ page, stage, message: errorMessage(e) });
  const ocr = new OcrPages(doc, { mode: opts.ocr ?? 'auto', jobs: opts.ocrJobs, engine: opts.ocrEngine, pool: opts.ocrPool });
  try {
    // Text layers first (fast); pages that need OCR are queued and read in the background meanwhile.
    const text: (Page | null)[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      try {
        const page = await extractPage(doc, n, { rulesOnlyForTables: settings });
        text[n] = page;
        await ocr.consider(page);
      } catch (e) {
        text[n] = null;
        if (!(await ocr.considerFailed(n))) out.pageErrors.push(pageError(n, 'extract', e));
      }
    }
    for (let n = 1; n <= doc.numPages; n++) {
      let page = text[n];
      try {
        if (ocr.has(n)) page = await ocr.page(n);
      } catch (e) {
        out.pageErrors.push(pageError(n, 'ocr', e));
      }
      if (!page) continue;
      out.textRuns += page.runs.length;
      const tl = performance.now();
      const lay = layoutPage(page, settings);
      if (page.source === 'ocr') foldOcrLayout(lay);
      out.footTitle = carryFootTitle(out.footTitle, lay, n);
      out.layoutMs += performance.now() - tl;
      out.grids.push(...lay.grids);
      out.lines.push(...lay.lines);
    }
    out.ocrPages = await ocr.notes();
  } finally {
    await ocr.close();
    await doc.destroy();
  }
  return out;
}

/** OCR misreadings that only show once words are joined into cells and lines (文 + 出 → 支出). */
function foldOcrLayout(lay: { grids: Grid[]; lines: TextLine[] }): void {
  for (const g of lay.grids) {
    for (const c of g.cells) c.text = foldOcrConfusions(c.text);
    for (const l of [...g.titleLines, ...g.noteLines]) l.text = foldOcrConfusions(l.text);
  }
  for (const l of lay.lines) l.text = foldOcrConfusions(l.text);
}

function mostCommon<T>(xs: T[]): T | null {
  const m = new Map<T, number>();
  xs.forEach((x) => m.set(x, (m.get(x) ?? 0) + 1));
  return [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** Process one file (.pdf or .txt text dump). `data` may be given when the caller already read it. */
export async function processFile(filePath: string, data?: Uint8Array, opts: ProcessOptions = {}): Promise<DocumentResult> {
  const bytes = data ?? new Uint8Array(await fs.readFile(filePath));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const fileName = path.basename(filePath);
  const base = { sha256, path: filePath, fileName, pages: 0, phase: null, year: null, department: null, narrative: [] as TextLine[], timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 } };

  const t0 = performance.now();
  let layout: DocumentLayout;
  const isText = /\.txt$/i.test(filePath);
  try {
    if (/\.txt$/i.test(filePath)) {
      const text = Buffer.from(bytes).toString('utf8');
      if (text.includes('\u0000') || text.trim().length === 0) return failed(base, text.trim().length === 0 ? 'empty text file' : 'not a text file (binary content)');
      const dump = parseTextDump(text);
      layout = { pages: dump.pages, grids: dump.grids, lines: dump.lines, pageErrors: [], textRuns: dump.lines.length + dump.grids.length, layoutMs: 0 };
    } else {
      layout = await layoutPdf(bytes, opts);
    }
  } catch (e) {
    if (e instanceof PdfOpenError) return failed(base, e.message);
    return failed(base, `could not read the file: ${errorMessage(e)}`);
  }
  const t1 = performance.now();
  base.pages = layout.pages;
  if (layout.pages > 0 && layout.textRuns === 0 && layout.pageErrors.length >= layout.pages) {
    // Every page threw while being read: a damaged file, not a scan.
    return failed({ ...base, timings: { ...base.timings, extractMs: t1 - t0 } }, `corrupt PDF: none of its ${layout.pages} pages could be read (${layout.pageErrors[0].message})`);
  }
  if (layout.pages > 0 && layout.textRuns === 0) {
    const why = opts.ocr === 'off' ? 'OCR is needed to read it (--ocr off)' : 'and OCR found no text either';
    return failed({ ...base, timings: { ...base.timings, extractMs: t1 - t0 } }, `no text layer on any of its ${layout.pages} pages (image-only or scanned PDF); ${why}`);
  }

  markContinuations(layout.grids);
  const titles = layout.grids.map(gridTitle).filter((t): t is string => t !== null);
  const deptLabels = layout.grids.flatMap((g) => g.titleLines.map((l) => departmentFromLine(l.text))).filter((d): d is string => d !== null);
  const meta = documentMeta({ lines: layout.lines, titles, deptLabels, fileName });
  const defaultUnit = mostCommon(layout.grids.flatMap((g) => g.titleLines.map((l) => parseUnit(l.text))).filter((u): u is Unit => u !== null));
  const unplaced: UnplacedRow[] = [];
  const tables = recognizeTables(layout.grids, { phase: meta.phase, defaultUnit }, unplaced);
  const t2 = performance.now();

  const result: DocumentResult = {
    ...base, ...meta, status: 'ok', error: null, tables, findings: [],
    narrative: layout.lines, ocrPages: layout.ocrPages ?? [], pageErrors: layout.pageErrors, unplacedRows: unplaced,
    timings: { extractMs: t1 - t0 - layout.layoutMs, layoutMs: layout.layoutMs, recognizeMs: t2 - t1 },
  };
  const budgetWords = /(部门|单位)(预算|决算)|预算公开|决算公开|收支(预算|决算)?总表|预算表|决算表/;
  const known = tables.filter((t) => t.kind !== 'other');
  // A text file is only taken as a disclosure dump when it holds budget tables (a README that
  // talks about budgets is not one).
  if (isText && known.length === 0) return failed(base, 'not a budget text dump: no budget table found in the text');
  if (known.length === 0 && !layout.lines.some((l) => budgetWords.test(l.text.replace(/\s/g, '')))) {
    return failed(base, 'not a budget or final-accounts disclosure: no budget table and no 部门预算/决算 wording found');
  }
  result.findings.push(...validateDocument(result));
  if (layout.pageErrors.length > 0) result.status = 'partial';
  return result;
}
