// Worker-thread entry: runs processFile for the pool (src/ingest/pool.ts). The pipeline's input and
// output are plain values, so they cross the thread boundary by structured clone (the file's bytes
// are transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { OcrPool } from '../extract/ocr.js';
import { processFile, type ProcessOptions } from '../pipeline.js';
import type { TaskMessage, WorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('src/ingest/worker is a worker-thread entry, not a program');

const post = (m: WorkerMessage) => port.postMessage(m);

// One tesseract worker per pool worker, started on the first page that needs OCR and kept for every
// document this worker reads: the pool already keeps every core busy.
const ocrPool = new OcrPool(1);

port.on('message', (m: TaskMessage) => {
  const t0 = performance.now();
  const opts: ProcessOptions = { ocr: m.ocr, ocrPool };
  processFile(m.path, m.data, opts).then(
    (result) => post({ type: 'result', id: m.id, result, elapsedMs: performance.now() - t0, heapUsed: process.memoryUsage().heapUsed }),
    (e: unknown) => post({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }),
  );
});

post({ type: 'ready' });
