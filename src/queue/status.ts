// Where a multi-machine import stands: the queue's jobs (pg-boss) and the documents' outcomes (the
// ledger), across all workers; and each worker's throughput, from the ledger (every finished file
// names the run that finished it, and a worker's run row its host and process).
import type PgBoss from 'pg-boss';
import * as ledger from '../store/ledger.js';
import type { Sql } from '../store/sql.js';
import { openQueueForReading, QUEUE } from './jobs.js';

export interface QueueCounts {
  /** Waiting for a worker. */
  queued: number;
  /** Failed once or more, waiting for their next attempt (backoff). */
  retrying: number;
  /** Being processed, or held by a worker that died (until the job expires). */
  active: number;
}

export interface WorkerThroughput {
  /** host:pid */
  worker: string;
  runId: number;
  startedAt: string;
  /** Null while it runs (or when it was killed). */
  finishedAt: string | null;
  documents: number;
  pages: number;
  failed: number;
  /** From its start to its end, or to the last document it finished. */
  seconds: number;
  documentsPerSecond: number;
  pagesPerSecond: number;
}

export async function queueCounts(boss: PgBoss): Promise<QueueCounts> {
  const below = (before: 'retry' | 'active' | 'completed') => boss.getQueueSize(QUEUE, { before });
  const [created, waiting, unfinished] = await Promise.all([below('retry'), below('active'), below('completed')]);
  return { queued: created, retrying: waiting - created, active: unfinished - waiting };
}

/** The workers (runs) that finished documents, most recent first. */
export async function workerThroughput(sql: Sql, limit: number): Promise<WorkerThroughput[]> {
  const rows = await ledger.runThroughput(sql, limit);
  return rows.map((r) => {
    const end = r.finished_at ?? r.last_finished_at ?? r.started_at;
    const seconds = Math.max(0, (Date.parse(end) - Date.parse(r.started_at)) / 1000);
    const per = (n: number) => (seconds > 0 ? n / seconds : 0);
    return {
      worker: `${r.hostname}:${r.pid}`, runId: r.id, startedAt: r.started_at, finishedAt: r.finished_at,
      documents: r.documents, pages: r.pages, failed: r.failed, seconds,
      documentsPerSecond: per(r.documents), pagesPerSecond: per(r.pages),
    };
  });
}

/** The lines `yusuan status` prints for the queue. */
export function formatQueue(q: QueueCounts | null, workers: WorkerThroughput[]): string[] {
  const out = [q ? `queue: ${q.queued} queued, ${q.retrying} waiting to be retried, ${q.active} active` : 'queue: none (nothing was enqueued)'];
  if (workers.length) {
    out.push('workers (documents finished; throughput from start to end or to the last document):');
    for (const w of workers) {
      out.push(`  ${w.worker.padEnd(24)} ${String(w.documents).padStart(6)} docs ${String(w.pages).padStart(7)} p`
        + `${w.failed ? ` (${w.failed} failed)` : ''}  ${w.documentsPerSecond.toFixed(2)} docs/s  ${w.pagesPerSecond.toFixed(1)} p/s`
        + `  ${w.finishedAt ? 'finished' : 'running or stopped'}`);
    }
  }
  return out;
}

export interface QueueReport {
  /** Null when nothing was ever enqueued on this store. */
  queue: QueueCounts | null;
  workers: WorkerThroughput[];
}

/** The queue's part of `yusuan status` for a PostgreSQL store at `url` (read only). */
export async function queueReport(url: string, sql: Sql, nWorkers: number): Promise<QueueReport> {
  const boss = await openQueueForReading(url);
  try {
    return { queue: boss ? await queueCounts(boss) : null, workers: await workerThroughput(sql, nWorkers) };
  } finally {
    await boss?.stop({ graceful: false });
  }
}
