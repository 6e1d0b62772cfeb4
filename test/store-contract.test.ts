// One storage test suite, run against each store (SQLite file; PostgreSQL database from
// test/support/postgres.ts, skipped saying why when there is none):
// 1. the Sql contract of src/store/sql.ts, statement by statement;
// 2. the store's functions (write, read, ledger, findings) and the analysis paths (departments, views,
//    audit, compare, export) over the same documents, which must give the same on both stores.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditDatabase, refreshFindings, saveFindings } from '../src/analyze/audit.js';
import { compare, QUESTIONS } from '../src/analyze/compare.js';
import { refreshDepartments } from '../src/analyze/departments.js';
import { exportDataset } from '../src/analyze/export.js';
import { listVerdicts, saveVerdict } from '../src/analyze/verdicts.js';
import { runAudit } from '../src/cli/audit.js';
import { runCompare } from '../src/cli/compare.js';
import { runExport } from '../src/cli/export.js';
import { runQuery } from '../src/cli/query.js';
import { processFile } from '../src/pipeline.js';
import { departmentSeries, documentJson, findingGroups, listDocumentRows, SORT_KEYS, tableGrids, vocabularyJson } from '../src/serve/api.js';
import * as ledger from '../src/store/ledger.js';
import { openStore } from '../src/store/open.js';
import { counts, getDocument, listDocuments, listFindings, listLineItems, listTables, readDocument } from '../src/store/read.js';
import type { Sql } from '../src/store/sql.js';
import { hasDocument, replaceFindings, writeDocument } from '../src/store/write.js';
import type { DocumentResult } from '../src/types.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';
import { postgresUnavailable, testPostgres } from './support/postgres.js';

const pgWhy = postgresUnavailable();
if (pgWhy) console.warn(`store-contract.test.ts: PostgreSQL cases skipped: ${pgWhy}`);

