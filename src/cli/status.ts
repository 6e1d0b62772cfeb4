// `yusuan status`: where the ingest ledger stands: counts by status, the last run, the slowest and the
// failed files.
import { existsSync } from 'node:fs';
import { openStore } from '../store/open.js';
import { isPostgresLocation, type Sql } from '../store/sql.js';
import * as ledger from '../store/ledger.js';
import { PIPELINE_VERSION } from '../version.js';
import { parseFormat, showPath, showStore, storeHelp, storeLocation, STORE_OPTIONS, usageError as reportUsage, parseCommand } from './args.js';
import { errorMessage } from '../errors.js';

export const STATUS_USAGE = `usage: yusuan status [--store yusuan.db] [--slowest 10] [--failed 20] [--format table|json]

  The ingest ledger: files by status, pages, the last run, the slowest files and the failed ones
  with their reasons.

${storeHelp(23)}
  --slowest <n>        how many of the slowest files to list (default 10)
  --failed <n>         how many failed files to list (default 20)
  --format <f>         table (text for people, the default) or json (one JSON object)
  --json               the same as --format json (an older spelling)

  Reads the database only: it works on a read-only file or folder.`;

export async function runStatus(argv: string[]): Promise<number> {
  const parsed = parseCommand('status', STATUS_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      ...STORE_OPTIONS,
      slowest: { type: 'string', default: '10' },
      failed: { type: 'string', default: '20' },
      format: { type: 'string', default: 'table' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const nSlow = Number(values.slowest);
  const nFailed = Number(values.failed);
  if (!Number.isInteger(nSlow) || nSlow < 0 || !Number.isInteger(nFailed) || nFailed < 0) return usageError('--slowest and --failed take a whole number');
  const format = values.json ? 'json' : parseFormat('status', values.format, ['table', 'json'] as const);
  if (typeof format === 'number') return format;
  const store = storeLocation(values);
  if (!isPostgresLocation(store) && !existsSync(store)) return usageError(`no database at ${showPath(store)}`);
  let sql: Sql;
  try {
    sql = await openStore(store, { readonly: true });
  } catch (e) {
    return usageError(`cannot open database ${showStore(store)}: ${errorMessage(e)}`);
  }
  try {
    const report = await statusReport(sql, nSlow, nFailed);
    if (format === 'json') console.log(JSON.stringify(report, null, 1));
    else printStatus(report);
    return 0;
  } finally {
    await sql.close();
  }
}

export async function statusReport(sql: Sql, nSlow: number, nFailed: number) {
  const last = await ledger.lastRun(sql);
  const live = await ledger.liveRuns(sql);
  return {
    pipelineVersion: PIPELINE_VERSION,
    ledger: await ledger.ledgerSummary(sql, PIPELINE_VERSION),
    lastRun: last
      ? {
          id: last.id,
          startedAt: last.started_at,
          finishedAt: last.finished_at,
          state: last.finished_at ? 'finished' : live.some((r) => r.id === last.id) ? 'running' : 'stopped (killed or crashed)',
          pid: last.pid,
          jobs: last.jobs,
          exitCode: last.exit_code,
          summary: last.summary ? (JSON.parse(last.summary) as unknown) : null,
        }
      : null,
    slowest: (await ledger.slowestFiles(sql, nSlow)).map((f) => ({ path: f.path, sha256: f.sha256, elapsedMs: f.elapsed_ms, pages: f.pages, status: f.status })),
    failed: (await ledger.failedFiles(sql, nFailed)).map((f) => ({ path: f.path, sha256: f.sha256, paths: f.n_paths, error: f.error, attempts: f.attempts })),
    unreadable: (await ledger.unreadablePaths(sql, nFailed)).map((p) => ({ path: p.path, error: p.error })),
  };
}

function printStatus(r: Awaited<ReturnType<typeof statusReport>>): void {
  const l = r.ledger;
  const s = l.byStatus;
  console.log(`ledger: ${l.files} files (${s.ok} ok, ${s.partial} partial, ${s.failed} failed, ${s.running} running, ${s.pending} pending), `
    + `${l.pages} pages, ${l.paths} paths${l.unreadablePaths ? `, ${l.unreadablePaths} unreadable paths` : ''}`);
  console.log(`pipeline ${r.pipelineVersion}: ${l.currentVersion} files done` + (l.otherVersions ? `; ${l.otherVersions} done by an older version (an ingest rerun updates them)` : ''));
  if (r.lastRun) {
    const lr = r.lastRun;
    console.log(`last run: #${lr.id} started ${lr.startedAt}, ${lr.state}${lr.finishedAt ? ` ${lr.finishedAt}, exit code ${lr.exitCode}` : ` (pid ${lr.pid})`}`);
  } else {
    console.log('last run: none');
  }
  if (r.slowest.length) {
    console.log('slowest:');
    for (const f of r.slowest) console.log(`  ${((f.elapsedMs ?? 0) / 1000).toFixed(1).padStart(7)} s  ${String(f.pages ?? '?').padStart(5)} p  ${f.status.padEnd(7)}  ${f.path ? showPath(f.path) : f.sha256}`);
  }
  if (r.failed.length) {
    console.log(`failed${s.failed > r.failed.length ? ` (first ${r.failed.length} of ${s.failed})` : ''}:`);
    for (const f of r.failed) console.log(`  ${f.path ? showPath(f.path) : f.sha256}${f.paths > 1 ? ` (+${f.paths - 1} paths)` : ''}  ${f.error}`);
  }
  if (r.unreadable.length) {
    console.log('unreadable:');
    for (const p of r.unreadable) console.log(`  ${showPath(p.path)}  ${p.error}`);
  }
}

const usageError = (message: string): number => reportUsage('status', STATUS_USAGE, message);
