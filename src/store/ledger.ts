// The ingest ledger (db/002_ledger.sql): every file seen, by sha256, with its paths, its status and
// the timings of its last attempt; and one row per run. Only the ingest writer calls the writers here.
import { hostname } from 'node:os';
import type { Sql, SqlParam } from './sql.js';
import type { DocStatus } from '../types.js';

export type LedgerStatus = 'pending' | 'running' | DocStatus;

export interface LedgerFile {
  sha256: string;
  size: number;
  status: LedgerStatus;
  error: string | null;
  pages: number | null;
  pipeline_version: string | null;
  attempts: number;
  first_seen: string;
  started_at: string | null;
  finished_at: string | null;
  elapsed_ms: number | null;
  extract_ms: number | null;
  layout_ms: number | null;
  recognize_ms: number | null;
  run_id: number | null;
}

export interface LedgerPath {
  path: string;
  sha256: string | null;
  size: number | null;
  mtime_ms: number | null;
  error: string | null;
  first_seen: string;
  last_seen: string;
}

export interface LedgerRun {
  id: number;
  started_at: string;
  finished_at: string | null;
  pid: number;
  hostname: string;
  pipeline_version: string;
  jobs: number;
  argv: string;
  summary: string | null;
  exit_code: number | null;
}

/**
 * A file the importer died on this many times (killed or crashed while a worker had it) is marked
 * failed instead of being started again: one poisonous file must not stop every rerun.
 */
export const MAX_INTERRUPTED_ATTEMPTS = 3;

const now = () => new Date().toISOString();

