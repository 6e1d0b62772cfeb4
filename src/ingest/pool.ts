// A pool of worker threads running processFile (src/ingest/worker.ts), one file per worker at a time.
//
// Each worker runs under a heap limit (resourceLimits) and each file under a time limit: a worker that
// runs out of memory, hangs past the limit or dies is terminated and replaced, and its file comes back
// as failed with the reason; the other workers carry on.
//
// The worker entry sits next to this module: src/ingest/worker.ts when running from the TypeScript
// sources (tests, `npm run yusuan`; tsx's loader is then passed to the worker), dist/ingest/worker.js
// when running the compiled `yusuan`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import type { TaskMessage, WorkerMessage } from './protocol.js';
import { unexpectedError, type Runner, type Task, type TaskOutcome } from './runner.js';

export type { Task, TaskOutcome } from './runner.js';

/** A worker whose heap after a file is above this share of its limit is replaced before the next file. */
const RECYCLE_HEAP_SHARE = 0.5;
/** This many workers in a row dying before they are ready means they cannot start at all. */
const MAX_START_FAILURES = 3;

export interface PoolOptions {
  size: number;
  /** Per file; 0 for none. */
  timeoutMs: number;
  /** Heap limit of each worker (V8 old generation), MB. */
  maxMemoryMb: number;
  /** Make a worker (tests give one that misbehaves on purpose). Default: src/ingest/worker. */
  spawn?: (resourceLimits: ResourceLimits) => Worker;
}

/** The workers could not be started (e.g. the worker entry or tsx is missing). */
export class PoolStartError extends Error {
  override name = 'PoolStartError';
}

/**
 * How to start the worker entry next to this module: dist/ingest/worker.js as is; from the sources,
 * src/ingest/worker.ts through tsx's ESM API, registered inside the worker by a small bootstrap
 * (Node 20 does not apply `--import tsx` in a worker's execArgv to the worker's own entry).
 */
