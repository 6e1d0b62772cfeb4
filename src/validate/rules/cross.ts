// Across the tables of one document: the same money printed in several tables must agree.
//  - cross.income_vs_expenditure: 收入总计 = 支出总计 in the summary and the appropriation summary;
//  - cross.summary_vs_expenditure: summary class rows vs the 支出总表 (same funds) and the 一般公共预算 table
//    (which leaves out 其他资金/财政专户…: a difference within the other funds is named, not an error);
//  - cross.expenditure_vs_general_budget: per function code, the 一般公共预算 part ≤ the 支出总表 amount;
//  - cross.basic_total: the basic-expenditure table's 合计 vs the 基本支出 of the other tables;
//  - cross.appropriation_vs_parts: 财政拨款 tables vs their 一般公共预算 part, per code;
//  - cross.three_public_vs_econ: the 三公 table vs the economic codes that carry the same money.
// 机关运行经费 tables (kind 'other') reuse 302xx codes with other amounts and are never compared.
import type { DocumentResult, Finding, LineItem, RecognizedTable, TableKind } from '../../types.js';
import { compact } from '../../extract/normalize.js';
import { fmtAmount } from '../../domain/money.js';
import { codeOf } from '../../domain/codes.js';
import { isBlankLabel, isColumnTotalLabel, isColumnTotalRow, normLabel, summaryTotalKind } from '../../domain/rowLabels.js';
import { finding, printedAllowance, tableRef } from '../util.js';
import { nameKey, nameMatches } from './codes.js';
import { referenceNames } from '../../domain/codes.js';

interface T { t: RecognizedTable; ti: number }

const find = (doc: DocumentResult, kinds: TableKind[]): T | undefined => {
  const ti = doc.tables.findIndex((t) => kinds.includes(t.kind) && t.items.length > 0);
  return ti >= 0 ? { t: doc.tables[ti], ti } : undefined;
};

/** The first amount column with one of `keys` (in this order of preference), and its items. */
export function primaryColumn(t: RecognizedTable, keys = ['total', 'basic', 'general_budget', 'appropriation']): LineItem[] {
  for (const key of keys) {
    const spec = t.columns.filter((c) => c.isAmount && c.key === key).sort((a, b) => a.col - b.col)[0];
    if (!spec) continue;
    const items = t.items.filter((i) => i.columnKey === key && i.columnLabel === spec.label);
    if (items.length) {
      // Several columns may share key and label (e.g. 基本支出 under each fund): keep the first of each row
      // (side-by-side groups print different rows on one line and are kept).
      const seen = new Set<string>();
      const k = (i: LineItem) => `${i.rowIndex}|${i.label}|${codeOf(i) ?? ''}`;
      return items.filter((i) => (seen.has(k(i)) ? false : (seen.add(k(i)), true)));
    }
  }
  return [];
}

/** Amount per code of a column; codes printed twice are dropped (ambiguous). */
function byCode(items: LineItem[], system: 'func' | 'econ'): Map<string, LineItem> {
  const m = new Map<string, LineItem>();
  const dup = new Set<string>();
  for (const i of items) {
    const c = system === 'func' ? i.funcCode : i.econCode;
    if (!c) continue;
    if (m.has(c)) dup.add(c);
    m.set(c, i);
  }
  for (const c of dup) m.delete(c);
  return m;
}

/** A class amount: its class row, else the sum of its top-level rows (达州 prints only 项 rows). */
function classAmounts(codes: Map<string, LineItem>): Map<string, { fen: number; n: number; item: LineItem; parts: LineItem[] }> {
  const out = new Map<string, { fen: number; n: number; item: LineItem; parts: LineItem[] }>();
  const all = new Set(codes.keys());
  for (const [code, it] of codes) {
    const cls = code.slice(0, 3);
    if (code.length === 3) { out.set(cls, { fen: it.amountFen, n: 1, item: it, parts: [it] }); continue; }
    if (all.has(cls)) continue;
    let root = true;
    for (let k = 3; k < code.length; k += 2) if (all.has(code.slice(0, k))) root = false;
    if (!root) continue;
    const cur = out.get(cls);
    out.set(cls, cur ? { fen: cur.fen + it.amountFen, n: cur.n + 1, item: cur.item, parts: [...cur.parts, it] } : { fen: it.amountFen, n: 1, item: it, parts: [it] });
  }
  return out;
}

