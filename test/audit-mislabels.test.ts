// The mislabels and inconsistencies of issue 16 on the small consistent document
// (test/fixtures/audit/docs.ts): each test plants one and expects the finding that reports it; the
// unplanted document has none of these findings.
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../src/validate/index.js';
import { mentionFamily } from '../src/validate/rules/mentions.js';
import { leftoverFamily } from '../src/validate/rules/leftovers.js';
import { comparisonFamily } from '../src/validate/rules/comparisons.js';
import { retiredFamily } from '../src/validate/rules/retired.js';
import { codeAmountRule } from '../src/validate/rules/codetext.js';
import { noteFamily } from '../src/validate/rules/notes.js';
import { codeCellFamily } from '../src/validate/rules/codecells.js';
import { codeFamily } from '../src/validate/rules/codes.js';
import { documentMeta } from '../src/recognize/document.js';
import { recognizeTables } from '../src/recognize/table.js';
import type { DocumentResult, Finding, Grid, TextLine } from '../src/types.js';
import { sampleDoc, table, wan } from './fixtures/audit/docs.js';

const NEW_RULES = /^(mention\.|leftover\.|compare\.|code\.retired_name|code\.invalid_cell|narrative\.code_amount|note\.)/;
const line = (text: string, page = 1, y = 500): TextLine => ({ text, page, box: [0, y, 400, y + 10] });
const withLines = (texts: string[], mutate?: (d: DocumentResult) => void) => {
  const d = sampleDoc();
  d.narrative.push(...texts.map((t, i) => line(t, 2, 100 + i * 12)));
  mutate?.(d);
  return d;
};
const only = (fs: Finding[], rule: string) => fs.filter((f) => f.rule === rule);

describe('the consistent sample document', () => {
  it('has none of the new findings', () => {
    expect(validateDocument(sampleDoc()).filter((f) => NEW_RULES.test(f.rule))).toEqual([]);
  });
});

describe('1. department names where the document names itself', () => {
  it('flags a page header naming another unit, another level of the same name and a one-character variant', () => {
    const other = mentionFamily(withLines(['达州市财政局', '一、工作职责'], (d) => { d.narrative[d.narrative.length - 2].box = [0, 20, 400, 30]; }));
    expect(only(other, 'mention.department')).toMatchObject([{ severity: 'error', actual: '达州市财政局', expected: '达州市测试中心' }]);
    const d = sampleDoc();
    d.department = '上海市普陀区发展和改革委员会';
    d.narrative = [line('上海市普陀区发展和改革委员会2024年部门预算', 1), line('上海市发展和改革委员会', 3, 20), line('部门收支总表', 3, 40),
      line('上海市普陀区发展与改革委员会2024年收支预算总数100.00万元。', 4)];
    const fs = only(mentionFamily(d), 'mention.department');
    expect(fs.map((f) => [f.actual, f.page, f.severity])).toEqual([['上海市发展和改革委员会', 3, 'error'], ['上海市普陀区发展与改革委员会', 4, 'error']]);
    expect(fs[0].message).toContain('另一级');
    expect(fs[1].message).toContain('仅差一字');
  });

  it('in a sentence, another bureau one character off (教育局 / 体育局) is not taken for a misprint', () => {
    const d = sampleDoc();
    d.department = '上海市普陀区教育局';
    d.narrative = [line('上海市普陀区教育局2024年部门预算', 1), line('会同上海市普陀区体育局开展学生体育活动。', 4)];
    expect(mentionFamily(d)).toEqual([]);
  });

  it('leaves alone another unit named in passing, and the unit\'s own abbreviations', () => {
    const fs = mentionFamily(withLines(['根据达州市财政局2023年6月的通知，调增了会议费标准。', '测试中心2024年部门预算收支总数100.00万元。']));
    expect(only(fs, 'mention.department')).toEqual([]);
  });
});

