// src/layout/tables.ts on hand-made pages: unruled tables by text alignment, ruled tables with
// their titles and notes, framed prose that stays narrative, and the settings that steer it.
import { describe, expect, it } from 'vitest';
import { layoutPage } from '../src/layout/tables.js';
import { ruledRegions } from '../src/layout/rules.js';
import { DEFAULT_LAYOUT_SETTINGS, layoutSettings, parseLayoutOverrides } from '../src/layout/settings.js';
import type { Grid } from '../src/types.js';
import { hRule, page, run, vRule } from './fixtures/grids.js';

const texts = (g: Grid) => g.cells.map((c) => `${c.row},${c.col}:${c.text}`);

describe('an unruled table found by text alignment', () => {
  // Three columns set apart by wide gaps, a title and a unit line above, a note below.
  const runs = [
    run('2024年部门支出预算表', 150, 20),
    run('单位：万元', 400, 40),
    run('项目', 50, 60), run('合计', 250, 60), run('基本支出', 350, 60),
    run('一般公共服务支出', 50, 80), run('1,234.56', 250, 80), run('1,000.00', 350, 80),
    run('教育支出', 50, 100), run('200.00', 250, 100), run('100.50', 350, 100),
    run('合计', 50, 120), run('1,434.56', 250, 120), run('1,100.50', 350, 120),
    run('注：本表不含上年结转。', 50, 150),
  ];
  const lay = layoutPage(page(3, runs));

  it('finds one grid of three columns with the header and three body rows', () => {
    expect(lay.grids).toHaveLength(1);
    const g = lay.grids[0];
    expect(g.ruled).toBe(false);
    expect(g.pages).toEqual([3]);
    expect([g.rows, g.cols]).toEqual([4, 3]);
    expect(texts(g)).toEqual([
      '0,0:项目', '0,1:合计', '0,2:基本支出',
      '1,0:一般公共服务支出', '1,1:1,234.56', '1,2:1,000.00',
      '2,0:教育支出', '2,1:200.00', '2,2:100.50',
      '3,0:合计', '3,1:1,434.56', '3,2:1,100.50',
    ]);
  });

  it('attaches the title and unit lines above and the note below', () => {
    const g = lay.grids[0];
    expect(g.titleLines.map((l) => l.text)).toEqual(['2024年部门支出预算表', '单位：万元']);
    expect(g.noteLines.map((l) => l.text)).toEqual(['注：本表不含上年结转。']);
  });

  it('leaves the table text out of the page lines', () => {
    expect(lay.lines.map((l) => l.text)).toEqual(['2024年部门支出预算表', '单位：万元', '注：本表不含上年结转。']);
  });

  it('does not take prose quoting figures for a table', () => {
    // Figures in sentences: a word space before them and 万元 right after.
    const prose = layoutPage(page(1, [
      run('本年收入预算', 50, 20), run('1,434.56', 113, 20), run('万元，比上年增加', 154, 20), run('34.56', 317, 20), run('万元。', 345, 20),
      run('其中基本支出', 50, 36), run('1,100.50', 113, 36), run('万元。', 154, 36),
    ]));
    expect(prose.grids).toEqual([]);
    expect(prose.lines).toHaveLength(2);
  });
});

describe('a ruled table with its title above and notes below', () => {
  // A 3-column ruled table (x 50–350, y 100–160); a paragraph far above is not its title.
  const rules = [hRule(100, 50, 350), hRule(120, 50, 350), hRule(140, 50, 350), hRule(160, 50, 350),
    vRule(50, 100, 160), vRule(150, 100, 160), vRule(250, 100, 160), vRule(350, 100, 160)];
  const runs = [
    run('一、部门概况', 50, -60),
    run('部门收入预算表', 120, 70),
    run('部门：某某局', 50, 86), run('单位：元', 300, 86),
    run('项目', 55, 105), run('合计', 155, 105), run('财政拨款', 255, 105),
    run('201 一般公共服务支出', 55, 125), run('500.00', 200, 125), run('500.00', 300, 125),
    run('合计', 55, 145), run('500.00', 200, 145), run('500.00', 300, 145),
    run('备注：无政府性基金收入。', 50, 170),
    run('说明：数据为年初预算。', 50, 186),
  ];
  const lay = layoutPage(page(2, runs, rules));

  it('finds the grid from its rules', () => {
    expect(lay.grids).toHaveLength(1);
    const g = lay.grids[0];
    expect(g.ruled).toBe(true);
    expect(g.box).toEqual([50, 100, 350, 160]);
    expect([g.rows, g.cols]).toEqual([3, 3]);
    expect(g.cells.find((c) => c.row === 1 && c.col === 0)!.text).toBe('201 一般公共服务支出');
  });

  it('takes the lines within reach above as title lines, nearest last, and the notes below', () => {
    const g = lay.grids[0];
    expect(g.titleLines.map((l) => l.text)).toEqual(['部门收入预算表', '部门：某某局单位：元']);
    expect(g.noteLines.map((l) => l.text)).toEqual(['备注：无政府性基金收入。', '说明：数据为年初预算。']);
  });

  it('reaches further up for a title with a larger titleReach', () => {
    const far = layoutPage(page(2, runs, rules), layoutSettings({ titleReach: 200 }));
    expect(far.grids[0].titleLines.map((l) => l.text)).toEqual(['一、部门概况', '部门收入预算表', '部门：某某局单位：元']);
  });
});