/** Income and expenditure totals of a summary table (总计 pair, else 合计 pair). */
export function summaryTotals(t: RecognizedTable) {
  const res = { grand: { income: undefined as LineItem | undefined, expenditure: undefined as LineItem | undefined }, sum: { income: undefined as LineItem | undefined, expenditure: undefined as LineItem | undefined } };
  for (const it of t.items) {
    if (it.columnKey !== 'total') continue;
    const l = normLabel(it.label);
    const side = /收入/.test(l) ? 'income' : /支出/.test(l) ? 'expenditure' : /收入/.test(it.columnLabel) ? 'income' : /支出/.test(it.columnLabel) ? 'expenditure' : null;
    if (!side) continue;
    const kind = summaryTotalKind(it.label);
    if (kind === 'grand') res.grand[side] ??= it;
    else if (kind === 'year') res.sum[side] ??= it;
  }
  return res;
}

/**
 * Money of the summary outside this year's general budget: other income (其他资金, 事业收入, 财政专户…)
 * and carry-over (年初结转和结余, 上年结转, 使用非财政拨款结余), i.e. the larger income total − 一般公共预算.
 */
export function otherFunds(doc: DocumentResult): { fen: number; labels: string[] } | null {
  const s = find(doc, ['budget_summary', 'final_summary']);
  if (!s) return null;
  const tot = summaryTotals(s.t);
  // 收入总计 adds the carry-over to 本年收入合计: the all-funds tables may spend it.
  const incomes = [tot.sum.income, tot.grand.income].filter((x): x is LineItem => x !== undefined);
  const income = incomes.length ? incomes.reduce((a, b) => (b.amountFen > a.amountFen ? b : a)) : undefined;
  const gb = s.t.items.find((i) => i.columnKey === 'total' && /^(一般公共预算|公共财政)(拨款|财政拨款)?(收入|资金)?$|^一般公共预算拨款收入$/.test(normLabel(i.label)));
  if (!income || !gb) return null;
  const labels = s.t.items
    .filter((i) => i.columnKey === 'total' && i.amountFen !== 0 && !/年末/.test(i.label) && /政府性基金|国有资本|事业收入|经营收入|其他收入|其他资金|财政专户|上级补助|附属单位|事业基金|结转|结余/.test(normLabel(i.label)))
    .map((i) => `${normLabel(i.label)} ${i.amountText}`);
  return { fen: income.amountFen - gb.amountFen, labels };
}

function incomeVsExpenditure(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  for (const kinds of [['budget_summary', 'final_summary'], ['appropriation_summary', 'final_appropriation_summary']] as TableKind[][]) {
    for (const { t, ti } of doc.tables.map((t, ti) => ({ t, ti })).filter(({ t }) => kinds.includes(t.kind) && t.items.length)) {
      const tot = summaryTotals(t);
      const grandOk = tot.grand.income && tot.grand.expenditure;
      const pair = grandOk ? tot.grand : tot.sum;
      if (!pair.income || !pair.expenditure) continue;
      const diff = pair.income.amountFen - pair.expenditure.amountFen;
      if (diff === 0) continue;
      out.push(finding({
        rule: 'cross.income_vs_expenditure', severity: Math.abs(diff) <= printedAllowance([pair.income, pair.expenditure], t.unit, 1) ? 'info' : 'error',
        zh: `${tableRef(t)}收入${grandOk ? '总计' : '合计'} ${pair.income.amountText} 与支出${grandOk ? '总计' : '合计'} ${pair.expenditure.amountText} 不相等`,
        en: `income total ≠ expenditure total in ${t.kind}`,
        page: pair.expenditure.page, box: pair.expenditure.box, tableIndex: ti,
        expected: fmtAmount(pair.income.amountFen, t.unit), actual: fmtAmount(pair.expenditure.amountFen, t.unit),
      }));
    }
  }
  return out;
}

