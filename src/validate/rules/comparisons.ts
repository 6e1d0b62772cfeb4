// Comparison words against the figures they compare, and parts against their whole.
//  - compare.direction: "决算数小于预算数" stated for a 年初预算 and a 决算 that say otherwise; a sentence
//    that contradicts itself ("…0万元，比上年增加356.20万元");
//  - compare.zero_base: a rate of a zero base ("年初预算为0万元…完成年初预算的96.40%");
//  - compare.part_exceeds_whole: in project and performance tables, one funding source above the
//    row's total (a part larger than its whole).
import type { DocumentResult, Finding, LineItem } from '../../types.js';
import { toFen, type Unit } from '../../domain/money.js';
import { fmtAmount } from '../../domain/money.js';
import { allowance, finding, tableRef } from '../util.js';
import { lineAt } from './narrative.js';
import { prose } from './prose.js';

const NUM = String.raw`(\d[\d,]*(?:\.\d+)?)`;
const UNIT = String.raw`(亿元|万元|千元|元)`;

const fen = (num: string, unit: string) => toFen(num.replace(/,/g, ''), unit as Unit);
/** One unit of the last printed digit, in fen (the rounding of a printed amount is half of it). */
const ulp = (num: string, unit: string) => Math.round(Number(toFen('1', unit as Unit)) / 10 ** (num.split('.')[1] ?? '').length);

type Relation = 'more' | 'less' | 'equal' | 'about';

function relationOf(word: string): Relation {
  if (/大于|高于|超过|多于/.test(word)) return 'more';
  if (/小于|低于|少于/.test(word)) return 'less';
  if (/基本持平|基本一致|基本相当/.test(word)) return 'about';
  return 'equal';
}

const REL_ZH: Record<Relation, string> = { more: '大于', less: '小于', equal: '等于', about: '基本持平' };

/** "年初预算为A万元，支出决算为B万元…决算数小于预算数" and its variants, within one numbered item. */
function budgetVsFinal(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const t = prose(doc);
  const s = t.s;
  const stmt = /决算数?(大于|小于|等于|高于|低于|超过|多于|少于)(?:年初)?预算数?|决算数?与(?:年初)?预算数?(基本持平|持平|一致|相等|基本一致|相同)/g;
  for (const m of s.matchAll(stmt)) {
    const pos = m.index!;
    // The figures of the same item: back to the previous item number or 160 characters.
    const from = Math.max(pos - 160, ...[...s.slice(Math.max(0, pos - 160), pos).matchAll(/(?:^|[。；])\s*(?:\d{1,2}|[（(]\d{1,2}[)）])[、.．]/g)].map((x) => pos - 160 + x.index!));
    const win = s.slice(Math.max(0, from), pos);
    const budgetM = [...win.matchAll(new RegExp(`(?:年初预算|预算数|预算)(?:数)?(?:为|是)?${NUM}${UNIT}`, 'g'))].at(-1);
    const finalM = [...win.matchAll(new RegExp(`(?:支出决算|决算数|决算)(?:数)?(?:为|是)?${NUM}${UNIT}`, 'g'))].at(-1);
    if (!budgetM || !finalM) continue;
    const a = fen(budgetM[1], budgetM[2]), b = fen(finalM[1], finalM[2]);
    if (a === null || b === null) continue;
    const rel = relationOf(m[1] ?? m[2]);
    const tol = ulp(budgetM[1], budgetM[2]) + ulp(finalM[1], finalM[2]);
    const ok = rel === 'more' ? b > a : rel === 'less' ? b < a : rel === 'equal' ? Math.abs(a - b) <= tol : Math.abs(a - b) <= Math.max(tol, Math.abs(a) * 0.05);
    if (ok) continue;
    const line = lineAt(t, pos);
    const actual = b > a + tol ? '大于' : b < a - tol ? '小于' : '等于';
    out.push(finding({
      rule: 'compare.direction', severity: rel === 'about' ? 'warning' : 'error',
      zh: `第${line.page}页说“${m[0]}”，但决算 ${finalM[1]}${finalM[2]} ${actual}预算 ${budgetM[1]}${budgetM[2]}`,
      en: `the text says the final figure is ${rel === 'more' ? 'above' : rel === 'less' ? 'below' : 'equal to'} the budget, but ${finalM[1]} vs ${budgetM[1]} ${budgetM[2]}`,
      page: line.page, box: line.box, expected: `决算数${actual}预算数`, actual: `决算数${REL_ZH[rel]}预算数`,
    }));
  }
  return out;
}

