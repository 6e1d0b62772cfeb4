// The sample PDFs (samples/, rendered by samples/generate.ts) and the bad-input fixtures
// (test/fixtures/bad/, written by test/fixtures/make-bad.ts) as extractPdf sees them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractPdf, PdfOpenError } from '../src/extract/pdf.js';
import type { Page } from '../src/types.js';
import * as F from '../samples/dazhou-figures.js';
import { renderSample, RULED_FILE, UNRULED_FILE } from '../samples/generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BAD = path.join(ROOT, 'test/fixtures/bad');
const DUMP = path.join(ROOT, '../shared/corpus/text', F.DUMP_FILE);

const pageText = (p: Page) => p.runs.map((r) => r.text).join('\n');
const count = (s: string, sub: string) => s.split(sub).length - 1;

/** Pages of each sample and what is on them (the layout the report describes). */
const LAYOUT = [
  { page: 1, landscape: false, table: null },
  { page: 2, landscape: false, table: null },
  { page: 3, landscape: false, table: '部门收支总表' },
  { page: 4, landscape: false, table: '部门收支总表' }, // continued, header repeated
  { page: 5, landscape: true, table: '部门支出总表' },
  { page: 6, landscape: true, table: '一般公共预算支出预算表' },
  { page: 7, landscape: true, table: '一般公共预算基本支出预算表' },
  { page: 8, landscape: true, table: '一般公共预算基本支出预算表' }, // continued, no header
  { page: 9, landscape: true, table: '一般公共预算“三公”经费支出预算表' },
];

describe.each([
  { name: 'ruled', file: RULED_FILE, ruled: true },
  { name: 'unruled', file: UNRULED_FILE, ruled: false },
])('sample $name', ({ file, ruled }) => {
  let pages: Page[] = [];
  beforeAll(async () => {
    pages = (await extractPdf(new Uint8Array(fs.readFileSync(file)))).pages;
  });

  it('is what samples/generate.ts renders now, and small', () => {
    const bytes = fs.readFileSync(file);
    expect(bytes.equals(renderSample(ruled))).toBe(true);
    expect(bytes.length).toBeLessThan(100_000);
  });

  it('has the expected pages, portrait and landscape', () => {
    expect(pages).toHaveLength(LAYOUT.length);
    for (const l of LAYOUT) {
      const p = pages[l.page - 1];
      expect(p.width > p.height, `page ${l.page}`).toBe(l.landscape);
      if (l.table && l.page !== 4 && l.page !== 8) expect(pageText(p)).toContain(l.table);
    }
  });

  it('gives back the cover text', () => {
    const cover = pageText(pages[0]);
    expect(cover).toContain('达州市人力资源和社会保障信息管理中心');
    expect(cover).toContain('2024年部门预算');
  });

  it('has ruling lines on table pages only when ruled', () => {
    for (const l of LAYOUT) {
      const n = pages[l.page - 1].rules.length;
      if (ruled && l.table) expect(n, `page ${l.page}`).toBeGreaterThan(0);
      else expect(n, `page ${l.page}`).toBe(0);
    }
    const total = pages.reduce((s, p) => s + p.rules.length, 0);
    if (ruled) expect(total).toBeGreaterThan(0);
    else expect(total).toBe(0);
  });

  it('carries the 641.15 figures in the narrative and the tables', () => {
    const narrative = pageText(pages[1]);
    expect(narrative).toContain('收支预算总数641.15万元');
    expect(narrative).toContain('人员经费586.28万元');
    const summary1 = pageText(pages[2]);
    expect(summary1).toContain('部门:达州市人力资源和社会保障信息管理中心');
    expect(summary1).toContain('金额单位:万元');
    for (const v of ['641.15', '560.62', '21.43', '59.09']) expect(summary1).toContain(v);
    expect(count(pageText(pages[3]), '641.15')).toBe(4); // 本年收入合计, 本年支出合计, 收入总计, 支出总计
    expect(count(pageText(pages[4]), '641.15')).toBe(6);
    expect(count(pageText(pages[5]), '6,411,500.00')).toBe(6); // the table in 元 with separators
    expect(count(pageText(pages[6]), '641.15')).toBe(3);
  });

  it('keeps the header on the continuation of 部门收支总表 but not on that of the 基本支出 table', () => {
    const p4 = pageText(pages[3]);
    expect(p4).toContain('预算数');
    expect(p4).toContain('二十八、抗疫特别国债安排的支出');
    const p8 = pageText(pages[7]);
    expect(p8).not.toContain('人员经费');
    expect(p8).toContain('奖励金');
  });

  it('wraps a long label in its cell with the amounts centred on the row', () => {
    const runs = pages[4].runs;
    const a = runs.find((r) => r.text === '达州市人力资源和社会保')!;
    const b = runs.find((r) => r.text === '障信息管理中心')!;
    expect(a && b).toBeTruthy();
    const amount = runs.find((r) => r.text === '641.15' && r.box[1] > a.box[1] && r.box[3] < b.box[3])!;
    expect(amount).toBeTruthy();
    const mid = (r: { box: number[] }) => (r.box[1] + r.box[3]) / 2;
    expect(Math.abs(mid(amount) - (a.box[1] + b.box[3]) / 2)).toBeLessThan(1);
  });
});