function summaryVsTables(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const s = find(doc, ['budget_summary', 'final_summary']);
  if (!s) return out;
  const other = otherFunds(doc);
  const sumClasses = byCode(s.t.items.filter((i) => i.columnKey === 'total' && i.funcCode?.length === 3), 'func');
  const targets: { kinds: TableKind[]; sameFunds: boolean }[] = [
    { kinds: ['expenditure', 'final_expenditure'], sameFunds: true },
    { kinds: ['general_budget_expenditure', 'final_general_budget_expenditure'], sameFunds: false },
  ];
  for (const target of targets) {
    const e = find(doc, target.kinds);
    if (!e) continue;
    const classes = classAmounts(byCode(primaryColumn(e.t), 'func'));
    if (classes.size === 0) continue;
    for (const [code, sItem] of sumClasses) {
      const c = classes.get(code);
      const fen = c?.fen ?? 0;
      const diff = sItem.amountFen - fen;
      if (diff === 0) continue;
      const tol = printedAllowance([sItem], s.t.unit, 1) + printedAllowance(c?.parts ?? [], e.t.unit, c?.n ?? 1);
      const ev = { page: sItem.page, box: sItem.box, tableIndex: s.ti, expected: fmtAmount(fen, e.t.unit), actual: fmtAmount(sItem.amountFen, s.t.unit) };
      const where = `${tableRef(e.t)}第${c?.item.page ?? e.t.pageStart}页`;
      if (Math.abs(diff) <= tol) {
        out.push(finding({ rule: 'cross.summary_vs_expenditure', severity: 'info', zh: `收支总表 ${code} ${normLabel(sItem.label)} ${sItem.amountText} 与${where}相差一个舍入单位`, en: `summary class ${code} differs from ${e.t.kind} by rounding`, ...ev }));
      } else if (target.sameFunds || (other && other.fen === 0)) {
        out.push(finding({ rule: 'cross.summary_vs_expenditure', severity: 'error', zh: `收支总表 ${code} ${normLabel(sItem.label)} 印为 ${sItem.amountText}，${where}为 ${fmtAmount(fen, e.t.unit)}`, en: `summary class ${code} ≠ ${e.t.kind} (same funds)`, ...ev }));
      } else if (other && diff > 0 && diff <= other.fen + tol) {
        out.push(finding({ rule: 'cross.summary_vs_expenditure', severity: 'info', zh: `收支总表 ${code} ${normLabel(sItem.label)} ${sItem.amountText} 比${where} ${fmtAmount(fen, e.t.unit)} 多 ${fmtAmount(diff, s.t.unit)}，在一般公共预算以外的资金（${other.labels.join('，') || fmtAmount(other.fen, s.t.unit)}）之内`, en: `summary class ${code} exceeds the general budget by ${fmtAmount(diff, s.t.unit)}, within the other funds`, ...ev }));
      } else {
        out.push(finding({ rule: 'cross.summary_vs_expenditure', severity: 'warning', zh: `收支总表 ${code} ${normLabel(sItem.label)} 印为 ${sItem.amountText}，${where}为 ${fmtAmount(fen, e.t.unit)}，差额 ${fmtAmount(diff, s.t.unit)} 不能由其他资金（${other ? fmtAmount(other.fen, s.t.unit) : '未知'}）解释`, en: `summary class ${code} ≠ general budget table, beyond the other funds`, ...ev }));
      }
    }
  }
  return out;
}

