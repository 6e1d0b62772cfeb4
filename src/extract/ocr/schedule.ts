// One document's OCR: which pages need it (the text layer's verdict, or the --ocr mode), read in the
// background in page order, a bounded number at a time, on a shared engine or one of its own.
import PQueue from 'p-queue';
import type { OcrPageNote, Page } from '../../types.js';
import type { PdfDocument } from '../pdf.js';
import type { TextLayerVerdict } from '../textlayer.js';
import { DEFAULT_OCR_ENGINE, defaultOcrJobs, type OcrEngine, type OcrEngineName } from './engine.js';
import { ocrPage, type OcrPageResult } from './page.js';
import { textLayerVerdict } from './render.js';
import { OcrPool } from './tesseract.js';
import { PaddleEngine } from './paddle.js';

/** A new engine of `size` workers, started on first use. */
export function makeOcrEngine(name: OcrEngineName = DEFAULT_OCR_ENGINE, size = defaultOcrJobs()): OcrEngine {
  return name === 'paddle' ? new PaddleEngine(size) : new OcrPool(size);
}

/** auto: OCR pages whose text layer is missing or unusable (default); force: every page; off: never. */
export type OcrMode = 'auto' | 'force' | 'off';

export interface OcrPagesOptions {
  mode: OcrMode;
  /** Pool size when no pool is given. */
  jobs?: number;
  /** The engine made when no pool is given (default DEFAULT_OCR_ENGINE). */
  engine?: OcrEngineName;
  /** A shared engine (not closed here). */
  pool?: OcrEngine;
}

export class OcrPages {
  private readonly tasks = new Map<number, Promise<OcrPageResult>>();
  readonly verdicts = new Map<number, TextLayerVerdict>();
  private pool: OcrEngine | null;
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
    this.pool ??= makeOcrEngine(this.opts.engine, this.opts.jobs ?? defaultOcrJobs());
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

  /** The pages read by OCR, with why and the skew corrected (the `ocr` rule family reports them). */
  async notes(): Promise<OcrPageNote[]> {
    const out: OcrPageNote[] = [];
    for (const [n, t] of this.tasks) {
      const r = await t.catch(() => null);
      if (!r) continue;
      const v = this.verdicts.get(n);
      out.push({ page: n, reason: v?.reason ?? null, detail: v?.detail ?? 'forced', deskewDegrees: r.deskewDegrees });
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
