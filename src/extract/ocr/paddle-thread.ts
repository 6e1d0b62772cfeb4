// ONNX Runtime sessions on a worker thread of their own: onnxruntime-node's `run` holds the thread that
// calls it until the model is done, so sessions on the main thread would read one line at a time and
// stop page rendering meanwhile. The worker is plain CommonJS (no TypeScript): it runs as is from the
// sources and from dist.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
const sessions = new Map();
parentPort.on('message', async (m) => {
  try {
    if (!sessions.has(m.model)) sessions.set(m.model, ort.InferenceSession.create(workerData.models[m.model], workerData.options));
    const s = await sessions.get(m.model);
    const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', m.data, m.dims) });
    const t = out[s.outputNames[0]];
    const data = new Float32Array(t.data);
    parentPort.postMessage({ id: m.id, data, dims: t.dims }, [data.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});`;

export interface OrtOutput { data: Float32Array; dims: readonly number[] }

/** One worker thread holding the sessions of `models` (by name, loaded on first use), one CPU thread each. */
export class OrtThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (o: OrtOutput) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(models: Record<string, string>) {
    const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    this.worker = new Worker(WORKER_CODE, { eval: true, workerData: { ort: require.resolve('onnxruntime-node'), models, options } });
    this.worker.on('message', (m: { id: number; data?: Float32Array; dims?: number[]; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined || !m.data || !m.dims) p?.reject(new Error(`onnxruntime: ${m.error ?? 'no output'}`));
      else p?.resolve({ data: m.data, dims: m.dims });
    });
    this.worker.on('error', (e) => this.failAll(e));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** Run the named model on a float32 tensor (the data is handed over to the thread). */
  run(model: string, data: Float32Array, dims: number[]): Promise<OrtOutput> {
    const id = this.next++;
    return new Promise<OrtOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, model, data, dims }, [data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('onnxruntime thread closed'));
    await this.worker.terminate();
  }
}