describe('2. years that refer to the document itself', () => {
  it('flags 截至 a date of another year and 纳入本部门 another year, not comparisons', () => {
    const d = withLines(['截至2021年8月31日，达州市测试中心共有车辆3辆。', '纳入本部门2020年部门预算编制范围的单位包括：本级。', '比2023年预算增加10.00万元。', '截至2023年8月31日，共有车辆2辆。']);
    expect(only(mentionFamily(d), 'mention.year').map((f) => [f.actual, f.expected, f.severity])).toEqual([['2021', '2023', 'error'], ['2020', '2024', 'error']]);
  });

  it('in a final account, 截至 must be the year\'s 31 December', () => {
    const d = withLines(['截至2023年12月31日，达州市测试中心共有车辆0辆。', '截至2024年12月31日，共有车辆1辆。'], (x) => { x.phase = 'final'; });
    expect(only(mentionFamily(d), 'mention.year').map((f) => f.actual)).toEqual(['2023']);
  });
});

describe('3. comparison words against their figures', () => {
  it('flags 决算数大于预算数 where the final figure is smaller, a self-contradiction and a rate of a zero base', () => {
    const d = withLines([
      '1、行政运行（项）。年初预算为1,260.00万元，支出决算为1,200.50万元。决算数大于预算数的主要原因：增人。',
      '2、机关服务（项）。年初预算为10.00万元，支出决算为8.00万元。决算数小于预算数的主要原因：节约。',
      '政府性基金收入0万元，比上年增加356.20万元。',
      '3、其他支出（项）。年初预算为0万元，支出决算为9.64万元，完成年初预算的96.40%。',
    ]);
    const fs = comparisonFamily(d);
    expect(only(fs, 'compare.direction').map((f) => [f.page, f.severity, f.actual])).toEqual([[2, 'error', '决算数大于预算数'], [2, 'error', '0万元,比上年增加356.20万元']]);
    expect(only(fs, 'compare.zero_base')).toMatchObject([{ severity: 'error', actual: '96.40%' }]);
  });

  it('flags 增加 / 持平 stated for two amounts that say otherwise (no difference printed)', () => {
    const d = withLines(['会议费5.00万元，比上年6.00万元增加，主要原因是会议增多。', '培训费3.00万元，与上年3.00万元持平。', '办公费4.00万元，与上年3.50万元持平。']);
    expect(only(comparisonFamily(d), 'compare.direction').map((f) => [f.actual, f.expected])).toEqual([['增加', '减少'], ['持平', '增加']]);
  });
});

describe('4. a note under a table that speaks of another fund', () => {
  it('flags 无国有资本经营预算 under the 政府性基金 table, not its own note', () => {
    const d = sampleDoc();
    const ti = d.tables.findIndex((t) => t.kind === 'gov_fund_expenditure');
    d.tables[ti] = { ...d.tables[ti], pageStart: 5, pageEnd: 5, box: [0, 100, 500, 200] };
    d.narrative.push(line('注：本部门2024年无国有资本经营预算财政拨款安排的预算，故本表为空表。', 5, 210));
    expect(only(noteFamily(d), 'note.other_fund')).toMatchObject([{ severity: 'error', tableIndex: ti, page: 5 }]);
    d.narrative[d.narrative.length - 1].text = '注：本部门2024年无政府性基金预算财政拨款安排的预算，故本表为空表。';
    expect(noteFamily(d)).toEqual([]);
  });
});

describe('5. narrative amounts of code sentences against the tables', () => {
  it('flags 556.40万元 stated for a 项 whose table figure is 80.00万元 (and not the right figure)', () => {
    const text = (amt: string) => ['1.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)' + amt + '万元，主要用于缴纳养老保险。'];
    expect(codeAmountRule(withLines(text('80.00')))).toEqual([]);
    expect(codeAmountRule(withLines(text('800.00')))).toMatchObject([{ rule: 'narrative.code_amount', severity: 'error', actual: '800.00万元', expected: '80.00 万元' }]);
    // Codes printed in the brackets: 208类 05款 05项.
    expect(codeAmountRule(withLines(['社会保障和就业支出(208类)行政事业单位养老支出(05款)机关事业单位基本养老保险缴费支出(05项)8.00万元。']))).toHaveLength(1);
    // Another year's figure after the name is not this code's amount of the year.
    expect(codeAmountRule(withLines(['社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项):2023年预算数为70.00万元。']))).toEqual([]);
    expect(codeAmountRule(withLines(['社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项):2024年预算数为70.00万元。']))).toHaveLength(1);
  });
});