/**
 * What the whole may hold beyond the part: `null` when nothing is known (only a part above the whole is
 * an error); 0 when the two must be equal; else the other funds and carry-over the summary shows (a gap
 * within them is expected, one beyond them is a warning).
 */
export type Beyond = { fen: number; why: string } | null;

/** A code whose printed name is not its own (an economic code printed with another item's name). */
function misnamed(it: LineItem, code: string, year: number | null): boolean {
  const names = referenceNames(code, year);
  return names.length > 0 && !nameMatches(normLabel(it.label), names);
}

/** The item of `items` printed with the name of `it` at the same code level, when there is exactly one. */
function byName(items: Map<string, LineItem>, it: LineItem, code: string): { code: string; item: LineItem } | null {
  const hits = [...items].filter(([c, x]) => c.length === code.length && nameKey(x.label) === nameKey(it.label));
  return hits.length === 1 ? { code: hits[0][0], item: hits[0][1] } : null;
}

/** Code-by-code comparison of a part table (general budget) with a whole table (all funds / appropriation). */
function partVsWhole(doc: DocumentResult, rule: string, whole: T, part: T, system: 'func' | 'econ', beyond: Beyond): Finding[] {
  const out: Finding[] = [];
  const W = byCode(primaryColumn(whole.t), system);
  const P = byCode(primaryColumn(part.t), system);
  if (W.size === 0 || P.size === 0) return out;
  // Only codes of the levels both tables print.
  for (const [code, p] of P) {
    let w = W.get(code);
    let how = '';
    // A code printed with another item's name in either table is not trusted: match by name, else skip.
    if (w && nameKey(w.label) !== nameKey(p.label) && (misnamed(w, code, doc.year) || misnamed(p, code, doc.year))) {
      const named = misnamed(p, code, doc.year) ? null : byName(W, p, code);
      if (!named) {
        out.push(finding({
          rule, severity: 'info',
          zh: `${code}：${tableRef(part.t)}印为“${normLabel(p.label)}”，${tableRef(whole.t)}印为“${normLabel(w.label)}”，科目名称不一致，未作比较`,
          en: `${code}: printed with different names in ${part.t.kind} and ${whole.t.kind}; not compared`,
          page: p.page, box: p.box, tableIndex: part.ti, expected: `${code} ${normLabel(w.label)}`, actual: `${code} ${normLabel(p.label)}`,
        }));
        continue;
      }
      how = `（按名称“${normLabel(p.label)}”匹配${tableRef(whole.t)}的 ${named.code}，其 ${code} 印为“${normLabel(w.label)}”）`;
      w = named.item;
    }
    if (!w && !misnamed(p, code, doc.year)) {
      // The whole prints this name under another code that is not its own (codes swapped or mistyped).
      const named = byName(W, p, code);
      if (named && misnamed(named.item, named.code, doc.year)) {
        how = `（按名称“${normLabel(p.label)}”匹配${tableRef(whole.t)}的 ${named.code}）`;
        w = named.item;
      }
    }
    if (!w) {
      const wholeLevels = new Set([...W.keys()].map((c) => c.length));
      if (!wholeLevels.has(code.length) || p.amountFen === 0) continue;
      // The whole table prints this level but not this code.
      out.push(finding({
        rule, severity: 'error',
        zh: `${code} ${normLabel(p.label)} 在${tableRef(part.t)}为 ${p.amountText}，${tableRef(whole.t)}没有这一科目`,
        en: `${code} is in ${part.t.kind} but missing from ${whole.t.kind}`,
        page: p.page, box: p.box, tableIndex: part.ti, expected: `${tableRef(whole.t)} ${code}`, actual: fmtAmount(p.amountFen, part.t.unit),
      }));
      continue;
    }
    const diff = w.amountFen - p.amountFen;
    const tol = printedAllowance([w], whole.t.unit, 1) + printedAllowance([p], part.t.unit, 1);
    if (diff === 0) continue;
    const ev = { page: p.page, box: p.box, tableIndex: part.ti, expected: fmtAmount(w.amountFen, whole.t.unit), actual: fmtAmount(p.amountFen, part.t.unit) };
    if (Math.abs(diff) <= tol) {
      out.push(finding({ rule, severity: 'info', zh: `${code} ${normLabel(p.label)}：${tableRef(part.t)} ${p.amountText} 与${tableRef(whole.t)} ${w.amountText} 相差一个舍入单位${how}`, en: `${code}: rounding difference between ${part.t.kind} and ${whole.t.kind}`, ...ev }));
    } else if (diff < 0 || (beyond && diff > beyond.fen + tol)) {
      // Part above whole, or a gap the summary's other funds and carry-over cannot explain.
      const certain = diff < 0 || beyond!.fen === 0;
      out.push(finding({
        rule, severity: certain ? 'error' : 'warning',
        zh: `${code} ${normLabel(p.label)}：${tableRef(part.t)}第${p.page}页印为 ${p.amountText}，${tableRef(whole.t)}第${w.page}页为 ${w.amountText}${diff < 0 ? '（部分大于整体）' : `（${beyond!.why}）`}${how}`,
        en: `${code}: ${part.t.kind} ${diff < 0 ? 'exceeds' : 'differs from'} ${whole.t.kind}${certain ? '' : ' beyond the other funds and carry-over'}`,
        ...ev,
      }));
    }
  }
  return out;
}

