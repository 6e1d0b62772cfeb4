// `yusuan compare`: the common questions over the analysis views, grouped by department, year and
// phase, with amounts summed exactly (integers of 分) and printed in 元.
import type { Sql, SqlParam } from '../store/sql.js';
import { csvField } from './export.js';
import { fenToYuan } from '../domain/money.js';

export const BY_KEYS = ['department', 'year', 'phase'] as const;
export type ByKey = (typeof BY_KEYS)[number];

interface Measure {
  name: string;
  column: string; // a *_fen column of the view
}

export interface Question {
  name: string;
  summary: string;
  view: string;
  measures: Measure[];
  /** The view's code column, filtered by --code (required). */
  codeColumn?: string;
  /** A ratio of two measures, in per cent with two decimals. */
  ratio?: { name: string; numerator: string; denominator: string };
}

export const QUESTIONS: Question[] = [
  {
    name: 'three-public',
    summary: '“三公”经费: total, 因公出国(境), 公务用车 (购置 / 运行), 公务接待 (view three_public)',
    view: 'three_public',
    measures: [
      { name: 'three_public', column: 'three_public_fen' },
      { name: 'overseas_travel', column: 'overseas_travel_fen' },
      { name: 'vehicles', column: 'vehicles_fen' },
      { name: 'vehicle_purchase', column: 'vehicle_purchase_fen' },
      { name: 'vehicle_operation', column: 'vehicle_operation_fen' },
      { name: 'official_reception', column: 'official_reception_fen' },
    ],
  },
  {
    name: 'totals',
    summary: 'department expenditure totals: total / basic / project (view department_totals)',
    view: 'department_totals',
    measures: [
      { name: 'total', column: 'total_fen' },
      { name: 'basic', column: 'basic_fen' },
      { name: 'project', column: 'project_fen' },
    ],
  },
  {
    name: 'personnel-share',
    summary: 'personnel (301 + 303) share of basic expenditure (view basic_personnel_share)',
    view: 'basic_personnel_share',
    measures: [
      { name: 'basic', column: 'basic_fen' },
      { name: 'personnel', column: 'personnel_fen' },
    ],
    ratio: { name: 'personnel_pct', numerator: 'personnel', denominator: 'basic' },
  },
  {
    name: 'function',
    summary: 'expenditure of one 功能 code (--code 204): total / basic / project (view function_expenditure)',
    view: 'function_expenditure',
    codeColumn: 'func_code',
    measures: [
      { name: 'total', column: 'total_fen' },
      { name: 'basic', column: 'basic_fen' },
      { name: 'project', column: 'project_fen' },
    ],
  },
  {
    name: 'basic-econ',
    summary: 'basic expenditure of one 经济 code (--code 301): total / personnel / public (view basic_expenditure_by_econ)',
    view: 'basic_expenditure_by_econ',
    codeColumn: 'econ_code',
    measures: [
      { name: 'total', column: 'total_fen' },
      { name: 'personnel', column: 'personnel_fen' },
      { name: 'public', column: 'public_fen' },
    ],
  },
];

export interface CompareOptions {
  by: ByKey[];
  code?: string;
  department?: string;
  year?: number;
  phase?: 'budget' | 'final';
}

export interface CompareResult {
  columns: string[];
  /** Cells as printed: keys, amounts in 元 (exact), ratios and changes. null = no figure. */
  rows: (string | number | null)[][];
  /** The same amounts as integers of 分, by measure name, one map per row. */
  fen: Record<string, number | null>[];
  /** Columns holding numbers (right-aligned). */
  numeric: Set<string>;
}

