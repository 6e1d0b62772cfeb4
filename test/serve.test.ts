// yusuan serve (src/serve/): the API over a database of the bundled sample PDF, and the safety rules:
// a path outside the database's files refused, a non-loopback request refused, read-only without
// --allow-verdicts, the PDF only from a stored path (re-based by --root when the files moved).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDocumentRows } from '../src/serve/api.js';
import { isLoopback, refusal, startServer, type RunningServer } from '../src/serve/server.js';
import type { DocumentJson, DocumentRow, FindingGroup } from '../src/serve/types.js';
import { openStore } from '../src/store/open.js';
import { writeDocument } from '../src/store/write.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';
import { yusuan } from './fixtures/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const SAMPLE = '达州信息中心2024年部门预算-样例.pdf';

let dir: string;
let dbPath: string;
let pdfPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yusuan-serve-'));
  mkdirSync(join(dir, 'files'));
  pdfPath = join(dir, 'files', SAMPLE);
  copyFileSync(join(ROOT, 'samples', SAMPLE), pdfPath);
  dbPath = join(dir, 's.db');
  const r = await yusuan('ingest', pdfPath, '--db', dbPath);
  expect(r.code, r.err).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reply { status: number; type: string; body: Buffer }

/** An HTTP request with full control of the path and headers (fetch would normalise `..`). */
function get(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: opts.host ?? u.hostname, port: u.port, path: url.slice(u.origin.length), method: opts.method ?? 'GET', headers: { host: u.host, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end(opts.body);
  });
}
const json = <T>(r: Reply) => JSON.parse(r.body.toString('utf8')) as T;
const postVerdict = (s: RunningServer, body: unknown) => get(s.url + 'api/verdicts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the rules before any routing', () => {
  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', '0.0.0.0', undefined]) expect(isLoopback(a), String(a)).toBe(false);
  });
  it('refuses a non-loopback peer, a foreign Host header and a write from another origin', () => {
    const ok = { remoteAddress: '127.0.0.1', method: 'GET', host: '127.0.0.1:8600', origin: undefined };
    expect(refusal(ok, { port: 8600 })).toBeNull();
    expect(refusal({ ...ok, host: 'localhost:8600' }, { port: 8600 })).toBeNull();
    expect(refusal({ ...ok, remoteAddress: '10.1.2.3' }, { port: 8600 })?.status).toBe(403);
    expect(refusal({ ...ok, remoteAddress: '10.1.2.3' }, { port: 8600, allowRemote: true })).toBeNull();
    expect(refusal({ ...ok, host: 'attacker.example:8600' }, { port: 8600 })?.status).toBe(403); // DNS rebinding
    expect(refusal({ ...ok, method: 'POST', origin: 'http://attacker.example' }, { port: 8600 })?.status).toBe(403);
    expect(refusal({ ...ok, method: 'POST', origin: 'http://127.0.0.1:8600' }, { port: 8600 })).toBeNull();
  });
});

