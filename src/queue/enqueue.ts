// Enqueue: the files given (or named in a manifest) planned as the bulk ingest plans them
// (src/ingest/plan.ts: hashed, their paths recorded in the ledger, each decided on once), and one
// job sent for each document to process. The sha256 is the job's singleton key, so a file already
// queued is not queued again; a document stored already is not sent at all (the ledger says so).
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type PgBoss from 'pg-boss';
import { planRun, type PlannedFile } from '../ingest/plan.js';
import type { Sql } from '../store/sql.js';
import { QUEUE, sendOptions, type DocumentJob, type JobSettings } from './jobs.js';

/** What became of one file. */
export type EnqueueAction = 'queued' | 'already-queued' | 'skipped' | 'unreadable' | 'would-queue';

export interface EnqueuedFile {
  path: string;
  sha256: string | null;
  action: EnqueueAction;
  /** Why it was queued or skipped (the plan's reason), or why it could not be read. */
  reason: string;
}

export interface EnqueueOptions {
  force: boolean;
  retry: boolean;
  dryRun: boolean;
  settings: JobSettings;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface EnqueueSummary {
  files: EnqueuedFile[];
  counts: Record<EnqueueAction, number>;
  hashMs: number;
}

/**
 * The paths a manifest names, one per line: blank lines and lines starting with # are skipped;
 * a relative path is taken from the manifest's folder.
 */
export async function readManifest(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const base = dirname(resolve(file));
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => (isAbsolute(p) ? p : resolve(base, p)));
}

export async function enqueueFiles(sql: Sql, boss: PgBoss, files: string[], o: EnqueueOptions): Promise<EnqueueSummary> {
  const plan = await planRun(sql, files, { force: o.force, retry: o.retry, dryRun: o.dryRun, signal: o.signal, onProgress: o.onProgress });
  const out: EnqueuedFile[] = [];
  for (const f of plan.files) out.push(await enqueueOne(boss, f, o));
  const counts: Record<EnqueueAction, number> = { queued: 0, 'already-queued': 0, skipped: 0, unreadable: 0, 'would-queue': 0 };
  for (const f of out) counts[f.action]++;
  return { files: out, counts, hashMs: plan.hashMs };
}

async function enqueueOne(boss: PgBoss, f: PlannedFile, o: EnqueueOptions): Promise<EnqueuedFile> {
  if (f.kind === 'unreadable') return { path: f.path, sha256: null, action: 'unreadable', reason: f.error };
  const { decision } = f;
  if (!decision.process) return { path: f.path, sha256: f.sha256, action: 'skipped', reason: decision.reason };
  // Under the queue, 'running' means a worker has it (or had it: a lost job is retried once it expires).
  if (decision.why === 'interrupted' && !o.retry && !o.force) {
    return { path: f.path, sha256: f.sha256, action: 'skipped', reason: 'being processed by a worker (--retry to queue it again)' };
  }
  if (o.dryRun) return { path: f.path, sha256: f.sha256, action: 'would-queue', reason: decision.reason };
  // The worker reads the file by this path: absolute, the same on every machine.
  const job: DocumentJob = { path: f.abs, sha256: f.sha256, size: f.size, force: o.force };
  const id = await boss.send(QUEUE, job, sendOptions(job, o.settings));
  return id === null
    ? { path: f.path, sha256: f.sha256, action: 'already-queued', reason: 'a job for the same content is queued already' }
    : { path: f.path, sha256: f.sha256, action: 'queued', reason: decision.reason };
}
