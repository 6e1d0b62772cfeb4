// Small fixtures for the pure functions of each stage.
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../src/extract/normalize.js';
import { rulesFromOperators, subpaths } from '../src/extract/pdf.js';
import { ruledRegions } from '../src/layout/rules.js';
import { buildGrid } from '../src/layout/grid.js';
import { toFen, parseUnit, isBlankAmount, fenToYuan } from '../src/domain/money.js';
import { joinCode, splitLeadingCode, classCodeByName, codeSystem } from '../src/domain/codes.js';
import { stripOrdinal } from '../src/domain/rowLabels.js';
import { tableKind } from '../src/recognize/kinds.js';
import { columnKey } from '../src/recognize/header.js';
import { departmentFromLine, documentMeta } from '../src/recognize/document.js';
import type { Rule, TextRun } from '../src/types.js';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

describe('normalize', () => {
  it('maps Kangxi radicals and full-width forms, removes spaces between Han characters', () => {
    expect(normalizeText('⼀般公共服务⽀出')).toBe('一般公共服务支出');
    expect(normalizeText('合 计')).toBe('合计');
    expect(normalizeText('１２３．４５')).toBe('123.45');
    expect(normalizeText('2024 年部门预算')).toBe('2024 年部门预算');
  });
});

describe('amounts', () => {
  it('parses exactly into fen with the unit applied', () => {
    expect(toFen('17,981.68', '万元')).toBe(17_981_680_000); // 179,816,800 元
    expect(toFen('0.03', '万元')).toBe(30_000); // 300 元
    expect(toFen('6,411,500.00', '元')).toBe(641_150_000);
    expect(toFen('-12.5', '元')).toBe(-1250);
    expect(toFen('(5.00)', '元')).toBe(-500);
    expect(toFen('1.234', '元')).toBeNull(); // finer than a fen
    expect(toFen('abc', '元')).toBeNull();
    expect(toFen('１,２３４.５', '元')).toBe(123_450);
  });
  it('knows blanks and units', () => {
    expect(isBlankAmount('—')).toBe(true);
    expect(isBlankAmount('-')).toBe(true);
    expect(isBlankAmount('0.00')).toBe(false);
    expect(parseUnit('部门:江苏省人民检察院单位:万元')).toBe('万元');
    expect(parseUnit('金额单位：元')).toBe('元');
    expect(fenToYuan(-1234567)).toBe('-12345.67');
  });
});

describe('codes', () => {
  it('joins split 类/款/项 and pads a lost leading zero', () => {
    expect(joinCode(['208', '05', '05'])).toBe('2080505');
    expect(joinCode(['301', '2'])).toBe('30102');
    expect(joinCode(['2080505'])).toBe('2080505');
    expect(joinCode(['合计'])).toBeNull();
  });
  it('splits a leading code from a label, not an amount', () => {
    expect(splitLeadingCode('2080505 机关事业单位基本养老保险缴费支出')).toEqual({ code: '2080505', rest: '机关事业单位基本养老保险缴费支出' });
    expect(splitLeadingCode('326.71').code).toBeNull();
    expect(splitLeadingCode('[201]一般公共服务支出').code).toBe('201');
  });
  it('strips ordinals and names classes', () => {
    expect(stripOrdinal('八、社会保障和就业支出')).toBe('社会保障和就业支出');
    expect(stripOrdinal('（一）基本支出')).toBe('基本支出');
    expect(stripOrdinal('1.一般公共预算')).toBe('一般公共预算');
    expect(classCodeByName('医疗卫生与计划生育支出', 'func')).toBe('210');
    expect(classCodeByName('商品和服务支出', 'econ')).toBe('302');
    expect(codeSystem('30102')).toBe('econ');
    expect(codeSystem('2010101')).toBe('func');
  });
});

describe('kinds and column keys', () => {
  it('maps title variants to one kind', () => {
    for (const t of ['部门收支总表', '部门财务收支预算总表', '一、收支预算总表', '2018年度江苏省高级人民法院收支预算总表']) expect(tableKind(t, 'budget')).toBe('budget_summary');
    expect(tableKind('九、一般公共预算基本支出预算表', 'budget')).toBe('general_budget_basic');
    expect(tableKind('一般公共预算“三公”经费支出预算表', 'budget')).toBe('three_public');
    expect(tableKind('财政拨款支出预算表(功能科目)', 'budget')).toBe('appropriation_expenditure');
    expect(tableKind('收入支出决算总表', 'final')).toBe('final_summary');
    expect(tableKind('一般公共预算财政拨款基本支出决算表', 'final')).toBe('final_general_budget_basic');
    expect(tableKind('政府采购支出预算表', 'budget')).toBe('other');
  });
  it('derives keys from header levels', () => {
    expect(columnKey(['合计'])).toBe('total');
    expect(columnKey(['基本支出', '人员经费'])).toBe('personnel');
    expect(columnKey(['一般公共预算拨款', '小计'])).toBe('general_budget');
    expect(columnKey(['一般公共预算拨款', '基本支出'])).toBe('general_budget_basic');
    expect(columnKey(['公务接待费', '决算数'])).toBe('official_reception');
    expect(columnKey(['“三公”经费', '公务用车购置及运行维护费', '小计'])).toBe('vehicles');
  });
});

