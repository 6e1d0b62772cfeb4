// The audit's rules on a small consistent document (test/fixtures/audit/docs.ts): each test plants one
// error and expects the finding that reports it, at its place; the unplanted document has no finding.
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../src/validate/index.js';
import { oneEditApart, PLACEHOLDER } from '../src/validate/rules/header.js';
import { canonicalOrg, sameOrg } from '../src/domain/departments.js';
import { fenPerUnit, fmtAmount, printedCent } from '../src/domain/money.js';
import { referenceNames } from '../src/domain/codes.js';
import { openStore } from '../src/store/open.js';
import { rawDb } from './fixtures/store.js';
import { writeDocument } from '../src/store/write.js';
import { auditDatabase, formatMarkdown, formatText, saveFindings } from '../src/analyze/audit.js';
import { readDocument } from '../src/store/read.js';
import type { DocumentResult, Finding } from '../src/types.js';
import { sampleDoc, wan } from './fixtures/audit/docs.js';
import { resolveDocuments } from '../src/cli/documents.js';

const rules = (fs: Finding[], sev?: string) => fs.filter((f) => !sev || f.severity === sev).map((f) => f.rule);
const run = (mutate: (d: DocumentResult) => void) => {
  const d = sampleDoc();
  mutate(d);
  return validateDocument(d);
};
const item = (d: DocumentResult, ti: number, code: string | null, key = 'total') =>
  d.tables[ti].items.find((i) => (i.funcCode ?? i.econCode ?? null) === code && i.columnKey === key && (code !== null || i.label === '合计'))!;
const setAmount = (d: DocumentResult, ti: number, code: string | null, key: string, text: string) => {
  const it = item(d, ti, code, key);
  it.amountText = text;
  it.amountFen = wan(text);
};

describe('units and amounts', () => {
  it('knows one printed 分 of every unit, 亿元 included', () => {
    expect(printedCent('元')).toBe(1);
    expect(printedCent('万元')).toBe(10_000);
    expect(printedCent('亿元')).toBe(100_000_000);
    expect(fenPerUnit('千元')).toBe(100_000);
    expect(fmtAmount(641_150_000, '万元')).toBe('641.15 万元');
    expect(fmtAmount(641_145_000, '万元')).toBe('641.15 万元'); // half a printed 分 rounds away from zero
    expect(fmtAmount(-1234, '元')).toBe('-12.34 元');
  });
});

describe('a consistent document', () => {
  it('has no finding', () => {
    expect(validateDocument(sampleDoc())).toEqual([]);
  });
});

describe('sums within a table', () => {
  it('reports a 款 that no longer adds up, and rounding as info', () => {
    const fs = run((d) => setAmount(d, 3, '30101', 'total', '61.00'));
    const f = fs.find((x) => x.rule === 'sum.code_hierarchy' && x.severity === 'error');
    expect(f).toMatchObject({ tableIndex: 3, expected: '91.00 万元', actual: '90.00 万元' });
    const r = run((d) => setAmount(d, 3, '30101', 'total', '60.01'));
    expect(r.filter((x) => x.rule === 'sum.code_hierarchy').map((x) => x.severity)).toEqual(['info']);
  });
  it('reports a 合计 row unequal to its class rows', () => {
    const fs = run((d) => setAmount(d, 2, null, 'total', '101.00'));
    expect(fs.find((x) => x.rule === 'sum.total_row')).toMatchObject({ severity: 'error', tableIndex: 2, expected: '100.00 万元', actual: '101.00 万元' });
  });
  it('reports total ≠ basic + project and basic ≠ personnel + public on a row', () => {
    const a = run((d) => setAmount(d, 1, '2080505', 'basic', '70.00'));
    expect(a.some((x) => x.rule === 'sum.row_parts' && x.severity === 'error' && x.tableIndex === 1)).toBe(true);
    const b = run((d) => setAmount(d, 3, null, 'personnel', '80.00'));
    expect(b.some((x) => x.rule === 'sum.row_parts' && x.tableIndex === 3 && x.expected === '90.00 万元')).toBe(true);
  });
});