const scratch = mkdtempSync(join(tmpdir(), 'yusuan-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let nth = 0;

interface StoreKind {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  /** A new, empty store's location. */
  create: () => Promise<string>;
}

const STORES: StoreKind[] = [
  { name: 'sqlite', skip: null, create: async () => join(scratch, `store-${++nth}.db`) },
  { name: 'postgres', skip: pgWhy, create: testPostgres },
];

const T0 = '2026-01-01T00:00:00.000Z';

async function newRun(sql: Sql, host = 'host-a'): Promise<number> {
  const row = await sql.get<{ id: number }>(
    'INSERT INTO ledger_runs (started_at, pid, hostname, pipeline_version, jobs, argv) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [T0, 4242, host, 'test', 2, '["ingest","a?b"]'],
  );
  return row!.id;
}

const state = (sql: Sql) => sql.all<{ key: string; value: string }>('SELECT key, value FROM analysis_state ORDER BY key');

describe.each(STORES)('the Sql contract on $name', ({ name, skip, create }) => {
  let location: string;
  let sql: Sql;
  beforeAll(async () => {
    if (skip) return;
    location = await create();
    sql = await openStore(location);
  });
  afterAll(async () => sql?.close());
  const test = it.skipIf(skip !== null);

  test('is the store it says it is', () => {
    expect(sql.dialect).toBe(name);
    expect(sql.readonly).toBe(false);
  });

  test('binds ? parameters and gives new ids from INSERT … RETURNING id', async () => {
    const a = await newRun(sql);
    const b = await newRun(sql, 'host-b');
    expect(typeof a).toBe('number');
    expect(b).toBeGreaterThan(a);
    const row = await sql.get<Record<string, unknown>>('SELECT pid, hostname, jobs, argv, finished_at FROM ledger_runs WHERE id = ?', [b]);
    expect(row).toEqual({ pid: 4242, hostname: 'host-b', jobs: 2, argv: '["ingest","a?b"]', finished_at: null });
    expect(await sql.get('SELECT id FROM ledger_runs WHERE id = ?', [b + 1000])).toBeUndefined();
  });

  test('reads a ? inside quotes or comments as text, not as a parameter', async () => {
    const id = await newRun(sql);
    const row = await sql.get<{ q: string; h: string }>(`SELECT '?' AS q, hostname /* ? */ AS h FROM ledger_runs -- a ? here
      WHERE id = ? AND argv <> 'it''s ?'`, [id]);
    expect(row).toEqual({ q: '?', h: 'host-a' });
  });

  test('gives integers back as exact JS numbers (bigint columns, count, sum) up to 2^53', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    await sql.run("INSERT INTO ledger_files (sha256, size, status, first_seen) VALUES (?, ?, 'pending', ?)", ['1'.repeat(64), big, T0]);
    await sql.run("INSERT INTO ledger_files (sha256, size, status, first_seen) VALUES (?, ?, 'pending', ?)", ['2'.repeat(64), 2n ** 40n, T0]);
    expect((await sql.get<{ size: number }>('SELECT size FROM ledger_files WHERE sha256 = ?', ['1'.repeat(64)]))!.size).toBe(big);
    const agg = await sql.get<{ n: number; s: number; m: number }>(
      "SELECT count(*) AS n, sum(size) AS s, max(size) AS m FROM ledger_files WHERE sha256 IN (?, ?)", ['2'.repeat(64), '2'.repeat(64)]);
    expect(agg).toEqual({ n: 1, s: 2 ** 40, m: 2 ** 40 });
    expect(typeof agg!.n).toBe('number');
  });

  test('stores booleans as 0/1 and gives comparisons back as 0/1', async () => {
    await sql.exec('DELETE FROM analysis_state');
    await sql.run('INSERT INTO analysis_state (key, value) VALUES (?, CAST(? AS TEXT))', ['flag', 1]);
    const row = await sql.get<{ any: number; none: number }>("SELECT count(*) > 0 AS any, count(*) = 0 AS none FROM analysis_state WHERE key = ?", ['flag']);
    expect(row).toEqual({ any: 1, none: 0 });
  });

  test('rows() names the columns, also when no row comes back', async () => {
    await sql.exec('DELETE FROM analysis_state');
    expect(await sql.rows('SELECT key, value AS v FROM analysis_state WHERE key = ?', ['none'])).toEqual({ columns: ['key', 'v'], rows: [] });
    await sql.run('INSERT INTO analysis_state (key, value) VALUES (?, ?)', ['a', 'x']);
    expect(await sql.rows('SELECT key, value FROM analysis_state')).toEqual({ columns: ['key', 'value'], rows: [['a', 'x']] });
    expect(await sql.pluck('SELECT key FROM analysis_state')).toEqual(['a']);
  });

  test('counts changes; exec runs several statements; ON CONFLICT updates from excluded', async () => {
    await sql.exec("DELETE FROM analysis_state; INSERT INTO analysis_state (key, value) VALUES ('a', '1'); INSERT INTO analysis_state (key, value) VALUES ('b', '2');");
    expect((await sql.run("UPDATE analysis_state SET value = value || '!'")).changes).toBe(2);
    await sql.run('INSERT INTO analysis_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', ['a', 'new']);
    await sql.run('INSERT INTO analysis_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', ['b', 'ignored']);
    expect(await state(sql)).toEqual([{ key: 'a', value: 'new' }, { key: 'b', value: '2!' }]);
  });

  test('orders text by its bytes (code points), as SQLite does', async () => {
    const keys = ['b', 'B', 'a', '中', '一', 'Z', 'a b', 'ab', '（', '1'];
    await sql.exec('DELETE FROM analysis_state');
    for (const k of keys) await sql.run("INSERT INTO analysis_state (key, value) VALUES (?, '')", [k]);
    expect(await sql.pluck('SELECT key FROM analysis_state ORDER BY key')).toEqual([...keys].sort());
    expect(await sql.pluck('SELECT min(key) FROM analysis_state')).toEqual([[...keys].sort()[0]]);
  });

  test('runs one statement per call but exec (no SQL appended to a query)', async () => {
    await sql.exec("DELETE FROM analysis_state; INSERT INTO analysis_state (key, value) VALUES ('one', '1')");
    await expect(sql.rows("SELECT key FROM analysis_state; DELETE FROM analysis_state")).rejects.toThrow();
    await expect(sql.all("SELECT key FROM analysis_state; DELETE FROM analysis_state")).rejects.toThrow();
    expect(await state(sql)).toEqual([{ key: 'one', value: '1' }]);
  });

  test('commits a transaction when its function resolves, with its value', async () => {
    await sql.exec('DELETE FROM analysis_state');
    const out = await sql.transaction(async (tx) => {
      await tx.run("INSERT INTO analysis_state (key, value) VALUES ('t', '1')");
      return (await tx.pluck<string>("SELECT value FROM analysis_state WHERE key = 't'"))[0]; // its own write
    });
    expect(out).toBe('1');
    expect(await state(sql)).toEqual([{ key: 't', value: '1' }]);
  });

  test('rolls a transaction back when its function throws', async () => {
    await sql.exec('DELETE FROM analysis_state');
    await expect(sql.transaction(async (tx) => {
      await tx.run("INSERT INTO analysis_state (key, value) VALUES ('t', '1')");
      throw new Error('stop');
    })).rejects.toThrow('stop');
    expect(await state(sql)).toEqual([]);
    // and a failing statement rolls back the statements before it
    await expect(sql.transaction(async (tx) => {
      await tx.run("INSERT INTO analysis_state (key, value) VALUES ('t', '1')");
      await tx.run("INSERT INTO analysis_state (key, value) VALUES ('t', '2')"); // duplicate key
    })).rejects.toThrow();
    expect(await state(sql)).toEqual([]);
  });

  test('joins a transaction started inside a transaction', async () => {
    await sql.exec('DELETE FROM analysis_state');
    await expect(sql.transaction(async (tx) => {
      await tx.transaction(async (inner) => inner.run("INSERT INTO analysis_state (key, value) VALUES ('inner', '1')"));
      throw new Error('outer fails');
    })).rejects.toThrow('outer fails');
    expect(await state(sql)).toEqual([]);
    await sql.transaction(async (tx) => {
      await tx.run("INSERT INTO analysis_state (key, value) VALUES ('outer', '1')");
      await tx.transaction(async (inner) => inner.run("INSERT INTO analysis_state (key, value) VALUES ('inner', '1')"));
    });
    expect((await state(sql)).map((r) => r.key)).toEqual(['inner', 'outer']);
  });

  test('runs transactions started at once one after the other, none lost', async () => {
    await sql.exec("DELETE FROM analysis_state; INSERT INTO analysis_state (key, value) VALUES ('n', '0')");
    const bump = () => sql.transaction(async (tx) => {
      const n = Number((await tx.pluck<string>("SELECT value FROM analysis_state WHERE key = 'n'"))[0]);
      await tx.run("UPDATE analysis_state SET value = ? WHERE key = 'n'", [String(n + 1)]);
    });
    await Promise.all(Array.from({ length: 25 }, bump)); // more than a pool has connections
    expect(await state(sql)).toEqual([{ key: 'n', value: '25' }]);
  });

  test('iterates over many rows in order, in batches, and lets go when the loop breaks', async () => {
    const n = 2500;
    await sql.transaction(async (tx) => {
      await tx.exec('DELETE FROM analysis_state');
      for (let i = 0; i < n; i += 500) {
        const keys = Array.from({ length: Math.min(500, n - i) }, (_, j) => `k${String(i + j).padStart(5, '0')}`);
        await tx.run(`INSERT INTO analysis_state (key, value) VALUES ${keys.map(() => '(?, ?)').join(', ')}`, keys.flatMap((k) => [k, k.slice(1)]));
      }
    });
    const seen: string[] = [];
    for await (const r of sql.iterate<{ key: string }>('SELECT key FROM analysis_state WHERE key >= ? ORDER BY key', ['k'])) seen.push(r.key);
    expect(seen).toHaveLength(n);
    expect(seen).toEqual([...seen].sort());
    for (let round = 0; round < 12; round++) { // more rounds than a pool has connections
      for await (const r of sql.iterate('SELECT key FROM analysis_state ORDER BY key')) {
        expect(r).toEqual({ key: 'k00000' });
        break;
      }
    }
    const inTx = await sql.transaction(async (tx) => {
      let count = 0;
      for await (const _ of tx.iterate('SELECT key FROM analysis_state')) count++;
      return count;
    });
    expect(inTx).toBe(n);
    expect((await sql.pluck<number>('SELECT count(*) FROM analysis_state'))[0]).toBe(n);
  });

  test('a store opened read-only reads and refuses every write', async () => {
    await sql.exec("DELETE FROM analysis_state; INSERT INTO analysis_state (key, value) VALUES ('r', '1')");
    const ro = await openStore(location, { readonly: true });
    try {
      expect(ro.readonly).toBe(true);
      expect(await state(ro)).toEqual([{ key: 'r', value: '1' }]);
      await expect(ro.run("INSERT INTO analysis_state (key, value) VALUES ('w', '1')")).rejects.toThrow();
      await expect(ro.transaction((tx) => tx.run("DELETE FROM analysis_state"))).rejects.toThrow();
    } finally {
      await ro.close();
    }
    expect(await state(sql)).toEqual([{ key: 'r', value: '1' }]);
  });
});

// ------------------------------------------------------------------------------------------------
// The store's functions and the analysis paths, compared across stores.

const SAMPLES = ['samples/达州信息中心2024年部门预算-样例.pdf', 'samples/达州市人力资源和社会保障信息中心2024年部门预算.txt'];
let processed: Promise<DocumentResult[]> | undefined;
/** The sample documents through the whole pipeline, then the analysis fixtures (once per file). */
const documents = () => (processed ??= Promise.all(SAMPLES.map((f) => processFile(f))).then((docs) => [...docs, ...fixtureDocs()]));

/** What a store holds and answers, after the same writes: every store must give the same. */
type Snapshot = Record<string, unknown>;

/** The rows of a view or table, in an order of all their values (views have no order of their own). */
async function allRows(sql: Sql, relation: string): Promise<unknown[][]> {
  const { rows } = await sql.rows(`SELECT * FROM ${relation}`);
  return rows.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r) as unknown[]);
}