describe('document meta', () => {
  it('reads the department from meta lines and the cover', () => {
    expect(departmentFromLine('部门:江苏省人民检察院单位:万元')).toBe('江苏省人民检察院');
    expect(departmentFromLine('编制单位：上海市财政局')).toBe('上海市财政局');
    const lines = [{ text: '2018年度江苏省高级', box: [0, 0, 1, 1] as [number, number, number, number], page: 1 }, { text: '人民法院预算公开', box: [0, 2, 1, 3] as [number, number, number, number], page: 1 }];
    expect(documentMeta({ lines, titles: [], deptLabels: [], fileName: 'x.pdf' })).toEqual({ phase: 'budget', year: 2018, department: '江苏省高级人民法院' });
  });
});

describe('pdfjs path decoding', () => {
  it('decodes moveTo/lineTo/close and finds rectangle edges and thin fills', () => {
    const rect = new Float32Array([0, 10, 10, 1, 110, 10, 1, 110, 60, 1, 10, 60, 4]);
    expect(subpaths(rect)).toHaveLength(1);
    const identity = [1, 0, 0, 1, 0, 0] as [number, number, number, number, number, number];
    const OPS = pdfjs.OPS;
    const stroked = rulesFromOperators([OPS.constructPath], [[OPS.stroke, [rect], null]], identity);
    expect(stroked).toHaveLength(4);
    const thin = new Float32Array([0, 10, 10, 1, 200, 10, 1, 200, 10.5, 1, 10, 10.5, 4]);
    const filled = rulesFromOperators([OPS.constructPath], [[OPS.fill, [thin], null]], identity);
    expect(filled).toEqual([{ x0: 10, x1: 200, y0: 10.25, y1: 10.25, width: 0.5 }]);
    // A clip path is not a line.
    expect(rulesFromOperators([OPS.constructPath], [[OPS.endPath, [rect], null]], identity)).toHaveLength(0);
    // The CTM applies: save, translate, restore.
    const moved = rulesFromOperators([OPS.save, OPS.transform, OPS.constructPath, OPS.restore], [[], [1, 0, 0, 1, 100, 0], [OPS.stroke, [rect], null], []], identity);
    expect(Math.min(...moved.map((r) => r.x0))).toBe(110);
  });
});

describe('grid from rules', () => {
  // A 3×3 ruled table whose header row spans the two amount columns.
  const H = (y: number, x0 = 0, x1 = 300): Rule => ({ x0, x1, y0: y, y1: y, width: 1 });
  const V = (x: number, y0 = 0, y1 = 90): Rule => ({ x0: x, x1: x, y0, y1, width: 1 });
  const rules = [H(0), H(30, 100, 300), H(60), H(90), V(0), V(100), V(200, 30, 90), V(300)];
  const run = (text: string, x0: number, y0: number): TextRun => ({ text, box: [x0, y0, x0 + 9 * text.length, y0 + 9], fontSize: 9 });
  it('finds the region, the cells and the spanning header', () => {
    const regions = ruledRegions(rules);
    expect(regions).toHaveLength(1);
    const g = buildGrid({ ...regions[0], runs: [run('项目', 10, 40), run('支出', 180, 10), run('基本', 110, 40), run('项目', 210, 40), run('合计', 10, 70), run('1.00', 150, 70), run('2.00', 250, 70)], page: 1 });
    expect(g.cols).toBe(3);
    const header = g.cells.find((c) => c.text === '支出')!;
    expect(header.colSpan).toBe(2);
    expect(g.cells.find((c) => c.text === '项目' && c.col === 0)!.rowSpan).toBe(2);
    expect(g.cells.find((c) => c.text === '2.00')!.col).toBe(2);
  });
});

describe('grid from text alignment', () => {
  const run = (text: string, x0: number, y0: number): TextRun => ({ text, box: [x0, y0, x0 + 4.5 * text.length + (/[\u4e00-\u9fff]/.test(text) ? 4.5 * text.length : 0), y0 + 9], fontSize: 9 });
  it('splits columns at gutters and keeps a header-only column at the right', () => {
    const runs = [
      run('项目', 10, 0), run('合计', 120, 0), run('上年结转', 200, 0),
      run('基本工资', 10, 20), run('163.53', 120, 20),
      run('津贴补贴', 10, 40), run('3.84', 129, 40),
    ];
    const g = buildGrid({ box: [0, -1, 260, 50], runs, h: [], v: [], page: 1 });
    expect(g.cols).toBe(3);
    expect(g.rows).toBe(3);
    expect(g.cells.find((c) => c.text === '上年结转')!.col).toBe(2);
    expect(g.cells.find((c) => c.text === '3.84')!.col).toBe(1);
  });
});
