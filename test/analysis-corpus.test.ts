// The researchers' worked examples (README, "For researchers") on the real corpus, each checked
// against the line items; departments of the Jiangsu documents; CSV and Parquet exports of the corpus
// read back equal to the database rows. Skipped when ../shared/corpus is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, type CompareResult } from '../src/analyze/compare.js';
import { openAnalysisDb, DEFAULT_ALIAS_FILE } from '../src/analyze/departments.js';
import { RESOURCES, exportDataset } from '../src/analyze/export.js';
import { auditDatabase } from '../src/analyze/audit.js';
import { runIngest } from '../src/cli/ingest.js';
import type { Db } from '../src/store/db.js';
import type { Sql } from '../src/store/sql.js';
import { rawDb } from './fixtures/store.js';
import { checkTableSchemaRules, expectedRows, readBack, validateProfile } from './fixtures/export-check.js';
import { corpusDir } from '../bench/paths.js';
import { quietly } from './fixtures/cli.js';

const CORPUS = corpusDir();
const JIANGSU = path.join(CORPUS, 'real/jiangsu');
const HAVE_CORPUS = fs.existsSync(JIANGSU);

/** All of Jiangsu (14 PDFs), one Shanghai budget with 人员经费/公用经费 columns, the 达州 text dump. */
function inputs(): string[] {
  if (!HAVE_CORPUS) return [];
  const jiangsu = fs.readdirSync(JIANGSU).flatMap((d) => fs.readdirSync(path.join(JIANGSU, d)).map((f) => path.join(JIANGSU, d, f)));
  return [
    ...jiangsu.filter((f) => f.endsWith('.pdf')).sort(),
    path.join(CORPUS, 'real/shanghai/上海市普陀区人民政府办公室25年预算.pdf'),
    path.join(CORPUS, 'text/达州市人力资源和社会保障信息中心2024年部门预算.txt'),
  ];
}


const col = (r: CompareResult, name: string) => r.columns.indexOf(name);
const row = (r: CompareResult, department: string, year: number) =>
  r.rows.find((x) => x[col(r, 'department')] === department && x[col(r, 'year')] === year);

/** 元 text of a printed 万元 amount, by string arithmetic only: "1,234.5" → "12345000.00" (digits of 分 = 万元 × 10^6). */
function wanToYuan(text: string): string {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.replace(/,/g, ''))!;
  const digits = (m[1] + (m[2] ?? '').padEnd(2, '0') + '0000').replace(/^0+(?=\d{3})/, '');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