/** Answer a question. Phase is always a grouping key unless --phase picks one (budget and final never mix). */
export async function compare(sql: Sql, questionName: string, opts: CompareOptions): Promise<CompareResult> {
  const q = QUESTIONS.find((x) => x.name === questionName);
  if (!q) throw new Error(`unknown question '${questionName}' (one of ${QUESTIONS.map((x) => x.name).join(', ')})`);
  if (q.codeColumn && !opts.code) throw new Error(`${q.name} needs --code`);
  const by = [...opts.by];
  if (!opts.phase && !by.includes('phase')) by.push('phase');

  const where: string[] = [];
  const args: SqlParam[] = [];
  if (q.codeColumn) {
    where.push(`${q.codeColumn} = ?`);
    args.push(opts.code!);
  }
  if (opts.department) {
    const ids = await departmentsNamed(sql, opts.department);
    where.push(ids.length ? `department_id IN (${ids.map(() => '?').join(', ')})` : '1 = 0');
    args.push(...ids);
  }
  // With --year, the years before it are read too (and dropped after): the change needs them.
  const yearKeyed = opts.year !== undefined && by.includes('year');
  if (opts.year !== undefined) {
    where.push(yearKeyed ? 'year <= ?' : 'year = ?');
    args.push(opts.year);
  }
  if (opts.phase) {
    where.push('phase = ?');
    args.push(opts.phase);
  }
  const raw = await sql.all<Record<string, string | number | null>>(`SELECT department, year, phase, ${q.measures.map((m) => m.column).join(', ')} FROM ${q.view}
    ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`, args);

  // Group and sum exactly.
  const groups = new Map<string, { keys: (string | number | null)[]; sums: (bigint | null)[] }>();
  for (const r of raw) {
    const keys = by.map((k) => r[k] ?? null);
    const id = JSON.stringify(keys);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys, sums: q.measures.map(() => null) }));
    q.measures.forEach((m, i) => {
      const v = r[m.column];
      if (v !== null && v !== undefined) g!.sums[i] = (g!.sums[i] ?? 0n) + BigInt(v);
    });
  }
  const cmp = (a: string | number | null, b: string | number | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  const sorted = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < by.length; i++) {
      const c = cmp(a.keys[i], b.keys[i]);
      if (c !== 0) return c;
    }
    return 0;
  });

  const columns: string[] = [...by, ...q.measures.map((m) => `${m.name}_yuan`)];
  const numeric = new Set(q.measures.map((m) => `${m.name}_yuan`));
  if (q.ratio) {
    columns.push(q.ratio.name);
    numeric.add(q.ratio.name);
  }
  // Year over year: the first measure against the previous year of the same other keys.
  const yearAt = by.indexOf('year');
  const withChange = yearAt >= 0;
  if (withChange) {
    columns.push('change_yuan', 'change_pct');
    numeric.add('change_yuan').add('change_pct');
  }

  const rows: CompareResult['rows'] = [];
  const fen: CompareResult['fen'] = [];
  const previous = new Map<string, { year: number; value: bigint | null }>();
  for (const g of sorted) {
    const row: (string | number | null)[] = [...g.keys, ...g.sums.map((s) => (s === null ? null : fenToYuan(s)))];
    if (q.ratio) {
      const num = g.sums[q.measures.findIndex((m) => m.name === q.ratio!.numerator)];
      const den = g.sums[q.measures.findIndex((m) => m.name === q.ratio!.denominator)];
      row.push(num === null || den === null || den === 0n ? null : percent(num, den));
    }
    if (withChange) {
      const other = JSON.stringify(g.keys.filter((_, i) => i !== yearAt));
      const prev = previous.get(other);
      const cur = g.sums[0];
      if (prev && prev.value !== null && cur !== null) {
        row.push(fenToYuan(cur - prev.value), prev.value === 0n ? null : percent(cur - prev.value, prev.value));
      } else row.push(null, null);
      previous.set(other, { year: g.keys[yearAt] as number, value: cur });
    }
    if (yearKeyed && g.keys[yearAt] !== opts.year) continue;
    rows.push(row);
    fen.push(Object.fromEntries(q.measures.map((m, i) => [m.name, g.sums[i] === null ? null : Number(g.sums[i])])));
  }
  return { columns, rows, fen, numeric };
}

/**
 * The departments whose name or one of whose aliases contains `part` (matched here: SQL has no
 * substring test both engines spell alike, and a LIKE pattern would read % and _ in a name).
 */
async function departmentsNamed(sql: Sql, part: string): Promise<number[]> {
  const names = await sql.all<{ id: number; name: string }>(
    'SELECT department_id AS id, alias AS name FROM department_aliases UNION SELECT id, name FROM departments');
  return [...new Set(names.filter((n) => n.name.includes(part)).map((n) => n.id))].sort((a, b) => a - b);
}

/** num/den in per cent, rounded half away from zero to 0.01, exactly (integers only). */
export function percent(num: bigint, den: bigint): string {
  const neg = num < 0n !== den < 0n && num !== 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  const hundredths = (n * 20000n + d) / (2n * d); // round(n/d × 10000)
  return `${neg ? '-' : ''}${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}`;
}

// ------------------------------------------------------------------------------------------------
// Output

/** Display width: East Asian wide and fullwidth characters count 2. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) || c === 0x201c || c === 0x201d
      ? 2 : 1;
  }
  return w;
}

const cell = (v: unknown, nullText: string): string => (v === null || v === undefined ? nullText : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * An aligned text table; numeric columns right-aligned. NULL is printed as `nullText` (blank by
 * default: compare's missing figures; `yusuan query` prints NULL to tell it from an empty string).
 */
export function formatTable(columns: string[], rows: unknown[][], numeric: Set<string> = new Set(), nullText = ''): string {
  const texts = rows.map((r) => r.map((v) => cell(v, nullText)));
  const widths = columns.map((c, i) => Math.max(displayWidth(c), ...texts.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(widths[i] - displayWidth(s));
    return numeric.has(columns[i]) ? fill + s : s + fill;
  };
  const lines = [columns.map(pad).join('  '), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of texts) lines.push(r.map(pad).join('  ').trimEnd());
  return lines.join('\n');
}

/** One JSON object per row (JSON Lines). */
export function formatJsonl(columns: string[], rows: unknown[][]): string {
  return rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]])))).join('\n');
}

export function formatCsv(columns: string[], rows: unknown[][]): string {
  return [columns.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n');
}
