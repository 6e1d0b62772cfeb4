// `yusuan ingest --store postgres://…` and `yusuan status --store postgres://…`: the samples stored in
// PostgreSQL as in a SQLite file (same counts, same line items, same ledger); a rerun skips them all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open.js';
import { counts } from '../src/store/read.js';
import { yusuan } from './fixtures/cli.js';
import { postgresUnavailable, testPostgres } from './support/postgres.js';

const SAMPLES = resolve(import.meta.dirname, '..', 'samples');
const pgWhy = postgresUnavailable();
if (pgWhy) console.warn(`ingest-postgres.test.ts: skipped: ${pgWhy}`);

/** Rows in one order whatever the engine's collation. */
const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

/** What a store holds, without ids, times or paths that differ between two ingests. */
async function contents(location: string) {
  const sql = await openStore(location, { readonly: true });
  try {
    return {
      counts: await counts(sql),
      items: sorted(await sql.all(`SELECT d.file_name, t.table_index, i.row_index, i.column_key, i.label, i.amount_fen, i.is_total
        FROM line_items i JOIN doc_tables t ON t.id = i.table_id JOIN documents d ON d.id = i.document_id`)),
      findings: sorted(await sql.all('SELECT d.file_name, f.rule, f.severity, f.page, f.actual FROM findings f JOIN documents d ON d.id = f.document_id')),
    };
  } finally {
    await sql.close();
  }
}

describe.skipIf(pgWhy !== null)('ingest and status on PostgreSQL', () => {
  let tmp: string;
  let url: string;
  let dbFile: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'yusuan-ingest-pg-'));
    dbFile = join(tmp, 'y.db');
    url = await testPostgres();
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('stores the samples as SQLite does, and status reads the ledger', async () => {
    const pg = await yusuan('ingest', SAMPLES, '--store', url, '--jobs', '0');
    expect(pg.code, pg.err).toBe(0);
    const lite = await yusuan('ingest', SAMPLES, '--db', dbFile, '--jobs', '0', '--results', join(tmp, 'r.json'));
    expect(lite.code, lite.err).toBe(0);
    const [a, b] = [await contents(url), await contents(dbFile)];
    expect(a.counts.documents).toBeGreaterThan(0);
    expect(a).toEqual(b);

    const status = async (...store: string[]) => {
      const r = await yusuan('status', ...store, '--format', 'json');
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as { ledger: unknown; lastRun: { state: string; exitCode: number } };
    };
    const [sp, sl] = [await status('--store', url), await status('--db', dbFile)];
    expect(sp.ledger).toEqual(sl.ledger);
    expect(sp.lastRun).toMatchObject({ state: 'finished', exitCode: 0 });
  });

  it('skips every file on a rerun', async () => {
    const again = await yusuan('ingest', SAMPLES, '--store', url, '--jobs', '0', '--format', 'jsonl');
    expect(again.code, again.err).toBe(0);
    const files = again.out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event?: string; action?: string });
    const actions = files.filter((e) => e.action !== undefined).map((e) => e.action);
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(['skipped']));
  });

  it('refuses --store and --db naming two stores, without showing the password', async () => {
    const withPassword = url.replace('://', '://someone:secret@');
    const r = await yusuan('status', '--store', withPassword, '--db', dbFile);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--store and --db name different stores/);
    expect(r.err).not.toMatch(/secret/);
  });
});