/** "0万元，比上年增加356.20万元": nothing cannot have grown. "X万元，与上年持平…增加Z万元": both cannot hold. */
function selfContradiction(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const t = prose(doc);
  const re = new RegExp(`${NUM}${UNIT}[。，,]?(?:比|较|与)(?:上年|上一年度?|20\\d\\d年)[^，,。；;\\d]{0,12}?(?:相比)?[，,]?(增加|增长|持平)了?(?:${NUM}${UNIT})?`, 'g');
  for (const m of t.s.matchAll(re)) {
    const x = fen(m[1], m[2]);
    const z = m[4] ? fen(m[4], m[5]) : null;
    if (x === null) continue;
    let why: string | null = null;
    if (m[3] !== '持平' && x === 0 && z !== null && z > 0) why = `本年为 0，不可能比上年${m[3]} ${m[4]}${m[5]}`;
    if (!why) continue;
    const line = lineAt(t, m.index!);
    out.push(finding({
      rule: 'compare.direction', severity: 'error',
      zh: `第${line.page}页“${m[0]}”自相矛盾：${why}`, en: `page ${line.page} contradicts itself: an amount of 0 cannot have grown by ${m[4]}${m[5]}`,
      page: line.page, box: line.box, expected: null, actual: m[0],
    }));
  }
  return out;
}

/** "年初预算为0万元…完成年初预算的96.40%": a rate of a zero base. */
function zeroBase(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const t = prose(doc);
  const s = t.s;
  for (const m of s.matchAll(/完成(?:年初)?预算的(\d+(?:\.\d+)?)%/g)) {
    const pos = m.index!;
    const win = s.slice(Math.max(0, pos - 120), pos);
    const budgetM = [...win.matchAll(new RegExp(`(?:年初预算|预算数)(?:数)?(?:为|是)?${NUM}${UNIT}`, 'g'))].at(-1);
    if (!budgetM || fen(budgetM[1], budgetM[2]) !== 0 || Number(m[1]) === 0) continue;
    const line = lineAt(t, pos);
    out.push(finding({
      rule: 'compare.zero_base', severity: 'error',
      zh: `第${line.page}页“${m[0]}”：年初预算为 0，完成率无从计算`, en: `page ${line.page} states a completion rate of ${m[1]}% of a budget of 0`,
      page: line.page, box: line.box, expected: null, actual: `${m[1]}%`,
    }));
  }
  return out;
}

/** Funding sources of a project: each is a part of the project's total. */
const PART_KEYS = /^(general_budget|gov_fund|state_capital|fiscal_special_account|business_income|operating_income|other_income|upper_subsidy|affiliated_income|carryover|appropriation)$/;
const PROJECT_KINDS = /^(general_budget_project|project_performance|overall_performance)$/;

function partsAboveWhole(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    if (!PROJECT_KINDS.test(t.kind)) return;
    const rows = new Map<number, LineItem[]>();
    for (const it of t.items) rows.set(it.rowIndex, [...(rows.get(it.rowIndex) ?? []), it]);
    for (const items of rows.values()) {
      const total = items.find((it) => it.columnKey === 'total');
      if (!total || total.amountFen < 0) continue;
      for (const p of items) {
        if (!PART_KEYS.test(p.columnKey) || p.amountFen <= total.amountFen + allowance(t.unit, 1)) continue;
        out.push(finding({
          rule: 'compare.part_exceeds_whole', severity: 'error',
          zh: `${tableRef(t)}“${total.label || '合计'}”行的${p.columnLabel} ${p.amountText} 大于合计 ${total.amountText}`,
          en: `in ${t.kind}, the row "${total.label}" has ${p.columnLabel} ${p.amountText} above its total ${total.amountText}`,
          page: p.page, box: p.box, tableIndex: ti, expected: `≤ ${fmtAmount(total.amountFen, t.unit)}`, actual: fmtAmount(p.amountFen, t.unit),
        }));
      }
    }
  });
  return out;
}

/**
 * "X万元，比上年Y万元增加" / "…与上年Y万元持平" without the difference: the word against the two amounts.
 * (With the difference printed, narrative.amount recomputes it.)
 */
function changeWord(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const t = prose(doc);
  const re = new RegExp(`${NUM}${UNIT}[，,]?(?:比|较|与)(?:上年|上一年度?|20\\d\\d年)[^，,。；;\\d增减持升降]{0,12}?${NUM}${UNIT}(?:相比)?[，,]?(?:基本)?(增加|减少|增长|下降|持平)(?!了?\\d)`, 'g');
  for (const m of t.s.matchAll(re)) {
    const x = fen(m[1], m[2]), y = fen(m[3], m[4]);
    if (x === null || y === null) continue;
    const tol = ulp(m[1], m[2]) + ulp(m[3], m[4]);
    const word = m[5];
    const ok = /增/.test(word) ? x > y : /减|下降/.test(word) ? x < y : Math.abs(x - y) <= tol;
    if (ok) continue;
    const actual = x > y + tol ? '增加' : x < y - tol ? '减少' : '持平';
    const line = lineAt(t, m.index!);
    out.push(finding({
      rule: 'compare.direction', severity: 'error',
      zh: `第${line.page}页“${m[0]}”：${m[1]}${m[2]} 比 ${m[3]}${m[4]} 是${actual}，不是${word}`,
      en: `page ${line.page} says ${word} from ${m[3]} to ${m[1]} ${m[2]}`,
      page: line.page, box: line.box, expected: actual, actual: word,
    }));
  }
  return out;
}

export function comparisonFamily(doc: DocumentResult): Finding[] {
  return [...budgetVsFinal(doc), ...selfContradiction(doc), ...changeWord(doc), ...zeroBase(doc), ...partsAboveWhole(doc)];
}
