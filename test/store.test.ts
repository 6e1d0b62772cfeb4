import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMigrations, openDb, type Db } from '../src/store/db.js';
import { counts, getDocument, listDocuments, listFindings, listLineItems, listTables, readDocument } from '../src/store/read.js';
import { hasDocument, RecordValidationError, replaceFindings, writeDocument } from '../src/store/write.js';
import type { Sql } from '../src/store/sql.js';
import { SqliteSql } from '../src/store/sqlite.js';
import type { DocumentResult, LineItem, RecognizedTable } from '../src/types.js';

const SHA = 'a'.repeat(64);

function item(tableIndex: number, rowIndex: number, columnKey: string, amountFen: number, amountText: string): LineItem {
  return {
    tableIndex,
    page: tableIndex + 2,
    rowIndex,
    label: rowIndex === 0 ? '合计' : '一般公共服务支出',
    funcCode: rowIndex === 0 ? null : '201',
    econCode: null,
    columnKey,
    columnLabel: columnKey === 'total' ? '合计' : '基本支出',
    amountFen,
    amountText,
    box: [300, 100 + rowIndex * 20, 360, 115 + rowIndex * 20],
    isTotal: rowIndex === 0,
    confidence: 1,
  };
}

function table(index: number, items: LineItem[]): RecognizedTable {
  return {
    kind: index === 0 ? 'budget_summary' : 'general_budget_expenditure',
    title: index === 0 ? '收支总表' : '一般公共预算支出表',
    unit: '万元',
    departmentLabel: '某某局',
    year: 2024,
    pageStart: index + 2,
    pageEnd: index + 2,
    source: 'pdf_text',
    columns: [
      { col: 0, key: 'label', label: '项目', isAmount: false },
      { col: 1, key: 'total', label: '合计', isAmount: true, labelCol: 0 },
    ],
    items,
    box: [50, 80, 550, 700],
  };
}

function fixture(overrides: Partial<DocumentResult> = {}): DocumentResult {
  return {
    sha256: SHA,
    path: 'corpus/某某局2024年部门预算.pdf',
    fileName: '某某局2024年部门预算.pdf',
    pages: 12,
    phase: 'budget',
    year: 2024,
    department: '某某局',
    status: 'ok',
    error: null,
    tables: [
      table(0, [item(0, 0, 'total', 123456789, '1,234,567.89'), item(0, 1, 'total', 100, '1.00')]),
      table(1, [item(1, 0, 'total', 5000, '50.00'), item(1, 1, 'basic', 4000, '40.00'), item(1, 2, 'basic', -250, '-2.50')]),
    ],
    findings: [
      {
        rule: 'sum.rows',
        severity: 'warning',
        message: '合计 ≠ 各行之和',
        page: 3,
        box: [300, 100, 360, 115],
        expected: '5000',
        actual: '3750',
        tableIndex: 1,
      },
    ],
    narrative: [{ text: '2024年收支预算总计1234.57万元。', box: [50, 60, 500, 72], page: 1 }],
    timings: { extractMs: 12.4, layoutMs: 3.6, recognizeMs: 1 },
    ...overrides,
  };
}

let dir: string;
let db: Db;
/** The store over `db` (the raw connection stays for SQLite's own checks). */
let sql: Sql;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yusuan-store-'));
  db = openDb(join(dir, 'test.db'));
  sql = new SqliteSql(db, join(dir, 'test.db'));
});

afterEach(async () => {
  await sql.close();
  if (db.open) db.close(); // reopened by a test
  rmSync(dir, { recursive: true, force: true });
});

describe('openDb', () => {
  it('applies migrations once, with WAL and foreign keys on', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const versions = db.prepare('SELECT version FROM schema_migrations').pluck().all();
    const all = listMigrations().map((m) => m.version);
    expect(versions).toEqual(all);
    expect(all[0]).toBe(1);
    db.close();
    db = openDb(join(dir, 'test.db')); // reopening applies nothing new
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(all.length);
  });
  it('applies migrations by number, gaps allowed, and a lower number added later too', () => {
    const mig = join(dir, 'migrations');
    mkdirSync(mig);
    writeFileSync(join(mig, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(mig, '003_c.sql'), 'ALTER TABLE a ADD COLUMN z INTEGER;');
    const other = openDb(join(dir, 'gaps.db'), { migrationsDir: mig });
    expect(other.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 3]);
    other.close();
    writeFileSync(join(mig, '002_b.sql'), 'ALTER TABLE a ADD COLUMN y INTEGER;');
    const again = openDb(join(dir, 'gaps.db'), { migrationsDir: mig });
    expect(again.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3]);
    again.close();
  });
});

