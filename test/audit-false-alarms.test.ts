// False alarms of the audit (issue 16, "False alarms to remove" 1–6): each family on a small fixture, and on
// the real page where half A of the corpus (../shared/corpus, skipped without it) has an instance.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateDocument } from '../src/validate/index.js';
import { printedAllowance } from '../src/validate/util.js';
import { pctFits, pctSpan, spanOf } from '../src/validate/interval.js';
import { furnitureLines } from '../src/validate/furniture.js';
import { narrativeText } from '../src/validate/rules/narrative.js';
import { otherFunds } from '../src/validate/rules/cross.js';
import { blankTemplate } from '../src/validate/rules/header.js';
import { processFile } from '../src/pipeline.js';
import type { DocumentResult, Finding, TextLine } from '../src/types.js';
import { sampleDoc, table, wan } from './fixtures/audit/docs.js';
import { corpusDir } from '../bench/paths.js';

const run = (mutate: (d: DocumentResult) => void) => {
  const d = sampleDoc();
  mutate(d);
  d.tables.forEach((t, ti) => t.items.forEach((it) => { it.tableIndex = ti; }));
  return validateDocument(d);
};
const of = (fs_: Finding[], rule: string) => fs_.filter((f) => f.rule === rule);
const line = (text: string, page: number, y: number): TextLine => ({ text, page, box: [90, y, 500, y + 14] });

describe('1. rounding: the tolerance follows how each amount is printed', () => {
  it('half a unit of the last printed digit, summed; a printed zero is exact', () => {
    expect(printedAllowance([{ amountText: '24,840,779', amountFen: 2_484_077_900 }], '元', 1)).toBe(50); // ±0.5 元
    expect(printedAllowance([{ amountText: '1,001', amountFen: 100_100 }, { amountText: '500', amountFen: 50_000 }, { amountText: '500', amountFen: 50_000 }], '元', 2)).toBe(150);
    expect(printedAllowance([{ amountText: '0', amountFen: 0 }, { amountText: '12.34', amountFen: 1234 }], '元', 1)).toBe(1);
    expect(printedAllowance([{ amountText: '641.15', amountFen: wan('641.15') }], '万元', 1)).toBe(10_000);
  });

  const econTable = (parent: string, children: string[]) => table('other', '测试经济分类表', [['total', '合计']], [
    { label: '商品和服务支出', code: '302', cells: { total: parent } },
    ...children.map((c, i) => ({ label: ['办公费', '印刷费', '咨询费'][i], code: `3020${i + 1}`, cells: { total: c } })),
  ], {}, '元');

  it('a class printed as whole 元 over its 款 is rounding within n half-元, an error beyond', () => {
    const within = run((d) => d.tables.push(econTable('1001', ['500', '500'])));
    expect(of(within, 'sum.code_hierarchy').map((f) => f.severity)).toEqual(['info']);
    const beyond = run((d) => d.tables.push(econTable('1003', ['500', '500'])));
    expect(of(beyond, 'sum.code_hierarchy').map((f) => f.severity)).toEqual(['error']);
  });

  it('a total printed as an integer beside parts printed with 角/分 is rounding', () => {
    const fs_ = run((d) => d.tables.push(econTable('100', ['60.40', '39.80'])));
    expect(of(fs_, 'sum.code_hierarchy').map((f) => f.severity)).toEqual(['info']);
    const exact = run((d) => d.tables.push(econTable('100.00', ['60.40', '39.80'])));
    expect(of(exact, 'sum.code_hierarchy').map((f) => f.severity)).toEqual(['error']);
  });
});

