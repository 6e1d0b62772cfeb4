// unit.magnitude: a table's unit label contradicted by the same figures elsewhere in the document.
// The same code printed with the same digits in two tables must be the same money; when the two
// tables' units make one 10,000× the other, the table whose unit differs from the document's usual
// unit (or, on a tie, the one with fewer agreeing tables) is the mislabeled one.
import type { DocumentResult, Finding, LineItem } from '../../types.js';
import { fmtAmount } from '../../domain/money.js';
import { codeOf } from '../../domain/codes.js';
import { isColumnTotalLabel } from '../../domain/rowLabels.js';
import { finding, tableRef } from '../util.js';

const digits = (s: string) => s.replace(/[\s,，]/g, '');
const keyOf = (i: LineItem) => codeOf(i) ?? (isColumnTotalLabel(i.label) ? '合计' : null);

export function unitFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const withItems = doc.tables.map((t, ti) => ({ t, ti })).filter(({ t }) => t.items.length > 0 && !/机关运行经费/.test(t.title));
  const unitCount = new Map<string, number>();
  for (const { t } of withItems) unitCount.set(t.unit ?? '元', (unitCount.get(t.unit ?? '元') ?? 0) + 1);
  const usual = [...unitCount.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const index = withItems.map(({ t, ti }) => {
    const m = new Map<string, LineItem[]>();
    for (const i of t.items) {
      const k = keyOf(i);
      if (!k || i.amountFen === 0) continue;
      (m.get(k) ?? m.set(k, []).get(k)!).push(i);
    }
    return { t, ti, m };
  });
  for (const a of index) {
    let contra = 0, agree = 0;
    let evidence: { mine: LineItem; other: LineItem; otherTable: number } | null = null;
    for (const b of index) {
      if (a === b) continue;
      for (const [k, xs] of a.m) {
        const ys = b.m.get(k);
        if (!ys) continue;
        for (const x of xs) for (const y of ys) {
          if (digits(x.amountText) !== digits(y.amountText)) continue;
          if (x.amountFen === y.amountFen) agree++;
          else if (x.amountFen * 10_000 === y.amountFen || y.amountFen * 10_000 === x.amountFen) { contra++; evidence ??= { mine: x, other: y, otherTable: b.ti }; }
        }
      }
    }
    // Tables printing no figure of another (a 决算 basic table by economic code): their class sums
    // against the other tables' totals.
    if (contra === 0 && agree === 0) {
      const sums = new Map<string, { fen: number; item: LineItem }>();
      for (const i of a.t.items) if (codeOf(i)?.length === 3) {
        const k = i.columnKey;
        const cur = sums.get(k);
        sums.set(k, { fen: (cur?.fen ?? 0) + i.amountFen, item: cur?.item ?? i });
      }
      for (const b of index) {
        if (b === a) continue;
        for (const [, { fen, item }] of sums) {
          const y = b.t.items.find((j) => j.amountFen !== 0 && (j.amountFen === fen * 10_000 || j.amountFen * 10_000 === fen));
          const same = b.t.items.some((j) => j.amountFen !== 0 && j.amountFen === fen);
          if (same) agree++;
          else if (y) { contra++; evidence ??= { mine: { ...item, amountFen: fen, amountText: `Σ ${fmtAmount(fen, a.t.unit)}`, label: '类合计' }, other: y, otherTable: b.ti }; }
        }
      }
    }
    if (contra === 0 || contra <= agree || !evidence) continue;
    if ((a.t.unit ?? '元') === usual && unitCount.size > 1) continue; // the other table is the odd one
    const other = doc.tables[evidence.otherTable];
    out.push(finding({
      rule: 'unit.magnitude', severity: 'error',
      zh: `${tableRef(a.t)}标注单位“${a.t.unit ?? '未标注'}”，但其数字与${tableRef(other)}（单位“${other.unit}”）的相同数字一致（如 ${evidence.mine.label || keyOf(evidence.mine)} ${evidence.mine.amountText}），按所标单位两者相差 10,000 倍`,
      en: `the unit of ${a.t.kind} (${a.t.unit}) is contradicted: its figures equal those of ${other.kind} in ${other.unit}, 10,000× apart`,
      page: evidence.mine.page, box: evidence.mine.box, tableIndex: a.ti,
      expected: `${other.unit}（${fmtAmount(evidence.other.amountFen, other.unit)}）`, actual: `${a.t.unit}（${fmtAmount(evidence.mine.amountFen, a.t.unit)}）`,
    }));
  }
  return out;
}
