// The domain modules (src/domain/): row labels, department names, classification codes; and the
// recognition marking total rows with them.
import { describe, expect, it } from 'vitest';
import {
  isBlankLabel, isColumnTotalLabel, isColumnTotalRow, isSummaryTotalLabel, isTotalLabel, isTotalRow, normLabel, stripOrdinal, summaryTotalKind,
} from '../src/domain/rowLabels.js';
import { canonicalOrg, matchKey, sameOrg } from '../src/domain/departments.js';
import { ECON_CLASSES, FUNC_CLASSES, classCodeByName, codeOf, codeSystem, referenceNames } from '../src/domain/codes.js';
import { FUNC_REFERENCE } from '../src/domain/reference/func.js';
import { ECON_REFERENCE } from '../src/domain/reference/econ.js';
import { recognizeTables } from '../src/recognize/table.js';
import type { Box, Cell, Grid } from '../src/types.js';

describe('row labels', () => {
  // Total-row labels as the corpus prints them (Jiangsu, Shanghai and 达州 tables).
  const summaryGrand = ['总计', '收入总计', '支出总计', '收 入 总 计'];
  const summaryYear = ['收入合计', '支出合计', '本年收入合计', '本年支出合计', '当年收入小计', '当年支出小计', '本年收入', '本年支出'];

  it('isTotalLabel: any total or subtotal, spaces ignored', () => {
    for (const l of ['合计', '合  计', '总计', '小计', '收入总计', '支出总计', '本年收入合计', '本年支出合计', '当年收入小计', '本年支出小计']) {
      expect(isTotalLabel(l), l).toBe(true);
    }
    // Class rows, item rows and a summary's 本年收入 line (a total only in a summary) are not.
    for (const l of ['一般公共服务支出', '基本支出', '人员经费', '本年收入', '合计数', '']) expect(isTotalLabel(l), l).toBe(false);
  });

  it('isTotalRow: a total label without a code', () => {
    expect(isTotalRow('合计', null)).toBe(true);
    expect(isTotalRow('小计', null)).toBe(true);
    expect(isTotalRow('合计', '201')).toBe(false);
    expect(isTotalRow('一般公共服务支出', null)).toBe(false);
  });

  it('isColumnTotalLabel: 合计 or 总计 alone, after normLabel (ordinal, full-width, spaces)', () => {
    for (const l of ['合计', '总计', '合 计', '一、合计', '（一）总计']) expect(isColumnTotalLabel(l), l).toBe(true);
    for (const l of ['小计', '收入合计', '本年支出合计', '支出总计', '']) expect(isColumnTotalLabel(l), l).toBe(false);
    const item = (label: string, funcCode: string | null) => ({ label, funcCode, econCode: null });
    expect(isColumnTotalRow(item('合计', null))).toBe(true);
    expect(isColumnTotalRow(item('合计', '201'))).toBe(false);
    expect(isColumnTotalRow(item('小计', null))).toBe(false);
  });

  it('summaryTotalKind: the 总计 line vs the year 合计 line of a 收支总表', () => {
    for (const l of summaryGrand) expect(summaryTotalKind(l), l).toBe('grand');
    for (const l of summaryYear) expect(summaryTotalKind(l), l).toBe('year');
    // A plain 合计 is either in a summary: neither.
    for (const l of ['合计', '小计', '一般公共预算拨款收入', '基本支出']) expect(summaryTotalKind(l), l).toBeNull();
  });

  it('isSummaryTotalLabel: 合计 and every grand or year line, nothing else', () => {
    for (const l of ['合计', ...summaryGrand, ...summaryYear]) expect(isSummaryTotalLabel(l), l).toBe(true);
    for (const l of ['小计', '基本支出', '']) expect(isSummaryTotalLabel(l), l).toBe(false);
  });

  it('normalises labels and ordinals', () => {
    expect(stripOrdinal('八、社会保障和就业支出')).toBe('社会保障和就业支出');
    expect(stripOrdinal('1.5')).toBe('1.5'); // a decimal, not an ordinal
    expect(normLabel('（一） “三公”经费（类）')).toBe('三公经费(类)');
    expect(isBlankLabel(' ')).toBe(true);
    expect(isBlankLabel('一、')).toBe(true);
    expect(isBlankLabel('合计')).toBe(false);
  });
});