describe('sample figures', () => {
  it.skipIf(!fs.existsSync(DUMP))('are the dump’s figures', () => {
    const dump = fs.readFileSync(DUMP, 'utf8');
    // A row, as its non-empty cells without spaces, must be a line of the dump (cells tab-separated,
    // a wrapped label split by a space, which is dropped here too).
    const key = (cells: readonly string[]) => cells.map((c) => c.replace(/\s+/g, '')).filter(Boolean).join('|');
    const dumpRows = new Set(dump.split('\n').map((l) => key(l.split('\t'))));
    const s = F.budgetSummary;
    const rows: (readonly string[])[] = [
      ...s.expenditure.map((e, i) => [...(s.income[i] ?? []), ...e]),
      ...s.totals,
      ...F.expenditureTotal.rows,
      ...F.generalBudgetExpenditure.rows,
      ...F.generalBudgetBasic.rows,
      ...F.threePublic.rows,
    ];
    for (const row of rows) expect(dumpRows, row.join(' | ')).toContain(key(row));
    for (const p of F.narrative.paragraphs) {
      for (const v of p.text.match(/\d+\.\d+%?/g) ?? []) expect(dump).toContain(v);
    }
    expect(F.wanToYuanText('641.15')).toBe('6,411,500.00');
    expect(F.wanToYuanText('0.03')).toBe('300.00');
  });
});

describe('bad inputs', () => {
  const open = (name: string) => extractPdf(new Uint8Array(fs.readFileSync(path.join(BAD, name))));
  const reason = async (name: string) => {
    try {
      await open(name);
      return 'opened';
    } catch (e) {
      return e instanceof PdfOpenError ? e.reason : `other: ${(e as Error).message}`;
    }
  };

  it('rejects an empty file', async () => expect(await reason('empty.pdf')).toBe('empty'));
  it('rejects a text file named .pdf', async () => expect(await reason('not-a-pdf.pdf')).toBe('corrupt'));
  it('rejects a truncated PDF', async () => {
    expect(fs.readFileSync(path.join(BAD, 'corrupt.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await reason('corrupt.pdf')).toBe('corrupt');
  });
  it('rejects a password-protected PDF', async () => expect(await reason('encrypted.pdf')).toBe('encrypted'));
  it('opens a PDF that is not a budget', async () => {
    const { pages } = await open('not-budget.pdf');
    expect(pages).toHaveLength(1);
    const text = pageText(pages[0]);
    expect(text).toContain('关于调整图书馆开放时间的通知');
    expect(text).not.toContain('万元');
    expect(pages[0].rules).toHaveLength(0);
  });
});
