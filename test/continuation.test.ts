// src/layout/continuation.ts on hand-made grids: tables running over pages (with and without their
// header repeated), titles printed at the foot of a page, and new tables that are not continuations.
import { describe, expect, it } from 'vitest';
import { carryFootTitle, gridTitle, markContinuations } from '../src/layout/continuation.js';
import { recognizeTables } from '../src/recognize/table.js';
import type { Grid } from '../src/types.js';
import { gridOf, textLine } from './fixtures/grids.js';

const HEADER = ['科目编码', '科目名称', '合计'];
const TITLE = '部门支出预算表';

/** The first part: a titled table at the foot of page 1. */
const firstPart = () => gridOf([HEADER, ['201', '一般公共服务支出', '100.00'], ['20101', '人大事务', '60.00']], { page: 1, top: 500, titles: [TITLE, '单位：元'] });
/** A grid at the top of page `page`, with its header repeated or not, and the given title lines. */
const nextPart = (page: number, o: { header?: boolean; titles?: string[] } = {}) =>
  gridOf([...(o.header ? [HEADER] : []), ['20102', '政协事务', '40.00']], { page, top: 80, titles: o.titles });

const ctx = { phase: 'budget' as const, defaultUnit: null };

describe('markContinuations', () => {
  it('joins an untitled table at the top of the next page to the table before it', () => {
    const grids = [firstPart(), nextPart(2)];
    markContinuations(grids);
    expect(grids[1].continuationOf).toBe(0);
    const [t] = recognizeTables(grids, ctx);
    expect([t.pageStart, t.pageEnd]).toEqual([1, 2]);
    expect(t.items.map((i) => [i.funcCode, i.label, i.amountFen, i.rowIndex, i.page])).toEqual([
      ['201', '一般公共服务支出', 10_000, 1, 1],
      ['20101', '人大事务', 6_000, 2, 1],
      ['20102', '政协事务', 4_000, 3, 2],
    ]);
  });

  it('joins it when the header is repeated, and the repeated header gives no line items', () => {
    const grids = [firstPart(), nextPart(2, { header: true })];
    markContinuations(grids);
    expect(grids[1].continuationOf).toBe(0);
    const [t] = recognizeTables(grids, ctx);
    expect(t.items.map((i) => [i.funcCode, i.amountFen, i.page])).toEqual([['201', 10_000, 1], ['20101', 6_000, 1], ['20102', 4_000, 2]]);
    expect(t.items.some((i) => i.label === '科目名称')).toBe(false);
  });

  it('joins a part that repeats the title with (续), and points every later part at the first', () => {
    const grids = [firstPart(), nextPart(2, { titles: [`${TITLE}（续）`] }), nextPart(3)];
    markContinuations(grids);
    expect(grids.map((g) => g.continuationOf)).toEqual([undefined, 0, 0]);
  });

  it('does not join a new titled table, a second table on a page, or a table after a page gap', () => {
    const titled = [firstPart(), nextPart(2, { titles: ['部门基本支出预算表'] })];
    markContinuations(titled);
    expect(titled[1].continuationOf).toBeUndefined();
    expect(recognizeTables(titled, ctx)).toHaveLength(2);

    const second = [firstPart(), gridOf([['项目', '合计'], ['合计', '1.00']], { page: 2, top: 80, titles: ['部门收入预算表'] }), nextPart(2)];
    markContinuations(second);
    expect(second.map((g) => g.continuationOf)).toEqual([undefined, undefined, undefined]);

    const gap = [firstPart(), nextPart(3)];
    markContinuations(gap);
    expect(gap[1].continuationOf).toBeUndefined();
  });
});

describe('carryFootTitle', () => {
  // Page 1 ends with the first part, then the next table's title and the page number.
  const page1 = (first: Grid) => ({ grids: [first], lines: [...first.titleLines, textLine('部门基本支出预算表', 1, 700), textLine('- 3 -', 1, 800)] });

  it('gives a title at the page foot to the next page\'s first table, which then starts a new table', () => {
    const a = firstPart(), b = nextPart(2);
    const pending = carryFootTitle(undefined, page1(a), 1);
    expect(pending?.page).toBe(1);
    expect(pending?.lines.map((l) => l.text)).toEqual(['部门基本支出预算表']);
    expect(carryFootTitle(pending, { grids: [b], lines: [] }, 2)).toBeUndefined();
    expect(gridTitle(b)).toBe('部门基本支出预算表');
    const grids = [a, b];
    markContinuations(grids);
    expect(b.continuationOf).toBeUndefined();
  });

  it('without the foot title the same table is a continuation', () => {
    const a = firstPart(), b = nextPart(2);
    carryFootTitle(carryFootTitle(undefined, { grids: [a], lines: [...a.titleLines] }, 1), { grids: [b], lines: [] }, 2);
    markContinuations([a, b]);
    expect(b.continuationOf).toBe(0);
  });

  it('keeps a table\'s own title, and carries nothing over a page without tables', () => {
    const a = firstPart();
    const titled = nextPart(2, { titles: ['部门收入预算表'] });
    carryFootTitle(carryFootTitle(undefined, page1(a), 1), { grids: [titled], lines: [] }, 2);
    expect(titled.titleLines.map((l) => l.text)).toEqual(['部门收入预算表']);

    const late = nextPart(3);
    carryFootTitle(carryFootTitle(undefined, page1(firstPart()), 1), { grids: [late], lines: [] }, 3);
    expect(late.titleLines).toEqual([]);
  });
});

describe('gridTitle', () => {
  it('takes the nearest title line above, and joins a title wrapped over two lines', () => {
    expect(gridTitle(gridOf([['a']], { titles: ['部门收入预算表', '单位：元'] }))).toBe('部门收入预算表');
    expect(gridTitle(gridOf([['a']], { titles: ['2024年某某厅一般公共预算基本支出预', '算表'] }))).toBe('2024年某某厅一般公共预算基本支出预算表');
    expect(gridTitle(gridOf([['a']], { titles: ['单位：元'] }))).toBeNull();
  });
});