const isEmpty = (doc: DocumentResult, kinds: TableKind[]) =>
  doc.tables.filter((t) => kinds.includes(t.kind)).every((t) => t.items.every((i) => i.amountFen === 0));

/** Carry-over income a summary shows (年初结转和结余, 上年结转, 使用非财政拨款结余…). */
export function carryOver(t: RecognizedTable): number {
  return t.items.filter((i) => i.columnKey === 'total' && !/年末|结转下年/.test(i.label) && /结转|结余/.test(normLabel(i.label)) && !/支出/.test(i.columnLabel))
    .reduce((s, i) => s + i.amountFen, 0);
}

function expenditureVsGeneralBudget(doc: DocumentResult): Finding[] {
  const e = find(doc, ['expenditure', 'final_expenditure']);
  const g = find(doc, ['general_budget_expenditure', 'final_general_budget_expenditure']);
  if (!e || !g) return [];
  const other = otherFunds(doc);
  const beyond: Beyond = other === null ? null : other.fen === 0
    ? { fen: 0, why: '收支总表显示全部收入为一般公共预算，两表应相等' }
    : { fen: other.fen, why: `差额超过收支总表中一般公共预算以外的资金和结转（${other.labels.join('，') || fmtAmount(other.fen, e.t.unit)}）` };
  return partVsWhole(doc, 'cross.expenditure_vs_general_budget', e, g, 'func', beyond);
}

