// Arithmetic within one table beyond the code hierarchy (src/validate/sums.ts):
//  - sum.total_row: a 合计/总计 row = the sum of the top-level coded rows of its column;
//  - sum.row_parts: on every row, total = basic + project (+ 预留/上缴/补助/经营), basic = personnel + public,
//    a fund's 小计 = its 基本 + 项目, 三公 = 出国 + 公务用车 + 接待, 公务用车 = 购置 + 运行, income total = Σ sources.
// Differences within the rounding of the amounts as printed (util.printedAllowance) are `info`, beyond are `error`.
import type { DocumentResult, Finding, LineItem, RecognizedTable, TableKind } from '../../types.js';
import { fmtAmount } from '../../domain/money.js';
import { codeOf } from '../../domain/codes.js';
import { isColumnTotalRow, normLabel } from '../../domain/rowLabels.js';
import { columnsOf, finding, groupBy, printedAllowance } from '../util.js';

/** Kinds whose 合计 rows mix income, expenditure and carry-over rows: not a sum of coded rows. */
const SUMMARY_KINDS = new Set<TableKind>(['budget_summary', 'final_summary', 'appropriation_summary', 'final_appropriation_summary']);

function severityOf(diff: number, allowed: number) {
  return Math.abs(diff) <= allowed ? 'info' as const : 'error' as const;
}

/** 合计 (uncoded) = Σ of the coded rows that have no coded ancestor in the same column. */
export function totalRowRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    if (SUMMARY_KINDS.has(t.kind)) return;
    for (const items of columnsOf(t).values()) {
      const coded = items.filter((i) => codeOf(i));
      if (coded.length === 0) continue;
      const codes = new Set(coded.map((i) => codeOf(i)!));
      // A code printed twice in one column (several units' rows) makes the sum ambiguous.
      if (codes.size !== coded.length) continue;
      const roots = coded.filter((i) => {
        const c = codeOf(i)!;
        for (let k = 3; k < c.length; k += 2) if (codes.has(c.slice(0, k))) return false;
        return true;
      });
      const sum = roots.reduce((s, i) => s + i.amountFen, 0);
      const totals = items.filter(isColumnTotalRow);
      for (const total of totals) {
        const diff = total.amountFen - sum;
        if (diff === 0) continue;
        const allowed = printedAllowance([total, ...roots], t.unit, roots.length);
        const sev = severityOf(diff, allowed);
        out.push(finding({
          rule: 'sum.total_row', severity: sev,
          zh: `${normLabel(total.label)}行（${total.columnLabel || total.columnKey}）印为 ${fmtAmount(total.amountFen, t.unit)}，${roots.length} 个科目行之和为 ${fmtAmount(sum, t.unit)}${sev === 'info' ? '（舍入差）' : ''}`,
          en: `the ${normLabel(total.label)} row does not equal the sum of its ${roots.length} coded rows${sev === 'info' ? ' (rounding)' : ''}`,
          page: total.page, box: total.box, expected: fmtAmount(sum, t.unit), actual: fmtAmount(total.amountFen, t.unit), tableIndex: ti,
        }));
      }
    }
  });
  return out;
}

interface PartsCheck {
  whole: string;
  parts: string[];
  /** Only for these kinds (all when absent). */
  kinds?: TableKind[];
  /** Only when the table has none of these columns. */
  unless?: string[];
  /** At least one of these must be a column of the table. */
  needs?: string[];
  zh: string;
}

const FUND_PREFIXES = ['general_budget', 'gov_fund', 'state_capital', 'fiscal_special_account'];
const INCOME_KINDS: TableKind[] = ['income', 'final_income'];

