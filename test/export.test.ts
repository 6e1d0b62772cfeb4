// Export: CSV, JSON Lines and Parquet read back equal to the database rows (queried here from the base
// tables, not through the export's own SQL), datapackage.json valid against the Frictionless Tabular
// Data Package profile (JSON Schema vendored in test/fixtures/frictionless, validated offline by Ajv),
// plus the Table Schema rules a JSON Schema cannot express (keys, types of values).
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAnalysisDb } from '../src/analyze/departments.js';
import { saveVerdict } from '../src/analyze/verdicts.js';
import { RESOURCES, datasetteMetadata, exportDataset } from '../src/analyze/export.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import type { Sql } from '../src/store/sql.js';
import { rawDb } from './fixtures/store.js';
import { writeDocument } from '../src/store/write.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';
import { checkTableSchemaRules, expectedRows, parseCsv, readBack, validateProfile, type Row } from './fixtures/export-check.js';

describe('export', () => {
  let dir: string;
  let sql: Sql;
  /** Its SQLite connection, for the expected rows and the Datasette queries. */
  let db: Db;
  let expected: Record<string, Row[]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yusuan-export-'));
    const dbPath = join(dir, 'e.db');
    const w = await openStore(dbPath);
    for (const d of fixtureDocs()) await writeDocument(w, d);
    const judged = fixtureDocs()[0];
    await saveVerdict(w, { sha256: judged.sha256, rule: 'sum.total_row', severity: 'warning', page: 1, box: [10.004, 20, 30.5, 40], printed: '1.00', expected: '2.00', verdict: 'false_alarm', note: 'a subtotal' });
    await w.close();
    sql = await openAnalysisDb(dbPath, { aliasFile: null });
    db = rawDb(sql);
    for (const format of ['csv', 'jsonl', 'parquet'] as const) await exportDataset(sql, { format, outDir: join(dir, format) });
    expected = expectedRows(db);
  });
  afterAll(async () => {
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['csv', 'jsonl', 'parquet'] as const) {
    describe(format, () => {
      for (const r of RESOURCES) {
        it(`${r.name} reads back equal to the database rows`, async () => {
          const rows = await readBack(join(dir, format), format, r.name);
          expect(rows.length).toBeGreaterThan(0);
          expect(rows).toEqual(expected[r.name]);
        });
      }

      it('writes a datapackage.json valid against the Tabular Data Package profile and the Table Schema rules', () => {
        const descriptor = JSON.parse(readFileSync(join(dir, format, 'datapackage.json'), 'utf8'));
        expect(validateProfile(descriptor)).toEqual([]);
        expect(descriptor.profile).toBe('tabular-data-package');
        for (const r of descriptor.resources) expect(existsSync(join(dir, format, r.path)), r.path).toBe(true);
        expect(checkTableSchemaRules(descriptor, expected)).toEqual([]);
        const amounts = descriptor.resources.find((r: any) => r.name === 'amounts');
        const ct = Object.fromEntries(amounts.schema.fields.filter((f: any) => f.columnType).map((f: any) => [f.name, f.columnType]));
        expect(ct).toMatchObject({
          amount_yuan: 'value', year: 'date:fiscal-year', phase: 'phase:id',
          func_code: 'functional-classification:generic:code', econ_code: 'economic-classification:generic:code',
          department: 'administrative-classification:generic:level1:label',
        });
      });
    });
  }

  it('validates with the formats of the profile known (no "unknown format" warnings)', () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const descriptor = JSON.parse(readFileSync(join(dir, 'csv', 'datapackage.json'), 'utf8'));
      expect(validateProfile(descriptor)).toEqual([]);
      expect(warn).not.toHaveBeenCalled();
      expect(validateProfile({ ...descriptor, homepage: 'not a uri' })).not.toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('rejects a descriptor the profile forbids (so the validation is not vacuous)', () => {
    const descriptor = JSON.parse(readFileSync(join(dir, 'csv', 'datapackage.json'), 'utf8'));
    expect(validateProfile({ ...descriptor, resources: [] })).not.toEqual([]);
    const broken = structuredClone(descriptor);
    delete broken.resources[0].schema;
    expect(validateProfile(broken)).not.toEqual([]);
    const badName = structuredClone(descriptor);
    badName.resources[0].name = 'Amounts Table';
    expect(validateProfile(badName)).not.toEqual([]);
  });

  it('stores amount_yuan in Parquet as DECIMAL(18,2) whose integer is amount_fen', async () => {
    const file = await asyncBufferFromFile(join(dir, 'parquet', 'amounts.parquet'));
    const meta = await parquetMetadataAsync(file);
    const el = meta.schema.find((s) => s.name === 'amount_yuan')!;
    expect(el).toMatchObject({ type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18 });
    const fen = meta.schema.find((s) => s.name === 'amount_fen')!;
    expect(fen.type).toBe('INT64');
  });

  it('writes CSV with NULL as an empty field and an empty string as ""', () => {
    const text = readFileSync(join(dir, 'csv', 'amounts.csv'), 'utf8');
    const rows = parseCsv(text);
    const labelAt = rows[0].indexOf('label');
    expect(rows.slice(1).some((r) => r[labelAt] === '')).toBe(true); // unlabelled 三公 rows
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('describes the views in the Datasette metadata', () => {
    const meta = datasetteMetadata('/x/yusuan.db') as any;
    const tables = meta.databases.yusuan.tables;
    for (const v of ['amounts', 'three_public', 'function_expenditure', 'basic_expenditure_by_econ', 'department_totals', 'basic_personnel_share']) {
      expect(tables[v]?.description, v).toBeTruthy();
    }
    for (const q of Object.values(meta.databases.yusuan.queries) as { sql: string }[]) {
      expect(() => db.prepare(q.sql)).not.toThrow();
    }
  });
});
