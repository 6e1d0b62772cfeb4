// Queue benchmark: the real corpus (and byte-variants of it, as bench/bulk.ts makes them) enqueued on
// a PostgreSQL store and processed by 1, 2 and 3 `yusuan work --jobs 1` processes; then the same
// files through the SQLite path (`yusuan ingest --jobs 1`, `--jobs 2`). Everything runs from the
// sources (tsx), each run on an empty store.
//
// Usage: node --import tsx bench/queue.ts [--store postgres://…] [--copies 3] [--workers 1,2,3] [--ingest-jobs 1,2]
// The PostgreSQL server: --store (a server the bench may create databases on), else
// YUSUAN_TEST_POSTGRES, else a private cluster started (and stopped) with .ci/postgres.sh.
//
// Prints, per run: documents/s and pages/s (from the first document started to the last one
// stored), and per document: the queue's overhead (ms in pg-boss: fetching the jobs, completing
// them), processing (ms in the pipeline, summed over workers) and storing (ms); writes bench/out/queue.json.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { corpusDir, projectRoot } from './paths.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string' },
    copies: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1,2,3' },
    'ingest-jobs': { type: 'string', default: '1,2' },
  },
});
const root = projectRoot();
const realDir = path.join(corpusDir(), 'real');
const TSX = path.join(root, 'node_modules/tsx/dist/esm/index.mjs');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-bench-queue-'));
fs.chmodSync(scratch, 0o755); // the cluster's server runs as the postgres user when we are root

/** The real PDFs, and copies with a comment after %%EOF (same pages, another sha256). */
function makeDocuments(copies: number): { dir: string; files: number; pages: number } {
  const [head, ...rows] = fs.readFileSync(path.join(realDir, 'MANIFEST.tsv'), 'utf8').split('\n').filter((l) => l.trim());
  const cols = head.split('\t');
  const dir = path.join(scratch, 'docs');
  let files = 0;
  let pages = 0;
  for (let k = 0; k < copies; k++) {
    for (const r of rows.map((x) => x.split('\t'))) {
      const rel = r[cols.indexOf('file')];
      const original = fs.readFileSync(path.join(realDir, rel));
      const out = path.join(dir, `k${k}`, rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, k === 0 ? original : Buffer.concat([original, Buffer.from(`\n%yusuan bench variant ${k}\n`)]));
      files++;
      pages += Number(r[cols.indexOf('pages')]);
    }
  }
  return { dir, files, pages };
}

interface Line { at: number; e: Record<string, unknown> }

function yusuan(args: string[]): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (l.startsWith('{')) lines.push({ at: performance.now(), e: JSON.parse(l) as Record<string, unknown> });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 || code === 1 ? resolve(lines) : reject(new Error(`yusuan ${args[0]} exited ${code}: ${stderr}`))));
  });
}

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

interface Result { path: string; processes: number; documents: number; pages: number; seconds: number; docsPerS: number; pagesPerS: number; queueMsPerDoc: number | null; processMsPerDoc: number; storeMsPerDoc: number }

const fmt = (r: Result) => `| ${r.path} | ${r.processes} | ${r.documents} | ${r.pages} | ${r.seconds.toFixed(1)} | ${r.docsPerS.toFixed(2)} | ${r.pagesPerS.toFixed(1)} | `
  + `${r.queueMsPerDoc === null ? '–' : r.queueMsPerDoc.toFixed(1)} | ${r.processMsPerDoc.toFixed(0)} | ${r.storeMsPerDoc.toFixed(1)} |`;