const VIEWS = ['amounts', 'document_paths', 'function_source', 'function_items', 'function_expenditure', 'basic_source', 'basic_items',
  'basic_expenditure_by_econ', 'basic_personnel_share', 'three_public_source', 'three_public_items', 'three_public_by_document',
  'three_public', 'department_totals_by_document', 'department_totals'];

/** Findings without their ids (rewritten findings get new ids, which SQLite reuses and PostgreSQL does not). */
const withoutIds = <T extends { id?: unknown }>(rows: T[]) => rows.map(({ id: _, ...rest }) => rest);

/** A CLI command run in this process on the store: its exit code and what it printed on stdout. */
async function cli(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    return { code: await run(argv), out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** The commands researchers run on a store (query, compare, audit, export), by its location. */
async function commands(location: string, outDir: string): Promise<Snapshot> {
  const snap: Snapshot = {};
  const aliases = join(scratch, 'aliases.tsv');
  writeFileSync(aliases, ''); // none: the departments are those the documents print
  const store = ['--store', location, '--aliases', aliases];
  for (const format of ['table', 'csv', 'json']) {
    snap[`query ${format}`] = await cli(runQuery, ['SELECT department, year, phase, total_yuan, basic_yuan, method FROM department_totals ORDER BY department NULLS FIRST, year, phase', ...store, '--format', format]);
  }
  snap['query like'] = await cli(runQuery, ["SELECT label, column_label, amount_fen, amount_yuan FROM amounts WHERE label LIKE '%工资%' ORDER BY line_item_id", ...store, '--format', 'jsonl']);
  snap['query counts'] = await cli(runQuery, ['SELECT rule, severity, count(*) AS n FROM findings GROUP BY rule, severity ORDER BY rule, severity', ...store]);
  snap['query refused'] = (await cli(runQuery, ['DELETE FROM findings', ...store])).code;
  for (const q of QUESTIONS) {
    snap[`compare ${q.name}`] = await cli(runCompare, [q.name, '--by', 'department,year', ...(q.codeColumn ? ['--code', '201'] : []), ...store, '--format', 'csv']);
  }
  snap.audit = await cli(runAudit, [...store, '--format', 'jsonl']);
  snap.auditSaved = await cli(runAudit, [...store, '--format', 'csv', '--save']);
  // its output names its folder (and, for SQLite alone, the Datasette metadata beside the file): the files are compared
  snap.export = (await cli(runExport, ['--format', 'jsonl', '--out', outDir, ...store])).code;
  snap.exported = Object.fromEntries(readdirSync(outDir).filter((f) => f.endsWith('.jsonl')).map((f) => [f, readFileSync(join(outDir, f), 'utf8').replace(ISO_TIME, '<clock>')]));
  return snap;
}

async function exercise(sql: Sql, docs: DocumentResult[], outDir: string): Promise<Snapshot> {
  const snap: Snapshot = {};
  const run = await ledger.beginRun(sql, { pipelineVersion: 'test', jobs: 1, argv: ['ingest', 'samples'] });
  for (const [i, d] of docs.entries()) {
    await ledger.seePath(sql, { path: `/data/${i}/${d.fileName}`, sha256: d.sha256, size: 1000 + i, mtimeMs: 1_700_000_000_000 + i });
    await ledger.markRunning(sql, d.sha256, run, 'test');
    snap[`write ${i}`] = await writeDocument(sql, d, { ingestedAt: T0, pipelineVersion: 'test' });
    await ledger.markFinished(sql, d.sha256, { status: d.status, error: d.error ?? null, pages: d.pages, elapsedMs: 10 + i, timings: d.timings });
  }
  snap.again = await writeDocument(sql, docs[0], { ingestedAt: T0, pipelineVersion: 'test' });
  await ledger.pathError(sql, '/data/unreadable.pdf', 'EACCES');
  await ledger.finishRun(sql, run, { ok: docs.length }, 0);
  snap.hasDocument = [await hasDocument(sql, docs[0].sha256, 'test'), await hasDocument(sql, '0'.repeat(64))];
  snap.counts = await counts(sql);
  const listed = await listDocuments(sql);
  snap.documents = listed;
  snap.okDocuments = (await listDocuments(sql, { status: 'ok' })).map((d) => d.sha256);
  snap.read = await Promise.all(listed.map((d) => readDocument(sql, d.id)));
  snap.byHash = await getDocument(sql, docs[1].sha256);
  snap.tables = await listTables(sql, listed[0].id);
  snap.items = await listLineItems(sql, listed[0].id);
  snap.ledger = {
    summary: await ledger.ledgerSummary(sql, 'test'),
    file: await ledger.getFile(sql, docs[0].sha256),
    paths: await ledger.pathsOf(sql, docs[0].sha256),
    slowest: await ledger.slowestFiles(sql, 3),
    failed: await ledger.failedFiles(sql, 3),
    unreadable: await ledger.unreadablePaths(sql, 3),
    last: await ledger.lastRun(sql),
  };
  snap.departments = await refreshDepartments(sql, { aliasFile: null });
  for (const v of VIEWS) snap[`view ${v}`] = await allRows(sql, v);
  for (const q of QUESTIONS) {
    snap[`compare ${q.name}`] = await compare(sql, q.name, { by: ['department', 'year'], code: q.codeColumn ? '201' : undefined }).then(
      (r) => ({ ...r, numeric: [...r.numeric] }), (e: unknown) => `error: ${String(e)}`);
  }
  // the review app's queries (yusuan serve)
  for (const sort of SORT_KEYS) {
    for (const desc of [false, true]) snap[`serve list ${sort} ${desc}`] = await listDocumentRows(sql, { sort, desc });
  }
  for (const q of ['达州', 'dazhou', '支出预算表', '江苏']) snap[`serve search ${q}`] = await listDocumentRows(sql, { q });
  snap.serveDocument = await documentJson(sql, listed[0].id);
  snap.serveGrids = await tableGrids(sql, listed[0].id);
  snap.serveFindings = await findingGroups(sql);
  snap.serveDepartments = await departmentSeries(sql);
  snap.serveVocabulary = await vocabularyJson(sql);
  await saveVerdict(sql, { sha256: docs[0].sha256, rule: 'sum.total_row', severity: 'warning', page: 1, box: [10.004, 20, 30.5, 40], printed: '1.00', expected: '2.00', verdict: 'false_alarm', note: 'a subtotal' });
  snap.verdicts = withoutIds(await listVerdicts(sql));
  const exported = await exportDataset(sql, { format: 'csv', outDir });
  snap.export = Object.fromEntries(readdirSync(outDir).filter((f) => f.endsWith('.csv')).map((f) => [f, readFileSync(join(outDir, f), 'utf8').replace(ISO_TIME, '<clock>')]));
  snap.exportRows = exported.files;
  // Findings rewritten: the audit's, then a replacement of one document's.
  const report = await auditDatabase(sql);
  snap.audit = report;
  snap.saved = await saveFindings(sql, report);
  snap.refreshed = await refreshFindings(sql, [listed[0].id]);
  snap.replaced = await replaceFindings(sql, [{ documentId: listed[1].id, replaces: (f) => f.severity === 'info', findings: [] }]);
  snap.findings = await Promise.all(listed.map(async (d) => withoutIds(await listFindings(sql, d.id))));
  return withoutClock(snap) as Snapshot;
}

const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g;
// Timestamps the store functions take from the clock (ledger, verdicts): the same in neither run.
const CLOCK_KEYS = /^(first_seen|last_seen|started_at|finished_at|decided_at|decidedAt|elapsedMs)$/;
function withoutClock(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutClock);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, CLOCK_KEYS.test(k) && x !== null ? '<clock>' : withoutClock(x)]));
}