function appropriationVsParts(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const noOtherAppropriation = isEmpty(doc, ['gov_fund_expenditure', 'state_capital_expenditure', 'final_gov_fund', 'final_state_capital']);
  // The appropriation tables may also spend the appropriation carry-over the summary shows.
  const as = find(doc, ['appropriation_summary', 'final_appropriation_summary']);
  const carry = as ? carryOver(as.t) : 0;
  const beyond: Beyond = !noOtherAppropriation ? null : carry === 0
    ? { fen: 0, why: '政府性基金和国有资本经营预算为空，财政拨款即一般公共预算' }
    : { fen: carry, why: `政府性基金和国有资本经营预算为空，差额超过财政拨款结转 ${fmtAmount(carry, as!.t.unit)}` };
  // 财政拨款支出表 by function code vs 一般公共预算支出表.
  const g = find(doc, ['general_budget_expenditure', 'final_general_budget_expenditure']);
  const gb = find(doc, ['general_budget_basic', 'final_general_budget_basic']);
  doc.tables.forEach((t, ti) => {
    if (t.items.length === 0) return;
    const isAppropriation = t.kind === 'appropriation_expenditure' || (t.kind === 'other' && /^财政拨款基本支出/.test(compact(t.title).replace(/^[^财]*?(?=财政拨款)/, '')));
    if (!isAppropriation) return;
    const funcItems = t.items.filter((i) => i.funcCode).length;
    const econItems = t.items.filter((i) => i.econCode).length;
    if (funcItems >= econItems && g) out.push(...partVsWhole(doc, 'cross.appropriation_vs_parts', { t, ti }, g, 'func', beyond));
    if (econItems > funcItems && gb) out.push(...partVsWhole(doc, 'cross.appropriation_vs_parts', { t, ti }, gb, 'econ', beyond));
  });
  return out;
}

/** The 合计 of a table's column: the uncoded 合计/总计 row, else the sum of top-level coded rows. */
function columnTotal(items: LineItem[]): { fen: number; item: LineItem; n: number; parts: LineItem[] } | null {
  const total = items.find(isColumnTotalRow);
  if (total) return { fen: total.amountFen, item: total, n: 1, parts: [total] };
  const classes = items.filter((i) => codeOf(i)?.length === 3);
  if (classes.length === 0) return null;
  return { fen: classes.reduce((s, i) => s + i.amountFen, 0), item: classes[0], n: classes.length, parts: classes };
}

function basicTotal(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const b = find(doc, ['general_budget_basic', 'final_general_budget_basic']);
  if (!b) return out;
  const bt = columnTotal(primaryColumn(b.t, ['total', 'basic']));
  if (!bt) return out;
  const compare = (item: LineItem, t: RecognizedTable, ti: number, mustEqual: boolean, what: string) => {
    const diff = item.amountFen - bt.fen;
    if (diff === 0) return;
    const tol = printedAllowance([item], t.unit, 1) + printedAllowance(bt.parts, b.t.unit, bt.n);
    const other = otherFunds(doc);
    const sev = Math.abs(diff) <= tol ? 'info' : mustEqual ? 'error' : other && diff > 0 && diff <= other.fen + tol ? 'info' : 'warning';
    out.push(finding({
      rule: 'cross.basic_total', severity: sev,
      zh: `${what}的基本支出 ${item.amountText}（第${item.page}页）与${tableRef(b.t)}合计 ${fmtAmount(bt.fen, b.t.unit)} 不一致${sev === 'info' && Math.abs(diff) > tol ? `，差额在其他资金 ${fmtAmount(other!.fen, doc.tables[0]?.unit ?? null)} 之内` : ''}`,
      en: `basic expenditure in ${t.kind} ≠ the basic-expenditure table total`,
      page: item.page, box: item.box, tableIndex: ti, expected: fmtAmount(bt.fen, b.t.unit), actual: fmtAmount(item.amountFen, t.unit),
    }));
  };
  // 一般公共预算支出表: its 基本支出 column total (same funds).
  const g = find(doc, ['general_budget_expenditure', 'final_general_budget_expenditure']);
  if (g) {
    const basicCol = g.t.items.filter((i) => i.columnKey === 'basic' || i.columnKey === 'general_budget_basic');
    const gt = columnTotal(basicCol);
    if (gt && gt.item) compare({ ...gt.item, amountFen: gt.fen, amountText: fmtAmount(gt.fen, g.t.unit) }, g.t, g.ti, true, tableRef(g.t));
  }
  // The summary's 基本支出 row covers all funds; the appropriation summary's covers 财政拨款.
  const s = find(doc, ['budget_summary']);
  const other = otherFunds(doc);
  const sb = s?.t.items.find((i) => i.columnKey === 'total' && normLabel(i.label) === '基本支出');
  if (s && sb) compare(sb, s.t, s.ti, other !== null && other.fen === 0, tableRef(s.t));
  return out;
}

