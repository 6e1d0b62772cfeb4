// Summarize: what became of each file (typed outcomes) and the counts of a run, taken from those
// outcomes alone.
import { PIPELINE_VERSION } from '../version.js';
import type { DocStatus } from '../types.js';
import type { ProcessWhy, SkipWhy } from './plan.js';

export interface FileOutcome {
  path: string;
  sha256: string | null;
  size: number | null;
  /**
   * processed: run through the pipeline now; skipped: done before, or a duplicate path; unreadable:
   * no bytes; would-process: a dry run's; not-started: left when the run was stopped.
   */
  action: 'processed' | 'skipped' | 'would-process' | 'unreadable' | 'not-started';
  /** Why, as a code: the decision's (new, retry, done, failed-before, duplicate, …), or the action's. */
  why: ProcessWhy | SkipWhy | 'unreadable' | 'not-started';
  /** Why, in words. */
  reason: string;
  status: DocStatus | null;
  error: string | null;
  pages: number;
  tables: number;
  items: number;
  elapsedMs: number;
  /** How many times the file has been started, this run included. */
  attempts: number;
}

export interface Counts {
  files: number;
  processed: number;
  ok: number;
  partial: number;
  /** Failed in this run, unreadable files included. */
  failed: number;
  skipped: number;
  duplicates: number;
  unreadable: number;
  wouldProcess: number;
  /** Skipped because they failed in an earlier run (--retry takes them up again); they still stand failed. */
  failedBefore: number;
  /** Not started because the run was stopped (Ctrl-C): a rerun takes them up. */
  notStarted: number;
  /** Left running by an earlier run that was killed, found at the start of this one and taken up again. */
  resumed: number;
}

export interface RunSummary {
  runId: number | null;
  dryRun: boolean;
  /** Stopped early (Ctrl-C): the files not started are counted in counts.notStarted. */
  interrupted: boolean;
  pipelineVersion: string;
  node: string;
  jobs: number;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  counts: Counts;
  pages: number;
  tables: number;
  items: number;
  pagesPerSec: number;
  docsPerSec: number;
  peakRssMb: number;
  /** CPU time of the whole process (all threads), seconds. */
  cpuSeconds: number;
  /** Main-thread time spent hashing files and storing results, ms (the rest of it waits on workers). */
  mainThreadMs: { hash: number; store: number };
  workersReplaced: number;
  workersRecycled: number;
  /** 0 every input file ok (or partial), 1 some stand failed (this run or before), 130 interrupted. */
  exitCode: number;
  /** The results file, null when none was asked for. */
  resultsFile: string | null;
  /** False when a run that processed nothing left an existing results file as it was. */
  resultsWritten: boolean;
}

export function countOutcomes(outcomes: FileOutcome[], resumed: number): Counts {
  const n = (p: (x: FileOutcome) => boolean) => outcomes.filter(p).length;
  const processed = (s: DocStatus) => n((x) => x.action === 'processed' && x.status === s);
  const unreadable = n((x) => x.action === 'unreadable');
  return {
    files: outcomes.length,
    processed: n((x) => x.action === 'processed'),
    ok: processed('ok'),
    partial: processed('partial'),
    failed: processed('failed') + unreadable,
    skipped: n((x) => x.action === 'skipped'),
    duplicates: n((x) => x.why === 'duplicate'),
    unreadable,
    wouldProcess: n((x) => x.action === 'would-process'),
    failedBefore: n((x) => x.why === 'failed-before'),
    notStarted: n((x) => x.action === 'not-started'),
    resumed,
  };
}

export function exitCodeOf(c: Counts, interrupted: boolean): number {
  if (interrupted) return 130;
  return c.failed + c.failedBefore > 0 ? 1 : 0;
}

export interface RunFacts {
  runId: number | null;
  dryRun: boolean;
  interrupted: boolean;
  jobs: number;
  startedAt: Date;
  elapsedMs: number;
  resumed: number;
  mainThreadMs: { hash: number; store: number };
  workers: { replaced: number; recycled: number };
  resultsFile: string | null;
}

export function summarize(outcomes: FileOutcome[], f: RunFacts): RunSummary {
  const counts = countOutcomes(outcomes, f.resumed);
  const processed = outcomes.filter((x) => x.action === 'processed');
  const sum = (k: 'pages' | 'tables' | 'items') => processed.reduce((n, x) => n + x[k], 0);
  const pages = sum('pages');
  const usage = process.resourceUsage();
  return {
    runId: f.runId,
    dryRun: f.dryRun,
    interrupted: f.interrupted,
    pipelineVersion: PIPELINE_VERSION,
    node: process.version,
    jobs: f.jobs,
    startedAt: f.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    elapsedMs: Math.round(f.elapsedMs),
    counts,
    pages,
    tables: sum('tables'),
    items: sum('items'),
    pagesPerSec: f.elapsedMs > 0 ? (pages * 1000) / f.elapsedMs : 0,
    docsPerSec: f.elapsedMs > 0 ? (counts.processed * 1000) / f.elapsedMs : 0,
    peakRssMb: Math.round(usage.maxRSS / 1024),
    cpuSeconds: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1e4) / 100,
    mainThreadMs: { hash: Math.round(f.mainThreadMs.hash), store: Math.round(f.mainThreadMs.store) },
    workersReplaced: f.workers.replaced,
    workersRecycled: f.workers.recycled,
    exitCode: exitCodeOf(counts, f.interrupted),
    resultsFile: f.resultsFile,
    resultsWritten: false,
  };
}

/** "1 file", "2 files"; "0 duplicate paths". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
export const files = (n: number): string => plural(n, 'file');
