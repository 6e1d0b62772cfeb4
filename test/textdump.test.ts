import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CELL_WIDTH, LINE_HEIGHT, parseTextDump } from '../src/extract/textdump.js';
import { normalizeText } from '../src/extract/normalize.js';
import type { Cell, Grid } from '../src/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DUMP = path.join(root, '../shared/corpus/text/达州市人力资源和社会保障信息中心2024年部门预算.txt');
const haveDump = existsSync(DUMP);

/** Cells of one row, by column. */
function rowOf(g: Grid, row: number): Map<number, string> {
  return new Map(g.cells.filter((c) => c.row === row).map((c) => [c.col, c.text]));
}

/** The row whose cell in `col` reads `text`. */
function findRow(g: Grid, col: number, label: string): Map<number, string> {
  const text = normalizeText(label);
  const cell = g.cells.find((c) => c.col === col && c.text === text);
  expect(cell, `no cell "${text}" in column ${col}`).toBeDefined();
  return rowOf(g, (cell as Cell).row);
}

function titled(grids: Grid[], title: string): Grid {
  const t = normalizeText(title);
  const g = grids.find((x) => x.titleLines.some((l) => l.text === t));
  expect(g, `no grid titled ${title}`).toBeDefined();
  return g as Grid;
}

// The titled tables of the dump, in order, counted by hand (第二部分, lines 76–380).
const TITLES = [
  '部门收支总表',
  '部门收入总表',
  '部门支出总表',
  '财政拨款收支预算总表',
  '财政拨款支出预算表',
  '一般公共预算支出预算表',
  '一般公共预算基本支出预算表',
  '一般公共预算项目支出预算表',
  '一般公共预算“三公”经费支出预算表',
  '政府性基金预算支出预算表',
  '政府性基金预算“三公”经费支出预算表',
  '国有资本经营预算支出预算表',
  '部门预算项目绩效目标表（2024 年度）',
  '整体支出绩效目标表',
];

describe.skipIf(!haveDump)('parseTextDump on the 达州 2024 dump', () => {
  const result = haveDump ? parseTextDump(readFileSync(DUMP, 'utf8')) : { grids: [], lines: [], pages: 0 };
  const { grids, lines } = result;

  it('finds the 14 titled tables, in order, as unruled text-dump grids on page 1', () => {
    expect(result.pages).toBe(1);
    expect(grids).toHaveLength(TITLES.length);
    grids.forEach((g, i) => {
      expect(g.titleLines.map((l) => l.text)).toContain(normalizeText(TITLES[i]));
      expect(g.source).toBe('text_dump');
      expect(g.ruled).toBe(false);
      expect(g.pages).toEqual([1]);
      for (const c of g.cells) {
        expect(c.page).toBe(1);
        expect(c.text).not.toBe('');
        expect(c.box[0]).toBe(c.col * CELL_WIDTH);
        expect(c.box[2]).toBe((c.col + 1) * CELL_WIDTH);
        expect(c.row).toBeLessThan(g.rows);
        expect(c.col).toBeLessThan(g.cols);
      }
    });
  });

  it('keeps 部门收支总表 whole across its blank line and reads the 本年收入合计 row', () => {
    const g = titled(grids, '部门收支总表');
    expect(g.cols).toBe(4);
    // 2 header lines + 31 body lines (十四 and 十五 are separated by a blank line in the dump).
    expect(g.rows).toBe(33);
    const r14 = findRow(g, 2, '十四、交通运输支出');
    const r15 = findRow(g, 2, '十五、资源勘探工业信息等支出');
    expect(r14).toBeDefined();
    expect(r15).toBeDefined();
    const total = findRow(g, 0, '本年收入合计');
    expect(total.get(1)).toBe('641.15');
    expect(total.get(2)).toBe('本年支出合计');
    expect(total.get(3)).toBe('641.15');
    // A row without amounts is a row of its own, not a wrapped label.
    const carry = findRow(g, 0, '七、上年结转');
    expect(carry.size).toBe(1);
    expect(g.noteLines.map((l) => l.text)).toEqual([normalizeText('备注：“上年结转”均无数据。')]);
  });

  it('reads 30101 基本工资 with its 类 and 款 codes in 一般公共预算基本支出预算表', () => {
    const g = titled(grids, '一般公共预算基本支出预算表');
    const row = findRow(g, 3, '基本工资');
    expect(row.get(0)).toBe('301');
    expect(row.get(1)).toBe('01');
    expect(row.get(2)).toBe('30101');
    expect(row.get(4)).toBe('163.53');
    expect(row.get(5)).toBe('163.53');
    expect(row.has(6)).toBe(false);
    // Header lines stay separate rows, columns aligned by tab index.
    expect(rowOf(g, 1).get(0)).toBe('科目编码');
    expect(rowOf(g, 2).get(0)).toBe('类');
    expect(rowOf(g, 2).get(1)).toBe('款');
  });

  it('gives the second table its title, 部门 and unit lines, nearest last', () => {
    const titles = grids[1].titleLines.map((l) => l.text);
    expect(titles).toContain(normalizeText('部门：达州市人力资源和社会保障信息管理中心'));
    expect(titles).toContain(normalizeText('金额单位：万元'));
    expect(titles).toEqual(
      ['表 1-1', '部门收入总表', '部门：达州市人力资源和社会保障信息管理中心', '金额单位：万元'].map(normalizeText),
    );
    // Cells with spaces inside wrapped header text are joined.
    expect(rowOf(grids[1], 0).get(4)).toBe('一般公共预算拨款收入');
    expect(rowOf(grids[1], 1).get(0)).toBe('单位代码');
  });

  it('joins a 年度目标 sentence split over two lines of the 项目绩效目标表', () => {
    const g = titled(grids, '部门预算项目绩效目标表（2024 年度）');
    const row = findRow(g, 1, '党建经费');
    expect(row.get(3)).toBe(normalizeText('提高预算编制质量，严格执行预算，保障单位日常运转。'));
    const welfare = findRow(g, 1, '福利费（事业）');
    expect(welfare.get(3)).toBe(normalizeText('提高预算编制质量，严格执行预算，保障单位正常运转。'));
    // The continuation line keeps its own indicator cells as the next row.
    expect(g.cells.some((c) => c.col === 3 && c.text === '位日常运转。')).toBe(false);
    expect(g.rows).toBe(18);
  });

  it('returns the narrative and headings as text lines, not table cells', () => {
    const texts = lines.map((l) => l.text);
    expect(texts).toContain('第二部分');
    expect(texts).toContain('达州市职业技能鉴定指导中心');
    expect(texts.some((t) => t.includes('占 85.66%'))).toBe(true);
    expect(texts.some((t) => t.includes('\t'))).toBe(false);
    expect(texts.some((t) => t.startsWith('本年收入合计'))).toBe(false);
    for (let i = 1; i < lines.length; i++) expect(lines[i].box[1]).toBeGreaterThan(lines[i - 1].box[1]);
  });
});

