// extract.code_missing (src/validate/rules/completeness.ts) and the coverage it is decided from
// (codeCoverage, src/domain/codes.ts; stored as documents.code_rows / coded_rows) on small documents:
// the generated two-tables page with rows planted without their code, and hand-made tables.
import { beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { completenessFamily } from '../src/validate/rules/completeness.js';
import { codeCoverage } from '../src/domain/codes.js';
import { openStore } from '../src/store/open.js';
import { rawDb } from './fixtures/store.js';
import { writeDocument } from '../src/store/write.js';
import type { DocumentResult, LineItem, RecognizedTable } from '../src/types.js';
import { twoTablesPdf } from './fixtures/two-tables.js';

const missing = (d: DocumentResult) => completenessFamily(d).filter((f) => f.rule === 'extract.code_missing');
/** Rows owed a code / rows with one, over the coded tables (what documents.code_rows / coded_rows store). */
const share = (d: DocumentResult) => {
  const covs = d.tables.map(codeCoverage).filter((c) => c !== null);
  return `${covs.reduce((n, c) => n + c.coded, 0)}/${covs.reduce((n, c) => n + c.rows, 0)}`;
};

/** A copy of `d` with the codes of the rows of table `ti` whose code is in `codes` taken away. */
function withoutCodes(d: DocumentResult, ti: number, codes: string[]): DocumentResult {
  const out = structuredClone(d);
  for (const it of out.tables[ti].items) if (codes.includes(it.funcCode ?? '')) it.funcCode = null;
  return out;
}

describe('on the generated page (two tables, joined code column)', () => {
  let doc: DocumentResult;
  let fn: number;
  beforeAll(async () => {
    doc = await processFile('two-tables.pdf', new Uint8Array(twoTablesPdf('joined')));
    fn = doc.tables.findIndex((t) => t.kind === 'appropriation_expenditure');
  });

  it('is silent on the page as printed, and reports every row coded', () => {
    expect(missing(doc)).toEqual([]);
    expect(share(doc)).toBe('11/11');
  });

  it('fires on a planted row without its code, with the row and its box', () => {
    const planted = withoutCodes(doc, fn, ['2010102']);
    const [f, ...rest] = missing(planted);
    expect(rest).toEqual([]);
    const row = planted.tables[fn].items.filter((x) => x.label === '一般行政管理事务');
    expect(f).toMatchObject({ severity: 'warning', tableIndex: fn, page: 1, actual: `row ${row[0].rowIndex + 1}: 一般行政管理事务` });
    // The row's box spans its amount cells.
    expect(f.box).toEqual([Math.min(...row.map((x) => x.box[0])), row[0].box[1], Math.max(...row.map((x) => x.box[2])), row[0].box[3]]);
    expect(share(planted)).toBe('10/11');
  });

  it('one root cause, one finding: every 款 and 项 code lost gives one finding listing the rows', () => {
    const lost = ['20101', '2010101', '2010102', '20805', '2080505', '2080506', '22102', '2210201'];
    const found = missing(withoutCodes(doc, fn, lost));
    expect(found).toHaveLength(1);
    expect(found[0].actual!.split(' | ')).toHaveLength(lost.length);
  });
});

const item = (rowIndex: number, label: string, funcCode: string | null, amountFen: number, isTotal = false): LineItem => ({
  tableIndex: 0, page: 1, rowIndex, label, funcCode, econCode: null, columnKey: 'total', columnLabel: '金额',
  amountFen, amountText: String(amountFen / 100), box: [300, 100 + 20 * rowIndex, 400, 120 + 20 * rowIndex], isTotal, confidence: 1,
});
const table = (items: LineItem[], codeColumn: boolean): RecognizedTable => ({
  kind: 'budget_summary', title: '收支预算总表', unit: '元', departmentLabel: null, year: null, pageStart: 1, pageEnd: 1,
  source: 'pdf_text', items, box: [50, 100, 500, 400], unitCodes: [],
  columns: [...(codeColumn ? [{ col: 0, key: 'code', label: '科目编码', isAmount: false }] : []), { col: 1, key: 'total', label: '金额', isAmount: true, labelCol: 0 }],
});
const docOf = (t: RecognizedTable): DocumentResult => ({
  sha256: 'x', path: 'x.pdf', fileName: 'x.pdf', pages: 1, phase: 'budget', year: 2024, department: null, status: 'ok',
  error: null, tables: [t], findings: [], narrative: [], timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
});

describe('rows uncoded by design', () => {
  it('leaves total, subtotal, 其中, 人员经费 lines and the lines above the first coded row alone', () => {
    const t = table([
      item(0, '合计', null, 300, true), item(1, '某某中心', null, 300),
      item(2, '一般公共服务支出', '201', 200), item(3, '人大事务', '20101', 200), item(4, '其中：会议费', null, 50),
      item(5, '住房保障支出', '221', 100), item(6, '住房改革支出', '22102', 100), item(7, '人员经费合计', null, 250), item(8, '公用经费', null, 50),
    ], true);
    expect(missing(docOf(t))).toEqual([]);
    expect(share(docOf(t))).toBe('4/4');
  });

  it('in a table without code column (class codes from names), asks a code only of rows named as classification items', () => {
    // A 款 row lost its code (人大事务 is 20101); 财政拨款 and 其他资金 have no code to give.
    const t = table([
      item(0, '财政拨款', null, 300), item(1, '一般公共服务支出', '201', 200), item(2, '人大事务', null, 200),
      item(3, '其他资金', null, 100), item(4, '住房保障支出', '221', 100),
    ], false);
    const found = missing(docOf(t));
    expect(found.map((f) => f.actual)).toEqual(['row 3: 人大事务']);
    expect(share(docOf(t))).toBe('2/3');
  });

  it('says nothing of a table whose rows carry no codes', () => {
    const t = table([item(0, '财政拨款', null, 300), item(1, '其他资金', null, 100)], false);
    expect(completenessFamily(docOf(t))).toEqual([]);
    expect(codeCoverage(t)).toBeNull();
  });
});

describe('documents.code_rows / coded_rows', () => {
  it('stores the share of rows with codes of each document', async () => {
    const d = await processFile('two-tables.pdf', new Uint8Array(twoTablesPdf('split')));
    const fn = d.tables.findIndex((t) => t.kind === 'appropriation_expenditure');
    const db = await openStore(':memory:');
    try {
      await writeDocument(db, withoutCodes(d, fn, ['2010102']), { pipelineVersion: 'test' });
      expect(rawDb(db).prepare('SELECT code_rows, coded_rows FROM documents').get()).toEqual({ code_rows: 11, coded_rows: 10 });
    } finally {
      await db.close();
    }
  });
});