describe('across tables', () => {
  it('reports summary vs expenditure per class, and income ≠ expenditure', () => {
    const fs = run((d) => setAmount(d, 0, '221', 'total', '25.00'));
    expect(fs.find((x) => x.rule === 'cross.summary_vs_expenditure' && x.severity === 'error')).toMatchObject({ tableIndex: 0, expected: '20.00 万元', actual: '25.00 万元' });
    const g = run((d) => { const it = d.tables[0].items.find((i) => i.label === '支出总计')!; it.amountFen = wan('99.00'); it.amountText = '99.00'; });
    expect(rules(g, 'error')).toContain('cross.income_vs_expenditure');
  });
  it('names the other funds when the summary covers more than the general budget', () => {
    const fs = run((d) => {
      d.tables[0].items.push({ ...d.tables[0].items[0], label: '其他收入', amountFen: wan('5.00'), amountText: '5.00', rowIndex: 9 });
      setAmount(d, 0, '221', 'total', '25.00');
      for (const l of ['收入总计', '支出总计']) { const it = d.tables[0].items.find((i) => i.label === l)!; it.amountFen = wan('105.00'); it.amountText = '105.00'; }
    });
    const f = fs.find((x) => x.rule === 'cross.summary_vs_expenditure' && x.message.includes('一般公共预算支出预算表'));
    expect(f?.severity).toBe('info');
    expect(f?.message).toContain('其他收入 5.00');
  });
  it('reports a general-budget amount above the all-funds table, and the basic total against the summary', () => {
    const fs = run((d) => setAmount(d, 2, '208', 'total', '85.00'));
    expect(fs.some((x) => x.rule === 'cross.expenditure_vs_general_budget' && x.severity === 'error' && x.tableIndex === 2)).toBe(true);
  });
  it('reports a 三公 figure below the economic code that carries the same money', () => {
    const fs = run((d) => {
      const b = d.tables[3];
      b.items.push({ ...b.items.find((i) => i.econCode === '30201' && i.columnKey === 'total')!, econCode: '30217', label: '公务接待费', amountFen: wan('2.00'), amountText: '2.00', rowIndex: 20 });
    });
    expect(fs.find((x) => x.rule === 'cross.three_public_vs_econ')).toMatchObject({ severity: 'error', tableIndex: 4 });
  });
});

