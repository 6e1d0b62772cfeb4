// code.invalid_cell: a code-column cell that holds no valid code (a class column printing a single digit,
// "2O8", a code cut short). The recognizer keeps such cells on the table (RecognizedTable.rejectedCodes)
// instead of dropping them silently; the row's amounts are then filed without a code.
import type { DocumentResult, Finding } from '../../types.js';
import { finding, tableRef } from '../util.js';

export function codeCellFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    const cells = t.rejectedCodes ?? [];
    if (cells.length === 0) return;
    // One root cause per table (a shifted or mistyped code column): one finding listing its rows.
    const rows = cells.map((c) => `“${c.text}”${c.label ? `（${c.label}）` : ''}`);
    const ocr = t.source === 'ocr';
    out.push(finding({
      rule: 'code.invalid_cell', severity: ocr ? 'info' : 'warning',
      zh: `${tableRef(t)}的科目编码栏有 ${cells.length} 处不是有效编码：${rows.slice(0, 8).join('、')}${cells.length > 8 ? ' 等' : ''}${ocr ? '（OCR 识别）' : ''}`,
      en: `${cells.length} cell(s) of the code column of ${t.kind} hold no valid code: ${cells.slice(0, 8).map((c) => c.text).join(', ')}`,
      page: cells[0].page, box: cells[0].box, tableIndex: ti, expected: null, actual: cells.map((c) => c.text).slice(0, 8).join(' | '),
    }));
  });
  return out;
}
