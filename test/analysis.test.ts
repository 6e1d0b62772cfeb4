// Analysis layer on synthetic documents: departments rule and alias file, the views, FTS, compare.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, displayWidth, formatTable, percent } from '../src/analyze/compare.js';
import { groupDepartments, openAnalysisDb, parseAliasFile, refreshDepartments } from '../src/analyze/departments.js';
import { matchKey } from '../src/domain/departments.js';
import { fenToYuan } from '../src/domain/money.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import type { Sql } from '../src/store/sql.js';
import { rawDb } from './fixtures/store.js';
import { writeDocument } from '../src/store/write.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';

describe('amounts in 元', () => {
  it('formats integers of 分 exactly', () => {
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(-5)).toBe('-0.05');
    expect(fenToYuan(123456789)).toBe('1234567.89');
    expect(fenToYuan(9007199254740991n * 1000n)).toBe('90071992547409910.00');
  });
  it('computes percentages exactly, rounded half away from zero', () => {
    expect(percent(1n, 3n)).toBe('33.33');
    expect(percent(2n, 3n)).toBe('66.67');
    expect(percent(1n, 8n)).toBe('12.50');
    expect(percent(-1000500n, 5843500n)).toBe('-17.12');
  });
  it('measures CJK as double width', () => {
    expect(displayWidth('江苏ab')).toBe(6);
    expect(formatTable(['名', 'n'], [['江苏', 1]], new Set(['n'])).split('\n')[2]).toBe('江苏  1');
  });
});

describe('department rule', () => {
  it('joins the Jiangsu names by the rule', () => {
    expect(matchKey('中国共产党江苏省委员会办公厅')).toBe('江苏省委办公厅');
    expect(matchKey('中共江苏省委办公厅')).toBe('江苏省委办公厅');
    expect(matchKey('江苏省委办公厅')).toBe('江苏省委办公厅');
    expect(matchKey('江苏省人大常委会办公厅')).toBe(matchKey('江苏省人大办公厅'));
    expect(matchKey('江苏省人民代表大会常务委员会办公厅')).toBe(matchKey('江苏省人大办公厅'));
    expect(matchKey('中国人民政治协商会议江苏省委员会办公厅')).toBe('江苏省政协办公厅');
  });
  it('keeps apart what the rule does not join', () => {
    expect(matchKey('达州市人力资源和社会保障信息中心')).not.toBe(matchKey('达州市人力资源和社会保障信息管理中心'));
    expect(matchKey('江苏省发展和改革委员会')).toBe('江苏省发展和改革委员会');
  });
  it('reads the alias file and rejects a malformed line', () => {
    expect(parseAliasFile('# c\n\nA\tB\n')).toEqual([{ alias: 'A', department: 'B', line: 3 }]);
    expect(() => parseAliasFile('A B\n', 'x.tsv')).toThrow(/x.tsv:1/);
  });
  it('groups names, canonical from the alias file else the most frequent', () => {
    const docs = [
      { id: 1, department: '江苏省委办公厅' },
      { id: 2, department: '江苏省委办公厅' },
      { id: 3, department: '中国共产党江苏省委员会办公厅' },
      { id: 4, department: '信息管理中心' },
      { id: 5, department: null },
    ];
    const g1 = groupDepartments(docs, []);
    expect(g1.map((g) => g.name).sort()).toEqual(['信息管理中心', '江苏省委办公厅']);
    const g2 = groupDepartments(docs, parseAliasFile('信息中心\t信息管理中心\n江苏省委办公厅\t中共江苏省委办公厅\n'));
    const party = g2.find((g) => g.name === '中共江苏省委办公厅')!;
    expect(party.documents.map((d) => d.id)).toEqual([1, 2, 3]);
    expect(party.documents.map((d) => d.matchedBy)).toEqual(['rule', 'rule', 'rule']);
    expect(g2.find((g) => g.name === '信息管理中心')!.aliases.get('信息中心')).toBe('file');
  });
});