async function queueRun(adminUrl: string, docs: string, n: number): Promise<Result> {
  const url = await freshDatabase(adminUrl, `yusuan_bench_queue_${n}`);
  await yusuan(['enqueue', docs, '--store', url, '--format', 'jsonl']);
  const runs = await Promise.all(Array.from({ length: n }, () => yusuan(['work', '--store', url, '--jobs', '1', '--exit-when-idle', '--format', 'jsonl'])));
  const lines = runs.flat();
  const starts = lines.filter((l) => l.e.event === 'start').map((l) => l.at);
  const done = lines.filter((l) => l.e.event === 'done');
  const summaries = lines.filter((l) => l.e.event === 'summary').map((l) => l.e as { documents: number; pages: number; queueMs: number; processMs: number; storeMs: number });
  const sum = (k: 'documents' | 'pages' | 'queueMs' | 'processMs' | 'storeMs') => summaries.reduce((a, s) => a + s[k], 0);
  const seconds = (Math.max(...done.map((l) => l.at)) - Math.min(...starts)) / 1000;
  const documents = sum('documents');
  return {
    path: 'queue (PostgreSQL)', processes: n, documents, pages: sum('pages'), seconds, docsPerS: documents / seconds, pagesPerS: sum('pages') / seconds,
    queueMsPerDoc: sum('queueMs') / documents, processMsPerDoc: sum('processMs') / documents, storeMsPerDoc: sum('storeMs') / documents,
  };
}

async function ingestRun(docs: string, jobs: number): Promise<Result> {
  const db = path.join(scratch, `ingest-${jobs}.db`);
  const lines = await yusuan(['ingest', docs, '--db', db, '--jobs', String(jobs), '--format', 'jsonl', '--results', path.join(scratch, 'r.json')]);
  const files = lines.filter((l) => l.e.event === 'file' && l.e.action === 'processed');
  const first = lines.find((l) => l.e.event === 'file')!;
  const start = lines.find((l) => l.e.event === 'start')?.at ?? first.at - (first.e.elapsedMs as number);
  const seconds = (Math.max(...files.map((l) => l.at)) - start) / 1000;
  const summary = lines.find((l) => l.e.event === 'summary')!.e as { mainThreadMs?: { store: number } };
  const pages = files.reduce((a, l) => a + (l.e.pages as number), 0);
  return {
    path: 'ingest (SQLite)', processes: 1, documents: files.length, pages, seconds, docsPerS: files.length / seconds, pagesPerS: pages / seconds,
    queueMsPerDoc: null, processMsPerDoc: files.reduce((a, l) => a + (l.e.elapsedMs as number), 0) / files.length,
    storeMsPerDoc: (summary.mainThreadMs?.store ?? 0) / files.length,
  };
}

async function main(): Promise<void> {
  const given = values.store ?? process.env.YUSUAN_TEST_POSTGRES;
  if (given) return run(given);
  const script = path.join(root, '.ci/postgres.sh');
  const cluster = path.join(scratch, 'cluster');
  const url = execFileSync('bash', [script, 'start', cluster], { encoding: 'utf8', env: { ...process.env, POSTGRES_OPTIONS: '-c max_connections=200' } }).trim();
  try {
    await run(url);
  } finally {
    execFileSync('bash', [script, 'stop', cluster], { stdio: 'ignore' });
  }
}

async function run(adminUrl: string): Promise<void> {
  const { dir, files, pages } = makeDocuments(Number(values.copies));
  console.log(`${files} documents, ${pages} pages; ${os.cpus().length} cores; node ${process.version}`);
  console.log('| path | processes (ingest: --jobs) | documents | pages | s | docs/s | pages/s | queue ms/doc | process ms/doc | store ms/doc |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const results: Result[] = [];
  for (const n of values.workers.split(',').map(Number)) {
    const r = await queueRun(adminUrl, dir, n);
    results.push(r);
    console.log(fmt(r));
  }
  for (const j of values['ingest-jobs'].split(',').map(Number)) {
    const r = { ...(await ingestRun(dir, j)), processes: j };
    results.push(r);
    console.log(fmt(r));
  }
  fs.mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench/out/queue.json'), JSON.stringify({ date: new Date().toISOString(), files, pages, results }, null, 1) + '\n');
}

try {
  await main();
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
