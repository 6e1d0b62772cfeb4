// `yusuan serve`: a node:http server over the database for reviewing in the browser. Safe by default:
// bound to 127.0.0.1, requests from other addresses refused, read-only unless allowVerdicts, the
// original PDF read only from a path stored in the database, every script served from here.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { redactLocation, type Sql } from '../store/sql.js';
import { openAnalysisDb } from '../analyze/departments.js';
import { isVerdict, saveVerdict } from '../analyze/verdicts.js';
import { errorMessage } from '../errors.js';
import type { Severity } from '../types.js';
import { SORT_KEYS, departmentSeries, isPdf, documentFile, documentJson, findingGroups, getDocumentRecord, getFinding, listDocumentRows, vocabularyJson, type SortKey } from './api.js';
import { INDEX_HTML, appBundle, vendorFile } from './assets.js';
import type { InfoJson } from './types.js';

export const DEFAULT_PORT = 8600;
export const DEFAULT_HOST = '127.0.0.1';
// A verdict is a few hundred bytes; anything much larger is not one.
const MAX_BODY_BYTES = 64 * 1024;

export interface ServeOptions {
  /** The store: a SQLite file or a postgres:// URL. */
  db: string;
  port?: number;
  host?: string;
  /** Re-base the stored paths of the original files (they moved). */
  root?: string;
  /** Let the browser store verdicts (the database is opened for writing). */
  allowVerdicts?: boolean;
  /** Answer requests from addresses other than loopback (off: refused with 403). */
  allowRemote?: boolean;
  version?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  db: Sql;
  close(): Promise<void>;
}

/** Whether an address is this machine (IPv4 127/8, IPv6 ::1, and IPv4 127/8 mapped into IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * Whether a request may be answered, before any routing: a non-loopback peer is refused unless
 * allowed; a Host header naming another site (DNS rebinding) is refused; a write from a page of
 * another origin is refused. Returns the refusal (status and reason) or null.
 */