export const PART_CHECKS: PartsCheck[] = [
  { whole: 'total', parts: ['basic', 'project', 'reserve', 'to_superior', 'to_affiliated', 'operating_expense'], needs: ['basic'], zh: '合计 = 基本支出 + 项目支出（+ 预留/上缴/补助/经营）' },
  { whole: 'total', parts: ['personnel', 'public', 'project', 'reserve', 'to_superior', 'to_affiliated', 'operating_expense'], unless: ['basic'], needs: ['project'], zh: '合计 = 人员经费 + 公用经费 + 项目支出' },
  { whole: 'basic', parts: ['personnel', 'public'], needs: ['personnel', 'public'], zh: '基本支出 = 人员经费 + 公用经费' },
  { whole: 'total', parts: ['personnel', 'public'], unless: ['basic', 'project'], needs: ['personnel', 'public'], zh: '合计 = 人员经费 + 公用经费' },
  ...FUND_PREFIXES.map((f) => ({ whole: f, parts: [`${f}_basic`, `${f}_project`], needs: [`${f}_basic`, `${f}_project`], zh: '小计 = 基本支出 + 项目支出' })),
  { whole: 'three_public', parts: ['overseas_travel', 'vehicles', 'official_reception'], needs: ['overseas_travel', 'official_reception'], zh: '“三公”经费 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费' },
  { whole: 'total', parts: ['three_public', 'meeting', 'training'], needs: ['three_public'], zh: '合计 = “三公”经费 + 会议费 + 培训费' },
  { whole: 'total', parts: ['overseas_travel', 'vehicles', 'official_reception', 'meeting', 'training'], unless: ['three_public'], needs: ['overseas_travel', 'official_reception'], zh: '合计 = 因公出国(境)费 + 公务用车购置及运行费 + 公务接待费（+ 会议费 + 培训费）' },
  { whole: 'vehicles', parts: ['vehicle_purchase', 'vehicle_operation'], needs: ['vehicle_purchase', 'vehicle_operation'], zh: '公务用车购置及运行费 = 购置费 + 运行费' },
  {
    whole: 'total', kinds: INCOME_KINDS,
    parts: ['appropriation', 'general_budget', 'gov_fund', 'state_capital', 'fiscal_special_account', 'business_income', 'operating_income', 'other_income', 'upper_subsidy', 'affiliated_income', 'fund_shortfall', 'carryover'],
    needs: ['general_budget', 'gov_fund', 'business_income', 'other_income'], zh: '合计 = 各项收入之和',
  },
];

/** Amount columns of a table, grouped by the label column they belong to (side-by-side groups). */
function columnGroups(t: RecognizedTable) {
  const amount = t.columns.filter((c) => c.isAmount);
  return [...groupBy(amount, (c) => c.labelCol ?? -1).values()];
}

export function rowPartsRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    if (t.items.length === 0) return;
    for (const group of columnGroups(t)) {
      const keyCount = new Map<string, number>();
      for (const c of group) keyCount.set(c.key, (keyCount.get(c.key) ?? 0) + 1);
      const labelsOfKey = new Map(group.map((c) => [c.key, c.label]));
      const rows = groupBy(t.items.filter((i) => keyCount.get(i.columnKey) === 1 && labelsOfKey.get(i.columnKey) === i.columnLabel), (i) => i.rowIndex);
      for (const chk of PART_CHECKS) {
        if (chk.kinds && !chk.kinds.includes(t.kind)) continue;
        if (keyCount.get(chk.whole) !== 1) continue;
        if (chk.unless?.some((k) => keyCount.has(k))) continue;
        if (chk.needs && !chk.needs.some((k) => keyCount.get(k) === 1)) continue;
        // A part column printed twice in the group cannot be told apart.
        if (chk.parts.some((k) => (keyCount.get(k) ?? 0) > 1)) continue;
        // A column of unknown meaning in the group may be one of the parts: no check.
        if ([...keyCount.keys()].some((k) => k === 'other' || /^col\d+$/.test(k))) continue;
        for (const items of rows.values()) {
          const byKey = new Map<string, LineItem>(items.map((i) => [i.columnKey, i]));
          const whole = byKey.get(chk.whole);
          const parts = chk.parts.map((k) => byKey.get(k)).filter((x): x is LineItem => x !== undefined);
          if (!whole || parts.length === 0) continue;
          const sum = parts.reduce((s, p) => s + p.amountFen, 0);
          const diff = whole.amountFen - sum;
          if (diff === 0) continue;
          const sev = severityOf(diff, printedAllowance([whole, ...parts], t.unit, parts.length));
          const rowName = normLabel(whole.label) || codeOf(whole) || `第${whole.rowIndex + 1}行`;
          out.push(finding({
            rule: 'sum.row_parts', severity: sev,
            zh: `${rowName}：${chk.zh} 不成立，${whole.columnLabel || chk.whole} 印为 ${fmtAmount(whole.amountFen, t.unit)}，各部分之和 ${parts.map((p) => p.amountText).join(' + ')} = ${fmtAmount(sum, t.unit)}${sev === 'info' ? '（舍入差）' : ''}`,
            en: `row ${rowName}: ${chk.whole} ≠ ${chk.parts.filter((k) => byKey.has(k)).join(' + ')}${sev === 'info' ? ' (rounding)' : ''}`,
            page: whole.page, box: whole.box, expected: fmtAmount(sum, t.unit), actual: fmtAmount(whole.amountFen, t.unit), tableIndex: ti,
          }));
        }
      }
    }
  });
  return out;
}

export function sumFamily(doc: DocumentResult): Finding[] {
  return [...totalRowRule(doc), ...rowPartsRule(doc)];
}