export function workerEntry(): { url: URL } | { code: string } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./worker.js', import.meta.url) };
  // Resolved from here, so it works from any working directory.
  const tsxApi = pathToFileURL(resolveImport('tsx', './esm/api')).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  return { code: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })` };
}

/** The file a package's export subpath resolves to under the `import` condition. */
function resolveImport(pkg: string, subpath: string): string {
  const manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  const exp = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, unknown> }).exports[subpath];
  const pick = (e: unknown): string | undefined =>
    typeof e === 'string' ? e : e && typeof e === 'object' ? pick((e as Record<string, unknown>).import ?? (e as Record<string, unknown>).default) : undefined;
  const rel = pick(exp);
  if (!rel) throw new PoolStartError(`${pkg} has no import export ${subpath}`);
  return join(dirname(manifest), rel);
}

function defaultSpawn(resourceLimits: ResourceLimits): Worker {
  const e = workerEntry();
  return 'url' in e ? new Worker(e.url, { resourceLimits }) : new Worker(e.code, { eval: true, resourceLimits });
}

interface Running {
  id: number;
  path: string;
  t0: number;
  resolve: (o: TaskOutcome) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'stopping';
  current: Running | null;
  /** Why the worker is being stopped, when it is the pool stopping it. */
  stopReason: string | null;
  error: Error | null;
}

interface Waiting {
  task: Task;
  resolve: (o: TaskOutcome) => void;
  reject: (e: Error) => void;
  /** Removed once the file starts, so a long run's signal does not hold every file's bytes. */
  onAbort?: () => void;
}

export class WorkerPool implements Runner {
  private readonly slots = new Set<Slot>();
  private readonly waiting: Waiting[] = [];
  private nextId = 1;
  private startFailures = 0;
  private fatal: PoolStartError | null = null;
  private closing = false;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Workers replaced after a timeout, running out of memory or dying. */
  replaced = 0;
  recycled = 0;

  constructor(private readonly opts: PoolOptions) {
    if (opts.size < 1) throw new RangeError('pool size must be at least 1');
    for (let i = 0; i < opts.size; i++) this.spawn();
  }

  /** Resolves when every worker has started; rejects with PoolStartError when they cannot. */
  ready(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if ([...this.slots].every((s) => s.state !== 'starting')) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Process one file on the next free worker. Never rejects for the file's sake, only with
   * PoolStartError. A file still waiting for a worker when its signal is aborted is not started.
   */
  run(task: Task): Promise<TaskOutcome> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closing) return Promise.reject(new Error('pool is closed'));
    if (task.signal?.aborted) return Promise.resolve({ kind: 'not-started' });
    return new Promise((resolve, reject) => {
      const w: Waiting = { task, resolve, reject };
      w.onAbort = () => {
        const i = this.waiting.indexOf(w);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        resolve({ kind: 'not-started' });
      };
      task.signal?.addEventListener('abort', w.onAbort, { once: true });
      this.waiting.push(w);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.slots].map((s) => {
      s.state = 'stopping';
      s.stopReason ??= 'pool closed';
      return s.worker.terminate();
    }));
    this.slots.clear();
  }

  private spawn(): void {
    const limits: ResourceLimits = { maxOldGenerationSizeMb: this.opts.maxMemoryMb };
    let worker: Worker;
    try {
      worker = (this.opts.spawn ?? defaultSpawn)(limits);
    } catch (e) {
      this.fail(new PoolStartError(`cannot start a worker thread: ${errorMessage(e)}`));
      return;
    }
    const slot: Slot = { worker, state: 'starting', current: null, stopReason: null, error: null };
    this.slots.add(slot);
    worker.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      slot.error = e;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'ready') {
      slot.state = 'idle';
      this.startFailures = 0;
      this.checkReady();
      this.dispatch();
      return;
    }
    const cur = slot.current;
    if (!cur || cur.id !== m.id) return; // a late answer for a task already given up
    this.settle(slot, m.type === 'result'
      ? { kind: 'result', result: m.result, elapsedMs: performance.now() - cur.t0 }
      : { kind: 'failed', reason: unexpectedError(m.message), elapsedMs: performance.now() - cur.t0 });
    if (m.type === 'result' && m.heapUsed > RECYCLE_HEAP_SHARE * this.opts.maxMemoryMb * 1024 * 1024) {
      // Whatever the pipeline keeps between files (caches, leaks) starts afresh.
      this.recycled++;
      this.stop(slot, 'recycled');
      this.spawn();
      return;
    }
    slot.state = 'idle';
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    const wasStarting = slot.state === 'starting';
    const cur = slot.current;
    if (cur) {
      const err = slot.error as (Error & { code?: string }) | null;
      const reason = slot.stopReason
        ?? (err?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `out of memory: the worker exceeded its heap limit of ${this.opts.maxMemoryMb} MB and was stopped (--max-memory)`
          : `the worker died while processing it (${err ? err.message : `exit code ${code}`})`);
      this.settle(slot, { kind: 'failed', reason, elapsedMs: performance.now() - cur.t0 });
    }
    if (this.closing || slot.stopReason === 'recycled') return;
    if (wasStarting) {
      this.startFailures++;
      if (this.startFailures >= MAX_START_FAILURES) {
        this.fail(new PoolStartError(`worker threads cannot start: ${slot.error?.message ?? `exit code ${code}`}`));
        return;
      }
    }
    this.replaced++;
    this.spawn();
  }

  private stop(slot: Slot, reason: string): void {
    slot.state = 'stopping';
    slot.stopReason = reason;
    void slot.worker.terminate();
  }

  private settle(slot: Slot, outcome: TaskOutcome): void {
    const cur = slot.current;
    if (!cur) return;
    clearTimeout(cur.timer);
    slot.current = null;
    cur.resolve(outcome);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (slot.state !== 'idle') continue;
      const w = this.waiting.shift()!;
      if (w.onAbort) w.task.signal?.removeEventListener('abort', w.onAbort);
      const id = this.nextId++;
      const cur: Running = { id, path: w.task.path, t0: performance.now(), resolve: w.resolve };
      slot.current = cur;
      slot.state = 'busy';
      w.task.onStart?.();
      const { timeoutMs } = this.opts;
      if (timeoutMs > 0) {
        cur.timer = setTimeout(() => {
          this.stop(slot, `timed out after ${fmtSeconds(timeoutMs)} (--timeout); the worker was stopped`);
        }, timeoutMs);
      }
      const data = w.task.data;
      // Transfer the bytes when they own their whole buffer; copy otherwise (e.g. a pooled Buffer).
      const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer
        ? data : new Uint8Array(data);
      const msg: TaskMessage = { id, path: w.task.path, data: own, ocr: w.task.ocr, ocrEngine: w.task.ocrEngine, ocrJobs: w.task.ocrJobs };
      slot.worker.postMessage(msg, [own.buffer as ArrayBuffer]);
    }
  }

  private checkReady(): void {
    if ([...this.slots].some((s) => s.state === 'starting')) return;
    for (const w of this.readyWaiters.splice(0)) w.resolve();
  }

  private fail(e: PoolStartError): void {
    this.fatal = e;
    for (const w of this.waiting.splice(0)) {
      if (w.onAbort) w.task.signal?.removeEventListener('abort', w.onAbort);
      w.reject(e);
    }
    for (const w of this.readyWaiters.splice(0)) w.reject(e);
  }
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
