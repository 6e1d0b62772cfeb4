// Two tables on one page, the second starting halfway down under the first: its code column must be
// read as its own (every row its full 类/款/项 code), never through the first table's columns.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { ruledRegions } from '../src/layout/rules.js';
import { DEFAULT_LAYOUT_SETTINGS } from '../src/layout/settings.js';
import type { RecognizedTable } from '../src/types.js';
import { corpusDir } from '../bench/paths.js';
import { FUNCTION_ROWS, TOTAL, twoTablesPdf, type CodeLayout, type Ruling } from './fixtures/two-tables.js';
import { hRule, vRule } from './fixtures/grids.js';

/** A framed box of `rows` rows 20 pt high with one inner vertical, from `top`. */
const lattice = (top: number, rows: number) => [
  ...Array.from({ length: rows + 1 }, (_, i) => hRule(top + 20 * i, 50, 450)),
  vRule(50, top, top + 20 * rows), vRule(200, top, top + 20 * rows), vRule(450, top, top + 20 * rows),
];

describe('ruled regions of stacked tables', () => {
  const gap = DEFAULT_LAYOUT_SETTINGS.stackMaxGap - 3; // a title and a 单位 line between them
  it('keeps two framed tables apart however close they are', () => {
    const regions = ruledRegions([...lattice(100, 3), ...lattice(160 + gap, 3)]);
    expect(regions).toHaveLength(2);
  });
  it('still stacks row rules without verticals into one table', () => {
    const rules = [hRule(100, 50, 450), hRule(120, 50, 450), hRule(120 + gap, 50, 450), hRule(140 + gap, 50, 450)];
    expect(ruledRegions(rules)).toHaveLength(1);
  });
  it('still stacks a body of row rules under a framed header', () => {
    const rules = [...lattice(100, 1), hRule(120 + gap, 50, 450), hRule(140 + gap, 50, 450)];
    expect(ruledRegions(rules)).toHaveLength(1);
  });
  it('does not stack row rules across a table title', () => {
    const rules = [hRule(100, 50, 450), hRule(120, 50, 450), hRule(120 + gap, 50, 450), hRule(140 + gap, 50, 450)];
    expect(ruledRegions(rules, DEFAULT_LAYOUT_SETTINGS, [130])).toHaveLength(2);
  });
});

const coded = (t: RecognizedTable) => t.items.filter((x) => x.columnKey === 'total' && !x.isTotal);

const VARIANTS: [CodeLayout, Ruling, number][] = (['joined', 'split'] as const).flatMap((codes) => [
  [codes, 'lattice', 0], [codes, 'lattice', 30], [codes, 'rows', 0], [codes, 'none', 0],
] as [CodeLayout, Ruling, number][]);

describe('generated page, two tables', () => {
  it.each(VARIANTS)('%s code columns, %s rules, %i pt above the second title: every row its full code', async (codes, ruling, gap) => {
    const r = await processFile(`two-tables-${codes}.pdf`, new Uint8Array(twoTablesPdf(codes, gap, ruling)));
    expect(r.status).toBe('ok');
    expect(r.tables.map((t) => t.kind)).toEqual(['appropriation_summary', 'appropriation_expenditure']);
    const [summary, fn] = r.tables;
    // The first table keeps only its own rows.
    expect(summary.items.every((x) => x.funcCode === null)).toBe(true);
    expect(summary.items.map((x) => x.amountText)).not.toContain(FUNCTION_ROWS[0][2]);
    const rows = coded(fn).map((x) => [x.funcCode, x.label, x.amountText]);
    expect(rows).toEqual(FUNCTION_ROWS.map(([code, name, total]) => [code, name, total]));
    expect(fn.items.find((x) => x.isTotal)?.amountText).toBe(TOTAL[0]);
    expect(fn.items.filter((x) => x.columnKey === 'basic' && x.funcCode?.length === 7).map((x) => x.amountText)).toEqual(
      FUNCTION_ROWS.filter(([code, , , basic]) => code.length === 7 && basic).map(([, , , basic]) => basic));
  });
});

const REAL_PAGE = path.join(corpusDir(), 'real/jiangsu/江苏省高级人民法院/省法院2017年度部门预算公开.pdf');

describe.skipIf(!fs.existsSync(REAL_PAGE))('real page with three tables (省法院 2017, page 13)', () => {
  // The 财政拨款支出预算表 starts under the 财政拨款收支预算总表, 55 pt below its bottom rule. A
  // stackMaxGap above that stands for a document set more tightly: the tables must stay apart.
  it.each([DEFAULT_LAYOUT_SETTINGS.stackMaxGap, 60])('reads the second table with its own codes (stackMaxGap %i)', async (stackMaxGap) => {
    const r = await processFile(REAL_PAGE, new Uint8Array(fs.readFileSync(REAL_PAGE)), { layout: { stackMaxGap } });
    const fn = r.tables.find((t) => t.kind === 'appropriation_expenditure');
    expect(fn?.pageStart).toBe(13);
    const items = coded(fn!);
    expect(items.length).toBeGreaterThan(10);
    expect(items.every((x) => x.funcCode !== null)).toBe(true);
    const lengths = new Set(items.map((x) => x.funcCode!.length));
    expect([...lengths].sort()).toEqual([3, 5, 7]);
    const onPage = r.tables.filter((t) => t.pageStart === 13).map((t) => t.kind);
    expect(onPage).toEqual(['expenditure', 'appropriation_summary', 'appropriation_expenditure']);
  });
});
