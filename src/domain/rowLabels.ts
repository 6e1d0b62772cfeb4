// Row labels (项目/科目名称 cells): the one home of label keys and of "is this a total row".
// A table prints several kinds of total, and callers mean different ones: pick the predicate by meaning.
//   isTotalLabel        any total or subtotal (合计, 总计, 小计, 本年收入合计 …)   recognition, LineItem.isTotal
//   isColumnTotalLabel  a column's grand total (合计 or 总计 alone)                sums, one table vs another
//   summaryTotalKind    a 收支总表's 总计 / 本年合计 lines, income or expenditure side
//   isSummaryTotalLabel any figure a summary prints as its total (合计 + both kinds above)
import { compact } from '../extract/normalize.js';

/** Ordinal prefix of a label: 一、 （一） (1) 1. 1、 ① (not "1.5": a decimal). */
const ORDINAL = /^([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）][、.．]?|\d{1,2}[、.．](?!\d)|[①-⑳])/;

/** Remove spaces and an ordinal prefix: "八、社会保障和就业支出" → "社会保障和就业支出". The label recognition stores. */
export function stripOrdinal(label: string): string {
  return label.replace(/\s/g, '').replace(ORDINAL, '').trim();
}

/**
 * Comparison key of a printed label: NFKC without spaces (compact), no ordinal prefix, ASCII brackets,
 * no quotes. Compare labels through it, never raw text.
 */
export function normLabel(s: string): string {
  return compact(s)
    .replace(ORDINAL, '')
    .replace(/（/g, '(').replace(/）/g, ')')
    .replace(/[“”"]/g, '');
}

/** A label with nothing left once normalised (a one-row table may print its total row without a label). */
export function isBlankLabel(label: string): boolean {
  return normLabel(label) === '';
}

const ANY_TOTAL = /^(合计|总计|小计|本年(收入|支出)合计|(收入|支出)(合计|总计)|当年(收入|支出)小计|本年收入小计|本年支出小计)$/;

/**
 * Any total or subtotal row label: 合计, 总计, 小计, 收入合计, 支出总计, 本年收入合计, 当年支出小计…
 * (spaces ignored: "合  计"). Use it to tell total rows from item rows without caring which total it
 * is: recognition uses it to find a table's body, to reject a label tail cut by a page break, and to
 * set LineItem.isTotal. Not for "the" total of a column: see isColumnTotalLabel.
 */
export function isTotalLabel(label: string): boolean {
  return ANY_TOTAL.test(label.replace(/\s/g, ''));
}

/**
 * A line item is a total row (LineItem.isTotal): a total label (isTotalLabel) and no code. A coded row
 * is a class row even when its name reads like a total.
 */
export function isTotalRow(label: string, code: string | null): boolean {
  return code === null && isTotalLabel(label);
}

/**
 * The grand total of a table column: the label is 合计 or 总计 alone (after normLabel). Use it, on an
 * uncoded row (isColumnTotalRow), for the one figure the column's coded rows add up to: sum.total_row,
 * a table's total against another table's, the unit check's 合计 key. Subtotals (小计) and a summary's
 * 本年收入合计 are not column totals.
 */
export function isColumnTotalLabel(label: string): boolean {
  return /^(合计|总计)$/.test(normLabel(label));
}

/** An uncoded row labelled 合计 or 总计 (isColumnTotalLabel): the total row of its column. */
export function isColumnTotalRow(item: { label: string; funcCode: string | null; econCode: string | null }): boolean {
  return !(item.funcCode ?? item.econCode) && isColumnTotalLabel(item.label);
}

/**
 * Which total line of a 收支总表 (income and expenditure summary) a label is:
 *   'grand'  the 总计 line, after carry-overs: 总计, 收入总计, 支出总计;
 *   'year'   the year's own 合计 line, before carry-overs: 收入合计, 本年支出合计, 当年收入小计, 本年收入.
 * null for anything else, including a plain 合计 (ambiguous in a summary: see isSummaryTotalLabel).
 */
export function summaryTotalKind(label: string): 'grand' | 'year' | null {
  const l = normLabel(label);
  if (/^(收入|支出)?总计$/.test(l)) return 'grand';
  if (/^(本年)?(收入|支出)合计$|^当年(收入|支出)小计$|^本年(收入|支出)$/.test(l)) return 'year';
  return null;
}

/**
 * Any line a summary table may print as its total: a plain 合计, or a 'grand' or 'year' line of
 * summaryTotalKind. Use it to collect the candidate figures for a narrative's 收支总数, not to pick one.
 */
export function isSummaryTotalLabel(label: string): boolean {
  return normLabel(label) === '合计' || summaryTotalKind(label) !== null;
}

/**
 * A row a table prints without a code on purpose, even among coded rows: a subtotal named by what it
 * sums (人员经费合计, 本级小计), a breakdown line (其中：…), the 人员经费 / 公用经费 lines of summary and
 * basic-expenditure tables. Total rows themselves are isTotalRow. Used by the completeness audit.
 */
export function isUncodedByDesign(label: string): boolean {
  const l = normLabel(label);
  return /(合计|小计|总计)$/.test(l) || /^其中/.test(l) || /^(人员经费|公用经费)(支出)?$/.test(l);
}

/**
 * Labels uncoded rows print in their usual wordings: the rows of summary tables (收支总表, 收入总表,
 * 支出总表, 财政拨款收支总表), totals included, and the procurement forms (采购组织形式) of procurement
 * tables. With the reference names of the codes (codes.ts), the words an OCR reading of a row label is
 * held against (readKnownLabel).
 */
export const KNOWN_ROW_LABELS: readonly string[] = [
  // income side (收入)
  '财政拨款', '财政拨款收入', '财政拨款资金', '一般公共预算', '一般公共预算资金', '一般公共预算拨款', '一般公共预算拨款收入',
  '一般公共预算收入', '政府性基金预算', '政府性基金预算资金', '政府性基金预算拨款', '政府性基金预算拨款收入',
  '国有资本经营预算', '国有资本经营预算资金', '国有资本经营预算拨款', '国有资本经营预算拨款收入',
  '财政专户管理资金', '财政专户管理资金收入', '单位资金', '事业收入', '事业单位经营收入', '上级补助收入',
  '附属单位上缴收入', '其他收入', '其他资金', '上年结转', '上年结余', '上年结转结余', '用事业基金弥补收支差额',
  '本年收入', '本年收入合计', '收入合计', '收入总计',
  // expenditure side (支出)
  '基本支出', '项目支出', '人员经费', '公用经费', '人员经费支出', '公用经费支出', '事业单位经营支出', '上缴上级支出',
  '对附属单位补助支出', '单位预留机动经费', '年末结转和结余', '结转下年', '本年支出', '本年支出合计', '支出合计',
  '支出总计', '合计', '总计', '小计', '当年收入小计', '当年支出小计', '本年收入小计', '本年支出小计',
  // procurement forms (采购组织形式: 集中采购 by the government or the department, or 分散采购)
  '政府集中采购', '部门集中采购', '分散采购', '分散自行组织', '分散委托代理', '自行采购', '委托代理',
];