describe('the store functions and analysis paths give the same on every store', () => {
  const snaps: Partial<Record<StoreKind['name'], Snapshot>> = {};
  for (const store of STORES) {
    it.skipIf(store.skip !== null)(`write, read, ledger, departments, views, compare, serve, export, audit, and the query/compare/audit/export commands on ${store.name}`, async () => {
      const location = await store.create();
      const sql = await openStore(location);
      try {
        snaps[store.name] = await exercise(sql, await documents(), join(scratch, `export-${store.name}`));
      } finally {
        await sql.close();
      }
      snaps[store.name]!.commands = await commands(location, join(scratch, `cli-export-${store.name}`));
      const c = snaps[store.name]!.commands as Record<string, { code: number; out: string }>;
      expect(c['query csv'].code).toBe(0);
      expect(c['query csv'].out.split('\n').length).toBeGreaterThan(2);
      expect(c['query refused']).not.toBe(0);
      expect(c.export).toBe(0);
      const s = snaps[store.name]!;
      expect((s.counts as { documents: number }).documents).toBe((await documents()).length);
      expect(s.again).toBe('skipped');
      expect((s['view amounts'] as unknown[]).length).toBeGreaterThan(100);
      for (const v of VIEWS) expect((s[`view ${v}`] as unknown[]).length, v).toBeGreaterThan(0);
      for (const q of QUESTIONS) expect(s[`compare ${q.name}`], q.name).toHaveProperty('rows');
      expect((s.audit as { documents: { findings: unknown[] }[] }).documents.some((d) => d.findings.length > 0)).toBe(true);
    });
  }
  it.skipIf(pgWhy !== null)('PostgreSQL gives what SQLite gives', () => {
    const [lite, pg] = [snaps.sqlite, snaps.postgres];
    expect(lite && pg, 'both stores exercised').toBeTruthy();
    for (const key of Object.keys(lite!)) expect(pg![key], key).toEqual(lite![key]);
    expect(Object.keys(pg!)).toEqual(Object.keys(lite!));
  });
});
