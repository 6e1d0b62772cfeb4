// One document through the stages: extract → layout → recognize → validate.
// Never throws for bad input: a failed document comes back with status 'failed' and a reason.
import type { DocumentResult } from './types.js';

export const PIPELINE_VERSION = '0.1.0';

export interface ProcessOptions {
  ocr?: 'auto' | 'force' | 'off';
}

/** Process one file (.pdf or .txt text dump). `data` may be given when the caller already read it. */
export async function processFile(filePath: string, data?: Uint8Array, opts: ProcessOptions = {}): Promise<DocumentResult> {
  void filePath; void data; void opts;
  throw new Error('not implemented yet');
}