export function refusal(req: { remoteAddress: string | undefined; method: string; host: string | undefined; origin: string | undefined }, opts: { allowRemote?: boolean; port: number }): { status: number; message: string } | null {
  if (!opts.allowRemote && !isLoopback(req.remoteAddress)) return { status: 403, message: `requests from ${req.remoteAddress ?? 'an unknown address'} are refused: yusuan serve answers this machine only` };
  const local = ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${h}:${opts.port}`);
  if (!opts.allowRemote && (!req.host || !local.includes(req.host.toLowerCase()))) return { status: 403, message: `host ${req.host ?? '(none)'} refused: open http://127.0.0.1:${opts.port}/` };
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.origin !== undefined && !local.some((l) => req.origin === `http://${l}`)) return { status: 403, message: `a write from ${req.origin} refused` };
  return null;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Open the database and listen. The port 0 picks a free one (tests). */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const db = await openAnalysisDb(opts.db, { readonly: !opts.allowVerdicts });
  const host = opts.host ?? DEFAULT_HOST;
  let port = opts.port ?? DEFAULT_PORT;
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) send(res, status, { error: errorMessage(e) });
      else res.destroy();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = refusal({ remoteAddress: req.socket.remoteAddress, method: req.method ?? 'GET', host: req.headers.host, origin: req.headers.origin }, { allowRemote: opts.allowRemote, port });
    if (refused) throw new HttpError(refused.status, refused.message);
    const url = new URL(req.url ?? '/', `http://${DEFAULT_HOST}`);
    const path = url.pathname;
    const q = url.searchParams;
    if (req.method === 'POST' && path === '/api/verdicts') return postVerdict(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed here`);
    if (path === '/' || path === '/index.html') return sendText(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
    if (path === '/app.js') return sendText(res, 200, 'text/javascript; charset=utf-8', await appBundle());
    if (path.startsWith('/pdfjs/')) {
      const file = vendorFile(path.slice('/pdfjs/'.length));
      if (!file) throw new HttpError(404, 'no such file');
      return sendFile(res, file.path, file.type);
    }
    if (path === '/api/info') {
      const [documents] = await db.pluck<number>('SELECT count(*) FROM documents');
      const info: InfoJson = { db: redactLocation(opts.db), allowVerdicts: Boolean(opts.allowVerdicts), documents, version: opts.version ?? '' };
      return send(res, 200, info);
    }
    if (path === '/api/documents') {
      const sort = q.get('sort') ?? 'id';
      if (!(SORT_KEYS as readonly string[]).includes(sort)) throw new HttpError(400, `sort must be one of ${SORT_KEYS.join(', ')}`);
      const year = q.get('year');
      return send(res, 200, await listDocumentRows(db, {
        q: q.get('q') ?? undefined, status: q.get('status') || undefined, phase: q.get('phase') || undefined, department: q.get('department') || undefined,
        year: year ? Number(year) : undefined, sort: sort as SortKey, desc: q.get('desc') === '1',
      }));
    }
    const doc = /^\/api\/documents\/(\d+)(\/pdf)?$/.exec(path);
    if (doc) {
      const id = Number(doc[1]);
      if (!doc[2]) {
        const json = await documentJson(db, id, opts.root);
        if (!json) throw new HttpError(404, `no document with id ${id}`);
        return send(res, 200, json);
      }
      const record = await getDocumentRecord(db, id);
      if (!record) throw new HttpError(404, `no document with id ${id}`);
      const file = await documentFile(db, record, opts.root);
      if (!file) throw new HttpError(404, `the original file of document ${id} is not where the database says (${record.path}); start yusuan serve with --root DIR to say where the files now live`);
      if (!isPdf(file)) throw new HttpError(404, `document ${id} was read from a text dump (${basename(file)}): there is no PDF to show`);
      return sendFile(res, file, 'application/pdf');
    }
    if (path === '/api/findings') {
      const severity = q.get('severity') as Severity | null;
      return send(res, 200, await findingGroups(db, { rule: q.get('rule') || undefined, severity: severity || undefined, root: opts.root }));
    }
    if (path === '/api/departments') return send(res, 200, await departmentSeries(db));
    if (path === '/api/vocabulary') return send(res, 200, await vocabularyJson(db));
    throw new HttpError(404, `nothing at ${path}`);
  }

  async function postVerdict(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!opts.allowVerdicts) throw new HttpError(403, 'read-only: start yusuan serve with --allow-verdicts to record verdicts');
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'a verdict is sent as application/json');
    const body = await readBody(req);
    let input: { findingId?: unknown; verdict?: unknown; note?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      throw new HttpError(400, 'the body is not JSON');
    }
    if (typeof input.findingId !== 'number' || !isVerdict(input.verdict)) throw new HttpError(400, 'expected { findingId: number, verdict: confirmed|false_alarm|unsure, note?: string }');
    const found = await getFinding(db, input.findingId);
    if (!found) throw new HttpError(404, `no finding with id ${input.findingId}`);
    const f = found.finding;
    const saved = await saveVerdict(db, {
      sha256: found.sha256, rule: f.rule, severity: f.severity, page: f.page, box: f.box, printed: f.printed, expected: f.expected,
      verdict: input.verdict, note: typeof input.note === 'string' ? input.note.slice(0, 2000) : '',
    });
    send(res, 200, { verdict: saved.verdict, note: saved.note, decidedAt: saved.decidedAt });
  }

  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => ok());
    });
  } catch (e) {
    await db.close();
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  return {
    server, db, url: `http://${host}:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => void db.close().then(ok));
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) fail(new HttpError(413, 'the body is too large'));
      else chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function headers(type: string, length: number): Record<string, string | number> {
  return { 'content-type': type, 'content-length': length, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };
}

function sendText(res: ServerResponse, status: number, type: string, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, headers(type, body.length));
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function send(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function sendFile(res: ServerResponse, path: string, type: string): void {
  res.writeHead(200, headers(type, statSync(path).size));
  if (res.req.method === 'HEAD') res.end();
  else createReadStream(path).pipe(res);
}