describe('department names', () => {
  const centre = '达州市人力资源和社会保障信息中心';
  const managementCentre = '达州市人力资源和社会保障信息管理中心';

  it('matchKey is strict: 信息中心 and 信息管理中心 stay two departments', () => {
    expect(matchKey(centre)).not.toBe(matchKey(managementCentre));
    expect(matchKey('中国共产党江苏省委员会办公厅')).toBe(matchKey('江苏省委办公厅'));
    expect(matchKey('江苏省人民代表大会常务委员会办公厅')).toBe(matchKey('江苏省人大办公厅'));
  });

  it('canonicalOrg and sameOrg are lenient: 信息中心 and 信息管理中心 are one organisation', () => {
    expect(canonicalOrg(centre)).toBe(canonicalOrg(managementCentre));
    expect(sameOrg(centre, managementCentre)).toBe(true);
    expect(sameOrg('省检察院', '江苏省人民检察院')).toBe(true);
    expect(sameOrg('上海市财政局', '上海市普陀区财政局')).toBe(false);
    expect(sameOrg('达州市职业技能鉴定指导中心', managementCentre)).toBe(false);
  });
});

describe('codes', () => {
  it('tells the classification from the code', () => {
    expect(codeSystem('2080505')).toBe('func');
    expect(codeSystem('30102')).toBe('econ');
    expect(codeSystem('501')).toBe('econ');
    expect(codeSystem('1234')).toBeNull();
    expect(codeOf({ funcCode: null, econCode: '30101' })).toBe('30101');
  });

  it('class names come from the reference, plus printed variants', () => {
    // Every reference class (类) name, any year, names its class.
    for (const [ref, classes, system] of [[FUNC_REFERENCE, FUNC_CLASSES, 'func'], [ECON_REFERENCE, ECON_CLASSES, 'econ']] as const) {
      for (const [code, names] of Object.entries(ref).filter(([c]) => c.length === 3)) {
        expect(classes[code].slice(0, names.length)).toEqual(names.map((n) => n.name));
        for (const n of names) expect(classCodeByName(n.name, system), n.name).toBe(code);
      }
      expect(Object.keys(classes).every((c) => c.length === 3 && c in ref)).toBe(true);
    }
    // An older wording that is no reference name still maps to its class; full-width brackets read as ASCII.
    expect(referenceNames('210', null)).not.toContain('医疗卫生支出');
    expect(classCodeByName('医疗卫生支出', 'func')).toBe('210');
    expect(classCodeByName('资本性支出（基本建设）', 'econ')).toBe('309');
    expect(classCodeByName('基本支出', 'func')).toBeNull();
  });

  it('reference names by year', () => {
    expect(referenceNames('210', 2018)).toEqual(['医疗卫生与计划生育支出']);
    expect(referenceNames('210', 2024)).toEqual(['卫生健康支出']);
    expect(referenceNames('9999999', 2024)).toEqual([]);
  });
});

describe('recognition marks total rows', () => {
  it('sets LineItem.isTotal on uncoded total rows only', () => {
    const rows: [string, string, string][] = [
      ['科目编码', '科目名称', '合计'],
      ['', '合计', '300.00'],
      ['201', '一般公共服务支出', '200.00'],
      ['20101', '人大事务', '200.00'],
      ['205', '教育支出', '100.00'],
      ['', '小计', '100.00'],
    ];
    const cells: Cell[] = rows.flatMap((r, row) => r.map((text, col) => ({
      row, col, rowSpan: 1, colSpan: 1, text, page: 1, box: [col * 100, row * 20, col * 100 + 100, row * 20 + 20] as Box, confidence: 1,
    }))).filter((c) => c.text !== '');
    const grid: Grid = {
      pages: [1], box: [0, 0, 300, 120], rows: rows.length, cols: 3, cells, ruled: true, source: 'pdf_text',
      titleLines: [{ text: '一般公共预算支出表', box: [0, -20, 300, 0], page: 1 }, { text: '单位：万元', box: [0, -10, 300, 0], page: 1 }], noteLines: [],
    };
    const [t] = recognizeTables([grid], { phase: 'budget', defaultUnit: null });
    const totals = t.items.filter((i) => i.isTotal).map((i) => i.label);
    expect(totals).toEqual(['合计', '小计']);
    expect(t.items.filter((i) => !i.isTotal).every((i) => codeOf(i) !== null)).toBe(true);
  });
});
