// Table boundaries that survive OCR: titles as OCR reads them, and the other signs of a new table
// (a table number, a 部门/单位 line, a header of its own, other columns); rows that fit nowhere.
import { describe, expect, it } from 'vitest';
import { isTableNumberText, isTitleText } from '../src/layout/lines.js';
import { markContinuations, sameColumns, startsWithOtherHeader } from '../src/layout/continuation.js';
import { knownTitleIn, tableKindOcr } from '../src/recognize/kinds.js';
import { editDistance } from '../src/extract/normalize.js';
import { recognizeTables } from '../src/recognize/table.js';
import { ocrUnplacedFamily } from '../src/validate/rules/ocr.js';
import type { DocumentResult, Grid, RecognizedTable, UnplacedRow } from '../src/types.js';
import { gridOf } from './fixtures/grids.js';

const ctx = { phase: 'budget' as const, defaultUnit: null };
const HEADER = ['科目编码', '科目名称', '合计'];

/** A titled table at the foot of page 1. */
const first = () => gridOf([HEADER, ['201', '一般公共服务支出', '100.00'], ['20101', '人大事务', '60.00']], { page: 1, top: 500, titles: ['部门支出预算表'] });
/** The grid at the top of page 2: body rows only unless `header`, with the given lines above. */
const next = (o: { titles?: string[]; header?: string[]; rows?: string[][] } = {}) =>
  gridOf([...(o.header ? [o.header] : []), ...(o.rows ?? [['20102', '政协事务', '40.00']])], { page: 2, top: 80, titles: o.titles });
const marked = (grids: Grid[]) => { markContinuations(grids); return grids.map((g) => g.continuationOf); };

describe('titles as OCR reads them', () => {
  it('takes a title whose brackets were misread or lost, and one with a misread character', () => {
    expect(isTitleText('财政拨款支出预算表 〈 功能科目)')).toBe(true);
    expect(isTitleText('财政拨款支出预算表（功能科目')).toBe(true);
    expect(isTitleText('部门收支总表 》')).toBe(true);
    expect(isTitleText('财政拨款支出预算衣')).toBe(true); // 表 read as 衣
    expect(isTitleText('江苏省政协办公厅2018年部门收支总表')).toBe(true);
  });

  it('does not take prose, headings without 表, meta lines or table numbers', () => {
    expect(isTitleText('江苏省高级人民法院 2018 年度收入、支出预算总计 33172.15')).toBe(false); // 总计, with a figure
    for (const t of ['详见下表。', '三、一般公共预算支出预算', '单位：万元', '合计', '公开05表', '表1-2']) expect(isTitleText(t)).toBe(false);
    expect(isTableNumberText('公开05表')).toBe(true);
    expect(isTableNumberText('公开表5')).toBe(true);
    expect(isTableNumberText('表3')).toBe(true);
    expect(isTableNumberText('部门支出预算表')).toBe(false);
  });

  it('reads known titles on the Han characters alone, up to two misread characters', () => {
    expect(knownTitleIn('一般公共预算基本支出预笲表')).toBe('一般公共预算基本支出预算表');
    expect(knownTitleIn('财政拨款 支出预算表')).toBe('财政拨款支出预算表');
    expect(knownTitleIn('一般公共服务支出')).toBeNull();
    expect(editDistance('收入预算总表', '支出预算总表')).toBe(2);
  });

  it('gives an OCR title the kind of the longest known title it reads as, and no kind when two are as close', () => {
    expect(tableKindOcr('公开04表财政拨寻收支预算总表', 'budget')).toBe('appropriation_summary'); // not a 收支总表
    expect(tableKindOcr('财政拨款支出预算衣', 'budget')).toBe('appropriation_expenditure');
    expect(tableKindOcr('“三公”经费、会议费、培训费支出预算表', 'budget')).toBe('three_public');
    expect(tableKindOcr('王公经费、会议费、培训费支出预算表', 'budget')).toBe('three_public'); // 三 misread on a 1-bit scan
    expect(tableKindOcr('“公”经费、会议费、培训费支出预算表', 'budget')).toBe('three_public');
    expect(knownTitleIn('部门收人总表')).toBeNull(); // 收支 or 收入?
  });
});

