// The one writer of a bulk run, on the main thread: each document and its ledger entry in one
// transaction, so a run killed at any moment leaves every file either stored whole or not at all.
import { failedDocument } from '../document.js';
import { errorMessage } from '../errors.js';
import type { Db } from '../store/db.js';
import * as ledger from '../store/ledger.js';
import { writeDocument } from '../store/write.js';
import type { DocumentResult } from '../types.js';

export interface Writer {
  /** Store the document; returns what was stored (a failed document when it could not be). */
  store(result: DocumentResult, elapsedMs: number): DocumentResult;
  /** Time spent storing, ms. */
  readonly ms: number;
}

export function makeWriter(db: Db): Writer {
  const tx = db.transaction((result: DocumentResult, elapsedMs: number) => {
    writeDocument(db, result, { force: true });
    ledger.markFinished(db, result.sha256, { status: result.status, error: result.error, pages: result.pages, elapsedMs, timings: result.timings });
  });
  let ms = 0;
  return {
    get ms() {
      return ms;
    },
    store(result, elapsedMs) {
      const t0 = performance.now();
      try {
        tx(result, elapsedMs);
        return result;
      } catch (e) {
        const failed = failedDocument(result, `could not store: ${errorMessage(e)}`);
        tx(failed, elapsedMs); // a failed document has no records that could be invalid
        return failed;
      } finally {
        ms += performance.now() - t0;
      }
    },
  };
}
