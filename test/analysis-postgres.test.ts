// The analysis layer on a PostgreSQL store shared by many processes: several opening a stale store at
// once (researchers' queries while workers ingest) leave one consistent set of departments tables, and
// none fails.
// Skipped, saying why, where there is no PostgreSQL (test/support/postgres.ts).
import { describe, expect, it } from 'vitest';
import { openAnalysisDb, refreshDepartments } from '../src/analyze/departments.js';
import { openStore } from '../src/store/open.js';
import { writeDocument } from '../src/store/write.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';
import { postgresUnavailable, testPostgres } from './support/postgres.js';

const skip = postgresUnavailable();
if (skip) console.warn(`analysis-postgres.test.ts skipped: ${skip}`);

/** Stores opened at once, each on its own connections (as separate processes would). */
const CONCURRENT_OPENS = 4;

describe.skipIf(skip !== null)('departments on a shared PostgreSQL store', () => {
  it('stay consistent when several open a stale store at once', async () => {
    const url = await testPostgres();
    const w = await openStore(url);
    for (const d of fixtureDocs()) await writeDocument(w, d);
    const stores = await Promise.all(Array.from({ length: CONCURRENT_OPENS }, () => openAnalysisDb(url, { aliasFile: null, readonly: true })));
    await Promise.all(stores.map((s) => s.close()));
    const linked = await w.pluck<number>('SELECT count(*) FROM document_departments');
    const named = await w.pluck<number>('SELECT count(*) FROM documents WHERE department IS NOT NULL');
    expect(linked).toEqual(named);
    expect((await refreshDepartments(w, { aliasFile: null })).refreshed).toBe(false);
    // Forced rebuilds at once, on stores already open, also leave one consistent set of tables.
    const open = await Promise.all(Array.from({ length: CONCURRENT_OPENS }, () => openStore(url)));
    const results = await Promise.all(open.map((s) => refreshDepartments(s, { aliasFile: null, force: true })));
    await Promise.all(open.map((s) => s.close()));
    expect(results.map((r) => r.refreshed)).toEqual(results.map(() => true));
    expect(new Set(results.map((r) => r.linked))).toEqual(new Set(named));
    expect(await w.pluck<number>('SELECT count(*) FROM document_departments')).toEqual(named);
    await w.close();
  }, 60_000);
});