export async function beginRun(sql: Sql, r: { pipelineVersion: string; jobs: number; argv: string[] }): Promise<number> {
  const row = await sql.get<{ id: number }>('INSERT INTO ledger_runs (started_at, pid, hostname, pipeline_version, jobs, argv) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [now(), process.pid, hostname(), r.pipelineVersion, r.jobs, JSON.stringify(r.argv)]);
  return Number(row!.id);
}

export async function finishRun(sql: Sql, id: number, summary: unknown, exitCode: number): Promise<void> {
  await sql.run('UPDATE ledger_runs SET finished_at = ?, summary = ?, exit_code = ? WHERE id = ?', [now(), JSON.stringify(summary), exitCode, id]);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs on this host not finished whose process is still alive (other than this one). */
export async function liveRuns(sql: Sql): Promise<LedgerRun[]> {
  const open = await sql.all<LedgerRun>('SELECT * FROM ledger_runs WHERE finished_at IS NULL AND hostname = ?', [hostname()]);
  return open.filter((r) => r.pid !== process.pid && pidAlive(r.pid));
}

export async function lastRun(sql: Sql): Promise<LedgerRun | undefined> {
  return sql.get<LedgerRun>('SELECT * FROM ledger_runs ORDER BY id DESC LIMIT 1');
}

/**
 * Files left 'running' by a run that is gone (killed, crashed, power cut). They will be started
 * again, unless they already were MAX_INTERRUPTED_ATTEMPTS times: those are marked failed.
 * Returns how many were left running and how many of those were given up.
 */
export async function recoverInterrupted(sql: Sql): Promise<{ interrupted: number; givenUp: number }> {
  const live = new Set((await liveRuns(sql)).map((r) => r.id));
  const rows = (await sql.all<{ sha256: string; attempts: number; run_id: number | null }>("SELECT sha256, attempts, run_id FROM ledger_files WHERE status = 'running'"))
    .filter((r) => r.run_id === null || !live.has(r.run_id));
  let givenUp = 0;
  await sql.transaction(async (tx) => {
    for (const r of rows) {
      if (r.attempts < MAX_INTERRUPTED_ATTEMPTS) continue;
      await tx.run("UPDATE ledger_files SET status = 'failed', error = ?, finished_at = ? WHERE sha256 = ?",
        [`the importer stopped ${r.attempts} times while processing this file (killed or crashed); use --retry to try again`, now(), r.sha256]);
      givenUp++;
    }
  });
  return { interrupted: rows.length, givenUp };
}

export async function getFile(sql: Sql, sha256: string): Promise<LedgerFile | undefined> {
  return sql.get<LedgerFile>('SELECT * FROM ledger_files WHERE sha256 = ?', [sha256]);
}

export async function getPath(sql: Sql, path: string): Promise<LedgerPath | undefined> {
  return sql.get<LedgerPath>('SELECT * FROM ledger_paths WHERE path = ?', [path]);
}

export async function pathsOf(sql: Sql, sha256: string): Promise<string[]> {
  return sql.pluck<string>('SELECT path FROM ledger_paths WHERE sha256 = ? ORDER BY path', [sha256]);
}

/** Record that `path` holds the file `sha256` (a pending ledger row is made for a new file). */
export async function seePath(sql: Sql, p: { path: string; sha256: string; size: number; mtimeMs: number }): Promise<void> {
  const t = now();
  await sql.transaction(async (tx) => {
    await tx.run("INSERT INTO ledger_files (sha256, size, status, first_seen) VALUES (?, ?, 'pending', ?) ON CONFLICT (sha256) DO UPDATE SET size = excluded.size",
      [p.sha256, p.size, t]);
    await tx.run(`INSERT INTO ledger_paths (path, sha256, size, mtime_ms, error, first_seen, last_seen) VALUES (?, ?, ?, ?, NULL, ?, ?)
      ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms, error = NULL, last_seen = excluded.last_seen`,
      [p.path, p.sha256, p.size, Math.trunc(p.mtimeMs), t, t]);
  });
}

/** Record a path that could not be read (no content, so no sha256). */
export async function pathError(sql: Sql, path: string, error: string): Promise<void> {
  const t = now();
  await sql.run(`INSERT INTO ledger_paths (path, sha256, size, mtime_ms, error, first_seen, last_seen) VALUES (?, NULL, NULL, NULL, ?, ?, ?)
    ON CONFLICT (path) DO UPDATE SET sha256 = NULL, size = NULL, mtime_ms = NULL, error = excluded.error, last_seen = excluded.last_seen`,
  [path, error, t, t]);
}

export async function markRunning(sql: Sql, sha256: string, runId: number, pipelineVersion: string): Promise<void> {
  await sql.run(`UPDATE ledger_files SET status = 'running', error = NULL, attempts = attempts + 1, started_at = ?, finished_at = NULL,
    pipeline_version = ?, run_id = ? WHERE sha256 = ?`, [now(), pipelineVersion, runId, sha256]);
}

export interface Finished {
  status: DocStatus;
  error: string | null;
  pages: number;
  elapsedMs: number;
  timings: { extractMs: number; layoutMs: number; recognizeMs: number };
}

/** The file's outcome; call inside the transaction that stores its document (with its `tx`). */
export async function markFinished(sql: Sql, sha256: string, f: Finished): Promise<void> {
  const ms = (x: number) => Math.max(0, Math.round(x));
  await sql.run(`UPDATE ledger_files SET status = ?, error = ?, pages = ?, finished_at = ?, elapsed_ms = ?, extract_ms = ?, layout_ms = ?,
    recognize_ms = ? WHERE sha256 = ?`,
  [f.status, f.error, f.pages, now(), ms(f.elapsedMs), ms(f.timings.extractMs), ms(f.timings.layoutMs), ms(f.timings.recognizeMs), sha256]);
}

// ---- reading, for `yusuan status` ----

export interface LedgerSummary {
  files: number;
  byStatus: Record<LedgerStatus, number>;
  pages: number;
  paths: number;
  unreadablePaths: number;
  currentVersion: number;
  otherVersions: number;
  attempts: number;
}

export async function ledgerSummary(sql: Sql, pipelineVersion: string): Promise<LedgerSummary> {
  const n = async (q: string, ...a: SqlParam[]) => (await sql.pluck<number>(q, a))[0];
  const byStatus: Record<LedgerStatus, number> = { pending: 0, running: 0, ok: 0, partial: 0, failed: 0 };
  for (const r of await sql.all<{ status: LedgerStatus; n: number }>('SELECT status, count(*) AS n FROM ledger_files GROUP BY status')) {
    byStatus[r.status] = r.n;
  }
  return {
    files: await n('SELECT count(*) FROM ledger_files'),
    byStatus,
    pages: await n('SELECT COALESCE(sum(pages), 0) FROM ledger_files'),
    paths: await n('SELECT count(*) FROM ledger_paths WHERE sha256 IS NOT NULL'),
    unreadablePaths: await n('SELECT count(*) FROM ledger_paths WHERE sha256 IS NULL'),
    currentVersion: await n("SELECT count(*) FROM ledger_files WHERE pipeline_version = ? AND status IN ('ok', 'partial', 'failed')", pipelineVersion),
    otherVersions: await n("SELECT count(*) FROM ledger_files WHERE pipeline_version IS NOT NULL AND pipeline_version <> ? AND status IN ('ok', 'partial', 'failed')", pipelineVersion),
    attempts: await n('SELECT COALESCE(sum(attempts), 0) FROM ledger_files'),
  };
}

export interface LedgerRow extends LedgerFile {
  path: string | null; // one of its paths (the first by name)
  n_paths: number;
}

const WITH_PATH = `SELECT f.*, (SELECT min(path) FROM ledger_paths p WHERE p.sha256 = f.sha256) AS path,
  (SELECT count(*) FROM ledger_paths p WHERE p.sha256 = f.sha256) AS n_paths FROM ledger_files f`;

export async function slowestFiles(sql: Sql, limit: number): Promise<LedgerRow[]> {
  return sql.all<LedgerRow>(`${WITH_PATH} WHERE f.elapsed_ms IS NOT NULL ORDER BY f.elapsed_ms DESC LIMIT ?`, [limit]);
}

export async function failedFiles(sql: Sql, limit: number): Promise<LedgerRow[]> {
  return sql.all<LedgerRow>(`${WITH_PATH} WHERE f.status = 'failed' ORDER BY path LIMIT ?`, [limit]);
}

export async function unreadablePaths(sql: Sql, limit: number): Promise<LedgerPath[]> {
  return sql.all<LedgerPath>('SELECT * FROM ledger_paths WHERE sha256 IS NULL ORDER BY path LIMIT ?', [limit]);
}
