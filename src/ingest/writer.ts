// The one writer of a bulk run, on the main thread: each document and its ledger entry in one
// transaction, so a run killed at any moment leaves every file either stored whole or not at all.
// One store at a time, in the order they are asked for (document ids follow the order results come
// in, as they did when storing was synchronous).
import { failedDocument } from '../document.js';
import { errorMessage } from '../errors.js';
import type { Sql } from '../store/sql.js';
import * as ledger from '../store/ledger.js';
import { writeDocument } from '../store/write.js';
import type { DocumentResult } from '../types.js';

export interface Writer {
  /** Store the document; resolves to what was stored (a failed document when it could not be). */
  store(result: DocumentResult, elapsedMs: number): Promise<DocumentResult>;
  /** Time spent storing, ms. */
  readonly ms: number;
}

export function makeWriter(sql: Sql): Writer {
  const write = (result: DocumentResult, elapsedMs: number) => sql.transaction(async (tx) => {
    await writeDocument(tx, result, { force: true });
    await ledger.markFinished(tx, result.sha256, { status: result.status, error: result.error, pages: result.pages, elapsedMs, timings: result.timings });
  });
  let ms = 0;
  const storeNow = async (result: DocumentResult, elapsedMs: number): Promise<DocumentResult> => {
    const t0 = performance.now();
    try {
      await write(result, elapsedMs);
      return result;
    } catch (e) {
      const failed = failedDocument(result, `could not store: ${errorMessage(e)}`);
      await write(failed, elapsedMs); // a failed document has no records that could be invalid
      return failed;
    } finally {
      ms += performance.now() - t0;
    }
  };
  /** The store before this one: the next waits for it to end. */
  let last: Promise<unknown> = Promise.resolve();
  return {
    get ms() {
      return ms;
    },
    store(result, elapsedMs) {
      const next = last.then(() => storeNow(result, elapsedMs));
      last = next.catch(() => undefined);
      return next;
    },
  };
}
