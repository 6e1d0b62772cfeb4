// The per-file work, the same in a pool worker (src/ingest/worker.ts) and with --jobs 0 on the main
// thread (src/ingest/inline.ts): the file through the pipeline, with a tesseract pool kept for
// every document this thread reads.
import { OcrPool } from '../extract/ocr/index.js';
import { processFile } from '../pipeline.js';
import { errorMessage } from '../errors.js';
import type { DocumentResult } from '../types.js';
import type { OcrMode } from '../extract/ocr/index.js';

export type FileDone = { ok: true; result: DocumentResult } | { ok: false; message: string };

export class FileProcessor {
  // Started on the first page that needs OCR (OcrPool starts its workers lazily).
  private ocrPool: OcrPool | null = null;

  async process(task: { path: string; data: Uint8Array; ocr: OcrMode; ocrJobs: number }): Promise<FileDone> {
    try {
      return { ok: true, result: await processFile(task.path, task.data, { ocr: task.ocr, ocrPool: this.poolOf(task.ocrJobs) }) };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  async close(): Promise<void> {
    await this.ocrPool?.close();
    this.ocrPool = null;
  }

  private poolOf(size: number): OcrPool {
    if (!this.ocrPool || this.ocrPool.size !== size) {
      void this.ocrPool?.close();
      this.ocrPool = new OcrPool(size);
    }
    return this.ocrPool;
  }
}