describe('writeDocument', () => {
  it('stores a document with its tables, items, findings and narrative', async () => {
    expect(await writeDocument(sql, fixture(), { pipelineVersion: 'test' })).toBe('inserted');
    expect(await counts(sql)).toEqual({
      documents: 1,
      byStatus: { ok: 1, partial: 0, failed: 0 },
      pages: 12,
      tables: 2,
      lineItems: 5,
      findings: 1,
      narrativeLines: 1,
    });

    const doc = (await getDocument(sql, SHA))!;
    expect(doc).toMatchObject({ n_tables: 2, n_items: 5, extract_ms: 12, layout_ms: 4, pipeline_version: 'test' });
    expect(await hasDocument(sql, SHA)).toBe(true);
    expect(await hasDocument(sql, SHA, 'test')).toBe(true);
    expect(await hasDocument(sql, SHA, 'other')).toBe(false);

    const tables = await listTables(sql, doc.id);
    expect(tables.map((t) => t.table_index)).toEqual([0, 1]);
    expect(tables[1].column_specs[1]).toEqual({ col: 1, key: 'total', label: '合计', isAmount: true, labelCol: 0 });

    const items = await listLineItems(sql, doc.id);
    const big = items.find((i) => i.amount_text === '1,234,567.89')!;
    expect(big.amount_fen).toBe(123456789);
    expect(typeof big.amount_fen).toBe('number');
    expect(big.table_id).toBe(tables[0].id);
    expect(big.bbox).toEqual([300, 100, 360, 115]);
    // is_total: stored as INTEGER 0/1, read back as a boolean (the 合计 rows of the fixture only)
    expect(items.map((i) => i.is_total)).toEqual(items.map((i) => i.label === '合计'));
    expect(db.prepare('SELECT DISTINCT is_total FROM line_items ORDER BY 1').pluck().all()).toEqual([0, 1]);
    // tableIndex → table_id
    expect(items.filter((i) => i.table_id === tables[1].id).map((i) => i.amount_fen)).toEqual([5000, 4000, -250]);
    // stored as INTEGER, not REAL
    expect(db.prepare('SELECT DISTINCT typeof(amount_fen) FROM line_items').pluck().all()).toEqual(['integer']);

    const [finding] = await listFindings(sql, doc.id);
    expect(finding).toMatchObject({ table_id: tables[1].id, rule: 'sum.rows', severity: 'warning', expected: '5000' });
  });

  it('reads a stored document back as the pipeline handed it (readDocument)', async () => {
    const doc = fixture({ status: 'partial', error: null });
    doc.tables[0].unitCodes = [{ code: '302002', page: 2, box: [60, 70, 120, 78] }];
    doc.tables[1].unitCodes = [];
    await writeDocument(sql, doc);
    const [row] = await listDocuments(sql, { status: ['ok', 'partial'] });
    // Timings are stored as whole milliseconds.
    expect(await readDocument(sql, row.id)).toEqual({ ...doc, timings: { extractMs: 12, layoutMs: 4, recognizeMs: 1 } });
    expect(await readDocument(sql, row)).toEqual(await readDocument(sql, row.id));
    expect(await readDocument(sql, row.id + 1)).toBeUndefined();
    expect(await listDocuments(sql, { status: 'ok' })).toEqual([]);
  });

  it('replaces the findings a predicate picks, keeps the others, and writes nothing when one is invalid', async () => {
    const doc = fixture();
    doc.findings.push({ ...doc.findings[0], rule: 'extract.page_failed', tableIndex: null });
    await writeDocument(sql, doc);
    const { id } = (await getDocument(sql, SHA))!;
    const fresh = { ...doc.findings[0], rule: 'sum.total_row', tableIndex: 0 };
    const replaces = (f: { rule: string }) => f.rule.startsWith('sum.');
    await expect(replaceFindings(sql, [{ documentId: id, replaces, findings: [fresh, { ...fresh, tableIndex: 7 }] }])).rejects.toThrow(RecordValidationError);
    expect((await listFindings(sql, id)).map((f) => f.rule)).toEqual(['sum.rows', 'extract.page_failed']);
    expect(await replaceFindings(sql, [{ documentId: id, replaces, findings: [fresh] }])).toBe(1);
    expect((await listFindings(sql, id)).map((f) => [f.rule, f.table_id])).toEqual([['extract.page_failed', null], ['sum.total_row', (await listTables(sql, id))[0].id]]);
  });

  it('stores the confidence of each amount and reads it back', async () => {
    const ocr = { ...table(1, [{ ...item(1, 0, 'total', 5000, '50.00'), confidence: 0.715 }, item(1, 1, 'basic', 4000, '40.00')]), source: 'ocr' as const };
    await writeDocument(sql, fixture({ tables: [table(0, []), ocr], findings: [] }), { pipelineVersion: 'test' });
    const row = (await getDocument(sql, SHA))!;
    expect((await listLineItems(sql, row.id)).map((i) => i.confidence)).toEqual([0.715, 1]);
    const back = (await readDocument(sql, row.id))!;
    expect(back.tables[1].items.map((i) => i.confidence)).toEqual([0.715, 1]);
  });

  it('skips a document already stored, and replaces it with force', async () => {
    expect(await writeDocument(sql, fixture())).toBe('inserted');
    const before = await counts(sql);

    expect(await writeDocument(sql, fixture({ department: '另一个局' }))).toBe('skipped');
    expect(await counts(sql)).toEqual(before);
    expect((await getDocument(sql, SHA))!.department).toBe('某某局');

    expect(await writeDocument(sql, fixture({ department: '另一个局' }), { force: true })).toBe('replaced');
    expect(await counts(sql)).toEqual(before); // cascade removed the old children: no duplicates
    const doc = (await getDocument(sql, SHA))!;
    expect(doc.department).toBe('另一个局');
    expect(db.prepare('SELECT count(*) FROM line_items WHERE document_id <> ?').pluck().get(doc.id)).toBe(0);
    expect(await listTables(sql, doc.id)).toHaveLength(2);
  });

  it('stores a failed document with its error and no tables', async () => {
    const failed = fixture({ status: 'failed', error: 'not a PDF', pages: 0, tables: [], findings: [], narrative: [] });
    expect(await writeDocument(sql, failed)).toBe('inserted');
    const c = await counts(sql);
    expect(c.byStatus.failed).toBe(1);
    expect(c.tables).toBe(0);
    expect(await getDocument(sql, SHA)).toMatchObject({ status: 'failed', error: 'not a PDF', n_tables: 0, n_items: 0 });
  });

  it('rejects an invalid record and writes nothing', async () => {
    const bad = fixture();
    bad.tables[1].items[2].amountFen = 12.5; // fen are integers
    await expect(writeDocument(sql, bad)).rejects.toThrow(RecordValidationError);
    await expect(writeDocument(sql, bad)).rejects.toThrow(/line item 2 of table 1/);
    expect((await counts(sql)).documents).toBe(0);
    expect((await counts(sql)).lineItems).toBe(0);
  });

  it('rolls back a forced replacement that fails, keeping the stored document', async () => {
    await writeDocument(sql, fixture());
    const before = await counts(sql);
    // Passes zod but breaks a database constraint (page_end < page_start) mid-transaction.
    const bad = fixture();
    bad.tables[1].pageEnd = 1;
    await expect(writeDocument(sql, bad, { force: true })).rejects.toThrow(/CHECK constraint/);
    expect(await counts(sql)).toEqual(before);
    expect((await getDocument(sql, SHA))!.department).toBe('某某局');
  });

  it('rejects a finding pointing at a missing table', async () => {
    const bad = fixture();
    bad.findings[0].tableIndex = 5;
    await expect(writeDocument(sql, bad)).rejects.toThrow(RecordValidationError);
    expect((await counts(sql)).documents).toBe(0);
  });
});