describe('2. carry-over and other money', () => {
  /** The summary shows 本年收入合计 100 (all general budget) and 年初结转和结余 `carry`; the all-funds tables spend `spent` more on 208. */
  const withCarryOver = (carry: string, spent: string) => (d: DocumentResult) => {
    const s = d.tables[0];
    const base = s.items[0];
    const total = (100 + Number(carry)).toFixed(2);
    s.items.push({ ...base, label: '本年收入合计', amountFen: wan('100.00'), amountText: '100.00', rowIndex: 10 });
    s.items.push({ ...base, label: '年初结转和结余', amountFen: wan(carry), amountText: carry, rowIndex: 11 });
    for (const it of s.items) if (/总计/.test(it.label)) { it.amountFen = wan(total); it.amountText = total; }
    const e208 = (80 + Number(spent)).toFixed(2);
    for (const it of [...s.items, ...d.tables[1].items]) {
      if (it.funcCode?.startsWith('208')) { it.amountFen = wan(e208); it.amountText = e208; }
      if (it.label === '合计' && it.tableIndex === 1) { const v = (100 + Number(spent)).toFixed(2); it.amountFen = wan(v); it.amountText = v; }
    }
  };

  it('the other funds include the carry-over the summary shows', () => {
    const d = sampleDoc();
    withCarryOver('5.00', '5.00')(d);
    expect(otherFunds(d)).toEqual({ fen: wan('5.00'), labels: ['年初结转和结余 5.00'] });
  });

  it('a gap within the carry-over is not an error; one beyond it is a warning', () => {
    const within = run(withCarryOver('5.00', '5.00'));
    expect(within.filter((f) => f.severity === 'error')).toEqual([]);
    const beyond = run(withCarryOver('5.00', '9.00'));
    expect(beyond.filter((f) => /^cross\./.test(f.rule) && f.severity === 'error')).toEqual([]);
    expect(of(beyond, 'cross.expenditure_vs_general_budget').map((f) => f.severity)).toEqual(['warning']);
  });

  it('without carry-over or other income the tables must still be equal', () => {
    const fs_ = run(withCarryOver('0.00', '5.00'));
    expect(of(fs_, 'cross.expenditure_vs_general_budget').map((f) => f.severity)).toEqual(['error']);
  });
});

