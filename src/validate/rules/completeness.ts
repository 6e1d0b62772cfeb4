// extract.code_share (info, one per document): the share of rows with codes in its coded tables.
// extract.code_missing: in a table whose rows carry codes, a row with a label and amounts but no code.
// Researchers join and sum by code: such a row is lost to them. The cause is usually one reading
// fault for the whole table (a code column read as something else), so one finding per table lists
// its rows. Whether a row should have a code is decided from the table's own pattern:
//   - rows above the first coded row are the table's total and unit lines (合计, 部门名称), never asked;
//   - total and subtotal rows, 其中 lines, 人员经费/公用经费 lines are uncoded by design (rowLabels.ts);
//   - in a table that prints codes (a code column, or 款/项 codes), a row is missing its code when
//     most rows from the first coded one on carry a code, or most uncoded rows are named as
//     classification items (the code column lost below the class rows);
//   - in any coded table, a row named as a classification item (法院, 住房改革支出) is missing its code.
import type { Box, DocumentResult, Finding, LineItem, RecognizedTable } from '../../types.js';
import { codeOf, codeSystem, isReferenceName, type CodeSystem } from '../../domain/codes.js';
import { isBlankLabel, isUncodedByDesign } from '../../domain/rowLabels.js';
import { finding, tableRef } from '../util.js';

/** A table carries codes when at least this many of its rows have one. */
const MIN_CODED_ROWS = 2;
/** …and, for the pattern rule, this share of its rows from the first coded one on (or of its uncoded rows named as items). */
const CODED_PATTERN_SHARE = 0.5;
/** Rows named in the message; the finding's `actual` lists them all by row number. */
const LISTED_ROWS = 8;

/** One printed line of a table: the items of one row under one label (a two-sided summary row holds two). */
interface Line { rowIndex: number; label: string; code: string | null; isTotal: boolean; items: LineItem[] }

function linesOf(t: RecognizedTable): Line[] {
  const byKey = new Map<string, Line>();
  for (const it of t.items) {
    const key = `${it.rowIndex}\u0000${it.label}`;
    const line = byKey.get(key) ?? { rowIndex: it.rowIndex, label: it.label, code: null, isTotal: it.isTotal, items: [] };
    line.code ??= codeOf(it);
    line.items.push(it);
    byKey.set(key, line);
  }
  return [...byKey.values()].sort((a, b) => a.rowIndex - b.rowIndex);
}

function majoritySystem(lines: Line[]): CodeSystem {
  const econ = lines.filter((l) => l.code && codeSystem(l.code) === 'econ').length;
  return econ * 2 > lines.length ? 'econ' : 'func';
}

export interface CodeCoverage {
  /** Rows that should carry a code: from the first coded row on, not uncoded by design, and in a table that prints no codes only those named as classification items. */
  rows: number;
  coded: number;
  /** The rows among them with a label and amounts but no code. */
  missing: Line[];
}

/** How completely a table's rows carry their codes; null for a table whose rows carry none. */
export function codeCoverage(t: RecognizedTable): CodeCoverage | null {
  const lines = linesOf(t);
  const coded = lines.filter((l) => l.code);
  if (coded.length < MIN_CODED_ROWS) return null;
  const first = coded[0].rowIndex;
  const asked = lines.filter((l) => l.rowIndex >= first && (l.code || (!l.isTotal && !isBlankLabel(l.label) && !isUncodedByDesign(l.label))));
  const uncoded = asked.filter((l) => !l.code);
  const printsCodes = t.columns.some((c) => c.key === 'code') || coded.some((l) => l.code!.length > 3);
  const system = majoritySystem(coded);
  const named = uncoded.filter((l) => isReferenceName(l.label, system));
  // Most rows coded, or most uncoded rows named as classification items (a code column lost below
  // the class rows, whose codes came back from their names): all of them miss their code.
  const pattern = printsCodes && (coded.length >= CODED_PATTERN_SHARE * asked.length || named.length >= CODED_PATTERN_SHARE * uncoded.length);
  const missing = pattern ? uncoded : named;
  // A table that prints no codes (a summary: class codes come from the names) owes one only on the
  // lines named as classification items; other lines (财政拨款, 其他资金) have none to give.
  return { rows: coded.length + (printsCodes ? uncoded.length : missing.length), coded: coded.length, missing };
}

/** Percent with one decimal, never rounded up to 100 while a row lacks its code. */
const percent = (n: number, d: number) => (Math.floor((1000 * n) / d) / 10).toFixed(1);

export function completenessFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  let rows = 0, coded = 0, tables = 0;
  doc.tables.forEach((t, ti) => {
    const cov = codeCoverage(t);
    if (cov) { rows += cov.rows; coded += cov.coded; tables++; }
    if (!cov || cov.missing.length === 0) return;
    const m = cov.missing;
    const first = m[0].items[0];
    // The row's box: across its amount cells.
    const bs = m[0].items.filter((x) => x.page === first.page).map((x) => x.box);
    const box: Box = [Math.min(...bs.map((b) => b[0])), Math.min(...bs.map((b) => b[1])), Math.max(...bs.map((b) => b[2])), Math.max(...bs.map((b) => b[3]))];
    const names = m.slice(0, LISTED_ROWS).map((l) => `第${l.rowIndex + 1}行「${l.label}」`).join('、') + (m.length > LISTED_ROWS ? ' 等' : '');
    out.push(finding({
      rule: 'extract.code_missing', severity: 'warning',
      zh: `${tableRef(t)}的行大多带科目编码，但有 ${m.length} 行有名称和金额而没有编码：${names}（按编码汇总时这些行会遗漏）`,
      en: `${m.length} row(s) of ${t.kind} have a label and amounts but no code, while ${cov.coded} of its ${cov.rows} rows carry one: ${m.slice(0, LISTED_ROWS).map((l) => l.label).join(', ')}`,
      page: first.page, box, tableIndex: ti,
      expected: `${cov.rows} rows with a code`, actual: m.map((l) => `row ${l.rowIndex + 1}: ${l.label}`).join(' | '),
    }));
  });
  // The document's share of rows with codes in its coded tables, for researchers who join by code.
  if (tables > 0) out.push(finding({
    rule: 'extract.code_share', severity: 'info',
    zh: `${tables} 张带编码的表中 ${coded}/${rows} 行（${percent(coded, rows)}%）带科目编码`,
    en: `${coded} of ${rows} rows (${percent(coded, rows)}%) in ${tables} coded table(s) carry a code`,
    expected: null, actual: `${coded}/${rows}`,
  }));
  return out;
}
