// extract.code_missing: in a table whose rows carry codes, a row with a label and amounts but no code.
// Researchers join and sum by code: such a row is lost to them. The cause is usually one reading
// fault for the whole table (a code column read as something else), so one finding per table lists
// its rows. Whether a row should have a code is decided from the table's own pattern (codeCoverage,
// domain/codes.ts, which also gives each document's documents.code_rows / coded_rows):
//   - rows above the first coded row are the table's total and unit lines (合计, 部门名称), never asked;
//   - total and subtotal rows, 其中 lines, 人员经费/公用经费 lines are uncoded by design (rowLabels.ts);
//   - in a table that prints codes (a code column, or 款/项 codes), a row is missing its code when
//     most rows from the first coded one on carry a code, or most uncoded rows are named as
//     classification items (the code column lost below the class rows);
//   - in any coded table, a row named as a classification item (法院, 住房改革支出) is missing its code.
import type { Box, DocumentResult, Finding } from '../../types.js';
import { codeCoverage } from '../../domain/codes.js';
import { finding, tableRef } from '../util.js';

/** Rows named in the message; the finding's `actual` lists them all by row number. */
const LISTED_ROWS = 8;

export function completenessFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    const cov = codeCoverage(t);
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
  return out;
}
