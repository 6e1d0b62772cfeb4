// `yusuan status`: where the ingest ledger stands: counts by status, the last run, the slowest and the
// failed files.
import { existsSync } from 'node:fs';
import { openDb, type Db } from '../store/db.js';
import * as ledger from '../store/ledger.js';
import { PIPELINE_VERSION } from '../version.js';
import { usageError as reportUsage, parseCommand } from './args.js';

export const STATUS_USAGE = `usage: yusuan status [--db yusuan.db] [--slowest 10] [--failed 20] [--json]

  The ingest ledger: files by status, pages, the last run, the slowest files and the failed ones
  with their reasons.

  --db <file>       SQLite database (default yusuan.db)
  --slowest <n>     how many of the slowest files to list (default 10)
  --failed <n>      how many failed files to list (default 20)
  --json            print one JSON object instead of text`;

export async function runStatus(argv: string[]): Promise<number> {
  const parsed = parseCommand('status', STATUS_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      db: { type: 'string', default: 'yusuan.db' },
      slowest: { type: 'string', default: '10' },
      failed: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const nSlow = Number(values.slowest);
  const nFailed = Number(values.failed);
  if (!Number.isInteger(nSlow) || nSlow < 0 || !Number.isInteger(nFailed) || nFailed < 0) return usageError('--slowest and --failed take a whole number');
  if (!existsSync(values.db)) return usageError(`no database at ${values.db}`);
  let db: Db;
  try {
    db = openDb(values.db);
  } catch (e) {
    return usageError(`cannot open database ${values.db}: ${(e as Error).message}`);
  }
  try {
    const report = statusReport(db, nSlow, nFailed);
    if (values.json) console.log(JSON.stringify(report, null, 1));
    else printStatus(report);
    return 0;
  } finally {
    db.close();
  }
}

export function statusReport(db: Db, nSlow: number, nFailed: number) {
  const last = ledger.lastRun(db);
  const live = ledger.liveRuns(db);
  return {
    pipelineVersion: PIPELINE_VERSION,
    ledger: ledger.ledgerSummary(db, PIPELINE_VERSION),
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
    slowest: ledger.slowestFiles(db, nSlow).map((f) => ({ path: f.path, sha256: f.sha256, elapsedMs: f.elapsed_ms, pages: f.pages, status: f.status })),
    failed: ledger.failedFiles(db, nFailed).map((f) => ({ path: f.path, sha256: f.sha256, paths: f.n_paths, error: f.error, attempts: f.attempts })),
    unreadable: ledger.unreadablePaths(db, nFailed).map((p) => ({ path: p.path, error: p.error })),
  };
}

function printStatus(r: ReturnType<typeof statusReport>): void {
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
    for (const f of r.slowest) console.log(`  ${((f.elapsedMs ?? 0) / 1000).toFixed(1).padStart(7)} s  ${String(f.pages ?? '?').padStart(5)} p  ${f.status.padEnd(7)}  ${f.path ?? f.sha256}`);
  }
  if (r.failed.length) {
    console.log(`failed${s.failed > r.failed.length ? ` (first ${r.failed.length} of ${s.failed})` : ''}:`);
    for (const f of r.failed) console.log(`  ${f.path ?? f.sha256}${f.paths > 1 ? ` (+${f.paths - 1} paths)` : ''}  ${f.error}`);
  }
  if (r.unreadable.length) {
    console.log('unreadable:');
    for (const p of r.unreadable) console.log(`  ${p.path}  ${p.error}`);
  }
}

const usageError = (message: string): number => reportUsage('status', STATUS_USAGE, message);