describe('headers and labels', () => {
  it('treats aliases of one organisation as the same and other units as different', () => {
    expect(sameOrg('达州市人力资源和社会保障信息中心', '达州市人力资源和社会保障信息管理中心')).toBe(true);
    expect(sameOrg('市人力资源社会保障信息中心', '达州市人力资源和社会保障信息管理中心')).toBe(true);
    expect(sameOrg('中国共产党江苏省委员会办', '中共江苏省委办公厅')).toBe(true);
    expect(sameOrg('江苏省委办公厅', '中共江苏省委办公厅')).toBe(true);
    expect(sameOrg('省人大办公厅', '江苏省人大常委会办公厅')).toBe(true);
    expect(sameOrg('省检察院', '江苏省人民检察院')).toBe(true);
    expect(sameOrg('达州市职业技能鉴定指导中心', '达州市人力资源和社会保障信息管理中心')).toBe(false);
    expect(sameOrg('达州市人力资源和社会保障局本级', '达州市人力资源和社会保障信息管理中心')).toBe(false);
    expect(sameOrg('上海市财政局', '上海市普陀区财政局')).toBe(false);
    expect(sameOrg('江苏省委办公厅', '江苏省人大常委会办公厅')).toBe(false);
    expect(sameOrg('江苏省政协办公厅', '中国人民政治协商会议江苏省委员会办公厅')).toBe(true);
    expect(canonicalOrg('中国人民政治协商会议江苏省委员会办公厅')).toBe('江苏省政协办公厅');
    expect(PLACEHOLDER.test('XX局')).toBe(true);
  });
  it('reports a table header naming another unit, a placeholder, a section heading and a wrong year', () => {
    const a = run((d) => { d.tables[2].departmentLabel = '达州市职业技能鉴定指导中心'; });
    expect(a.find((x) => x.rule === 'header.department_mismatch')).toMatchObject({ tableIndex: 2, actual: '达州市职业技能鉴定指导中心', expected: '达州市测试中心' });
    const b = run((d) => { d.tables[1].departmentLabel = 'XX局'; });
    expect(b.find((x) => x.rule === 'header.department_placeholder')).toMatchObject({ tableIndex: 1, actual: 'XX局' });
    const c = run((d) => { d.narrative[11].text = '第二部分'; d.narrative.splice(12, 0, { ...d.narrative[11], text: '达州市职业技能鉴定指导中心' }, { ...d.narrative[11], text: '2024年部门预算表' }); });
    expect(c.find((x) => x.rule === 'header.department_mismatch')).toMatchObject({ tableIndex: null, page: 1, actual: '达州市职业技能鉴定指导中心' });
    const e = run((d) => { d.tables[3].title = '2023年一般公共预算基本支出预算表'; d.tables[3].year = 2023; });
    expect(e.find((x) => x.rule === 'header.year_mismatch')).toMatchObject({ tableIndex: 3, expected: '2024', actual: '2023' });
    const y = run((d) => { d.narrative[12].text = '测试中心2024年收支预算总数100.00万元，比2024年预算增加10.00万元。'; });
    expect(rules(y)).toContain('narrative.year_reference');
  });
  it('reports a department name one character off on an OCR page as a probable misreading, not an error', () => {
    expect(oneEditApart('江苏省政协办公打', '江苏省政协办公厅')).toBe(true);
    expect(oneEditApart('江苏省政办公厅', '江苏省政协办公厅')).toBe(true);
    expect(oneEditApart('江苏省委办公厅', '江苏省政协办公厅')).toBe(false);
    const ocr = run((d) => { d.tables[2].departmentLabel = '达州市测试中必'; d.tables[2].source = 'ocr'; });
    expect(ocr.find((x) => x.rule === 'header.department_mismatch')).toMatchObject({ severity: 'info', actual: '达州市测试中必' });
    const text = run((d) => { d.tables[2].departmentLabel = '达州市测试中必'; });
    expect(text.find((x) => x.rule === 'header.department_mismatch')).toMatchObject({ severity: 'error' });
    const other = run((d) => { d.tables[2].departmentLabel = '达州市职业技能鉴定指导中心'; d.tables[2].source = 'ocr'; });
    expect(other.find((x) => x.rule === 'header.department_mismatch')).toMatchObject({ severity: 'error' });
  });
  it('reports a 万元 table labeled 元 (its figures 10,000× apart from the same figures elsewhere)', () => {
    const fs = run((d) => { d.tables[2].unit = '元'; d.tables[2].items.forEach((i) => { i.amountFen /= 10_000; }); });
    expect(fs.find((x) => x.rule === 'unit.magnitude')).toMatchObject({ severity: 'error', tableIndex: 2 });
  });
  it('reports a code printed with another code’s name', () => {
    expect(referenceNames('207', 2017)).toEqual(['文化体育与传媒支出']);
    expect(referenceNames('207', 2024)).toEqual(['文化旅游体育与传媒支出']);
    const fs = run((d) => { d.tables[3].items.filter((i) => i.econCode === '30201').forEach((i) => { i.label = '印刷费'; }); });
    expect(fs.find((x) => x.rule === 'code.name_mismatch')).toMatchObject({ severity: 'error', tableIndex: 3, actual: '30201 印刷费', expected: '30201 办公费' });
  });
});

describe('table of contents', () => {
  it('reports a listed table that is missing, and a missing standard table', () => {
    const fs = run((d) => { d.tables.splice(3, 1); d.tables.forEach((t, i) => t.items.forEach((x) => { x.tableIndex = i; })); });
    expect(fs.find((x) => x.rule === 'toc.missing_table')).toMatchObject({ severity: 'error', expected: '六、一般公共预算基本支出预算表' });
    const g = run((d) => { d.narrative = d.narrative.filter((l) => !/基本支出预算表/.test(l.text)); d.tables.splice(3, 1); d.tables.forEach((t, i) => t.items.forEach((x) => { x.tableIndex = i; })); });
    expect(g.find((x) => x.rule === 'toc.missing_standard_table')).toMatchObject({ severity: 'warning', expected: '一般公共预算基本支出预算表' });
  });
});

