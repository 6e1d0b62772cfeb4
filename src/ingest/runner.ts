// What the bulk run asks of whatever processes its files: one file in, one outcome out. Two
// implementations: the worker pool (src/ingest/pool.ts) and, for --jobs 0, this thread
// (src/ingest/inline.ts); both run the same per-file code (src/ingest/task.ts).
import type { DocumentResult } from '../types.js';
import type { OcrEngineName, OcrMode } from '../extract/ocr/index.js';

export interface Task {
  path: string;
  data: Uint8Array;
  ocr: OcrMode;
  /** The OCR engine (default DEFAULT_OCR_ENGINE). */
  ocrEngine?: OcrEngineName;
  /** OCR workers for the file's OCR (per pool worker; with --jobs 0, in all). */
  ocrJobs: number;
  /** Called when the file is taken up, just before it starts. */
  onStart?: () => void;
  /** Once aborted, the file is not started (the outcome is then `not-started`); a started file runs on. */
  signal?: AbortSignal;
}

export type TaskOutcome =
  | { kind: 'result'; result: DocumentResult; elapsedMs: number }
  | { kind: 'failed'; reason: string; elapsedMs: number }
  | { kind: 'not-started' };

export interface Runner {
  /** Process one file. Never rejects for the file's sake (only when the runner itself cannot run). */
  run(task: Task): Promise<TaskOutcome>;
  close(): Promise<void>;
  /** Workers replaced after a timeout, running out of memory or dying; and recycled to free memory. */
  readonly replaced: number;
  readonly recycled: number;
}

/** The reason recorded for a file whose processing threw (the pipeline is meant never to). */
export const unexpectedError = (message: string): string => `unexpected error: ${message}`;
