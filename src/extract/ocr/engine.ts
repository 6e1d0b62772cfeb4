// What the OCR steps need of a recognizer, and the pool of workers an engine runs its models on.
// tesseract.ts (tesseract.js) and paddle.ts (PP-OCRv4 on onnxruntime) implement OcrEngine on EnginePool.
import os from 'node:os';
import type { GrayImage } from './raster.js';
import type { PixelBox } from './segment.js';

/** An amount read with a confidence below this (0–100) gets an `ocr.low_confidence` finding. */
export const LOW_CONFIDENCE = 80;

/** A word read from an image, with its box in the image's pixels. */
export interface EngineWord {
  text: string;
  /** 0–100. */
  confidence: number;
  bbox: PixelBox;
  /** Index of the line of text it belongs to, in reading order. */
  line: number;
  /** Its characters with their boxes, for digits inside a word of text. */
  symbols?: { text: string; bbox: PixelBox }[];
}

/** A number read by the digit reader: the confidence is its least sure digit's (0–100). */
export interface NumberRead {
  text: string;
  confidence: number;
  bbox: PixelBox;
}

/**
 * A recognizer for the page reader (read.ts, page.ts): words of a cut-out line or block of text,
 * and numbers of a cut-out line of digits. Images are grey, black text on white.
 */
export interface OcrEngine {
  /** Workers reading at once (the page scheduler renders one page ahead of each). */
  readonly size: number;
  /** Resolution pages are rendered at for this engine. */
  readonly dpi: number;
  /** `line`: the image is one line of text; `page`: let the engine segment it (a block that is not a line). */
  recognize(image: GrayImage, mode?: 'line' | 'page'): Promise<EngineWord[]>;
  /** The numbers in an image holding one line of digits. */
  readNumbers(image: GrayImage): Promise<NumberRead[]>;
  close(): Promise<void>;
}

/** The OCR engines (`--ocr-engine`): tesseract.js (tesseract.ts) and PP-OCRv4 on ONNX Runtime (paddle.ts). */
export const OCR_ENGINES = ['tesseract', 'paddle'] as const;
export type OcrEngineName = (typeof OCR_ENGINES)[number];
/**
 * The engine used when none is named. Measured with bench/scans.ts on every page of the 10 keyed
 * documents (234 pages, 2,815 amount cells; bench/results.md), paddle was the more exact on grey
 * scans (99.9% against 99.6%) and on 1-bit ones (98.7% against 98.3%) and the cheaper (1.6 s/page
 * with 2 workers against 2.3–2.6), once its 收人 for 收入 was mended (misreadings.ts).
 */
export const DEFAULT_OCR_ENGINE: OcrEngineName = 'paddle';

export function defaultOcrJobs(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(n, 8));
}

/**
 * `size` workers of one model, all started on first use (loading a model takes about a second) and
 * lent out one image at a time until `close()`.
 */
export class EnginePool<W> {
  private workers: W[] = [];
  private idle: W[] = [];
  private waiting: ((w: W) => void)[] = [];
  private starting: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly startWorker: () => Promise<W>,
    private readonly stopWorker: (w: W) => Promise<unknown>,
  ) {}

  private start(): Promise<void> {
    this.starting ??= (async () => {
      const made = await Promise.all(Array.from({ length: this.size }, () => this.startWorker()));
      this.workers.push(...made);
      this.idle.push(...made);
    })();
    return this.starting;
  }

  /** Run `job` on a free worker, waiting for one if all are busy. */
  async use<T>(job: (w: W) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('OCR pool is closed');
    await this.start();
    const w = this.idle.pop() ?? (await new Promise<W>((res) => this.waiting.push(res)));
    try {
      return await job(w);
    } finally {
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.starting) await this.starting.catch(() => {});
    await Promise.all(this.workers.map((w) => this.stopWorker(w).catch(() => {})));
    this.workers = [];
    this.idle = [];
  }
}