describe('6. leftovers of the template and of editing', () => {
  it('reports each kind once per document, listing where', () => {
    const fs = leftoverFamily(withLines([
      '（此处填写单位职能）', '政府性基金收入0万元，与上年相比增加（减少）0万元，增长（减少）0%。', '项目名称：信息化运维（新增）',
      '培训经费 万元，主要用于业务培训。', '本单位无此项支出，故本表为空表。本单位无此项支出，故本表为空表。',
    ]));
    expect(fs.map((f) => [f.rule, f.severity])).toEqual([
      ['leftover.instruction', 'error'], ['leftover.alternative', 'warning'], ['leftover.edit_mark', 'warning'],
      ['leftover.duplicate', 'warning'], ['leftover.missing_amount', 'warning'],
    ]);
    expect(fs[1].message).toContain('增加(减少)');
    expect(fs[1].message).toContain('增长(减少)');
  });

  it('leaves finished sentences alone', () => {
    expect(leftoverFamily(withLines(['政府性基金收入0万元，与上年持平。', '单位：万元', '（一）因公出国（境）费0万元。', '会议费（根据实际情况据实结算）。']))).toEqual([]);
    expect(leftoverFamily(withLines(['（根据实际情况说明）']))).toMatchObject([{ rule: 'leftover.instruction' }]);
  });
});

describe('7. classification names retired before the document\'s year', () => {
  it('flags 医疗卫生与计划生育支出 in a table and the narrative of a 2024 document, not of a 2018 one', () => {
    const d = withLines(['医疗卫生与计划生育支出（210类）行政事业单位医疗（11款）行政单位医疗（01项）5.00万元。']);
    d.tables[1].items.push({ ...d.tables[1].items[0], label: '医疗卫生与计划生育支出', funcCode: '210', rowIndex: 99, amountFen: wan('5.00'), amountText: '5.00' });
    const fs = retiredFamily(d);
    expect(fs.map((f) => [f.tableIndex, f.severity, f.expected])).toEqual([[1, 'error', '210 卫生健康支出'], [null, 'error', '210 卫生健康支出']]);
    // code.name_mismatch leaves it to this rule.
    expect(validateDocument(d).filter((f) => f.rule === 'code.name_mismatch')).toEqual([]);
    d.year = 2018;
    expect(retiredFamily(d)).toEqual([]);
    d.year = 2019;
    expect(retiredFamily(d).map((f) => f.severity)).toEqual(['warning', 'warning']);
  });
});

describe('8. a code-column cell that is not a valid code', () => {
  it('is kept by the recognizer and reported, one finding per table', () => {
    const cell = (row: number, col: number, text: string) => ({ row, col, rowSpan: 1, colSpan: 1, text, box: [col * 100, row * 20, col * 100 + 90, row * 20 + 18] as [number, number, number, number], page: 1, confidence: 1 });
    const grid: Grid = {
      pages: [1], box: [0, 0, 400, 100], rows: 4, cols: 3, ruled: true, source: 'pdf_text', titleLines: [line('一般公共预算支出预算表', 1, 0), line('单位：万元', 1, 0)], noteLines: [],
      cells: [cell(0, 0, '科目编码'), cell(0, 1, '科目名称'), cell(0, 2, '合计'),
        cell(1, 0, '208'), cell(1, 1, '社会保障和就业支出'), cell(1, 2, '80.00'),
        cell(2, 0, '2'), cell(2, 1, '住房保障支出'), cell(2, 2, '20.00'),
        cell(3, 0, '2080505'), cell(3, 1, '机关事业单位基本养老保险缴费支出'), cell(3, 2, '80.00')],
    };
    const [t] = recognizeTables([grid], { phase: 'budget', defaultUnit: '万元' });
    expect(t.rejectedCodes).toMatchObject([{ text: '2', label: '住房保障支出', rowIndex: 2 }]);
    const d = sampleDoc();
    d.tables = [{ ...t, items: t.items.map((it) => ({ ...it, tableIndex: 0 })) }];
    expect(codeCellFamily(d)).toMatchObject([{ rule: 'code.invalid_cell', severity: 'warning', tableIndex: 0, actual: '2' }]);
  });
});

