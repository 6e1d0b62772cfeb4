// Worker-thread entry: runs processFile for the pool (src/ingest/pool.ts). The pipeline's input and
// output are plain values, so they cross the thread boundary by structured clone (the file's bytes
// are transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { OcrPool } from '../extract/ocr/index.js';
import { processFile, type ProcessOptions } from '../pipeline.js';
import type { TaskMessage, WorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('src/ingest/worker is a worker-thread entry, not a program');

const post = (m: WorkerMessage) => port.postMessage(m);

// The tesseract workers of this pool worker (--ocr-jobs of them), started on the first page that
// needs OCR and kept for every document this worker reads.
let ocrPool: OcrPool | null = null;
const poolOf = (size: number) => {
  if (!ocrPool || ocrPool.size !== size) { void ocrPool?.close(); ocrPool = new OcrPool(size); }
  return ocrPool;
};

port.on('message', (m: TaskMessage) => {
  const t0 = performance.now();
  const opts: ProcessOptions = { ocr: m.ocr, ocrPool: poolOf(m.ocrJobs) };
  processFile(m.path, m.data, opts).then(
    (result) => post({ type: 'result', id: m.id, result, elapsedMs: performance.now() - t0, heapUsed: process.memoryUsage().heapUsed }),
    (e: unknown) => post({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }),
  );
});

post({ type: 'ready' });