describe('parseTextDump on small fixtures', () => {
  it('merges a label wrapped above and below its amount line into one row', () => {
    const text = [
      '表 1-2',
      '部门支出总表',
      '金额单位：万元',
      '',
      '科目编码\t\t\t科目名称\t合计',
      '类\t款\t项\t\t',
      '\t\t\t机关事业单位基本养老',
      '208\t05\t05\t\t69.30',
      '\t\t\t保险缴费支出',
      '',
      '208\t05\t06\t机关事业单位职业年金缴费支出\t10.00',
      '\t\t\t七、上年结转\t',
      '\t\t\t合 计\t79.30',
      '',
      '备注：测试。',
      '这是正文。',
    ].join('\n');
    const { grids, lines, pages } = parseTextDump(text);
    expect(pages).toBe(1);
    expect(grids).toHaveLength(1);
    const g = grids[0];
    expect(g.rows).toBe(6); // 2 header rows, wrapped row, 职业年金, 七、上年结转, 合计
    const wrapped = findRow(g, 3, '机关事业单位基本养老保险缴费支出');
    expect([wrapped.get(0), wrapped.get(1), wrapped.get(2), wrapped.get(4)]).toEqual(['208', '05', '05', '69.30']);
    const cell = g.cells.find((c) => c.text === '机关事业单位基本养老保险缴费支出') as Cell;
    expect(cell.box).toEqual([3 * CELL_WIDTH, 7 * LINE_HEIGHT, 4 * CELL_WIDTH, 10 * LINE_HEIGHT]);
    expect(findRow(g, 3, '七、上年结转').size).toBe(1);
    expect(findRow(g, 3, '合计').get(4)).toBe('79.30');
    expect(g.titleLines.map((l) => l.text)).toEqual(['表 1-2', '部门支出总表', '金额单位:万元']);
    expect(g.noteLines.map((l) => l.text)).toEqual(['备注:测试。']);
    expect(lines.map((l) => l.text)).toEqual(['表 1-2', '部门支出总表', '金额单位:万元', '备注:测试。', '这是正文。']);
  });

  it('starts a new grid after a text line and keeps empty fields as column positions', () => {
    const text = ['表一', 'a\t\tb', '', '\t\t1.00', '中间标题', 'x\ty', '1\t2'].join('\n');
    const { grids } = parseTextDump(text);
    expect(grids).toHaveLength(2);
    expect(grids[0].rows).toBe(2);
    expect(grids[0].cells.map((c) => [c.row, c.col, c.text])).toEqual([
      [0, 0, 'a'],
      [0, 2, 'b'],
      [1, 2, '1.00'],
    ]);
    expect(grids[1].titleLines.map((l) => l.text)).toEqual(['中间标题']);
  });
});