describe('one root cause, one finding', () => {
  it('a run of renumbered codes (each row printed with the next code\'s name) is one finding listing its rows', () => {
    const d = sampleDoc();
    const basic = d.tables.findIndex((t) => t.kind === 'general_budget_basic');
    const rename: Record<string, string> = { '30101': '津贴补贴', '30102': '奖金', '30201': '印刷费', '30202': '咨询费' };
    for (const it of d.tables[basic].items) if (it.econCode && rename[it.econCode]) it.label = rename[it.econCode];
    const fs = codeFamily(d).filter((f) => f.rule === 'code.name_mismatch');
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ severity: 'error', tableIndex: basic, actual: '30101 津贴补贴 | 30102 奖金 | 30201 印刷费 | 30202 咨询费' });
    // Two rows swapped stay two findings.
    const e = sampleDoc();
    for (const it of e.tables[basic].items) if (it.econCode === '30201') it.label = '印刷费'; else if (it.econCode === '30202') it.label = '办公费';
    expect(codeFamily(e).filter((f) => f.rule === 'code.name_mismatch')).toHaveLength(2);
  });
});

describe('9. a part larger than its whole in project tables', () => {
  it('flags one funding source above the project\'s total', () => {
    const d = sampleDoc();
    d.tables.push(table('project_performance', '项目支出绩效目标表', [['total', '资金总额'], ['general_budget', '财政拨款'], ['other_income', '其他资金']], [
      { label: '信息化运维', cells: { total: '50.00', general_budget: '60.00', other_income: '0.00' } },
      { label: '业务培训', cells: { total: '20.00', general_budget: '20.00' } },
    ]));
    d.tables.at(-1)!.items.forEach((it) => { it.tableIndex = d.tables.length - 1; });
    expect(comparisonFamily(d)).toMatchObject([{ rule: 'compare.part_exceeds_whole', severity: 'error', actual: '60.00 万元', tableIndex: d.tables.length - 1 }]);
  });
});

describe('10. documents without tables', () => {
  it('read department and year from the cover lines', () => {
    const lines = ['江苏省委办公厅', '2017年部门预算', '目录', '第一部分 部门概况'].map((t, i) => line(t, 1, i * 20));
    expect(documentMeta({ lines, titles: [], deptLabels: [], fileName: 'a.pdf' })).toEqual({ phase: 'budget', year: 2017, department: '江苏省委办公厅' });
  });

  it('or from the first lines after a bare cover, or else the file name', () => {
    const lines = [line('部门预算公开', 1, 0), line('目录', 2, 0), line('第一部分 江苏省政协办公厅2018年度部门预算情况说明', 3, 0)];
    expect(documentMeta({ lines, titles: [], deptLabels: [], fileName: 'x.pdf' })).toMatchObject({ year: 2018, department: '江苏省政协办公厅' });
    const bare = [line('部门预算公开', 1, 0), line('一、部门职责', 2, 0)];
    expect(documentMeta({ lines: bare, titles: [], deptLabels: [], fileName: '江苏省委办公厅2017年部门预算.pdf' })).toMatchObject({ year: 2017, department: '江苏省委办公厅' });
  });
});
