// The PostgreSQL side of the store (src/store/postgres.ts, db/postgres/): the pure parts always; against a
// server (test/support/postgres.ts) the schema twin of SQLite's, concurrent migrations, the integer limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, openDb } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { parseInteger, parseNumeric, POSTGRES_MIGRATIONS_DIR, toPositional } from '../src/store/postgres.js';
import { postgresUnavailable, testPostgres } from './support/postgres.js';

describe('toPositional: ? parameters numbered for PostgreSQL', () => {
  it('numbers each ? in order', () => {
    expect(toPositional('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe('SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)');
    expect(toPositional('SELECT 1')).toBe('SELECT 1');
  });
  it('leaves a ? in a string, a quoted name or a comment alone', () => {
    expect(toPositional("SELECT '?', 'it''s ?', ? FROM t")).toBe("SELECT '?', 'it''s ?', $1 FROM t");
    expect(toPositional('SELECT "odd?name" FROM t WHERE x = ?')).toBe('SELECT "odd?name" FROM t WHERE x = $1');
    expect(toPositional('SELECT ? -- why?\n, ?')).toBe('SELECT $1 -- why?\n, $2');
    expect(toPositional('SELECT /* a ? /* nested ? */ still ? */ ?')).toBe('SELECT /* a ? /* nested ? */ still ? */ $1');
    expect(toPositional("SELECT E'\\'?', ?")).toBe("SELECT E'\\'?', $1");
    expect(toPositional('SELECT $$ ? $$, $tag$ ? $tag$, ?')).toBe('SELECT $$ ? $$, $tag$ ? $tag$, $1');
  });
  it('keeps $n and names with $ as they are', () => {
    expect(toPositional('SELECT a$b, ? FROM t')).toBe('SELECT a$b, $1 FROM t');
  });
});

describe('integers from PostgreSQL', () => {
  it('are exact JS numbers up to 2^53, an error beyond', () => {
    expect(parseInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseInteger('-42')).toBe(-42);
    expect(() => parseInteger('9007199254740993')).toThrow(/beyond ±2\^53/);
  });
  it('numeric: an integer is checked like one, a fraction is a float', () => {
    expect(parseNumeric('123456')).toBe(123456);
    expect(parseNumeric('45.67')).toBe(45.67);
    expect(() => parseNumeric('100000000000000000000')).toThrow(/beyond/);
  });
});

describe('a server that cannot be reached', () => {
  it('is named in one line, without its password', async () => {
    const err = await openStore('postgres://someone:secret@127.0.0.1:1/yusuan').then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/yusuan: .*ECONNREFUSED/);
    expect(err?.message).not.toContain('secret');
    expect(err?.message).not.toContain('\n');
  });
});

const why = postgresUnavailable();
if (why) console.warn(`postgres.test.ts: server cases skipped: ${why}`);

describe.skipIf(why !== null)('the PostgreSQL schema', () => {
  let scratch: string;
  beforeAll(() => void (scratch = mkdtempSync(join(tmpdir(), 'yusuan-pg-schema-'))));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has the migrations of SQLite, by number and name', () => {
    expect(listMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => `${m.version} ${m.name}`)).toEqual(listMigrations().map((m) => `${m.version} ${m.name}`));
  });

  it('is applied once when many workers open a new database at once', async () => {
    const url = await testPostgres();
    const stores = await Promise.all(Array.from({ length: 5 }, () => openStore(url)));
    try {
      const rows = await stores[0].all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(listMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('has the tables, views, columns and indexes of the SQLite schema', async () => {
    const lite = openDb(join(scratch, 'schema.db'));
    const sqliteSchema: Record<string, string[]> = {};
    const liteNames = lite.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    // FTS5's own shadow tables (_data, _idx, _docsize, _config) are SQLite's machinery
    for (const name of liteNames.filter((n) => !/_fts_(data|idx|docsize|config)$/.test(n))) {
      sqliteSchema[name] = (lite.prepare(`SELECT name FROM pragma_table_info('${name}')`).pluck().all() as string[]);
    }
    const liteIndexes = (lite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'").pluck().all() as string[]).sort();
    lite.close();

    const url = await testPostgres();
    await (await openStore(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const cols = await client.query<{ table_name: string; column_name: string }>(
        'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position');
      const pgSchema: Record<string, string[]> = {};
      for (const c of cols.rows) (pgSchema[c.table_name] ??= []).push(c.column_name);
      // the FTS twins are views with the row's id as rowid (SQLite's hidden column)
      for (const fts of ['line_items_fts', 'doc_tables_fts']) expect(pgSchema[fts].shift()).toBe('rowid');
      expect(Object.keys(pgSchema).sort()).toEqual(Object.keys(sqliteSchema).sort());
      for (const [name, columns] of Object.entries(sqliteSchema)) expect(pgSchema[name], name).toEqual(columns);

      const idx = await client.query<{ indexname: string }>(
        // not those behind PRIMARY KEY / UNIQUE (SQLite's autoindexes), nor the trigram ones (no FTS5 here)
        `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
           AND indexname NOT IN (SELECT conname FROM pg_constraint) AND indexname NOT LIKE '%\\_trgm'`);
      expect(idx.rows.map((r) => r.indexname).sort()).toEqual(liteIndexes);
    } finally {
      await client.end();
    }
  });

  it('refuses an integer beyond 2^53 instead of rounding it', async () => {
    const sql = await openStore(await testPostgres());
    try {
      await expect(sql.get('SELECT CAST(9007199254740993 AS bigint) AS n')).rejects.toThrow(/beyond ±2\^53/);
      expect(await sql.get('SELECT CAST(9007199254740991 AS bigint) AS n')).toEqual({ n: Number.MAX_SAFE_INTEGER });
    } finally {
      await sql.close();
    }
  });

  it('writes *_yuan as the exact decimal text of the integer fen', async () => {
    const sql = await openStore(await testPostgres());
    try {
      const row = await sql.get("SELECT yuan_text(-12345) AS a, yuan_text(5) AS b, yuan_text(CAST(NULL AS bigint)) AS c, yuan_text(9007199254740991) AS d");
      expect(row).toEqual({ a: '-123.45', b: '0.05', c: null, d: '90071992547409.91' });
    } finally {
      await sql.close();
    }
  });

  it('a read-only open of a new database applies the migrations first, then refuses writes', async () => {
    const url = await testPostgres();
    const ro = await openStore(url, { readonly: true });
    try {
      expect((await ro.pluck<number>('SELECT count(*) FROM schema_migrations'))[0]).toBe(listMigrations(POSTGRES_MIGRATIONS_DIR).length);
      await expect(ro.run("INSERT INTO analysis_state (key, value) VALUES ('k', 'v')")).rejects.toThrow(/read-only/);
    } finally {
      await ro.close();
    }
  });
});