describe('signs of a new table at the top of a page', () => {
  it('a title misread by OCR starts a new table, and its rows are kept', () => {
    const grids = [first(), next({ titles: ['财政拨款支出预算表 〈 功能科目)'] })];
    expect(marked(grids)).toEqual([undefined, undefined]);
    const tables = recognizeTables(grids, ctx);
    expect(tables).toHaveLength(2);
    expect(tables[1].items.map((i) => [i.funcCode, i.amountFen])).toEqual([['20102', 4_000]]);
  });

  it('a different title starts a new table even when it differs by two characters only', () => {
    const a = gridOf([HEADER, ['201', '一般公共服务支出', '100.00']], { page: 1, top: 500, titles: ['2025年部门收入预算总表'] });
    expect(marked([a, next({ titles: ['2025年部门支出预算总表'] })])).toEqual([undefined, undefined]);
  });

  it('the same title with one character misread (and 续) continues the table', () => {
    const a = gridOf([HEADER, ['201', '一般公共服务支出', '100.00']], { page: 1, top: 500, titles: ['一般公共预算支出预算表'] });
    const b = next({ titles: ['一般公共预算支出预笲表（续）'] });
    expect(isTitleText('一般公共预算支出预笲表（续）')).toBe(true);
    expect(marked([a, b])).toEqual([undefined, 0]);
  });

  it('a table number or a 部门/单位 line above an untitled table starts a new table', () => {
    expect(marked([first(), next({ titles: ['公开06表'] })])).toEqual([undefined, undefined]);
    expect(marked([first(), next({ titles: ['单位：万元'] })])).toEqual([undefined, undefined]);
    expect(marked([first(), next({ titles: ['部门：江苏省政协办公厅'] })])).toEqual([undefined, undefined]);
  });

  it('a header row of its own starts a new table; the header repeated does not', () => {
    const other = next({ header: ['项目', '预算数'], rows: [['一、一般公共预算', '1.00']] });
    expect(startsWithOtherHeader(other, first())).toBe(true);
    expect(marked([first(), other])).toEqual([undefined, undefined]);
    expect(marked([first(), next({ header: HEADER })])).toEqual([undefined, 0]);
    // The header repeated with a character misread by OCR (科目 read 科日) is still the same header…
    expect(marked([first(), next({ header: HEADER.map((h) => h.replace('科目名称', '科日名称')) })])).toEqual([undefined, 0]);
    expect(marked([first(), next({ header: ['科目编码', '科目名', '合计'] })])).toEqual([undefined, 0]); // 科目名称 with 称 lost
    // …but one-character heads must match exactly.
    expect(startsWithOtherHeader(next({ header: ['类', '款', '合计'] }), gridOf([['项', '支出', '合计'], ['201', '1.00', '1.00']], { page: 1, top: 80 }))).toBe(true);
    // Body rows without figures are not a header.
    expect(startsWithOtherHeader(next({ rows: [['结余分配', '年末结转和结余'], ['20102', '1.00']] }), first())).toBe(false);
  });

  it('a title and header alone at the foot of a page are continued by the next page\'s table', () => {
    const stub = gridOf([['项目', '金额']], { page: 1, top: 760, titles: ['财政拨款收支预算总表'] });
    const body = next({ header: ['项目名称', '金额', '支出用途'], rows: [['一般公共服务支出', '1.00', '办公']] });
    expect(marked([stub, body])).toEqual([undefined, 0]);
  });

  it('other columns start a new table', () => {
    const wide = gridOf([['20102', '政协事务', '40.00', '30.00', '10.00']].map((r) => r), { page: 2, top: 80 });
    // Columns shifted by half a column: none of its column starts is one of the first part's.
    wide.cells.forEach((c) => { c.box = [c.box[0] + 50, c.box[1], c.box[2] + 50, c.box[3]]; });
    expect(sameColumns(wide, first())).toBe(false);
    expect(marked([first(), wide])).toEqual([undefined, undefined]);
    expect(sameColumns(next(), first())).toBe(true);
  });
});

describe('nothing read is dropped silently', () => {
  it('a continuation none of whose figures fit the first part becomes a table of kind other', () => {
    // Its figures sit in the first part's name column.
    const cont = next({ rows: [['20102', '40.00', '']] });
    cont.continuationOf = 0;
    const unplaced: UnplacedRow[] = [];
    const tables = recognizeTables([first(), cont], ctx, unplaced);
    expect(tables).toHaveLength(2);
    expect(tables[1].kind).toBe('other');
    expect(tables[1].items.map((i) => [i.funcCode, i.amountFen, i.page])).toEqual([['20102', 4_000, 2]]);
    expect(unplaced).toEqual([]);
  });

  it('rows with figures that gave no line item become an ocr.unplaced_rows finding with page and box', () => {
    // A table whose only figure column is not read as amounts (a 名称 header over it).
    const g = { ...gridOf([['科目编码', '科目名称'], ['201', '1,234.00'], ['202', '一般公共服务']], { page: 3, titles: ['部门支出预算表'] }), source: 'ocr' as const };
    const unplaced: UnplacedRow[] = [];
    const tables = recognizeTables([g], ctx, unplaced);
    expect(tables[0].items).toEqual([]);
    expect(unplaced.map((r) => [r.page, r.text])).toEqual([[3, '201 | 1,234.00']]);
    const doc = (ts: RecognizedTable[]) => ({ tables: ts, unplacedRows: unplaced }) as unknown as DocumentResult;
    const [f] = ocrUnplacedFamily(doc(tables));
    expect(f.rule).toBe('ocr.unplaced_rows');
    expect(f.page).toBe(3);
    expect(f.box).toEqual(unplaced[0].box);
    // The text path reports nothing.
    expect(ocrUnplacedFamily(doc(tables.map((t) => ({ ...t, source: 'pdf_text' as const }))))).toEqual([]);
  });
});
