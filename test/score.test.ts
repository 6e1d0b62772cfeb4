import { describe, expect, it } from 'vitest';
import {
  decimalTimesPow10,
  explainMiss,
  formatFen,
  keyAmountFen,
  LINE_ITEM_AMOUNT_IS_PRINTED_UNIT_X100,
  lineItemFen,
  normalizeLabel,
  scoreDocument,
  unitFactor,
  type KeyFile,
  type KeyItem,
} from '../bench/score.js';
import type { DocumentResult, LineItem, RecognizedTable, TableKind } from '../src/types.js';
import type { Unit } from '../src/domain/money.js';

// --- helpers: a hand-made key and DocumentResult -------------------------------------------------

function keyItem(p: Partial<KeyItem>): KeyItem {
  return {
    table: 'expenditure_function',
    page: 3,
    func_code: null,
    econ_code: null,
    label: '',
    column: 'total',
    unit: '元',
    amount: '0',
    ...p,
  };
}

function keyFile(items: KeyItem[]): KeyFile {
  return { sha12: '000000000000', file: 'x.pdf', phase: 'budget', year: 2025, department: '上海市某某局', items };
}

type ItemSpec = Partial<LineItem> & { amountFen: number };

function table(kind: TableKind, unit: Unit | null, items: ItemSpec[], tableIndex = 0): RecognizedTable {
  return {
    kind,
    title: kind,
    unit,
    departmentLabel: null,
    year: null,
    pageStart: items[0]?.page ?? 1,
    pageEnd: items[0]?.page ?? 1,
    source: 'pdf_text',
    columns: [],
    box: [0, 0, 0, 0],
    items: items.map((it, i) => ({
      tableIndex,
      page: 3,
      rowIndex: i,
      label: '',
      funcCode: null,
      econCode: null,
      columnKey: 'total',
      columnLabel: '合计',
      amountText: String(it.amountFen / 100),
      box: [0, 0, 0, 0],
      isTotal: false,
      confidence: 1,
      ...it,
    })),
  };
}

function doc(tables: RecognizedTable[], meta: Partial<DocumentResult> = {}): DocumentResult {
  return {
    sha256: '0'.repeat(64),
    path: '/tmp/x.pdf',
    fileName: 'x.pdf',
    pages: 5,
    phase: 'budget',
    year: 2025,
    department: '上海市某某局',
    status: 'ok',
    error: null,
    tables,
    findings: [],
    narrative: [],
    timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
    ...meta,
  };
}

// --- amounts -------------------------------------------------------------------------------------

describe('amounts', () => {
  it('parses decimals exactly with integer arithmetic', () => {
    expect(keyAmountFen({ amount: '127886849', unit: '元' })).toBe(12788684900n);
    expect(keyAmountFen({ amount: '96282213.44', unit: '元' })).toBe(9628221344n);
    expect(keyAmountFen({ amount: '17123.19', unit: '万元' })).toBe(17123190000n);
    expect(keyAmountFen({ amount: '0.01', unit: '万元' })).toBe(10000n);
    expect(keyAmountFen({ amount: '0', unit: '元' })).toBe(0n);
    expect(keyAmountFen({ amount: '-1.5', unit: '元' })).toBe(-150n);
    // A value where floats go wrong: 0.29 * 100 = 28.999999999999996
    expect(keyAmountFen({ amount: '0.29', unit: '元' })).toBe(29n);
    expect(keyAmountFen({ amount: '1,234.5', unit: '元' })).toBe(123450n);
  });

  it('rejects amounts finer than a fen or malformed', () => {
    expect(decimalTimesPow10('1.234', 2)).toBeNull();
    expect(decimalTimesPow10('1.230', 2)).toBe(123n);
    expect(decimalTimesPow10('abc', 2)).toBeNull();
    expect(decimalTimesPow10('', 2)).toBeNull();
    expect(() => keyAmountFen({ amount: '1.234', unit: '元' })).toThrow();
  });

  it('takes a line item amount as fen of 元 (recognize/amounts.ts toFen), whatever the table unit', () => {
    expect(LINE_ITEM_AMOUNT_IS_PRINTED_UNIT_X100).toBe(false);
    expect(lineItemFen({ amountFen: 17123190000 }, { unit: '万元' })).toBe(17123190000n);
    expect(lineItemFen({ amountFen: 1712319 }, { unit: '元' })).toBe(1712319n);
    expect(lineItemFen({ amountFen: 1712319 }, { unit: null })).toBe(1712319n);
    expect(lineItemFen({ amountFen: 12.5 }, { unit: '元' })).toBeNull();
  });

  it('knows unit factors', () => {
    expect(unitFactor('万元')).toBe(10000n);
    expect(unitFactor('单位：万元')).toBe(10000n);
    expect(unitFactor('元')).toBe(1n);
    expect(unitFactor(null)).toBe(1n);
  });

  it('formats fen back in a unit', () => {
    expect(formatFen(17123190000n, '万元')).toBe('17123.19');
    expect(formatFen(12788684900n, '元')).toBe('127886849');
    expect(formatFen(9628221344n, '元')).toBe('96282213.44');
    expect(formatFen(-150n, '元')).toBe('-1.50');
  });
});

