// Arithmetic within a table: class = Σ 款, 款 = Σ 项 (function and economic codes).
import type { DocumentResult, Finding, LineItem, RecognizedTable } from '../types.js';
import { fmtAmount } from '../domain/money.js';
import { finding, printedAllowance } from './util.js';

/** Rounding allowance: one 分 per summed row, in the table's printed unit. */
export function tolerance(unitFen: number, rows: number): number {
  return unitFen * rows;
}

export interface SumCheck {
  tableIndex: number;
  parent: LineItem;
  children: LineItem[];
  sum: number;
  diff: number;
  allowed: number;
}

/** Every code-hierarchy sum in the document's tables (those `only` accepts, when given), per column. */
export function hierarchySums(doc: DocumentResult, only?: (t: RecognizedTable) => boolean): SumCheck[] {
  const checks: SumCheck[] = [];
  doc.tables.forEach((t, ti) => {
    if (only && !only(t)) return;
    const byCol = new Map<string, LineItem[]>();
    for (const it of t.items) (byCol.get(it.columnKey + '|' + it.columnLabel) ?? byCol.set(it.columnKey + '|' + it.columnLabel, []).get(it.columnKey + '|' + it.columnLabel)!).push(it);
    for (const items of byCol.values()) {
      for (const sys of ['func', 'econ'] as const) {
        const coded = items.map((i) => ({ i, code: sys === 'func' ? i.funcCode : i.econCode })).filter((x) => x.code);
        const byCode = new Map<string, LineItem[]>();
        for (const x of coded) (byCode.get(x.code!) ?? byCode.set(x.code!, []).get(x.code!)!).push(x.i);
        for (const [code, parents] of byCode) {
          if (code.length >= 7 || parents.length !== 1) continue; // repeated codes (other units' rows) are ambiguous
          const childLen = code.length + 2;
          const children = coded.filter((x) => x.code!.length === childLen && x.code!.startsWith(code)).map((x) => x.i);
          if (children.length === 0) continue;
          const sum = children.reduce((s, c) => s + c.amountFen, 0);
          const parent = parents[0];
          // Rounding as printed: integer cells in a 元 table are ±0.5 元 each (at least one 分 per child).
          const allowed = printedAllowance([parent, ...children], t.unit, children.length);
          checks.push({ tableIndex: ti, parent, children, sum, diff: parent.amountFen - sum, allowed });
        }
      }
    }
  });
  return checks;
}

export function sumRules(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  for (const c of hierarchySums(doc)) {
    if (c.diff === 0) continue;
    const code = c.parent.funcCode ?? c.parent.econCode;
    const unit = doc.tables[c.tableIndex].unit;
    const within = Math.abs(c.diff) <= c.allowed;
    out.push(finding({
      rule: 'sum.code_hierarchy',
      severity: within ? 'info' : 'error',
      zh: `${code} ${c.parent.label}（${c.parent.columnLabel}）印为 ${fmtAmount(c.parent.amountFen, unit)}，其 ${c.children.length} 个下级科目之和为 ${fmtAmount(c.sum, unit)}${within ? '（舍入差）' : ''}`,
      en: `${code} does not equal the sum of its ${c.children.length} sub-items${within ? ' (rounding)' : ''}`,
      page: c.parent.page, box: c.parent.box,
      expected: fmtAmount(c.sum, unit), actual: fmtAmount(c.parent.amountFen, unit), tableIndex: c.tableIndex,
    }));
  }
  return out;
}