describe('read-only server', () => {
  let s: RunningServer;
  beforeAll(async () => { s = await startServer({ db: dbPath, port: 0 }); });
  afterAll(() => s.close());

  it('lists documents with their counts, searched by name and by table title, sorted', async () => {
    const rows = json<DocumentRow[]>(await get(s.url + 'api/documents'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ fileName: SAMPLE, pages: 9, status: 'ok', phase: 'budget', year: 2024 });
    expect(rows[0].tables).toBeGreaterThan(0);
    expect(rows[0].findings.error + rows[0].findings.warning + rows[0].findings.info).toBeGreaterThan(0);
    const q = (s2: string) => get(`${s.url}api/documents?q=${encodeURIComponent(s2)}`).then((r) => json<DocumentRow[]>(r).length);
    expect(await q('样例')).toBe(1);
    expect(await q('基本支出预算')).toBe(1); // a table title
    expect(await q('no such name')).toBe(0);
    expect(await q('"%_\\')).toBe(0); // LIKE syntax taken literally
    expect((await get(s.url + 'api/documents?sort=findings&desc=1')).status).toBe(200);
    expect((await get(s.url + 'api/documents?sort=path;drop')).status).toBe(400);
  });

  it('gives a document as grids: each cell with its box, page and confidence; a table over pages is one', async () => {
    const d = json<DocumentJson>(await get(s.url + 'api/documents/1'));
    expect(d.pdf).toEqual({ available: true, message: null });
    expect(d.tables.length).toBe(d.document.tables);
    const cells = d.tables.flatMap((t) => t.rows.flatMap((r) => Object.values(r.cells)));
    for (const c of cells) {
      expect(c.box).toHaveLength(4);
      expect(c.box[2]).toBeGreaterThan(c.box[0]);
      expect(c.confidence).toBeGreaterThan(0);
      expect(c.page).toBeGreaterThanOrEqual(1);
    }
    const long = d.tables.find((t) => t.pageEnd > t.pageStart)!;
    const pages = new Set(long.rows.flatMap((r) => Object.values(r.cells).map((c) => c.page)));
    expect(pages.size).toBeGreaterThan(1);
    expect(d.findings.length).toBeGreaterThan(0);
    expect(d.findings.every((f) => f.verdict === null)).toBe(true);
  });

  it('serves the PDF from the stored path, and nothing from a path in the request', async () => {
    const pdf = await get(s.url + 'api/documents/1/pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.body.equals(readFileSync(pdfPath))).toBe(true);
    const withPath = await get(`${s.url}api/documents/1/pdf?path=${encodeURIComponent('/etc/passwd')}`);
    expect(withPath.body.equals(readFileSync(pdfPath))).toBe(true); // the parameter is ignored
    for (const p of ['api/pdf?path=/etc/passwd', 'api/file/etc/passwd', '../../../etc/passwd', 'pdfjs/../../package.json',
      'pdfjs/cmaps/..%2F..%2Fpackage.json', 'pdfjs/cmaps/../../package.json', 'pdfjs/pdf.d.ts', 'pdfjs/.hidden', 'api/documents/2/pdf']) {
      const r = await get(s.url + p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).not.toMatch(/"name": "yusuan"|root:x:0/);
    }
    expect((await get(s.url + 'pdfjs/pdf.worker.mjs')).status).toBe(200);
    expect((await get(s.url + 'pdfjs/cmaps/UniGB-UCS2-H.bcmap')).status).toBe(200);
  });

  it('refuses verdicts when read-only, and writes nothing', async () => {
    const r = await postVerdict(s, { findingId: 1, verdict: 'confirmed' });
    expect(r.status).toBe(403);
    expect(json<{ error: string }>(r).error).toMatch(/--allow-verdicts/);
    expect(s.db.readonly).toBe(true);
  });

  it('refuses a request from a non-loopback address', async () => {
    const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return console.log('no non-loopback interface: the address rule is checked by refusal() above');
    const open = await startServer({ db: dbPath, port: 0, host: '0.0.0.0' });
    try {
      const port = new URL(open.url).port;
      const r = await get(`http://${external.address}:${port}/api/documents`, { headers: { host: `127.0.0.1:${port}` } });
      expect(r.status).toBe(403);
      expect(json<{ error: string }>(r).error).toMatch(/answers this machine only/);
      expect((await get(`http://127.0.0.1:${port}/api/info`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('verdicts and moved files', () => {
  it('records a verdict with --allow-verdicts, anchored so audit --verdicts counts it', async () => {
    const s = await startServer({ db: dbPath, port: 0, allowVerdicts: true });
    try {
      const groups = json<FindingGroup[]>(await get(s.url + 'api/findings'));
      const f = groups[0].documents[0].findings[0];
      expect((await postVerdict(s, { findingId: f.id, verdict: 'maybe' })).status).toBe(400);
      expect((await get(s.url + 'api/verdicts', { method: 'POST', body: '{}' })).status).toBe(415);
      const r = await postVerdict(s, { findingId: f.id, verdict: 'false_alarm', note: 'a subtotal row' });
      expect(r.status, r.body.toString()).toBe(200);
      const d = json<DocumentJson>(await get(s.url + 'api/documents/1'));
      expect(d.findings.find((x) => x.id === f.id)?.verdict).toMatchObject({ verdict: 'false_alarm', note: 'a subtotal row' });
      const again = json<FindingGroup[]>(await get(s.url + 'api/findings')).find((g) => g.rule === f.rule)!;
      expect(again.verdicts.false_alarm).toBe(1);
    } finally {
      await s.close();
    }
    const audit = await yusuan('audit', '--db', dbPath, '--verdicts', '--format', 'json');
    expect(audit.code, audit.err).toBe(0);
    const rows = JSON.parse(audit.out) as { rule: string; falseAlarm: number; agreement: number | null }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ falseAlarm: 1, agreement: 0 });
  });

  it('says the file moved, and finds it under --root', async () => {
    renameSync(join(dir, 'files'), join(dir, 'moved'));
    try {
      const s = await startServer({ db: dbPath, port: 0 });
      try {
        const d = json<DocumentJson>(await get(s.url + 'api/documents/1'));
        expect(d.pdf.available).toBe(false);
        expect(d.pdf.message).toMatch(/--root/);
        const pdf = await get(s.url + 'api/documents/1/pdf');
        expect(pdf.status).toBe(404);
        expect(json<{ error: string }>(pdf).error).toMatch(/not where the database says.*--root/);
      } finally {
        await s.close();
      }
      const rooted = await startServer({ db: dbPath, port: 0, root: join(dir, 'moved') });
      try {
        expect(json<DocumentJson>(await get(rooted.url + 'api/documents/1')).pdf.available).toBe(true);
        expect((await get(rooted.url + 'api/documents/1/pdf')).body.equals(readFileSync(join(dir, 'moved', SAMPLE)))).toBe(true);
      } finally {
        await rooted.close();
      }
    } finally {
      renameSync(join(dir, 'moved'), join(dir, 'files'));
    }
  });
});

describe('a database of 500 documents', () => {
  it('lists in well under a second', async () => {
    const db = await openStore(':memory:');
    const docs = fixtureDocs();
    for (let i = 0; i < 500; i++) {
      const d = structuredClone(docs[i % docs.length]);
      d.sha256 = i.toString(16).padStart(64, '0');
      d.path = `/corpus/${i}.pdf`;
      d.fileName = `${i}.pdf`;
      await writeDocument(db, d);
    }
    const t0 = performance.now();
    const rows = await listDocumentRows(db, { sort: 'findings', desc: true });
    const ms = performance.now() - t0;
    console.log(`500 documents listed in ${ms.toFixed(1)} ms`);
    expect(rows).toHaveLength(500);
    expect(ms).toBeLessThan(1000);
    await db.close();
  });
});