// --- labels --------------------------------------------------------------------------------------

describe('normalizeLabel', () => {
  it('removes spaces and ordinal prefixes', () => {
    expect(normalizeLabel('一、一般公共服务支出')).toBe('一般公共服务支出');
    expect(normalizeLabel('（一）基本支出')).toBe('基本支出');
    expect(normalizeLabel('(二) 项目支出')).toBe('项目支出');
    expect(normalizeLabel('1.工资福利支出')).toBe('工资福利支出');
    expect(normalizeLabel('2、 商品和服务支出')).toBe('商品和服务支出');
    expect(normalizeLabel('十二、 住房保障支出')).toBe('住房保障支出');
    expect(normalizeLabel('收 入 总 计')).toBe('收入总计');
    expect(normalizeLabel('收\u3000入\u3000总\u3000计')).toBe('收入总计');
    expect(normalizeLabel('① 差旅费')).toBe('差旅费');
    expect(normalizeLabel('维修（护）费')).toBe('维修(护)费');
  });
  it('keeps words that only start like numerals', () => {
    expect(normalizeLabel('一般公共服务支出')).toBe('一般公共服务支出');
    expect(normalizeLabel('2024年结转')).toBe('2024年结转');
  });
});

// --- scoreDocument ----------------------------------------------------------------------------------