describe('3. blank templates', () => {
  const blank = (d: DocumentResult) => {
    for (const t of d.tables) { t.departmentLabel = 'XX局'; for (const it of t.items) { it.amountFen = 0; it.amountText = ''; } }
    d.department = null;
    d.narrative = ['XX局2024年部门预算', '第一部分XX局概况', '（由各部门根据本部门职能填写）', '第二部分XX局2024年部门预算表', '第三部分XX局2024年部门预算情况说明', 'XX局2024年收支预算总数XX万元。']
      .map((t, i) => line(t, 1, i * 20));
  };

  it('one warning that the document is an unfilled template, not one error per heading', () => {
    const d = sampleDoc();
    blank(d);
    expect(blankTemplate(d)).toMatchObject({ instructions: 1 });
    const fs_ = validateDocument(d);
    expect(of(fs_, 'header.blank_template')).toHaveLength(1);
    expect(of(fs_, 'header.blank_template')[0].severity).toBe('warning');
    expect(of(fs_, 'header.department_placeholder')).toEqual([]);
    expect(fs_.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a filled document with a placeholder keeps its placeholder finding', () => {
    const d = sampleDoc();
    d.tables[1].departmentLabel = 'XX局';
    expect(blankTemplate(d)).toBeNull();
    expect(of(validateDocument(d), 'header.department_placeholder')).toHaveLength(1);
  });
});

describe('4. a code printed with another item’s name is matched by name, or skipped', () => {
  /** A 财政拨款 table by economic code beside the basic table (basic: 30201 办公费 6.00, 30202 印刷费 4.00). */
  const appropriation = (rows: [string, string, string][]) => (d: DocumentResult) => {
    d.tables.push(table('appropriation_expenditure', '财政拨款支出预算表', [['total', '合计']], [
      { label: '工资福利支出', code: '301', cells: { total: '90.00' } },
      { label: '基本工资', code: '30101', cells: { total: '60.00' } },
      { label: '津贴补贴', code: '30102', cells: { total: '30.00' } },
      { label: '商品和服务支出', code: '302', cells: { total: '10.00' } },
      ...rows.map(([code, label, v]) => ({ code, label, cells: { total: v } })),
    ]));
  };
  const cross = (fs_: Finding[]) => of(fs_, 'cross.appropriation_vs_parts');

  it('codes swapped with their names: matched by name, no false error', () => {
    const byCodeOnly = run(appropriation([['30201', '印刷费', '4.00'], ['30202', '办公费', '6.00']]));
    expect(cross(byCodeOnly).filter((f) => f.severity === 'error')).toEqual([]);
    // A real difference found by name says so.
    const diff = run(appropriation([['30201', '印刷费', '4.00'], ['30202', '办公费', '7.00']]));
    const f = cross(diff).find((x) => x.severity === 'error');
    expect(f?.message).toContain('按名称“办公费”匹配');
    expect(f).toMatchObject({ expected: '7.00 万元', actual: '6.00 万元' });
  });

  it('no row of that name: skipped, and said so (info)', () => {
    const fs_ = run(appropriation([['30201', '印刷费', '4.00']]));
    const skipped = cross(fs_).filter((x) => x.message.includes('未作比较'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((x) => x.severity === 'info')).toBe(true);
    expect(cross(fs_).filter((x) => x.severity === 'error' && /30201|30202/.test(x.message))).toEqual([]);
  });

  it('the 三公 check does not trust an economic code printed with another name', () => {
    const fs_ = run((d) => {
      const b = d.tables[3];
      b.items.push({ ...b.items.find((i) => i.econCode === '30201' && i.columnKey === 'total')!, econCode: '30217', label: '会议费', amountFen: wan('2.00'), amountText: '2.00', rowIndex: 20 });
    });
    expect(of(fs_, 'cross.three_public_vs_econ')).toEqual([]);
  });
});

describe('5. narrative percentages', () => {
  it('interval arithmetic on rounded amounts', () => {
    // 3845.49 万元 stands for [3845.485, 3845.495] 万元.
    expect(spanOf(wan('3845.49'), '3845.49', '万元')).toEqual({ lo: wan('3845.49') - 5_000, hi: wan('3845.49') + 5_000 });
    // 0.7 over 0.5 (printed to one decimal: 0.45–0.55, 0.65–0.75) may be a rise of 20%, not only 40%.
    const r = pctSpan(spanOf(wan('0.7'), '0.7', '万元'), spanOf(wan('0.5'), '0.5', '万元'))!;
    expect(pctFits({ lo: r.lo - 100, hi: r.hi - 100 }, '20')).toBe(true);
    const exact = pctSpan(spanOf(wan('0.70'), '0.70', '万元'), spanOf(wan('0.50'), '0.50', '万元'))!;
    expect(pctFits({ lo: exact.lo - 100, hi: exact.hi - 100 }, '20')).toBe(false);
    expect(pctFits({ lo: 10.6036, hi: 10.6039 }, '10.60')).toBe(true);
    expect(pctFits({ lo: 10.6036, hi: 10.6039 }, '10.61')).toBe(false);
  });

  const pct = (text: string, before?: string) => of(run((d) => { d.narrative[13].text = text; if (before !== undefined) d.narrative[12].text = before; }), 'narrative.percent');

  it('says nothing when no base is stated and the parts are not all read', () => {
    expect(pct('其中社会保障和就业支出30.00万元，占40%。', '测试中心2024年部门预算情况说明。')).toEqual([]);
    // The same share with its base in the sentence before is checked.
    expect(pct('其中社会保障和就业支出30.00万元，占40%。', '测试中心2024年收支预算总数100.00万元。').map((f) => f.severity)).toEqual(['warning']);
  });

  it('finds the base in the sentence before, and a list split into sentences', () => {
    expect(pct('其中：社会保障和就业支出80.00万元，占80%。住房保障支出20.00万元，占20%。')).toEqual([]);
    expect(pct('基本支出60.00万元，占60%。项目支出20.00万元，占20%。')).toEqual([]);
  });

  it('errs only where every part was read (the shares add up to 100%); else warns', () => {
    const all = pct('社会保障和就业支出80.00万元，占85%；住房保障支出20.00万元，占15%。');
    expect(all.map((f) => f.severity)).toEqual(['error', 'error']);
    const some = pct('社会保障和就业支出80.00万元，占85%。');
    expect(some.map((f) => [f.severity, f.expected])).toEqual([['warning', '80.00%']]);
  });

  it('a rate of change within the rounding of its amounts is not reported', () => {
    expect(pct('2023年执行数为0.5万元，2024年预算安排0.7万元，比2023年增加20%。')).toEqual([]);
    expect(pct('2023年执行数为0.50万元，2024年预算安排0.70万元，比2023年增加20%。').map((f) => f.severity)).toEqual(['warning']);
  });
});

describe('6. page furniture is dropped before lines are joined', () => {
  const pages = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
  const doc = (lines: TextLine[]): DocumentResult => ({ ...sampleDoc(), narrative: lines });

  it('a page number under the last line does not glue into the figure of the next page', () => {
    const lines = [line('与上年相比增加3608.98万元，增长', 1, 700), line('3', 1, 780), line('17.31%。主要原因是人员经费调增。', 2, 80), line('4', 2, 780)];
    expect(furnitureLines(lines)).toEqual(new Set([lines[1], lines[3]]));
    expect(narrativeText(doc(lines)).s).toContain('增长17.31%。');
  });

  it('a running header repeated at the same place on most pages is dropped; a number inside the prose stays', () => {
    const words = ['收入', '支出', '基本', '项目'];
    const prose = (p: number) => [`${words[p - 1]}的说明写到这里，`, `其中${words[p - 1]}一项为`, '12', `${words[p - 1]}的正文继续写下去，`, `并在${words[p - 1]}处结束。`];
    const lines = pages(4).flatMap((p) => [line('江苏省某某厅2018年部门预算', p, 30), ...prose(p).map((t, i) => line(t, p, 100 + i * 40))]);
    const drop = furnitureLines(lines);
    expect([...drop].map((l) => l.text)).toEqual(Array(4).fill('江苏省某某厅2018年部门预算'));
    expect(narrativeText(doc(lines)).s).not.toContain('部门预算');
  });
});

// ---------------------------------------------------------------------------------------------
// Real pages (half A of the corpus: work/split.md).

const CORPUS = corpusDir();
const REAL = path.join(CORPUS, 'real');
const HAVE = fs.existsSync(REAL);
const byPrefix = (sha12: string): string | null => {
  const manifest = path.join(REAL, 'MANIFEST.tsv');
  if (!fs.existsSync(manifest)) return null;
  const row = fs.readFileSync(manifest, 'utf8').split('\n').map((l) => l.split('\t')).find((c) => c[1]?.startsWith(sha12));
  return row ? path.join(REAL, row[0]) : null;
};

describe.skipIf(!HAVE)('on the real pages (corpus half A)', () => {
  const docs = new Map<string, { d: DocumentResult; fs: Finding[] }>();
  beforeAll(async () => {
    for (const sha of ['d22abdf08130', '177eb7fa38c3', 'c8821d984a54', 'd45e923176f9']) {
      const file = byPrefix(sha);
      if (!file) continue;
      const d = await processFile(file);
      docs.set(sha, { d, fs: validateDocument(d) });
    }
  }, 120_000);
  const get = (sha: string) => docs.get(sha)!;

  it('d22abdf08130 p5–6: the page number "3" no longer makes 增长17.31% read 增长317.31%', () => {
    const { d, fs: fs_ } = get('d22abdf08130');
    expect(narrativeText(d).s).toContain('增加3608.98万元，增长17.31%'.replace('，', ','));
    expect(fs_.filter((f) => f.rule === 'narrative.percent' && /317\.31/.test(f.message))).toEqual([]);
  });

  it('177eb7fa38c3 p7: shares listed one per sentence are read against the 合计 stated before the list', () => {
    const { fs: fs_ } = get('177eb7fa38c3');
    expect(fs_.filter((f) => f.rule === 'narrative.percent' && f.page === 7)).toEqual([]);
  });

  it('c8821d984a54 p9: rates the document gets wrong stay warnings (43269.3 for 3269.3; 17.66% copied)', () => {
    const { fs: fs_ } = get('c8821d984a54');
    const rates = fs_.filter((f) => f.rule === 'narrative.percent' && f.page === 9).map((f) => [f.severity, f.actual]);
    expect(rates).toEqual(expect.arrayContaining([['warning', '17.62%'], ['warning', '17.66%']]));
  });

  it('d45e923176f9: the carry-over (年初结转和结余 49.14) counts among the other funds; 71.73% of 2940.05 is a warning', () => {
    const { d, fs: fs_ } = get('d45e923176f9');
    const other = otherFunds(d)!;
    expect(other.labels).toContain('年初结转和结余 49.14');
    expect(other.fen).toBe(wan('55.34'));
    expect(fs_.find((f) => f.rule === 'narrative.percent' && f.actual === '71.73%')).toMatchObject({ severity: 'warning', page: 21, expected: '71.65%' });
    expect(fs_.filter((f) => /^cross\./.test(f.rule) && f.severity === 'error')).toEqual([]);
  });
});
