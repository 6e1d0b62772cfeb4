// Pages that could not be read, by the text path (extract.page_failed) or by OCR (ocr.page_failed):
// the document is then partial, and each such page gets an error.
import type { DocumentResult, Finding } from '../../types.js';

export function pageFamily(doc: DocumentResult): Finding[] {
  return (doc.pageErrors ?? []).map((e): Finding => ({
    rule: e.stage === 'ocr' ? 'ocr.page_failed' : 'extract.page_failed',
    severity: 'error',
    message: e.stage === 'ocr'
      ? `第${e.page}页无法识别 / page ${e.page} could not be OCR'd: ${e.message}`
      : `第${e.page}页无法读取 / page ${e.page} could not be read: ${e.message}`,
    page: e.page, box: null, expected: null, actual: null, tableIndex: null,
  }));
}
