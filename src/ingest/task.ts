// The per-file work, the same in a pool worker (src/ingest/worker.ts) and with --jobs 0 on the main
// thread (src/ingest/inline.ts): the file through the pipeline, with an OCR engine kept for
// every document this thread reads.
import { DEFAULT_OCR_ENGINE, makeOcrEngine, type OcrEngine, type OcrEngineName } from '../extract/ocr/index.js';
import { processFile } from '../pipeline.js';
import { errorMessage } from '../errors.js';
import type { DocumentResult } from '../types.js';
import type { OcrMode } from '../extract/ocr/index.js';

export type FileDone = { ok: true; result: DocumentResult } | { ok: false; message: string };

export class FileProcessor {
  // Started on the first page that needs OCR (the engines start their workers lazily).
  private ocrPool: OcrEngine | null = null;
  private ocrEngine: OcrEngineName | null = null;

  async process(task: { path: string; data: Uint8Array; ocr: OcrMode; ocrEngine?: OcrEngineName; ocrJobs: number }): Promise<FileDone> {
    try {
      return { ok: true, result: await processFile(task.path, task.data, { ocr: task.ocr, ocrPool: this.poolOf(task.ocrJobs, task.ocrEngine ?? DEFAULT_OCR_ENGINE) }) };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async close(): Promise<void> {
    await this.ocrPool?.close();
    this.ocrPool = null;
  }

  private poolOf(size: number, engine: OcrEngineName): OcrEngine {
    if (!this.ocrPool || this.ocrPool.size !== size || this.ocrEngine !== engine) {
      void this.ocrPool?.close();
      this.ocrPool = makeOcrEngine(engine, size);
      this.ocrEngine = engine;
    }
    return this.ocrPool;
  }
}