describe('narrative', () => {
  it('recomputes the shares of a list and checks the amounts against the tables', () => {
    const a = run((d) => { d.narrative[13].text = '社会保障和就业支出80.00万元，占85.66%；住房保障支出20.00万元，占14.34%。'; });
    expect(a.filter((x) => x.rule === 'narrative.percent' && x.severity === 'error').map((x) => [x.actual, x.expected])).toEqual([['85.66%', '80.00%'], ['14.34%', '20.00%']]);
    const b = run((d) => { d.narrative[14].text = '基本支出90.00万元，其中人员经费90.00万元，公用经费10.00万元。'; });
    expect(b.find((x) => x.rule === 'narrative.amount')).toMatchObject({ severity: 'error', actual: '90.00万元', expected: '100.00 万元' });
    const c = run((d) => { d.narrative[12].text = '测试中心2024年收支预算总数100.00万元，比2023年收支预算总数90.00万元增加11.00万元。'; });
    expect(c.find((x) => x.rule === 'narrative.amount')).toMatchObject({ expected: '10.00 万元', actual: '11.00万元' });
  });
});

describe('yusuan audit over the database', () => {
  it('rebuilds stored documents, reruns the rules and adds the cross-document rules', async () => {
    const db = await openStore(':memory:');
    const a = sampleDoc();
    a.tables[2].departmentLabel = '达州市另一中心'; // another document's department
    const b = sampleDoc();
    b.sha256 = 'b'.repeat(64); b.path = '/x/other.pdf'; b.fileName = 'other.pdf'; b.department = '达州市另一中心'; b.year = 2023;
    b.tables.forEach((t) => { t.departmentLabel = '达州市另一中心'; });
    const c = sampleDoc();
    c.sha256 = 'c'.repeat(64); c.path = '/x/next.pdf'; c.fileName = 'next.pdf'; c.year = 2025;
    c.tables.forEach((t) => { t.unit = '元'; t.items.forEach((i) => { i.amountFen = Math.round(i.amountFen / 10_000); }); }); // a whole year in the wrong unit
    for (const d of [a, b, c]) { d.findings = validateDocument(d); await writeDocument(db, d); }
    const id = rawDb(db).prepare('SELECT id FROM documents WHERE sha256 = ?').pluck().get(a.sha256) as number;
    const back = (await readDocument(db, id))!;
    expect(back.findings).toEqual(a.findings);
    expect(validateDocument({ ...back, findings: [] })).toEqual(a.findings);
    const report = await auditDatabase(db);
    const ra = report.documents.find((d) => d.sha256 === a.sha256)!;
    expect(ra.findings.find((f) => f.rule === 'corpus.foreign_department')).toMatchObject({ tableIndex: 2, actual: '达州市另一中心' });
    const rc = report.documents.find((d) => d.sha256 === c.sha256)!;
    expect(rc.findings.find((f) => f.rule === 'corpus.unit_jump')).toMatchObject({ severity: 'error' });
    expect(report.vocabulary.titles.general_budget_basic[0]).toMatchObject({ text: '一般公共预算基本支出预算表', count: 3 });
    const only = await auditDatabase(db, { documents: await resolveDocuments(db, ['next.pdf']), rules: ['corpus'] });
    expect(only.documents).toHaveLength(1);
    expect(only.documents[0].findings.every((f) => f.rule.startsWith('corpus.'))).toBe(true);
    expect(formatText(only)).toContain('corpus.unit_jump');
    expect(formatMarkdown(only)).toContain('### corpus.unit_jump');
    expect(await saveFindings(db, only)).toBe(only.documents[0].findings.length);
    await db.close();
  });
});
