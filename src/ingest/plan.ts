// Plan: the files a bulk run was given, each hashed, recorded in the ledger, and decided on once:
// processed (and why) or skipped (and why). Nothing is parsed here.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { errorMessage } from '../errors.js';
import { PIPELINE_VERSION } from '../version.js';
import type { Sql } from '../store/sql.js';
import { hasDocument } from '../store/write.js';
import * as ledger from '../store/ledger.js';
import type { DocStatus } from '../types.js';

/** The file types a folder is searched for. */
export const EXTENSIONS = ['.pdf', '.txt'];

/** The .pdf/.txt files named or found under the given paths, deduplicated and sorted. */
export async function collectFiles(inputs: string[]): Promise<string[]> {
  const found = new Map<string, string>(); // absolute path → path as shown and stored
  const add = (p: string) => {
    const abs = resolve(p);
    if (!found.has(abs)) found.set(abs, p);
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue; // hidden, incl. macOS "._x.pdf" resource forks
      const p = join(dir, entry.name);
      // Symlinked folders are not followed (no loops); symlinked files are.
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(p).catch(() => null))?.isFile());
      if (entry.isDirectory()) await walk(p);
      else if (isFile && EXTENSIONS.includes(extname(entry.name).toLowerCase())) add(p);
    }
  };
  for (const input of inputs) {
    const s = await stat(input).catch(() => null);
    if (!s) throw new Error(`no such file or folder: ${input}`);
    if (s.isDirectory()) await walk(input);
    else add(input); // named explicitly: taken whatever its extension
  }
  return [...found.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Why a file is processed in this run. */
export type ProcessWhy = 'new' | 'forced' | 'retry' | 'interrupted' | 'pipeline-changed' | 'missing';
/** Why a file is skipped: done before, failed before (without --retry), or the same bytes as an earlier path. */
export type SkipWhy = 'done' | 'failed-before' | 'duplicate';

export type Decision =
  | { process: true; why: ProcessWhy; reason: string }
  | { process: false; why: SkipWhy; reason: string };

/** Whether a file (by content) needs processing in this run, and why. */
export async function decide(sql: Sql, sha256: string, o: { force: boolean; retry: boolean }): Promise<Decision> {
  const f = await ledger.getFile(sql, sha256);
  if (o.force) return { process: true, why: 'forced', reason: 'forced' };
  if (!f || f.status === 'pending') {
    // Stored by an ingest before the ledger had it (or its ledger row was removed).
    if (await hasDocument(sql, sha256, PIPELINE_VERSION)) return { process: false, why: 'done', reason: 'already stored' };
    return { process: true, why: 'new', reason: 'new' };
  }
  if (f.status === 'running') return { process: true, why: 'interrupted', reason: 'interrupted' };
  if (f.pipeline_version !== PIPELINE_VERSION) {
    return { process: true, why: 'pipeline-changed', reason: `pipeline changed (${f.pipeline_version ?? '?'} → ${PIPELINE_VERSION})` };
  }
  if (!(await hasDocument(sql, sha256, PIPELINE_VERSION))) return { process: true, why: 'missing', reason: 'missing from documents' };
  if (f.status === 'failed') {
    return o.retry ? { process: true, why: 'retry', reason: 'retry' } : { process: false, why: 'failed-before', reason: `failed before: ${f.error} (--retry to try again)` };
  }
  return { process: false, why: 'done', reason: 'already stored' };
}

export type PlannedFile =
  | { kind: 'unreadable'; path: string; abs: string; error: string }
  | {
      kind: 'file';
      /** As shown, and stored in documents.path. */
      path: string;
      abs: string;
      sha256: string;
      size: number;
      decision: Decision;
      /** For a skipped file: what the ledger holds of it. */
      status: DocStatus | null;
      error: string | null;
      pages: number;
    };

export interface Plan {
  /** In the order given; shorter than the input when planning was stopped. */
  files: PlannedFile[];
  /** Time spent hashing, ms. */
  hashMs: number;
}

export interface PlanOptions {
  force: boolean;
  retry: boolean;
  /** Record nothing in the ledger. */
  dryRun: boolean;
  /** Stop planning (the files not reached are left out). */
  signal?: AbortSignal;
  /** After each file: how many of how many are planned. */
  onProgress?: (done: number, total: number) => void;
}

export async function planRun(sql: Sql, files: string[], o: PlanOptions): Promise<Plan> {
  const planned: PlannedFile[] = [];
  const firstPathOf = new Map<string, string>(); // sha256 → first path seen this run
  let hashMs = 0;
  for (const path of files) {
    if (o.signal?.aborted) break;
    const abs = resolve(path);
    let sha256: string;
    let size: number;
    try {
      const st = await stat(abs);
      size = st.size;
      // A path unchanged (size, mtime) since it was hashed is not read again.
      const known = await ledger.getPath(sql, abs);
      if (known?.sha256 && known.size === size && known.mtime_ms === Math.trunc(st.mtimeMs)) sha256 = known.sha256;
      else {
        const t0 = performance.now();
        sha256 = await hashFile(abs);
        hashMs += performance.now() - t0;
      }
      if (!o.dryRun) await ledger.seePath(sql, { path: abs, sha256, size, mtimeMs: st.mtimeMs });
    } catch (e) {
      const error = `could not read the file: ${errorMessage(e)}`;
      if (!o.dryRun) await ledger.pathError(sql, abs, error);
      planned.push({ kind: 'unreadable', path, abs, error });
      o.onProgress?.(planned.length, files.length);
      continue;
    }
    const first = firstPathOf.get(sha256);
    if (first === undefined) firstPathOf.set(sha256, path);
    const decision: Decision = first !== undefined
      ? { process: false, why: 'duplicate', reason: `same content as ${first}` }
      : await decide(sql, sha256, o);
    const f = decision.process || decision.why === 'duplicate' ? undefined : await ledger.getFile(sql, sha256);
    const status = f?.status === 'ok' || f?.status === 'partial' || f?.status === 'failed' ? f.status : null;
    planned.push({ kind: 'file', path, abs, sha256, size, decision, status, error: f?.error ?? null, pages: f?.pages ?? 0 });
    o.onProgress?.(planned.length, files.length);
  }
  return { files: planned, hashMs };
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}