describe('views on synthetic documents', () => {
  let dir: string;
  let dbPath: string;
  /** The store under analysis, and its SQLite connection for the checks in SQL. */
  let sql: Sql;
  let db: Db;
  let aliasFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yusuan-analysis-'));
    dbPath = join(dir, 'a.db');
    aliasFile = join(dir, 'aliases.tsv');
    writeFileSync(aliasFile, '江苏省人大办公厅\t江苏省人大常委会办公厅\n');
    const w = await openStore(dbPath);
    for (const d of fixtureDocs()) await writeDocument(w, d);
    await w.close();
    sql = await openAnalysisDb(dbPath, { aliasFile });
    db = rawDb(sql);
  });
  afterAll(async () => {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links every document with a department name to one department', () => {
    const unlinked = db.prepare('SELECT id, department FROM documents WHERE id NOT IN (SELECT document_id FROM document_departments)').all();
    expect(unlinked).toEqual([{ id: 7, department: null }]);
    const party = db.prepare("SELECT d.year FROM document_departments dd JOIN departments p ON p.id = dd.department_id JOIN documents d ON d.id = dd.document_id WHERE p.match_key = '江苏省委办公厅' ORDER BY d.year").pluck().all();
    expect(party).toEqual([2017, 2018]);
  });

  it('refreshes only when documents or the alias file change', async () => {
    expect((await refreshDepartments(sql, { aliasFile })).refreshed).toBe(false);
    writeFileSync(aliasFile, '江苏省人大办公厅\t江苏省人大常委会办公厅\n江苏省某某院\t江苏省某某法院\n');
    expect((await refreshDepartments(sql, { aliasFile })).refreshed).toBe(true);
    expect(db.prepare("SELECT d.name FROM departments d JOIN department_aliases a ON a.department_id = d.id WHERE a.alias = '江苏省某某院'").pluck().get()).toBe('江苏省某某法院');
  });

  it('amounts carries exact 元 text', () => {
    const rows = db.prepare('SELECT amount_fen, amount_yuan FROM amounts').all() as { amount_fen: number; amount_yuan: string }[];
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) expect(r.amount_yuan).toBe(fenToYuan(r.amount_fen));
  });

  it('classifies 三公 columns by label, including sub-columns sharing a key and a final account', () => {
    const rows = db.prepare('SELECT department, year, phase, three_public_fen, overseas_travel_fen, vehicles_fen, vehicle_purchase_fen, vehicle_operation_fen, official_reception_fen FROM three_public ORDER BY year, department').all();
    expect(rows).toContainEqual({ department: '江苏省某某法院', year: 2017, phase: 'budget', three_public_fen: 10_000_000, overseas_travel_fen: 2_000_000, vehicles_fen: 5_000_000, vehicle_purchase_fen: 1_000_000, vehicle_operation_fen: 4_000_000, official_reception_fen: 3_000_000 });
    expect(rows).toContainEqual({ department: '上海市某区某局', year: 2025, phase: 'budget', three_public_fen: 1_081_000, overseas_travel_fen: 0, vehicles_fen: 998_000, vehicle_purchase_fen: 0, vehicle_operation_fen: 998_000, official_reception_fen: 83_000 });
    // 决算: the 决算数 columns, not the 预算数 ones.
    expect(rows).toContainEqual({ department: '上海市某区某局', year: 2024, phase: 'final', three_public_fen: 9_500, overseas_travel_fen: null, vehicles_fen: null, vehicle_purchase_fen: null, vehicle_operation_fen: null, official_reception_fen: 9_500 });
  });

  it('takes the function source by precedence and the totals from the 部门支出总表', () => {
    const fe = db.prepare("SELECT source_kind, total_fen FROM function_expenditure WHERE department = '江苏省人大常委会办公厅' AND func_code = '204'").get();
    expect(fe).toEqual({ source_kind: 'appropriation_expenditure', total_fen: 250_000_000 });
    const sh = db.prepare("SELECT source_kind, total_fen, basic_fen, project_fen FROM function_expenditure WHERE department = '上海市某区某局' AND func_code = '201'").get();
    expect(sh).toEqual({ source_kind: 'expenditure', total_fen: 1_000_000, basic_fen: 600_000, project_fen: 400_000 });
    const tot = db.prepare("SELECT total_fen, basic_fen, project_fen, method FROM department_totals WHERE department = '上海市某区某局' AND year = 2025").get();
    expect(tot).toEqual({ total_fen: 1_000_000, basic_fen: 600_000, project_fen: 400_000, method: 'printed_total' });
  });

  it('keeps both halves of a side-by-side basic table and computes the personnel share from 301 + 303', () => {
    const sh = db.prepare("SELECT econ_code, total_fen FROM basic_expenditure_by_econ WHERE department = '上海市某区某局' ORDER BY econ_code").all();
    expect(sh).toEqual([{ econ_code: '301', total_fen: 500_000 }, { econ_code: '302', total_fen: 100_000 }]);
    const share = db.prepare("SELECT basic_fen, personnel_fen, personnel_pct FROM basic_personnel_share WHERE department = '江苏省人大常委会办公厅'").get();
    expect(share).toEqual({ basic_fen: 200_000_000, personnel_fen: 150_000_000, personnel_pct: 75 });
  });

  it('compare groups, sums exactly and adds the year-over-year change', async () => {
    const r = await compare(sql, 'function', { by: ['department', 'year'], code: '204', department: '江苏省委办公厅' });
    expect(r.columns).toEqual(['department', 'year', 'phase', 'total_yuan', 'basic_yuan', 'project_yuan', 'change_yuan', 'change_pct']);
    expect(r.rows).toEqual([
      ['中国共产党江苏省委员会办公厅', 2017, 'budget', '5000000.00', null, null, null, null],
      ['中国共产党江苏省委员会办公厅', 2018, 'budget', '7500000.00', null, null, '2500000.00', '50.00'],
    ]);
    const byYear = await compare(sql, 'three-public', { by: ['year'], phase: 'budget' });
    expect(byYear.rows.find((x) => x[0] === 2018)![1]).toBe(fenToYuan(3 * 10_000_000 + 10_000_000 + 10_000_000)); // 中共 ×3, 人大, and the unlinked one
    await expect(compare(sql, 'function', { by: ['year'] })).rejects.toThrow(/--code/);
  });

  it('searches labels and titles with FTS5 (trigram) and keeps the index in step with deletes', () => {
    const hits = () => db.prepare("SELECT count(*) FROM line_items_fts WHERE line_items_fts MATCH '公务接待'").pluck().get() as number;
    expect(hits()).toBe(5 + 1 + 2); // 5 Jiangsu-like documents, the Shanghai-like one, the final (2 columns)
    expect(db.prepare("SELECT count(*) FROM doc_tables_fts WHERE doc_tables_fts MATCH '三公'").pluck().get()).toBe(0); // < 3 characters
    expect(db.prepare("SELECT count(*) FROM doc_tables_fts WHERE doc_tables_fts MATCH '机关运行经费'").pluck().get()).toBe(1);
    db.prepare("DELETE FROM documents WHERE file_name LIKE '%决算%'").run(); // cascades to line_items
    expect(hits()).toBe(6);
    db.exec("INSERT INTO line_items_fts (line_items_fts) VALUES ('integrity-check')");
  });

  it('opens read-only for queries', async () => {
    const ro = await openAnalysisDb(dbPath, { aliasFile, readonly: true });
    try {
      await expect(ro.run('DELETE FROM documents')).rejects.toThrow(/readonly|read-only/i);
      expect((await ro.pluck('SELECT count(*) FROM three_public'))[0]).toBeGreaterThan(0);
    } finally {
      await ro.close();
    }
  });
});
