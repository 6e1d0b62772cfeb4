// The work queue of a multi-machine import: one pg-boss queue in the PostgreSQL store's database
// (its own schema, pgboss), one job per document to process. The job carries the file's path (read
// by every worker: a shared filesystem) and its sha256, which is also its singleton key: the same
// file enqueued twice, or by two people, is one queued job.
import PgBoss from 'pg-boss';
import { errorMessage } from '../errors.js';

/** The queue's name in pg-boss. */
export const QUEUE = 'yusuan-documents';

/** What a job carries. */
export interface DocumentJob {
  /** Absolute: the same on every worker (a shared filesystem). */
  path: string;
  sha256: string;
  size: number;
  /** Process it even when it is stored already (`enqueue --force`). */
  force: boolean;
}

/**
 * Job settings, set by `yusuan enqueue` on each job. The expiry must stay above the workers' per-document
 * time limit (`yusuan work --timeout`, 600 s by default, the worst OCR of a long scanned document):
 * an active job older than its expiry is taken to be lost (its worker killed) and is retried.
 */
export const DEFAULT_EXPIRE_S = 900;
/** Attempts after the first, for a document whose processing failed (timeout, out of memory, crash). */
export const DEFAULT_RETRY_LIMIT = 2;
/** Seconds before the first retry; doubled (with jitter) for each further one. */
export const DEFAULT_RETRY_DELAY_S = 30;
/** Margin between a worker's per-document time limit and the job's expiry: time to store the result. */
export const STORE_MARGIN_S = 60;

export interface JobSettings {
  expireInSeconds: number;
  retryLimit: number;
  retryDelay: number;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = { expireInSeconds: DEFAULT_EXPIRE_S, retryLimit: DEFAULT_RETRY_LIMIT, retryDelay: DEFAULT_RETRY_DELAY_S };

/** The send options of a document's job. */
export function sendOptions(job: DocumentJob, s: JobSettings): PgBoss.SendOptions {
  return { singletonKey: job.sha256, expireInSeconds: s.expireInSeconds, retryLimit: s.retryLimit, retryDelay: s.retryDelay, retryBackoff: true };
}

/**
 * pg-boss on the store's database, started (its schema installed or migrated under its own lock, so
 * many workers may start at once) and the queue created. `short`: at most one queued job per key.
 */
export async function openQueue(url: string, o: { onError?: (message: string) => void } = {}): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: url, schedule: false, max: 4, application_name: 'yusuan' });
  boss.on('error', (e: unknown) => (o.onError ?? ((m) => console.error(`pg-boss: ${m}`)))(errorMessage(e)));
  await boss.start();
  await boss.createQueue(QUEUE, { name: QUEUE, policy: 'short', ...DEFAULT_JOB_SETTINGS, retryBackoff: true });
  return boss;
}

/**
 * pg-boss for reading the queue only (`yusuan status`): nothing installed, nothing maintained.
 * Null when the database has no queue (nothing was ever enqueued).
 */
export async function openQueueForReading(url: string): Promise<PgBoss | null> {
  const boss = new PgBoss({ connectionString: url, schedule: false, supervise: false, migrate: false, max: 1, application_name: 'yusuan' });
  boss.on('error', () => undefined); // the queries' own errors reach the caller
  try {
    await boss.start();
  } catch (e) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    if (/not installed/.test(errorMessage(e))) return null;
    throw e;
  }
  if (!(await boss.getQueue(QUEUE))) {
    await boss.stop({ graceful: false });
    return null;
  }
  return boss;
}

/** Jobs not finished: queued (created, or waiting to be retried) and active. */
export async function unfinishedJobs(boss: PgBoss): Promise<number> {
  return boss.getQueueSize(QUEUE, { before: 'completed' });
}
