// Worker-thread entry: runs one file at a time for the pool (src/ingest/pool.ts), with the per-file
// code of src/ingest/task.ts. The pipeline's input and output are plain values, so they cross the
// thread boundary by structured clone (the file's bytes are transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { isPdfjsException } from '../extract/pdf.js';
import type { TaskMessage, WorkerMessage } from './protocol.js';
import { FileProcessor } from './task.js';

const port = parentPort;
if (!port) throw new Error('src/ingest/worker is a worker-thread entry, not a program');

const post = (m: WorkerMessage) => port.postMessage(m);
const processor = new FileProcessor();
/** The task this worker is on. */
let current: number | null = null;

// A promise rejected with nobody listening would end the thread, and its file would read "the
// worker died". It is the current file's doing: that file fails with the reason, the worker goes on.
// (pdfjs's own stray rejections are taken by src/extract/pdf.ts: the file's pages say what they hit.)
process.on('unhandledRejection', (reason) => {
  if (isPdfjsException(reason)) return;
  if (current === null) {
    console.error(`yusuan worker: unhandled rejection between files: ${errorMessage(reason)}`);
    return;
  }
  post({ type: 'error', id: current, message: `${errorMessage(reason)} (an unhandled promise rejection)` });
  current = null;
});

port.on('message', (m: TaskMessage) => {
  const t0 = performance.now();
  current = m.id;
  void processor.process(m).then((done) => {
    if (current !== m.id) return; // already answered (see above)
    current = null;
    post(done.ok
      ? { type: 'result', id: m.id, result: done.result, elapsedMs: performance.now() - t0, heapUsed: process.memoryUsage().heapUsed }
      : { type: 'error', id: m.id, message: done.message });
  });
});

post({ type: 'ready' });