describe('scoreDocument', () => {
  const k201 = keyItem({ func_code: '201', label: '一般公共服务支出', column: 'total', amount: '1234.56' });

  it('counts an exact match (page, code, column, amount)', () => {
    const r = doc([table('expenditure', '元', [{ funcCode: '201', label: '一般公共服务支出', columnKey: 'total', amountFen: 123456 }])]);
    const s = scoreDocument(keyFile([k201]), r);
    expect(s.found).toBe(1);
    expect(s.total).toBe(1);
    expect(s.recall).toBe(1);
    expect(s.misses).toEqual([]);
    expect(s.precision).toBe(1);
    expect(s.metadata).toEqual({ phase: true, year: true, department: true });
    expect(s.byTable.expenditure_function).toEqual({ found: 1, total: 1, recall: 1 });
  });

  it('matches by code even when the label differs', () => {
    const r = doc([table('expenditure', '元', [{ funcCode: '201', label: '一般公共服务', columnKey: 'total', amountFen: 123456 }])]);
    expect(scoreDocument(keyFile([k201]), r).found).toBe(1);
  });

  it('misses a wrong column', () => {
    const r = doc([table('expenditure', '元', [{ funcCode: '201', columnKey: 'basic', amountFen: 123456 }])]);
    const s = scoreDocument(keyFile([k201]), r);
    expect(s.found).toBe(0);
    expect(s.misses).toEqual([k201]);
    expect(explainMiss(k201, r)).toMatch(/^wrong column/);
    // 'basic' is not a column the keys use on page 3: not considered for precision.
    expect(s.consideredPrecision).toBe(0);
    expect(s.precision).toBe(0);
  });

  it('misses an amount off by one fen', () => {
    const r = doc([table('expenditure', '元', [{ funcCode: '201', columnKey: 'total', amountFen: 123457 }])]);
    const s = scoreDocument(keyFile([k201]), r);
    expect(s.found).toBe(0);
    expect(s.consideredPrecision).toBe(1);
    expect(s.matchedPrecision).toBe(0);
    expect(s.falsePositives).toHaveLength(1);
    expect(explainMiss(k201, r)).toMatch(/^wrong amount/);
  });

  it('misses the same item on another page', () => {
    const r = doc([table('expenditure', '元', [{ page: 4, funcCode: '201', columnKey: 'total', amountFen: 123456 }])]);
    const s = scoreDocument(keyFile([k201]), r);
    expect(s.found).toBe(0);
    expect(s.consideredPrecision).toBe(0); // page 4 is not keyed
  });

  it('converts a 万元 key amount to fen of 元', () => {
    const k = keyItem({ table: 'basic_econ', econ_code: '30101', label: '基本工资', unit: '万元', amount: '1385.4' });
    // Printed 1,385.40 in a 万元 table = 13,854,000 元 = 1,385,400,000 fen.
    const ok = doc([table('general_budget_basic', '万元', [{ econCode: '30101', amountFen: 1_385_400_000 }])]);
    expect(scoreDocument(keyFile([k]), ok).found).toBe(1);
    // The printed number read as 元 (unit missed) is 10,000 times too small: no match.
    const unitMissed = doc([table('general_budget_basic', null, [{ econCode: '30101', amountFen: 138_540 }])]);
    expect(scoreDocument(keyFile([k]), unitMissed).found).toBe(0);
    // A 元 table printing 13,854,000.00 is the same amount.
    const yuan = doc([table('general_budget_basic', '元', [{ econCode: '30101', amountFen: 1_385_400_000 }])]);
    expect(scoreDocument(keyFile([k]), yuan).found).toBe(1);
    // Off by one fen after conversion.
    const off = doc([table('general_budget_basic', '万元', [{ econCode: '30101', amountFen: 1_385_400_001 }])]);
    expect(scoreDocument(keyFile([k]), off).found).toBe(0);
  });

  it('matches uncoded key items by label without spaces and ordinal prefixes', () => {
    const kBasic = keyItem({ table: 'summary', page: 1, label: '基本支出', unit: '万元', amount: '5678.17' });
    const kTotal = keyItem({ table: 'summary', page: 1, label: '收入合计', unit: '万元', amount: '10150.48' });
    const r = doc([
      table('budget_summary', '万元', [
        { page: 1, label: '（一）基本支出', amountFen: 5_678_170_000 },
        { page: 1, label: '收 入 合 计', amountFen: 10_150_480_000 },
      ]),
    ]);
    const s = scoreDocument(keyFile([kBasic, kTotal]), r);
    expect(s.found).toBe(2);
    expect(s.byTable.summary.recall).toBe(1);
    // Neither line item has a code: precision has nothing to count.
    expect(s.consideredPrecision).toBe(0);
    // A label-only key item is not found through a different label.
    const r2 = doc([table('budget_summary', '万元', [{ page: 1, label: '项目支出', amountFen: 5_678_170_000 }])]);
    expect(scoreDocument(keyFile([kBasic]), r2).found).toBe(0);
  });

  it('uses the function code first, the economic code second', () => {
    const k = keyItem({ table: 'basic_econ', econ_code: '302', label: '商品和服务支出', amount: '10' });
    const wrongKind = doc([table('general_budget_basic', '元', [{ funcCode: '302', label: '商品和服务支出', amountFen: 1000 }])]);
    expect(scoreDocument(keyFile([k]), wrongKind).found).toBe(0);
    const right = doc([table('general_budget_basic', '元', [{ econCode: '302', label: '商品和服务支出', amountFen: 1000 }])]);
    expect(scoreDocument(keyFile([k]), right).found).toBe(1);
  });

  it('counts precision over coded items on keyed pages, keyed kinds and keyed columns', () => {
    const keys = [
      keyItem({ func_code: '201', column: 'total', amount: '100' }),
      keyItem({ func_code: '20101', column: 'total', amount: '60' }),
      keyItem({ func_code: '201', column: 'basic', amount: '70' }),
      keyItem({ func_code: '999', page: 9, column: 'total', amount: '1' }), // page 9 has no items
    ];
    const exp = table(
      'general_budget_expenditure',
      '元',
      [
        { funcCode: '201', columnKey: 'total', amountFen: 10000 }, // match
        { funcCode: '20101', columnKey: 'total', amountFen: 6001 }, // considered, wrong amount
        { funcCode: '201', columnKey: 'basic', amountFen: 7000 }, // match
        { funcCode: '20102', columnKey: 'basic', amountFen: 500 }, // considered, not in key
        { funcCode: '201', columnKey: 'project', amountFen: 3000 }, // column not keyed on p3: ignored
        { label: '合计', columnKey: 'total', amountFen: 10000 }, // no code: ignored
        { page: 5, funcCode: '201', columnKey: 'total', amountFen: 10000 }, // page not keyed: ignored
        { funcCode: '201', columnKey: 'total', amountFen: 10000 }, // duplicate: counted, matches
      ],
      0,
    );
    // A table of a kind not keyed on page 3 (机关运行经费-like, reusing codes): ignored.
    const other = table('three_public', '元', [{ econCode: '30201', columnKey: 'total', amountFen: 1 }], 1);
    // A summary table on page 3 is not a keyed kind there (only expenditure_function is keyed on p3).
    const summary = table('budget_summary', '元', [{ funcCode: '201', columnKey: 'total', amountFen: 99 }], 2);
    const s = scoreDocument(keyFile(keys), doc([exp, other, summary]));
    expect(s.consideredPrecision).toBe(5);
    expect(s.matchedPrecision).toBe(3);
    expect(s.precision).toBeCloseTo(3 / 5);
    expect(s.falsePositives.map((f) => f.funcCode)).toEqual(['20101', '20102']);
    expect(s.found).toBe(2);
    expect(s.total).toBe(4);
    expect(s.recall).toBe(0.5);
    expect(s.misses.map((m) => m.func_code)).toEqual(['20101', '999']);
  });

  it('checks metadata', () => {
    const r = doc([], { phase: 'final', year: 2025, department: '上海市 某某局' });
    const s = scoreDocument(keyFile([]), r);
    expect(s.metadata).toEqual({ phase: false, year: true, department: true });
    expect(s.recall).toBe(1);
    expect(scoreDocument(keyFile([]), doc([], { department: null })).metadata.department).toBe(false);
    expect(scoreDocument(keyFile([]), doc([], { year: 2024 })).metadata.year).toBe(false);
  });
});

