// Messages between the pool (main thread) and its workers (src/ingest/worker.ts).
import type { DocumentResult } from '../types.js';
import type { OcrEngineName, OcrMode } from '../extract/ocr/index.js';

export interface TaskMessage {
  id: number;
  path: string;
  /** The file's bytes, transferred to the worker. */
  data: Uint8Array;
  ocr: OcrMode;
  ocrEngine?: OcrEngineName;
  /** Size of the worker's OCR pool, started on the first page that needs OCR. */
  ocrJobs: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: DocumentResult; elapsedMs: number; heapUsed: number }
  | { type: 'error'; id: number; message: string };