describe.skipIf(!HAVE_CORPUS)('corpus: researchers’ worked examples', () => {
  let dir: string;
  let dbPath: string;
  let sql: Sql;
  /** Its SQLite connection, for the checks against the line items. */
  let db: Db;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-corpus-analysis-'));
    dbPath = path.join(dir, 'corpus.db');
    // As a user does: `yusuan ingest` (on this thread), which also leaves the stored findings those of an audit.
    expect(await quietly(() => runIngest([...inputs(), '--db', dbPath, '--jobs', '0', '--results', path.join(dir, 'run_results.json')]))).toBe(0);
    sql = await openAnalysisDb(dbPath, { aliasFile: DEFAULT_ALIAS_FILE });
    db = rawDb(sql);
  }, 120_000);
  afterAll(async () => {
    await sql?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Line items of a document's tables of these kinds. */
  const items = (documentId: number, kinds: string[]) =>
    db.prepare(`SELECT li.* FROM line_items li JOIN doc_tables t ON t.id = li.table_id
                WHERE li.document_id = ? AND t.kind IN (${kinds.map(() => '?').join(',')}) ORDER BY li.id`)
      .all(documentId, ...kinds) as { label: string; func_code: string | null; econ_code: string | null; column_key: string; column_label: string; amount_fen: number; amount_text: string }[];
  const docsOf = (department: string, year: number) =>
    db.prepare(`SELECT d.id FROM documents d JOIN document_departments dd ON dd.document_id = d.id
                JOIN departments p ON p.id = dd.department_id WHERE p.name = ? AND d.year = ? ORDER BY d.id`).pluck().all(department, year) as number[];

  it('links the 2017 and 2018 documents of each Jiangsu department to one department', () => {
    const folders = fs.readdirSync(JIANGSU).sort();
    expect(folders).toHaveLength(5);
    const seen = new Set<number>();
    for (const folder of folders) {
      const rows = db.prepare(`SELECT d.year, dd.department_id FROM documents d LEFT JOIN document_departments dd ON dd.document_id = d.id
                               WHERE d.path LIKE ? ORDER BY d.year`).all(`%/jiangsu/${folder}/%`) as { year: number; department_id: number | null }[];
      expect(rows.length, folder).toBeGreaterThanOrEqual(2);
      expect(new Set(rows.map((r) => r.year)), folder).toEqual(new Set([2017, 2018]));
      const ids = new Set(rows.map((r) => r.department_id));
      expect(ids.size, `${folder}: ${JSON.stringify(rows)}`).toBe(1);
      const id = [...ids][0]!;
      expect(id, folder).not.toBeNull();
      expect(seen.has(id), `${folder} shares a department with another folder`).toBe(false);
      seen.add(id);
      // The folder name is an alias of its department (by the rule or the alias file).
      const alias = db.prepare('SELECT department_id FROM department_aliases WHERE alias = ?').pluck().get(folder);
      expect(alias, folder).toBe(id);
    }
    expect(db.prepare('SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM document_departments)').pluck().get()).toBe(0);
  });

  it('example 1: 三公 by department and year equals the 三公 table of each Jiangsu document', async () => {
    const r = await compare(sql, 'three-public', { by: ['department', 'year'] });
    const jiangsu = r.rows.filter((x) => String(x[0]).includes('江苏'));
    expect(jiangsu).toHaveLength(10); // 5 departments × 2 years
    const measures = ['three_public', 'overseas_travel', 'vehicle_purchase', 'vehicle_operation', 'official_reception'];
    for (const x of jiangsu) {
      const [department, year] = [x[0] as string, x[1] as number];
      const docs = docsOf(department, year).filter((id) => items(id, ['three_public']).length > 0);
      expect(docs, `${department} ${year}`).toHaveLength(1);
      const li = items(docs[0], ['three_public']);
      for (const m of measures) {
        const cell = li.filter((i) => i.column_key === m);
        const got = x[col(r, `${m}_yuan`)];
        if (cell.length === 0) expect(got, `${department} ${year} ${m}`).toBeNull();
        else {
          expect(cell, `${department} ${year} ${m}`).toHaveLength(1);
          expect(got, `${department} ${year} ${m} printed ${cell[0].amount_text} 万元`).toBe(wanToYuan(cell[0].amount_text));
        }
      }
    }
    // The figures quoted in the README.
    expect(row(r, '江苏省人民检察院', 2017)!.slice(3, 9)).toEqual(['5843500.00', '1100000.00', '3178000.00', '500000.00', '2678000.00', '1565500.00']);
    expect(row(r, '江苏省人民检察院', 2018)!.slice(3, 9)).toEqual(['4843000.00', '1000000.00', '2678000.00', null, '2678000.00', '1165000.00']);
    expect(row(r, '江苏省人民检察院', 2018)!.slice(-2)).toEqual(['-1000500.00', '-17.12']);
  });

  it('example 2: personnel share of basic expenditure equals (301 + 303) / Σ classes of the basic table', async () => {
    const r = await compare(sql, 'personnel-share', { by: ['department', 'year'] });
    expect(r.rows.length).toBe(12); // 10 Jiangsu + Shanghai + 达州
    for (const x of r.rows) {
      const [department, year] = [x[0] as string, x[1] as number];
      const li = docsOf(department, year).flatMap((id) => items(id, ['general_budget_basic', 'final_general_budget_basic']));
      const classes = li.filter((i) => i.econ_code?.length === 3 && ['total', 'general_budget', 'basic'].includes(i.column_key));
      const basic = classes.reduce((s, i) => s + i.amount_fen, 0);
      const personnel = classes.filter((i) => i.econ_code === '301' || i.econ_code === '303').reduce((s, i) => s + i.amount_fen, 0);
      expect(x[col(r, 'basic_yuan')], `${department} ${year}`).toBe((basic / 100).toFixed(2));
      expect(x[col(r, 'personnel_yuan')], `${department} ${year}`).toBe((personnel / 100).toFixed(2));
      expect(Number(x[col(r, 'personnel_pct')])).toBeCloseTo((100 * personnel) / basic, 2);
    }
    // Where the table prints a 人员经费 column, 301 + 303 is what it prints on its 合计 row.
    const sh = row(r, '上海市普陀区人民政府办公室', 2025)!;
    const printed = items(docsOf('上海市普陀区人民政府办公室', 2025)[0], ['general_budget_basic'])
      .find((i) => i.label === '合计' && i.column_key === 'personnel')!;
    expect(printed.amount_text).toBe('22,473,997.81');
    expect(sh[col(r, 'personnel_yuan')]).toBe('22473997.81');
    expect(sh[col(r, 'personnel_pct')]).toBe('91.33');
    expect(row(r, '江苏省高级人民法院', 2018)![col(r, 'personnel_pct')]).toBe('81.65');
  });

  it('example 3: year-over-year change of 204 公共安全支出 for 江苏省高级人民法院', async () => {
    const r = await compare(sql, 'function', { by: ['department', 'year'], code: '204', department: '江苏省高级人民法院' });
    expect(r.rows).toEqual([
      ['江苏省高级人民法院', 2017, 'budget', '235131100.00', null, null, null, null],
      ['江苏省高级人民法院', 2018, 'budget', '262008800.00', null, null, '26877700.00', '11.43'],
    ]);
    for (const [year, yuanText] of [[2017, '235131100.00'], [2018, '262008800.00']] as const) {
      const [doc] = docsOf('江苏省高级人民法院', year).filter((id) => items(id, ['appropriation_expenditure']).length > 0);
      const li = items(doc, ['appropriation_expenditure']).filter((i) => i.func_code === '204' && i.column_key === 'total');
      expect(li).toHaveLength(1);
      expect(wanToYuan(li[0].amount_text)).toBe(yuanText);
    }
  });

  it('exports the corpus to CSV and Parquet that read back equal to the database rows, with a valid datapackage.json', async () => {
    const expected = expectedRows(db);
    for (const format of ['csv', 'parquet'] as const) {
      const out = path.join(dir, format);
      await exportDataset(sql, { format, outDir: out });
      for (const r of RESOURCES) expect(await readBack(out, format, r.name), `${format} ${r.name}`).toEqual(expected[r.name]);
      const descriptor = JSON.parse(fs.readFileSync(path.join(out, 'datapackage.json'), 'utf8'));
      expect(validateProfile(descriptor)).toEqual([]);
      expect(checkTableSchemaRules(descriptor, expected)).toEqual([]);
    }
    expect(expected.amounts.length).toBeGreaterThan(2000);
  }, 60_000); // two exports of the corpus: seconds, more on a loaded machine

  it('exports the findings of an audit: after an ingest the stored findings are the latest audit’s', async () => {
    const out = path.join(dir, 'findings');
    await exportDataset(sql, { format: 'jsonl', outDir: out });
    const tableIndex = new Map((db.prepare('SELECT id, table_index FROM doc_tables').raw().all() as [number, number][]));
    const key = (documentId: number, f: { rule: string; severity: string; page: number | null; tableIndex: number | null; expected: string | null; actual: string | null; message: string }) =>
      JSON.stringify([documentId, f.rule, f.severity, f.page, f.tableIndex, f.expected, f.actual, f.message]);
    const exported = (await readBack(out, 'jsonl', 'findings')).map((r) => key(r.document_id as number, {
      rule: r.rule as string, severity: r.severity as string, page: r.page as number | null, expected: r.expected as string | null, actual: r.actual as string | null,
      message: r.message as string, tableIndex: r.table_id === null ? null : tableIndex.get(r.table_id as number)!,
    }));
    const audited = (await auditDatabase(sql)).documents.flatMap((d) => d.findings.map((f) => key(d.id, f)));
    expect(audited.length).toBeGreaterThan(50);
    expect(exported.sort()).toEqual(audited.sort());
  }, 60_000);
});