describe('one-column regions stay narrative', () => {
  it('a framed paragraph is not a table', () => {
    const rules = [hRule(100, 50, 450), hRule(150, 50, 450), vRule(50, 100, 150), vRule(450, 100, 150)];
    const runs = [run('本部门主要职责是负责本行政区域内的财政收支管理工作。', 55, 110), run('预算总额1,434.56万元。', 55, 130)];
    const lay = layoutPage(page(1, runs, rules));
    expect(lay.grids).toEqual([]);
    expect(lay.lines.map((l) => l.text)).toEqual(['本部门主要职责是负责本行政区域内的财政收支管理工作。', '预算总额1,434.56万元。']);
  });

  it('a lone underline or a small box is not a table region', () => {
    expect(ruledRegions([hRule(100, 50, 450)])).toEqual([]);
    // Two rules 10 pt apart: a box in prose, lower than minTableHeight.
    expect(ruledRegions([hRule(100, 50, 450), hRule(110, 50, 450)])).toEqual([]);
    expect(ruledRegions([hRule(100, 50, 450), hRule(110, 50, 450)], layoutSettings({ minTableHeight: 8 }))).toHaveLength(1);
  });
});

describe('a changed setting changes the result', () => {
  // A ruled table whose middle column rule is drawn twice, 3 pt apart (x 150 and 153).
  const rules = [hRule(100, 50, 350), hRule(120, 50, 350), hRule(140, 50, 350),
    vRule(50, 100, 140), vRule(150, 100, 140), vRule(153, 100, 140), vRule(250, 100, 140), vRule(350, 100, 140)];
  const runs = [
    run('项目', 55, 105), run('合计', 160, 105), run('基本支出', 260, 105),
    run('教育支出', 55, 125), run('12.00', 200, 125), run('10.00', 300, 125),
  ];

  it('snapTolerance decides whether two near rules are one column boundary', () => {
    expect(DEFAULT_LAYOUT_SETTINGS.snapTolerance).toBeLessThan(3);
    const apart = layoutPage(page(1, runs, rules)).grids[0];
    const snapped = layoutPage(page(1, runs, rules), layoutSettings({ snapTolerance: 4 })).grids[0];
    // Apart, the 3 pt sliver between the two rules is a (empty) column of its own.
    expect(apart.cols).toBe(4);
    expect(apart.cells.find((c) => c.text === '12.00')!.col).toBe(2);
    expect(snapped.cols).toBe(3);
    expect(snapped.cells.find((c) => c.text === '12.00')!.col).toBe(1);
    expect(texts(snapped)).toEqual(['0,0:项目', '0,1:合计', '0,2:基本支出', '1,0:教育支出', '1,1:12.00', '1,2:10.00']);
  });

  it('lineTolerance decides whether runs at slightly different heights share a line', () => {
    // An amount set 3 pt below its label (baseline shifted inside the cell), within 0.45 × 10 pt.
    const shifted = [run('项目', 50, 60), run('合计', 250, 60),
      run('教育支出', 50, 80), run('200.00', 250, 83), run('工资福利支出', 50, 100), run('100.00', 250, 103)];
    const one = layoutPage(page(1, shifted)).grids[0];
    expect(one.cells.filter((c) => c.row === 1).map((c) => c.text)).toEqual(['教育支出', '200.00']);
    const strict = layoutPage(page(1, shifted), layoutSettings({ lineTolerance: 0.2 })).grids;
    // Label and amount on lines of their own: no line holds an amount apart from text, so no table.
    expect(strict).toEqual([]);
  });
});

describe('layout settings', () => {
  it('takes overrides by name and refuses unknown names and bad values', () => {
    expect(layoutSettings({ snapTolerance: 4 })).toEqual({ ...DEFAULT_LAYOUT_SETTINGS, snapTolerance: 4 });
    expect(parseLayoutOverrides(['snapTolerance=4', 'minGutter=2.5'])).toEqual({ snapTolerance: 4, minGutter: 2.5 });
    expect(() => parseLayoutOverrides(['snapTolerence=4'])).toThrow(/unknown layout setting "snapTolerence"/);
    expect(() => parseLayoutOverrides(['snapTolerance=big'])).toThrow(/must be a number/);
    expect(() => parseLayoutOverrides(['snapTolerance'])).toThrow(/name=value/);
    expect(() => layoutSettings({ joinTolerance: -1 })).toThrow(/must be a number/);
  });
});