// --- new keys: families are table kinds, any column key ---------------------------------------------

describe('scoreDocument with new keys (table = the table kind)', () => {
  const three = (column: string, amount: string) => keyItem({ table: 'three_public', page: 3, label: '合计', column, amount });
  const fn = keyItem({ table: 'appropriation_expenditure', page: 3, func_code: '20101', label: '人大事务', column: 'total', amount: '10' });

  it('a kind stands for itself in precision, per family, with any column key', () => {
    const r = doc([
      table('three_public', '元', [{ label: '合计', columnKey: 'overseas_travel', amountFen: 500 }, { label: '合计', columnKey: 'meeting', amountFen: 700 }]),
      table('appropriation_expenditure', '元', [{ funcCode: '20101', label: '人大事务', columnKey: 'total', amountFen: 1000 }, { funcCode: '20102', label: '政协事务', columnKey: 'total', amountFen: 3 }], 1),
      // A kind nobody keyed on the page is not considered.
      table('general_budget_expenditure', '元', [{ funcCode: '20101', label: '人大事务', columnKey: 'total', amountFen: 99 }], 2),
    ]);
    const s = scoreDocument(keyFile([three('overseas_travel', '5'), three('meeting', '7'), fn]), r, { uncodedInPrecision: true });
    expect(s.found).toBe(3);
    expect(Object.keys(s.byTable).sort()).toEqual(['appropriation_expenditure', 'three_public']);
    expect(s.precisionByTable).toEqual({ three_public: { matched: 2, considered: 2 }, appropriation_expenditure: { matched: 1, considered: 2 } });
    expect(s.falsePositives.map((x) => x.funcCode)).toEqual(['20102']);
  });

  it('counts uncoded items in precision only when asked (new keys), as the old rule never did', () => {
    const r = doc([table('three_public', '元', [{ label: '合计', columnKey: 'meeting', amountFen: 800 }])]);
    const key = keyFile([three('meeting', '7')]);
    expect(scoreDocument(key, r).consideredPrecision).toBe(0);
    const s = scoreDocument(key, r, { uncodedInPrecision: true });
    expect([s.matchedPrecision, s.consideredPrecision]).toEqual([0, 1]);
    expect(s.precisionByTable.three_public).toEqual({ matched: 0, considered: 1 });
  });

  it('keeps the old families and their kinds for the old keys', () => {
    const r = doc([table('final_expenditure', '元', [{ funcCode: '201', label: '一般公共服务支出', columnKey: 'total', amountFen: 123456 }])]);
    const s = scoreDocument(keyFile([keyItem({ func_code: '201', label: '一般公共服务支出', amount: '1234.56' })]), r);
    expect(Object.keys(s.byTable)).toEqual(['summary', 'expenditure_function', 'basic_econ']);
    expect(s.precisionByTable.expenditure_function).toEqual({ matched: 1, considered: 1 });
  });
});
