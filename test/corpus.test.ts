// The real corpus (../shared/corpus, next to the project root) through processFile: metadata, tables,
// the summary's balance, the code-hierarchy arithmetic and the line items' geometry and amounts.
//
// Printed errors of the documents themselves are listed below with their reasons. Anything else that
// fails here is an extraction error to fix in src/, not a line to add to these lists.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { hierarchySums } from '../src/validate/sums.js';
import type { DocumentResult, LineItem, RecognizedTable, TableKind } from '../src/types.js';
import { corpusDir } from '../bench/paths.js';


const CORPUS = corpusDir();
const REAL = path.join(CORPUS, 'real');
const HAVE_CORPUS = fs.existsSync(REAL);

interface CorpusFile {
  rel: string; // relative to the corpus folder
  file: string; // absolute
  sha256: string | null; // from MANIFEST.tsv (PDFs only)
  pages: number | null;
}

function corpusFiles(): CorpusFile[] {
  if (!HAVE_CORPUS) return [];
  const [header, ...rows] = fs.readFileSync(path.join(REAL, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim());
  if (!header.startsWith('file\tsha256\tpages')) throw new Error(`unexpected MANIFEST.tsv header: ${header}`);
  const pdfs = rows.map((row) => {
    const [file, sha256, pages] = row.split('\t');
    return { rel: `real/${file}`, file: path.join(REAL, file), sha256, pages: Number(pages) };
  });
  const textDir = path.join(CORPUS, 'text');
  const dumps = fs.existsSync(textDir)
    ? fs.readdirSync(textDir).filter((f) => f.endsWith('.txt')).sort()
      .map((f) => ({ rel: `text/${f}`, file: path.join(textDir, f), sha256: null, pages: null }))
    : [];
  return [...pdfs, ...dumps];
}

const FILES = corpusFiles();
const sha12 = (d: DocumentResult) => d.sha256.slice(0, 12);
const compact = (s: string) => s.replace(/\s/g, '');

/** The year a file name carries: 2017, 2018预算, 2024年度, or two digits before 年 ('24年' = 2024). */
function yearInFileName(name: string): number | null {
  const four = /(?<!\d)(20\d{2})(?!\d)/.exec(name);
  if (four) return Number(four[1]);
  const two = /(?<!\d)(\d{2})年/.exec(name);
  return two ? 2000 + Number(two[1]) : null;
}

/**
 * The Jiangsu 公开文件 that carry only the narrative (目录 and 情况说明) while their tables are
 * published as a separate 公开表 file: checked with `pdftotext -layout`, no page prints a table row.
 */
const NARRATIVE_ONLY = new Set([
  '177eb7fa38c3', // 江苏省委办公厅2017年部门预算.pdf (tables in 江苏省委办公厅2017年预算公开表格.pdf)
  'd22abdf08130', // 江苏省委办公厅2018年度部门预算公开文件.pdf (tables in …公开表.pdf)
  'cd9ac66d664e', // 江苏省政协办公厅2017年度部门预算.pdf (tables in 2017年度部门预算公开表.pdf)
  'd27f30612b40', // 江苏省政协办公厅2018年度部门预算.pdf (tables in …2018度部门预算公开表.pdf)
]);

/** Kinds whose table is often printed empty (此表无数据 / 本表为空表 / 本部门无相关收支项目). */
const OFTEN_EMPTY = new Set<TableKind>([
  'gov_fund_expenditure', 'gov_fund_three_public', 'state_capital_expenditure', 'final_gov_fund', 'final_state_capital',
  'general_budget_project', 'three_public', 'final_three_public', 'project_performance', 'overall_performance',
]);

/** The empty tables each document prints, checked against its text: every one says it has no data. */
const SHANGHAI_BUDGET_EMPTY: TableKind[] = ['gov_fund_expenditure', 'state_capital_expenditure'];
const JIANGSU_EMPTY: TableKind[] = ['gov_fund_expenditure'];
const EXPECTED_EMPTY: Record<string, TableKind[]> = {
  c8821d984a54: SHANGHAI_BUDGET_EMPTY,
  '9cf8afd0f960': SHANGHAI_BUDGET_EMPTY,
  ef2db536657d: SHANGHAI_BUDGET_EMPTY,
  '223f7ad8218f': SHANGHAI_BUDGET_EMPTY,
  d45e923176f9: ['final_gov_fund', 'final_state_capital'], // 故本表无数据
  '520fa5c58e1f': JIANGSU_EMPTY,
  f113bb6ee8f9: JIANGSU_EMPTY,
  '956e155770fa': JIANGSU_EMPTY,
  b6f855786225: JIANGSU_EMPTY,
  a59d3e87fad5: JIANGSU_EMPTY,
  '60f13f96bfd6': JIANGSU_EMPTY,
  '42d4fd889f7a': JIANGSU_EMPTY,
  '600311282f84': JIANGSU_EMPTY,
  '324795c7efce': JIANGSU_EMPTY,
  '9bb83bc165f9': JIANGSU_EMPTY,
  // The 达州 text dump: 此表无数据 under each of these, 此表无内容 under the 整体支出绩效目标表.
  '6349905c139f': ['general_budget_project', 'three_public', 'gov_fund_expenditure', 'gov_fund_three_public',
    'state_capital_expenditure', 'overall_performance'],
};

// ---------------------------------------------------------------------------------------------
// Code-hierarchy arithmetic: class = Σ 款, 款 = Σ 项 per column, to one printed 分 per summed row.

/** Sums off by more than the rounding allowance because the document prints them so. */
interface SumException {
  sha12: string;
  kind: TableKind;
  code: string;
  column: string; // the column's label
  diffFen: number; // printed parent − Σ printed children
  why: string;
}

const SUM_EXCEPTIONS: SumException[] = [
  // pdftotext p17: 302 商品和服务支出 24,840,779 in both amount columns; its 18 款 rows (30201 … 30299)
  // add up to 24,840,778. Recorded as printed in keys/223f7ad8218f.json (README-shanghai.txt).
  {
    sha12: '223f7ad8218f', kind: 'general_budget_basic', code: '302', column: '一般公共预算基本支出/合计', diffFen: 100,
    why: 'printed 302 = 24,840,779 元 but its 款 rows add up to 24,840,778 元',
  },
  {
    sha12: '223f7ad8218f', kind: 'general_budget_basic', code: '302', column: '一般公共预算基本支出/公用经费', diffFen: 100,
    why: 'the same 302 row, 公用经费 column (all of 302 is 公用经费)',
  },
];

/**
 * Printed rounding differences within the allowance (non-zero, but ≤ one printed 分 per summed row).
 * They pass; they are listed so that any other non-zero difference (a misread digit in a 万元 table
 * can hide inside the allowance) shows up.
 */
const KNOWN_ROUNDING: SumException[] = [
  // README-shanghai.txt: basic table 301 = 2,082.85 against 款 sum 2,082.86, 302 = 171.07 against 171.09.
  { sha12: 'd45e923176f9', kind: 'final_general_budget_basic', code: '301', column: '决算数', diffFen: -10_000, why: '2,082.85 vs Σ 2,082.86 万元' },
  { sha12: 'd45e923176f9', kind: 'final_general_budget_basic', code: '302', column: '决算数', diffFen: -20_000, why: '171.07 vs Σ 171.09 万元' },
  // corpus README / samples README: 工资福利支出 586.25 vs 586.24, 商品和服务支出 54.87 vs 54.86.
  ...['基本支出/合计', '人员经费'].map((column) => ({
    sha12: '6349905c139f', kind: 'general_budget_basic' as const, code: '301', column, diffFen: 10_000, why: '586.25 vs Σ 586.24 万元',
  })),
  ...['基本支出/合计', '公用经费'].map((column) => ({
    sha12: '6349905c139f', kind: 'general_budget_basic' as const, code: '302', column, diffFen: 10_000, why: '54.87 vs Σ 54.86 万元',
  })),
  ...['总计', '当年财政拨款安排/合计', '一般公共预算拨款/小计', '基本支出'].map((column) => ({
    sha12: '6349905c139f', kind: 'appropriation_expenditure' as const, code: '302', column, diffFen: 10_000, why: '54.87 vs Σ 54.86 万元',
  })),
];

const sumKey = (x: Pick<SumException, 'sha12' | 'kind' | 'code' | 'column' | 'diffFen'>) =>
  `${x.sha12} ${x.kind} ${x.code} [${x.column}] ${x.diffFen > 0 ? '+' : ''}${x.diffFen}`;

/** One printed 分 (0.01 of the table's unit) in fen. */
function printedFen(unit: string | null): number {
  switch (unit) {
    case '元': return 1;
    case '千元': return 1_000;
    case '万元': return 10_000;
    case '亿元': return 100_000_000;
    default: throw new Error(`unknown unit ${unit}`);
  }
}

/** Exact fen of a printed amount in a unit, in integers only: "1,234.5" 万元 → 12_345_000_000. */
function fenOfText(text: string, unit: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.normalize('NFKC').replace(/[\s,]/g, ''));
  if (!m) return null;
  const hundredths = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return (m[1] ? -1n : 1n) * hundredths * BigInt(printedFen(unit));
}

