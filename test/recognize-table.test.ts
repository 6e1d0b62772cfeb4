// src/recognize/table.ts on hand-made grids: column keys from header levels, split 类/款/项 codes,
// total rows, 万元 amounts to exact 分, and class rows named without a code.
import { describe, expect, it } from 'vitest';
import { bodyStart, buildColumnModel, recognizeTables } from '../src/recognize/table.js';
import { columnKey } from '../src/recognize/header.js';
import type { LineItem } from '../src/types.js';
import { gridOf } from './fixtures/grids.js';

const budget = { phase: 'budget' as const, defaultUnit: null };
const row = (i: LineItem) => [i.funcCode ?? i.econCode, i.label, i.columnKey, i.amountFen];

describe('column keys from a two-level header', () => {
  // 项目 | 合计 | 一般公共预算 (基本支出 | 项目支出): the fund group qualifies its leaves.
  const g = gridOf([
    [{ text: '项目', rowSpan: 2 }, { text: '合计', rowSpan: 2 }, { text: '一般公共预算', colSpan: 2 }, null],
    [null, null, '基本支出', '项目支出'],
    ['一般公共服务支出', '150.00', '100.00', '50.00'],
  ], { titles: ['部门支出预算表', '单位：元'] });

  it('reads the header rows into one key and label per column', () => {
    expect(bodyStart(g)).toBe(2);
    const model = buildColumnModel(g, 2);
    expect(model.specs.map((s) => [s.key, s.label, s.isAmount])).toEqual([
      ['name', '项目', false],
      ['total', '合计', true],
      ['general_budget_basic', '一般公共预算/基本支出', true],
      ['general_budget_project', '一般公共预算/项目支出', true],
    ]);
    expect(model.specs.filter((s) => s.isAmount).map((s) => s.labelCol)).toEqual([0, 0, 0]);
  });

  it('gives each amount its column key', () => {
    const [t] = recognizeTables([g], budget);
    expect(t.kind).toBe('expenditure');
    expect(t.items.map(row)).toEqual([
      ['201', '一般公共服务支出', 'total', 15_000],
      ['201', '一般公共服务支出', 'general_budget_basic', 10_000],
      ['201', '一般公共服务支出', 'general_budget_project', 5_000],
    ]);
  });

  it('drops a group header that stands over every amount column', () => {
    // 一般公共预算基本支出 over 合计 | 人员经费 | 公用经费 says what the table is, not what a column is.
    const basic = gridOf([
      [{ text: '科目编码', rowSpan: 2 }, { text: '科目名称', rowSpan: 2 }, { text: '一般公共预算基本支出', colSpan: 3 }, null, null],
      [null, null, '合计', '人员经费', '公用经费'],
      ['30101', '基本工资', '80.00', '80.00', '0.00'],
    ], { titles: ['一般公共预算基本支出表'] });
    const [t] = recognizeTables([basic], budget);
    expect(t.kind).toBe('general_budget_basic');
    expect(t.columns.map((c) => c.key)).toEqual(['code', 'name', 'total', 'personnel', 'public']);
    expect(t.items.map(row)).toEqual([
      ['30101', '基本工资', 'total', 8_000],
      ['30101', '基本工资', 'personnel', 8_000],
      ['30101', '基本工资', 'public', 0],
    ]);
  });
});

describe('codes, totals, units and class names', () => {
  // 类 | 款 | 项 printed in columns of their own, one 项 without its leading zero.
  const g = gridOf([
    ['类', '款', '项', '科目名称', '合计'],
    ['', '', '', '合计', '17,981.68'],
    ['208', '', '', '社会保障和就业支出', '17,981.65'],
    ['208', '05', '', '行政事业单位养老支出', '17,981.65'],
    ['208', '05', '05', '机关事业单位基本养老保险缴费支出', '17,000.00'],
    ['208', '5', '6', '机关事业单位职业年金缴费支出', '981.65'],
    ['', '', '', '十、住房保障支出', '0.03'],
  ], { titles: ['部门支出预算表', '单位：万元'] });
  const [t] = recognizeTables([g], budget);

  it('joins split 类/款/项 columns and pads a lost leading zero', () => {
    expect(t.columns.map((c) => c.key)).toEqual(['code', 'code', 'code', 'name', 'total']);
    expect(t.items.slice(1, 5).map((i) => i.funcCode)).toEqual(['208', '20805', '2080505', '2080506']);
  });

  it('reads a total row as an item without a code', () => {
    expect(row(t.items[0])).toEqual([null, '合计', 'total', 179_816_800_00]);
    expect(t.items[0].rowIndex).toBe(1);
  });

  it('reads 万元 amounts to exact 分', () => {
    expect(t.unit).toBe('万元');
    // 17,981.68 万元 = 179,816,800 元; 0.03 万元 = 300 元.
    expect(t.items.map((i) => [i.amountText, i.amountFen])).toEqual([
      ['17,981.68', 17_981_680_000], ['17,981.65', 17_981_650_000], ['17,981.65', 17_981_650_000],
      ['17,000.00', 17_000_000_000], ['981.65', 981_650_000], ['0.03', 30_000],
    ]);
    expect(t.items.every((i) => Number.isSafeInteger(i.amountFen))).toBe(true);
  });

  it('gives a class row named without a code its class code, ordinal stripped', () => {
    expect(row(t.items[5])).toEqual(['221', '住房保障支出', 'total', 30_000]);
  });

  it('takes the document unit when the table prints none', () => {
    const bare = gridOf([['项目', '合计'], ['教育支出', '1.5']], { titles: ['部门支出预算表'] });
    const [wan] = recognizeTables([bare], { phase: 'budget', defaultUnit: '万元' });
    expect([wan.unit, wan.items[0].amountFen, wan.items[0].funcCode]).toEqual(['万元', 1_500_000, '205']);
    const [yuan] = recognizeTables([bare], budget);
    expect([yuan.unit, yuan.items[0].amountFen]).toEqual([null, 150]);
  });
});

describe('economic codes split over 类 | 款', () => {
  it('pads the 款 and takes the economic system from the codes', () => {
    const g = gridOf([
      ['类', '款', '科目名称', '合计'],
      ['301', '', '工资福利支出', '500.00'],
      ['301', '01', '基本工资', '300.00'],
      ['301', '2', '津贴补贴', '200.00'],
    ], { titles: ['一般公共预算基本支出表', '单位：元'] });
    const [t] = recognizeTables([g], budget);
    expect(t.items.map((i) => [i.econCode, i.funcCode, i.amountFen])).toEqual([['301', null, 50_000], ['30101', null, 30_000], ['30102', null, 20_000]]);
  });
});

describe('三公 group headers', () => {
  it('a 合计 under a 三公 group is the 三公 total, with or without a year before the group', () => {
    expect(columnKey(['“三公”经费预算数', '合计'])).toBe('three_public');
    expect(columnKey(['2024年“三公”经费预算数', '合计'])).toBe('three_public');
    expect(columnKey(['2024年“三公”经费预算数', '公务用车购置及运行费', '购置费'])).toBe('vehicle_purchase');
    // Read by OCR, with marks and a stray digit in the words: the Han characters still name the column.
    expect(columnKey(['4“ 三公? 经费', '小计'], true)).toBe('three_public');
    expect(columnKey(['4“ 三公? 经费', '小计'])).toBe('total');
    expect(columnKey(['公务用:车购置及运行维护费'], true)).toBe('vehicles');
    expect(columnKey(['2024年机关运行经费预算数'])).toBe('operating_costs');
  });
});
