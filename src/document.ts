// A document that could not be read: the one way to make a failed DocumentResult (the pipeline's
// reasons, and the bulk runner's: timeouts, workers that died, files too large to read).
import { basename } from 'node:path';
import type { DocumentResult } from './types.js';

export function failedDocument(
  file: { path: string; sha256: string; pages?: number; timings?: DocumentResult['timings'] },
  error: string,
): DocumentResult {
  return {
    sha256: file.sha256,
    path: file.path,
    fileName: basename(file.path),
    pages: file.pages ?? 0,
    phase: null,
    year: null,
    department: null,
    status: 'failed',
    error,
    tables: [],
    findings: [],
    narrative: [],
    timings: file.timings ?? { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
  };
}