const THREE_PUBLIC_CODES: { key: string; codes: string[]; zh: string }[] = [
  { key: 'overseas_travel', codes: ['30212'], zh: '因公出国(境)费' },
  { key: 'official_reception', codes: ['30217'], zh: '公务接待费' },
  { key: 'vehicle_operation', codes: ['30231'], zh: '公务用车运行维护费' },
  { key: 'vehicle_purchase', codes: ['31013', '30913'], zh: '公务用车购置费' },
];

function threePublicVsEcon(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const tpi = doc.tables.findIndex((t) => (t.kind === 'three_public' || t.kind === 'final_three_public' || (t.kind === 'other' && /三公/.test(t.title))) && t.items.some((i) => i.columnKey === 'overseas_travel' || i.columnKey === 'official_reception'));
  const b = find(doc, ['general_budget_basic', 'final_general_budget_basic']);
  if (tpi < 0 || !b) return out;
  const tp = doc.tables[tpi];
  const econ = byCode(primaryColumn(b.t, ['total', 'basic']), 'econ');
  // Project spending also carries 三公 money; without project spending the basic codes must equal the 三公 table.
  const g = find(doc, ['general_budget_expenditure', 'final_general_budget_expenditure']);
  const project = g?.t.items.filter((i) => /project/.test(i.columnKey)) ?? [];
  const noProject = g !== undefined && project.length > 0 && project.every((i) => i.amountFen === 0);
  for (const m of THREE_PUBLIC_CODES) {
    const cols = tp.items.filter((i) => i.columnKey === m.key);
    const keyCount = new Set(tp.columns.filter((c) => c.isAmount && c.key === m.key).map((c) => c.col)).size;
    if (cols.length === 0 || keyCount !== 1) continue;
    const tpItem = cols.find((i) => isColumnTotalLabel(i.label) || isBlankLabel(i.label)) ?? cols[0];
    let e = m.codes.map((c) => econ.get(c)).find((x) => x !== undefined);
    // An economic code printed with another item's name: take the row of this name, else skip.
    if (e && misnamed(e, codeOf(e)!, doc.year)) {
      const alt = [...econ.values()].filter((x) => nameMatches(normLabel(x.label), [m.zh]));
      if (alt.length !== 1) continue;
      e = alt[0];
    }
    const eFen = e?.amountFen ?? 0;
    const tol = printedAllowance([tpItem], tp.unit, 1) + printedAllowance(e ? [e] : [], b.t.unit, 1);
    const diff = tpItem.amountFen - eFen;
    if (Math.abs(diff) <= tol) continue;
    if (diff < 0 || (noProject && e)) {
      out.push(finding({
        rule: 'cross.three_public_vs_econ', severity: 'error',
        zh: `${tableRef(tp)}${m.zh} 印为 ${tpItem.amountText}，而${tableRef(b.t)}经济科目 ${m.codes[0]} 为 ${e ? e.amountText : '0'}${diff < 0 ? '（基本支出部分已超过“三公”表总额）' : '（无项目支出，两者应相等）'}`,
        en: `${m.key} in the 三公 table ≠ economic code ${m.codes[0]} of the basic-expenditure table`,
        page: tpItem.page, box: tpItem.box, tableIndex: tpi, expected: fmtAmount(eFen, b.t.unit), actual: fmtAmount(tpItem.amountFen, tp.unit),
      }));
    }
  }
  return out;
}

export function crossFamily(doc: DocumentResult): Finding[] {
  return [
    ...incomeVsExpenditure(doc),
    ...summaryVsTables(doc),
    ...expenditureVsGeneralBudget(doc),
    ...basicTotal(doc),
    ...appropriationVsParts(doc),
    ...threePublicVsEcon(doc),
  ];
}
