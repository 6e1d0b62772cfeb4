// Pages and amounts read by OCR: which pages were read so and why (ocr.page), amounts read with a low
// confidence (ocr.low_confidence), and code-hierarchy sums that would hold with one printed digit of
// one amount changed (ocr.digit_suspect). Nothing is corrected: a suspect digit is reported with the
// value that would make the sum hold as `expected`, and the stored amount stays as read.
import type { Box, DocumentResult, Finding, LineItem, RecognizedTable, UnplacedRow } from '../../types.js';
import { fenPerUnit, type Unit } from '../../domain/money.js';
import { LOW_CONFIDENCE } from '../../extract/ocr/engine.js';
import { hierarchySums, type SumCheck } from '../sums.js';
import { groupBy } from '../util.js';

/** An item's confidence on the OCR scale (0–100, one decimal), as the engine gave it. */
export const confidencePercent = (item: LineItem): number => Math.round(item.confidence * 1000) / 10;

/** Digits of a printed amount and how many of them are decimals. */
function printedDigits(text: string): { digits: string; dec: number } | null {
  const t = text.normalize('NFKC').replace(/[,\s]/g, '').replace(/^[-−(]|\)$/g, '');
  const m = /^(\d*)(?:\.(\d+))?$/.exec(t);
  if (!m || (!m[1] && !m[2])) return null;
  return { digits: (m[1] ?? '') + (m[2] ?? ''), dec: (m[2] ?? '').length };
}

/**
 * If adding `deltaFen` to the item's amount changes exactly one printed digit, the printed text it
 * would then have; else null.
 */
export function oneDigitChange(amountText: string, amountFen: number, deltaFen: number, unit: Unit | null): string | null {
  const p = printedDigits(amountText);
  if (!p || amountFen < 0) return null;
  const perPrinted = fenPerUnit(unit) / 10 ** p.dec; // fen per unit of the last printed digit
  if (!Number.isInteger(perPrinted) || perPrinted <= 0 || deltaFen % perPrinted !== 0) return null;
  const from = BigInt(p.digits);
  const to = from + BigInt(deltaFen / perPrinted);
  if (to < 0n) return null;
  const a = from.toString().padStart(p.digits.length, '0');
  const b = to.toString().padStart(p.digits.length, '0');
  if (a.length !== b.length) return null;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  if (diff !== 1) return null;
  const int = b.slice(0, b.length - p.dec).replace(/^0+(?=\d)/, '') || '0';
  return p.dec ? `${int}.${b.slice(b.length - p.dec)}` : int;
}

/**
 * The `ocr.page` family: one info finding per page read by OCR, why, and the skew corrected. Made at
 * ingest only: which pages were read so is not stored, so an audit keeps these findings as stored.
 */
export function ocrPageFamily(doc: DocumentResult): Finding[] {
  return (doc.ocrPages ?? []).map((p): Finding => ({
    rule: 'ocr.page', severity: 'info',
    message: `第${p.page}页经 OCR 识别 / page ${p.page} read by OCR: ${p.detail}${p.deskewDegrees !== null ? `; deskewed by ${p.deskewDegrees}°` : ''}`,
    page: p.page, box: null, expected: null, actual: p.reason, tableIndex: null,
  }));
}

function lowConfidence(t: RecognizedTable, ti: number): Finding[] {
  return t.items.filter((it) => it.confidence < LOW_CONFIDENCE / 100).map((it): Finding => {
    const conf = confidencePercent(it);
    return {
      rule: 'ocr.low_confidence', severity: 'warning',
      message: `第${it.page}页 ${it.label}（${it.columnLabel}）金额 ${it.amountText} 识别置信度低（${conf}）/ amount read by OCR with low confidence ${conf}; check the scan`,
      page: it.page, box: it.box, expected: null, actual: it.amountText, tableIndex: ti,
    };
  });
}

/** The amounts of a sum beyond rounding that one changed digit would mend, each a finding. */
function digitSuspects(t: RecognizedTable, c: SumCheck): Finding[] {
  if (Math.abs(c.diff) <= c.allowed) return []; // one printed 分 a row: a rounding difference, not a misread
  const candidates: { item: LineItem; text: string }[] = [];
  const p = oneDigitChange(c.parent.amountText, c.parent.amountFen, -c.diff, t.unit);
  if (p) candidates.push({ item: c.parent, text: p });
  for (const ch of c.children) {
    const s = oneDigitChange(ch.amountText, ch.amountFen, c.diff, t.unit);
    if (s) candidates.push({ item: ch, text: s });
  }
  const code = c.parent.funcCode ?? c.parent.econCode;
  return candidates.map((cand): Finding => ({
    rule: 'ocr.digit_suspect', severity: 'warning',
    message: `${cand.item.label}（${cand.item.columnLabel}）OCR 读作 ${cand.item.amountText}；若为 ${cand.text}，${code} 与其下级科目之和相符（仅差一位数字）/ ` +
      `the sum under ${code} would hold if this amount read ${cand.text} (one digit differs)${candidates.length > 1 ? `; ${candidates.length} amounts could explain it` : ''}`,
    page: cand.item.page, box: cand.item.box, expected: cand.text, actual: cand.item.amountText, tableIndex: c.tableIndex,
  }));
}

/** The `ocr` rule family: per table read by OCR its doubtful amounts and digit suspects (from stored confidences too). */
export function ocrFamily(doc: DocumentResult): Finding[] {
  const sums = groupBy(hierarchySums(doc, (t) => t.source === 'ocr'), (c) => c.tableIndex);
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    if (t.source !== 'ocr') return;
    out.push(...lowConfidence(t, ti));
    for (const c of sums.get(ti) ?? []) out.push(...digitSuspects(t, c));
  });
  return out;
}

/**
 * Rows read by OCR that gave no line item: one warning per page (`ocr.unplaced_rows`) with the rows'
 * box, so nothing read is dropped silently. Text-path tables are not reported.
 */
export function ocrUnplacedFamily(doc: DocumentResult): Finding[] {
  const rows = doc.unplacedRows ?? [], tables = doc.tables;
  const byPage = new Map<number, UnplacedRow[]>();
  for (const r of rows) if (tables[r.tableIndex]?.source === 'ocr') (byPage.get(r.page) ?? byPage.set(r.page, []).get(r.page)!).push(r);
  return [...byPage].map(([page, rs]) => ({
    rule: 'ocr.unplaced_rows', severity: 'warning' as const,
    message: `第${page}页有 ${rs.length} 行数字未能归入表格列 / ${rs.length} row(s) with figures on page ${page} fit no table column: ${rs.slice(0, 3).map((r) => r.text).join(' / ')}`,
    page, box: [Math.min(...rs.map((r) => r.box[0])), Math.min(...rs.map((r) => r.box[1])), Math.max(...rs.map((r) => r.box[2])), Math.max(...rs.map((r) => r.box[3]))] as Box,
    expected: null, actual: rs.map((r) => r.text).join('\n'), tableIndex: rs[0].tableIndex,
  }));
}
