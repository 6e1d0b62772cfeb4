// --jobs 0: the files one after another on this thread, with the pool workers' per-file code
// (src/ingest/task.ts). No timeout and no memory bound: for debugging, and for tests that spy on
// the pipeline.
import { FileProcessor } from './task.js';
import { unexpectedError, type Runner, type Task, type TaskOutcome } from './runner.js';

export class InlineRunner implements Runner {
  readonly replaced = 0;
  readonly recycled = 0;
  private readonly processor = new FileProcessor();
  /** The file being processed: one at a time. */
  private last: Promise<unknown> = Promise.resolve();

  run(task: Task): Promise<TaskOutcome> {
    const next = this.last.then(() => this.runNow(task));
    this.last = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    return this.processor.close();
  }

  private async runNow(task: Task): Promise<TaskOutcome> {
    if (task.signal?.aborted) return { kind: 'not-started' };
    task.onStart?.();
    const t0 = performance.now();
    const done = await this.processor.process(task);
    const elapsedMs = performance.now() - t0;
    return done.ok ? { kind: 'result', result: done.result, elapsedMs } : { kind: 'failed', reason: unexpectedError(done.message), elapsedMs };
  }
}
