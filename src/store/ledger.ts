// The ingest ledger (db/002_ledger.sql): every file seen, by sha256, with its paths, its status and
// the timings of its last attempt; and one row per run. Only the ingest writer calls the writers here.
import { hostname } from 'node:os';
import type { Db } from './db.js';
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

export function beginRun(db: Db, r: { pipelineVersion: string; jobs: number; argv: string[] }): number {
  const info = db
    .prepare('INSERT INTO ledger_runs (started_at, pid, hostname, pipeline_version, jobs, argv) VALUES (?, ?, ?, ?, ?, ?)')
    .run(now(), process.pid, hostname(), r.pipelineVersion, r.jobs, JSON.stringify(r.argv));
  return Number(info.lastInsertRowid);
}

export function finishRun(db: Db, id: number, summary: unknown, exitCode: number): void {
  db.prepare('UPDATE ledger_runs SET finished_at = ?, summary = ?, exit_code = ? WHERE id = ?').run(now(), JSON.stringify(summary), exitCode, id);
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
export function liveRuns(db: Db): LedgerRun[] {
  const open = db.prepare('SELECT * FROM ledger_runs WHERE finished_at IS NULL AND hostname = ?').all(hostname()) as LedgerRun[];
  return open.filter((r) => r.pid !== process.pid && pidAlive(r.pid));
}

export function lastRun(db: Db): LedgerRun | undefined {
  return db.prepare('SELECT * FROM ledger_runs ORDER BY id DESC LIMIT 1').get() as LedgerRun | undefined;
}

/**
 * Files left 'running' by a run that is gone (killed, crashed, power cut). They will be started
 * again, unless they already were MAX_INTERRUPTED_ATTEMPTS times: those are marked failed.
 * Returns how many were left running and how many of those were given up.
 */
export function recoverInterrupted(db: Db): { interrupted: number; givenUp: number } {
  const live = new Set(liveRuns(db).map((r) => r.id));
  const rows = (db.prepare("SELECT sha256, attempts, run_id FROM ledger_files WHERE status = 'running'").all() as
    { sha256: string; attempts: number; run_id: number | null }[]).filter((r) => r.run_id === null || !live.has(r.run_id));
  const giveUp = db.prepare("UPDATE ledger_files SET status = 'failed', error = ?, finished_at = ? WHERE sha256 = ?");
  let givenUp = 0;
  db.transaction(() => {
    for (const r of rows) {
      if (r.attempts < MAX_INTERRUPTED_ATTEMPTS) continue;
      giveUp.run(`the importer stopped ${r.attempts} times while processing this file (killed or crashed); use --retry to try again`, now(), r.sha256);
      givenUp++;
    }
  })();
  return { interrupted: rows.length, givenUp };
}

export function getFile(db: Db, sha256: string): LedgerFile | undefined {
  return db.prepare('SELECT * FROM ledger_files WHERE sha256 = ?').get(sha256) as LedgerFile | undefined;
}

export function getPath(db: Db, path: string): LedgerPath | undefined {
  return db.prepare('SELECT * FROM ledger_paths WHERE path = ?').get(path) as LedgerPath | undefined;
}

export function pathsOf(db: Db, sha256: string): string[] {
  return db.prepare('SELECT path FROM ledger_paths WHERE sha256 = ? ORDER BY path').pluck().all(sha256) as string[];
}

/** Record that `path` holds the file `sha256` (a pending ledger row is made for a new file). */
export function seePath(db: Db, p: { path: string; sha256: string; size: number; mtimeMs: number }): void {
  const t = now();
  db.transaction(() => {
    db.prepare("INSERT INTO ledger_files (sha256, size, status, first_seen) VALUES (?, ?, 'pending', ?) ON CONFLICT (sha256) DO UPDATE SET size = excluded.size")
      .run(p.sha256, p.size, t);
    db.prepare(`INSERT INTO ledger_paths (path, sha256, size, mtime_ms, error, first_seen, last_seen) VALUES (?, ?, ?, ?, NULL, ?, ?)
      ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, mtime_ms = excluded.mtime_ms, error = NULL, last_seen = excluded.last_seen`)
      .run(p.path, p.sha256, p.size, Math.trunc(p.mtimeMs), t, t);
  })();
}

/** Record a path that could not be read (no content, so no sha256). */
export function pathError(db: Db, path: string, error: string): void {
  const t = now();
  db.prepare(`INSERT INTO ledger_paths (path, sha256, size, mtime_ms, error, first_seen, last_seen) VALUES (?, NULL, NULL, NULL, ?, ?, ?)
    ON CONFLICT (path) DO UPDATE SET sha256 = NULL, size = NULL, mtime_ms = NULL, error = excluded.error, last_seen = excluded.last_seen`)
    .run(path, error, t, t);
}

export function markRunning(db: Db, sha256: string, runId: number, pipelineVersion: string): void {
  db.prepare(`UPDATE ledger_files SET status = 'running', error = NULL, attempts = attempts + 1, started_at = ?, finished_at = NULL,
    pipeline_version = ?, run_id = ? WHERE sha256 = ?`).run(now(), pipelineVersion, runId, sha256);
}

export interface Finished {
  status: DocStatus;
  error: string | null;
  pages: number;
  elapsedMs: number;
  timings: { extractMs: number; layoutMs: number; recognizeMs: number };
}

/** The file's outcome; call inside the transaction that stores its document. */
export function markFinished(db: Db, sha256: string, f: Finished): void {
  const ms = (x: number) => Math.max(0, Math.round(x));
  db.prepare(`UPDATE ledger_files SET status = ?, error = ?, pages = ?, finished_at = ?, elapsed_ms = ?, extract_ms = ?, layout_ms = ?,
    recognize_ms = ? WHERE sha256 = ?`)
    .run(f.status, f.error, f.pages, now(), ms(f.elapsedMs), ms(f.timings.extractMs), ms(f.timings.layoutMs), ms(f.timings.recognizeMs), sha256);
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

export function ledgerSummary(db: Db, pipelineVersion: string): LedgerSummary {
  const n = (sql: string, ...a: unknown[]) => db.prepare(sql).pluck().get(...a) as number;
  const byStatus: Record<LedgerStatus, number> = { pending: 0, running: 0, ok: 0, partial: 0, failed: 0 };
  for (const r of db.prepare('SELECT status, count(*) AS n FROM ledger_files GROUP BY status').all() as { status: LedgerStatus; n: number }[]) {
    byStatus[r.status] = r.n;
  }
  return {
    files: n('SELECT count(*) FROM ledger_files'),
    byStatus,
    pages: n('SELECT coalesce(sum(pages), 0) FROM ledger_files'),
    paths: n('SELECT count(*) FROM ledger_paths WHERE sha256 IS NOT NULL'),
    unreadablePaths: n('SELECT count(*) FROM ledger_paths WHERE sha256 IS NULL'),
    currentVersion: n("SELECT count(*) FROM ledger_files WHERE pipeline_version = ? AND status IN ('ok', 'partial', 'failed')", pipelineVersion),
    otherVersions: n("SELECT count(*) FROM ledger_files WHERE pipeline_version IS NOT NULL AND pipeline_version <> ? AND status IN ('ok', 'partial', 'failed')", pipelineVersion),
    attempts: n('SELECT coalesce(sum(attempts), 0) FROM ledger_files'),
  };
}

export interface LedgerRow extends LedgerFile {
  path: string | null; // one of its paths (the first by name)
  n_paths: number;
}

const WITH_PATH = `SELECT f.*, (SELECT min(path) FROM ledger_paths p WHERE p.sha256 = f.sha256) AS path,
  (SELECT count(*) FROM ledger_paths p WHERE p.sha256 = f.sha256) AS n_paths FROM ledger_files f`;

export function slowestFiles(db: Db, limit: number): LedgerRow[] {
  return db.prepare(`${WITH_PATH} WHERE f.elapsed_ms IS NOT NULL ORDER BY f.elapsed_ms DESC LIMIT ?`).all(limit) as LedgerRow[];
}

export function failedFiles(db: Db, limit: number): LedgerRow[] {
  return db.prepare(`${WITH_PATH} WHERE f.status = 'failed' ORDER BY path LIMIT ?`).all(limit) as LedgerRow[];
}

export function unreadablePaths(db: Db, limit: number): LedgerPath[] {
  return db.prepare('SELECT * FROM ledger_paths WHERE sha256 IS NULL ORDER BY path LIMIT ?').all(limit) as LedgerPath[];
}
