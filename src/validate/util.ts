// Shared helpers of the rule families: findings, rounding allowances, grouping, text similarity.
import type { Box, Finding, LineItem, RecognizedTable, Severity } from '../types.js';
import { printedCent, type Unit } from '../domain/money.js';
import { halfUnitFen } from './interval.js';

/** Rounding allowance of a sum of `rows` printed amounts: one printed 分 per summed row. */
export function allowance(unit: Unit | null, rows: number): number {
  return printedCent(unit) * Math.max(1, rows);
}

/**
 * Rounding allowance of comparing printed amounts, taken from how each is printed: half a unit of its
 * last printed digit (a cell printed "24,840,779" in a 元 table stands for ±0.5 元, "641.15" in 万元 for
 * ±50 元; a printed zero is exact), summed, so n rounded addends may drift by n half-units and an
 * integer total beside parts printed with 角/分 is rounding too. Never less than `allowance(unit, rows)`.
 */
export function printedAllowance(amounts: Pick<LineItem, 'amountText' | 'amountFen'>[], unit: Unit | null, rows = amounts.length): number {
  const half = amounts.reduce((t, a) => t + (a.amountFen === 0 ? 0 : halfUnitFen(a.amountText, unit)), 0);
  // Differences are whole fen: ⌊half⌋ allows exactly the differences within half.
  return Math.max(allowance(unit, rows), Math.floor(half + 1e-9));
}

export interface FindingInput {
  rule: string;
  severity: Severity;
  zh: string;
  en: string;
  page?: number | null;
  box?: Box | null;
  expected?: string | null;
  actual?: string | null;
  tableIndex?: number | null;
}

/** A finding with its message in Chinese and English ("中文 / English"). */
export function finding(f: FindingInput): Finding {
  return {
    rule: f.rule,
    severity: f.severity,
    message: `${f.zh} / ${f.en}`,
    page: f.page ?? null,
    box: f.box ?? null,
    expected: f.expected ?? null,
    actual: f.actual ?? null,
    tableIndex: f.tableIndex ?? null,
  };
}

/** Where a table is: "表「一般公共预算支出预算表」第14页". */
export function tableRef(t: RecognizedTable): string {
  return `「${t.title || t.kind}」`;
}

export function groupBy<T, K>(xs: T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const arr = m.get(k);
    if (arr) arr.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Items of one table column (key + label identify a column; side-by-side groups have their own). */
export function columnsOf(t: RecognizedTable): Map<string, LineItem[]> {
  return groupBy(t.items, (it) => `${it.columnKey}|${it.columnLabel}`);
}

/** Han-character bigrams of a text (for loose text similarity). */
export function bigrams(s: string): Set<string> {
  const h = [...s].filter((c) => /\p{Script=Han}/u.test(c));
  const out = new Set<string>();
  for (let i = 0; i + 1 < h.length; i++) out.add(h[i] + h[i + 1]);
  return out;
}

/** Dice coefficient of two texts' Han bigrams (1 = same, 0 = nothing shared). */
export function dice(a: string, b: string): number {
  const A = bigrams(a), B = bigrams(b);
  if (A.size === 0 || B.size === 0) return a === b ? 1 : 0;
  let n = 0;
  for (const x of A) if (B.has(x)) n++;
  return (2 * n) / (A.size + B.size);
}