/** Code-detail kinds: their uncoded 合计 row is the sum of their class rows. */
const SUMMARY_KINDS = new Set<TableKind>(['budget_summary', 'final_summary', 'appropriation_summary', 'final_appropriation_summary']);

const byColumn = (items: LineItem[]) => {
  const m = new Map<string, LineItem[]>();
  for (const it of items) {
    const k = `${it.columnKey}|${it.columnLabel}`;
    m.set(k, [...(m.get(k) ?? []), it]);
  }
  return m;
};

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAVE_CORPUS)('real corpus', () => {
  const docs = new Map<string, DocumentResult>(); // by CorpusFile.rel
  const all = () => [...docs.values()];
  const get = (f: CorpusFile) => {
    const d = docs.get(f.rel);
    if (!d) throw new Error(`${f.rel} was not processed`);
    return d;
  };

  beforeAll(async () => {
    for (const f of FILES) docs.set(f.rel, await processFile(f.file));
  }, 120_000);

  it('has the 19 PDFs of MANIFEST.tsv and the text dump, each read whole and unchanged', () => {
    expect(FILES.filter((f) => f.rel.startsWith('real/'))).toHaveLength(19);
    expect(FILES.filter((f) => f.rel.startsWith('text/'))).toHaveLength(1);
    for (const f of FILES) {
      const d = get(f);
      expect(d.status, `${f.rel}: ${d.error}`).toBe('ok');
      expect(d.error, f.rel).toBeNull();
      if (f.sha256) expect(d.sha256, f.rel).toBe(f.sha256);
      if (f.pages !== null) expect(d.pages, f.rel).toBe(f.pages);
    }
  });

  describe('metadata', () => {
    for (const f of FILES) {
      it(f.rel, () => {
        const d = get(f);
        expect(d.status).toBe('ok');
        const name = path.basename(f.file);
        expect(d.phase).toBe(/决算/.test(name) ? 'final' : 'budget');
        expect(d.year).not.toBeNull();
        const year = yearInFileName(name);
        if (year !== null) expect(d.year).toBe(year);
        expect(d.department).not.toBeNull();
        expect(d.department).toMatch(/^\S+(局|处|室|厅|院|中心)$/);
      });
    }
    it('finds a year in every file name of this corpus (so the year check above is never vacuous)', () => {
      expect(FILES.filter((f) => yearInFileName(path.basename(f.file)) === null).map((f) => f.rel)).toEqual([]);
    });
  });

  describe('tables', () => {
    for (const f of FILES) {
      it(f.rel, () => {
        const d = get(f);
        const id = sha12(d);
        if (NARRATIVE_ONLY.has(id)) {
          expect(d.tables).toEqual([]);
          return;
        }
        for (const t of d.tables) expect(t.unit, `table ${t.title} p${t.pageStart}`).not.toBeNull();
        const empty = d.tables.filter((t) => t.kind !== 'other' && t.items.length === 0);
        // No standard table is empty unless of a kind often printed empty …
        expect(empty.filter((t) => !OFTEN_EMPTY.has(t.kind)).map((t) => `${t.kind} p${t.pageStart} ${t.title}`)).toEqual([]);
        // … and exactly the ones this document prints empty are.
        expect(id in EXPECTED_EMPTY, `no EXPECTED_EMPTY entry for ${id}`).toBe(true);
        expect(empty.map((t) => t.kind).sort()).toEqual([...EXPECTED_EMPTY[id]].sort());
        // Every table document has its summary table, of its phase.
        const summaryKind = d.phase === 'final' ? 'final_summary' : 'budget_summary';
        expect(d.tables.filter((t) => t.kind === summaryKind)).toHaveLength(1);
      });
    }
  });

  describe('summary: income total = expenditure total', () => {
    type Side = 'income' | 'expenditure';
    interface Totals { grand: Record<Side, LineItem[]>; sum: Record<Side, LineItem[]> }

    /** The 总计 (grand) and 合计 (本年) totals of a summary table, by label; a bare 总计 by its column. */
    function totalsOf(t: RecognizedTable): Totals {
      const out: Totals = { grand: { income: [], expenditure: [] }, sum: { income: [], expenditure: [] } };
      const sideOf = (word: string): Side => (word === '收入' ? 'income' : 'expenditure');
      for (const it of t.items) {
        if (it.columnKey !== 'total') continue; // 223f also prints 人员经费/公用经费/项目支出 on the 支出总计 row
        const label = compact(it.label);
        let m: RegExpExecArray | null;
        if ((m = /^(收入|支出)总计$/.exec(label))) out.grand[sideOf(m[1])].push(it);
        else if (label === '总计') {
          const side = /收入/.test(it.columnLabel) ? 'income' : /支出/.test(it.columnLabel) ? 'expenditure' : null;
          if (side) out.grand[side].push(it);
        } else if ((m = /^(?:本年)?(收入|支出)合计$/.exec(label))) out.sum[sideOf(m[1])].push(it);
      }
      return out;
    }

    /**
     * Documents whose 本年 totals differ by their printed carry-overs, where only 总计 balances:
     * the check becomes 本年收入合计 + carry-in = 本年支出合计 + carry-out = 总计.
     */
    const CARRYOVER_EXCEPTIONS: Record<string, { carryIn: RegExp; carryOut: RegExp; why: string }> = {
      d45e923176f9: {
        carryIn: /^年初结转和结余$/,
        carryOut: /^年末结转和结余$/,
        why: '决算: 本年收入合计 2,946.25 ≠ 本年支出合计 2,940.05 because of 结转 (年初 49.14, 年末 55.34); 总计 2,995.39 on both sides',
      },
    };

    for (const f of FILES) {
      it(f.rel, () => {
        const d = get(f);
        if (NARRATIVE_ONLY.has(sha12(d))) return;
        const summary = d.tables.find((t) => t.kind === 'budget_summary' || t.kind === 'final_summary');
        expect(summary, 'summary table').toBeDefined();
        const tot = totalsOf(summary!);
        const show = (xs: LineItem[]) => xs.map((x) => `${x.label}=${x.amountText}`).join(', ');
        const labels = summary!.items.map((x) => `${x.label || '∅'}=${x.amountText}`).join(', ');
        const hasGrand = tot.grand.income.length > 0 || tot.grand.expenditure.length > 0;
        const pair = hasGrand ? tot.grand : tot.sum;
        expect(pair.income, `income ${hasGrand ? '总计' : '合计'} among: ${labels}`).toHaveLength(1);
        expect(pair.expenditure, `expenditure ${hasGrand ? '总计' : '合计'} among: ${labels}`).toHaveLength(1);
        expect(pair.expenditure[0].amountFen, `${show(pair.income)} vs ${show(pair.expenditure)}`).toBe(pair.income[0].amountFen);

        // Where both 总计 and 合计 are printed, the 合计 pair balances too, unless carried over.
        if (hasGrand && (tot.sum.income.length > 0 || tot.sum.expenditure.length > 0)) {
          expect(tot.sum.income).toHaveLength(1);
          expect(tot.sum.expenditure).toHaveLength(1);
          const [inc, exp] = [tot.sum.income[0], tot.sum.expenditure[0]];
          const ex = CARRYOVER_EXCEPTIONS[sha12(d)];
          if (!ex) {
            expect(exp.amountFen, `${show(tot.sum.income)} vs ${show(tot.sum.expenditure)}`).toBe(inc.amountFen);
          } else {
            expect(exp.amountFen, ex.why).not.toBe(inc.amountFen);
            const one = (re: RegExp) => {
              const xs = summary!.items.filter((x) => x.columnKey === 'total' && re.test(compact(x.label)));
              expect(xs, `${re} among: ${labels}`).toHaveLength(1);
              return xs[0].amountFen;
            };
            expect(inc.amountFen + one(ex.carryIn), ex.why).toBe(pair.income[0].amountFen);
            expect(exp.amountFen + one(ex.carryOut), ex.why).toBe(pair.expenditure[0].amountFen);
          }
        } else {
          expect(CARRYOVER_EXCEPTIONS[sha12(d)], 'a carry-over exception that no longer applies').toBeUndefined();
        }
      });
    }
  });

  describe('code hierarchy (class = Σ 款, 款 = Σ 项 per column)', () => {
    it('prints every code once per column of a table, so that no sum is left unchecked', () => {
      const repeated: string[] = [];
      for (const d of all()) {
        d.tables.forEach((t, ti) => {
          for (const [col, items] of byColumn(t.items)) {
            for (const code of ['funcCode', 'econCode'] as const) {
              const seen = new Map<string, LineItem[]>();
              for (const it of items) if (it[code]) seen.set(it[code]!, [...(seen.get(it[code]!) ?? []), it]);
              for (const [c, xs] of seen) {
                if (xs.length > 1) repeated.push(`${sha12(d)} t${ti} ${t.kind} [${col}] ${c} ×${xs.length} on p${xs.map((x) => x.page).join(',')}`);
              }
            }
          }
        });
      }
      expect(repeated).toEqual([]);
    });

    it('checks sums in every document with coded tables', () => {
      for (const d of all()) {
        const coded = d.tables.some((t) => !SUMMARY_KINDS.has(t.kind) && t.items.some((i) => i.funcCode || i.econCode));
        if (coded) expect(hierarchySums(d).length, `${sha12(d)} ${d.fileName}`).toBeGreaterThan(0);
      }
    });

    it('adds up within one printed 分 per summed row, except the listed printed errors', () => {
      const breaches: string[] = [];
      for (const d of all()) {
        for (const c of hierarchySums(d)) {
          const t = d.tables[c.tableIndex];
          // Recomputed here rather than trusting the check's own numbers.
          const sum = c.children.reduce((s, x) => s + x.amountFen, 0);
          const diff = c.parent.amountFen - sum;
          expect(diff).toBe(c.diff);
          if (Math.abs(diff) <= printedFen(t.unit) * c.children.length) continue;
          breaches.push(sumKey({ sha12: sha12(d), kind: t.kind, code: (c.parent.funcCode ?? c.parent.econCode)!, column: c.parent.columnLabel, diffFen: diff }));
        }
      }
      expect(breaches.sort()).toEqual(SUM_EXCEPTIONS.map(sumKey).sort());
    });

    it('has no other non-zero difference than the known printed roundings', () => {
      const rounded: string[] = [];
      for (const d of all()) {
        for (const c of hierarchySums(d)) {
          const t = d.tables[c.tableIndex];
          if (c.diff === 0 || Math.abs(c.diff) > printedFen(t.unit) * c.children.length) continue;
          rounded.push(sumKey({ sha12: sha12(d), kind: t.kind, code: (c.parent.funcCode ?? c.parent.econCode)!, column: c.parent.columnLabel, diffFen: c.diff }));
        }
      }
      expect(rounded.sort()).toEqual(KNOWN_ROUNDING.map(sumKey).sort());
    });

    it('has each uncoded 合计 row equal to the sum of its class rows, within one printed 分 per class', () => {
      const off: string[] = [];
      for (const d of all()) {
        d.tables.forEach((t, ti) => {
          if (SUMMARY_KINDS.has(t.kind)) return; // their totals include income and carry-over rows
          for (const [col, items] of byColumn(t.items)) {
            const classes = items.filter((i) => (i.funcCode ?? i.econCode)?.length === 3);
            if (classes.length === 0) continue;
            const sum = classes.reduce((s, i) => s + i.amountFen, 0);
            for (const total of items.filter((i) => !i.funcCode && !i.econCode && compact(i.label) === '合计')) {
              if (Math.abs(total.amountFen - sum) > printedFen(t.unit) * classes.length) {
                off.push(`${sha12(d)} t${ti} ${t.kind} [${col}] p${total.page} 合计 ${total.amountText} vs Σ ${classes.map((c) => c.amountText).join('+')}`);
              }
            }
          }
        });
      }
      expect(off).toEqual([]);
    });
  });

  describe('line items', () => {
    for (const f of FILES) {
      it(f.rel, () => {
        const d = get(f);
        const bad: string[] = [];
        d.tables.forEach((t, ti) => {
          expect(t.pageStart).toBeGreaterThanOrEqual(1);
          expect(t.pageEnd).toBeLessThanOrEqual(d.pages);
          for (const it of t.items) {
            const where = `t${ti} ${t.kind} p${it.page} r${it.rowIndex} ${it.label} ${it.columnKey}`;
            const [x0, y0, x1, y1] = it.box;
            if (it.tableIndex !== ti) bad.push(`${where}: tableIndex ${it.tableIndex}`);
            if (!Number.isInteger(it.page) || it.page < t.pageStart || it.page > t.pageEnd || it.page > d.pages) bad.push(`${where}: page outside p${t.pageStart}-${t.pageEnd} of ${d.pages}`);
            if (it.box.length !== 4 || !it.box.every(Number.isFinite) || !(x0 < x1) || !(y0 < y1)) bad.push(`${where}: bbox ${JSON.stringify(it.box)}`);
            if (!Number.isSafeInteger(it.amountFen)) bad.push(`${where}: amountFen ${it.amountFen}`);
            if (it.amountText.trim() === '') bad.push(`${where}: empty amountText`);
            // True fen: the printed amount × 100 in 元, × 1,000,000 in 万元.
            const fen = fenOfText(it.amountText, t.unit!);
            if (fen === null || fen !== BigInt(it.amountFen)) bad.push(`${where}: ${it.amountText} ${t.unit} ≠ ${it.amountFen} fen`);
          }
        });
        expect(bad).toEqual([]);
      });
    }
  });
});
