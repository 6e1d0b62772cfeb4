// The command line as researchers use it (issue 12): naming documents, errors that are one line and
// exit 2, --version, complete help, one --format vocabulary, reading a read-only database, audit as a
// CI gate, the year-over-year change with --year, NULL in query tables, rounded boxes, paths.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredOptions, reportFailure, setDebug, showPath } from '../src/cli/args.js';
import { RULE_IDS } from '../src/cli/audit.js';
import { selectorKind } from '../src/cli/documents.js';
import { packageVersion } from '../src/cli/main.js';
import { openStore } from '../src/store/open.js';
import { writeDocument } from '../src/store/write.js';
import { validateDocument } from '../src/validate/index.js';
import { PIPELINE_VERSION } from '../src/version.js';
import { fixtureDocs } from './fixtures/analysis-docs.js';
import { sampleDoc, wan } from './fixtures/audit/docs.js';
import { capture, yusuan } from './fixtures/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const COMMANDS = ['ingest', 'status', 'export', 'query', 'compare', 'audit', 'serve', 'enqueue', 'work', 'pull'];

let dir: string;
let dbPath: string;
/** An absolute path inside the working folder: shown relative. */
let insidePath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'yusuan-cli-'));
  dbPath = join(dir, 'c.db');
  insidePath = join(process.cwd(), 'scratch-cli', 'a1.pdf');
  const db = await openStore(dbPath);
  for (const d of fixtureDocs()) await writeDocument(db, d); // ids 1–7, file names with years (…2017.pdf)
  const planted = sampleDoc(); // id 8: a sum that does not hold
  planted.sha256 = '1'.repeat(64);
  planted.path = insidePath;
  planted.fileName = 'a1.pdf';
  const total = planted.tables[0].items.find((i) => i.label === '收入总计')!;
  total.amountText = '101.00';
  total.amountFen = wan('101.00');
  planted.tables[0].items[0].box = [112.5999984741211, 200.10000610351562, 160.3000030517578, 208];
  const clean = sampleDoc(); // id 9: consistent
  clean.sha256 = 'b'.repeat(64);
  clean.path = '/elsewhere/clean.pdf';
  clean.fileName = 'clean.pdf';
  for (const d of [planted, clean]) {
    d.findings = validateDocument(d);
    await writeDocument(db, d);
  }
  await db.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const json = <T>(s: string) => JSON.parse(s) as T;
const auditJson = async (...argv: string[]) => {
  const r = await yusuan('audit', '--db', dbPath, '--format', 'json', ...argv);
  expect(r.code, r.err).toBe(0);
  return json<{ documents: { id: number; findings: { severity: string }[] }[] }>(r.out);
};

describe('--document', () => {
  it('reads a bare integer as an id, 8+ hex digits as a sha256 prefix, anything else as a name', async () => {
    expect(selectorKind('1')).toBe('id');
    expect(selectorKind('2018')).toBe('id');
    expect(selectorKind('deadbeef')).toBe('sha256');
    expect(selectorKind('dead')).toBe('name');
    expect((await auditJson('--document', '1')).documents.map((d) => d.id)).toEqual([1]); // not every name holding a 1
    expect((await auditJson('--document', '11111111')).documents.map((d) => d.id)).toEqual([8]);
    expect((await auditJson('--document', 'a1.pdf')).documents.map((d) => d.id)).toEqual([8]);
    expect((await auditJson('--document', 'clean')).documents.map((d) => d.id)).toEqual([9]);
    expect((await auditJson('--document', '9', '--document', '8')).documents.map((d) => d.id).sort()).toEqual([8, 9]);
  });
  it('is an error listing the candidates when a name fits several documents, and when it fits none', async () => {
    const r = await yusuan('audit', '--db', dbPath, '--document', '江苏');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/'江苏' names 4 documents/);
    expect(r.err.match(/^ {2}\d+ {2}[0-9a-f]{12} {2}\S+/gm)).toHaveLength(4);
    const none = await yusuan('audit', '--db', dbPath, '--document', '2018');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no document with id 2018/);
  });
});

describe('errors', () => {
  it('a user error is one line and a pointer to --help, exit 2, never the usage or a stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['query', 'SELECT 1', '--db', dbPath, '--frobnicate'], /unknown option --frobnicate$/m],
      [['ingest', 'x', '--jobs', '-1'], /--jobs must be a whole number/],
      [['ingest', 'x', '--jobs'], /--jobs needs a value/],
      [['status', '--db', join(dir, 'missing.db')], /no database at/],
      [['query', 'SELECT 1', '--db', join(dir, 'missing.db')], /no database at/],
      [['export', '--db', dbPath, '--format', 'csv', '--out', dbPath], /is a file; give a folder/],
      [['audit', '--db', dbPath, '--document', '99'], /no document with id 99/],
      [['compare', 'nonsense', '--db', dbPath], /unknown question 'nonsense'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [argv, message] of cases) {
      const r = await yusuan(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      const lines = r.err.trimEnd().split('\n');
      expect(lines.length, r.err).toBeLessThanOrEqual(2);
      expect(lines.at(-1)).toMatch(/^see 'yusuan( \w+)? --help'$/);
      expect(r.err).not.toMatch(/usage:|^\s+at /m);
      expect(r.err).not.toMatch(/ambiguous/);
      expect(r.err.split("'").length % 2, `balanced quotes: ${r.err}`).toBe(1);
    }
  });
  it('an unexpected error prints its message; its stack trace only with --debug', async () => {
    const e = new Error('boom');
    const plain = await capture(async () => reportFailure('export', e));
    expect(plain.code).toBe(2);
    expect(plain.err).toMatch(/^yusuan export: boom\n/);
    expect(plain.err).not.toMatch(/^\s+at /m);
    setDebug(true);
    try {
      expect((await capture(async () => reportFailure('export', e))).err).toMatch(/^\s+at /m);
    } finally {
      setDebug(false);
    }
    const viaMain = await yusuan('status', '--db', join(dir, 'missing.db'), '--debug');
    setDebug(false);
    expect(viaMain.code).toBe(2); // --debug is accepted by every command
  });
});

describe('--version and --help', () => {
  it('prints the package and pipeline versions', async () => {
    const pkg = json<{ version: string }>(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(packageVersion()).toBe(pkg.version);
    for (const argv of [['--version'], ['version'], ['-V']]) {
      const r = await yusuan(...argv);
      expect(r.code).toBe(0);
      expect(r.out.trim()).toBe(`yusuan ${pkg.version} (pipeline ${PIPELINE_VERSION})`);
    }
  });
  it('describes every option each command accepts', async () => {
    for (const c of COMMANDS) {
      const r = await yusuan(c, '--help');
      expect(r.code, c).toBe(0);
      const options = declaredOptions.get(c);
      expect(options?.length, c).toBeGreaterThan(1);
      for (const o of options!) expect(r.out, `${c} --${o}`).toMatch(new RegExp(`^ +(-\\w, )?--${o}\\b.*\\S`, 'm'));
      expect(r.out).toMatch(/--debug/);
    }
    expect(declaredOptions.get('audit')).toContain('aliases');
    const top = await yusuan('--help');
    for (const c of COMMANDS) expect(top.out).toContain(`  ${c}`);
  });
  it('speaks one --format vocabulary, the older spellings kept', async () => {
    const q = (format: string) => yusuan('query', "SELECT 'a' AS x UNION ALL SELECT 'b'", '--db', dbPath, '--format', format);
    expect((await q('jsonl')).out.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ x: 'a' }, { x: 'b' }]);
    expect(JSON.parse((await q('json')).out)).toEqual([{ x: 'a' }, { x: 'b' }]);
    expect((await q('csv')).out.trim()).toBe('x\na\nb');
    const bad = await q('xml');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format must be one of table, csv, jsonl, json/);
    const c = await yusuan('compare', 'totals', '--db', dbPath, '--format', 'jsonl');
    expect(c.code, c.err).toBe(0);
    expect(JSON.parse(c.out.split('\n')[0])).toHaveProperty('total_yuan');
    const s1 = await yusuan('status', '--db', dbPath, '--format', 'json');
    const s2 = await yusuan('status', '--db', dbPath, '--json');
    expect(JSON.parse(s1.out).ledger).toEqual(JSON.parse(s2.out).ledger);
    expect((await yusuan('audit', '--db', dbPath, '--format', 'text')).code).toBe(0); // = table
    const rows = await yusuan('audit', '--db', dbPath, '--format', 'jsonl', '--document', '8');
    const first = JSON.parse(rows.out.split('\n')[0]);
    expect(first).toMatchObject({ document_id: 8, file: showPath(insidePath) });
    expect((await yusuan('ingest', 'x', '--format', 'xml')).code).toBe(2);
  });
});

describe('audit as a gate', () => {
  it('--fail-on exits 1 when a finding at that severity is shown, else 0', async () => {
    const all = await auditJson();
    expect(all.documents.find((d) => d.id === 8)!.findings.some((f) => f.severity === 'error')).toBe(true);
    expect((await yusuan('audit', '--db', dbPath)).code).toBe(0);
    expect((await yusuan('audit', '--db', dbPath, '--fail-on', 'error')).code).toBe(1);
    expect((await yusuan('audit', '--db', dbPath, '--fail-on', 'error', '--document', '9')).code).toBe(0);
    expect((await yusuan('audit', '--db', dbPath, '--fail-on', 'fatal')).code).toBe(2);
  });
  it('lists only documents with something to show, each finding with its box', async () => {
    const r = await yusuan('audit', '--db', dbPath, '--severity', 'error');
    const headers = r.out.split('\n').filter((l) => /^\S.*  \[.*\]  error \d+/.test(l));
    expect(headers.length).toBeGreaterThan(0);
    for (const h of headers) expect(h).not.toMatch(/error 0, warning \d+, info \d+$/);
    expect(r.out).not.toContain('clean.pdf');
    expect(r.out).toContain(`${showPath(insidePath)}  [`);
    expect(r.out).toMatch(/^ {4}error +p\d+ \[\d+\.\d, \d+\.\d, \d+\.\d, \d+\.\d\]  /m);
  });
  it('rejects an unknown --rule, and knows every rule id the code writes and the README lists', async () => {
    const r = await yusuan('audit', '--db', dbPath, '--rule', 'sums');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown rule sums/);
    expect((await yusuan('audit', '--db', dbPath, '--rule', 'sum', '--rule', 'header.year_mismatch')).code).toBe(0);
    const written = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.ts') && !d.endsWith('cli')) {
          for (const m of readFileSync(join(d, e.name), 'utf8').matchAll(/rule: '([a-z]+\.[a-z_]+)'|'((?:ocr|extract|corpus)\.[a-z_]+)'/g)) written.add(m[1] ?? m[2]);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(written.size).toBeGreaterThan(20);
    for (const id of written) expect(RULE_IDS, id).toContain(id);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| rule id |'), readme.indexOf('## How it works'));
    const listed = [...table.matchAll(/`([a-z]+\.[a-z_]+)`/g)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(RULE_IDS));
  });
});

describe('compare, query, export output', () => {
  it('compare --year keeps the change from the year before', async () => {
    const r = await yusuan('compare', 'function', '--code', '204', '--department', '江苏省委办公厅', '--year', '2018', '--db', dbPath, '--format', 'json');
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as { year: number; change_yuan: string | null; change_pct: string | null }[];
    expect(rows.map((x) => x.year)).toEqual([2018]);
    expect(rows[0]).toMatchObject({ change_yuan: '2500000.00', change_pct: '50.00' });
  });
  it('query prints NULL apart from the empty string in tables; CSV keeps its own convention', async () => {
    const t = await yusuan('query', "SELECT NULL AS a, '' AS b, 'x' AS c", '--db', dbPath);
    expect(t.out.split('\n')[2]).toBe('NULL     x');
    const c = await yusuan('query', "SELECT NULL AS a, '' AS b, 'x' AS c", '--db', dbPath, '--format', 'csv');
    expect(c.out.trim().split('\n')[1]).toBe(',"",x');
  });
  it('exports boxes rounded to 0.01 pt', async () => {
    const out = join(dir, 'jsonl');
    const r = await yusuan('export', '--db', dbPath, '--format', 'jsonl', '--out', out);
    expect(r.code, r.err).toBe(0);
    const rows = readFileSync(join(out, 'amounts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { sha256: string; bbox: number[] });
    expect(rows.some((x) => x.bbox[0] === 112.6 && x.bbox[1] === 200.1 && x.bbox[2] === 160.3)).toBe(true);
    for (const x of rows) for (const v of x.bbox) expect(Math.round(v * 100) / 100).toBe(v);
    expect(r.out).toContain(`datapackage: ${showPath(join(out, 'datapackage.json'))}`);
  });
  it('shows paths relative to the working folder inside it, else absolute', () => {
    expect(showPath(join(process.cwd(), 'a', 'b.pdf'))).toBe(join('a', 'b.pdf'));
    expect(showPath('a/../c.pdf')).toBe('c.pdf');
    expect(showPath(join(tmpdir(), 'x.pdf'))).toBe(join(tmpdir(), 'x.pdf'));
  });
});

describe('a read-only database', () => {
  it('is read by status, query, compare, audit and export without writing to it', async () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const file = join(ro, 'c.db');
    writeFileSync(file, readFileSync(dbPath));
    // First use brings the departments tables up to date (a write); later reads write nothing.
    expect((await yusuan('query', 'SELECT 1', '--db', file)).code).toBe(0);
    const before = { mtime: statSync(file).mtimeMs, size: statSync(file).size, files: readdirSync(ro).sort() };
    expect(before.files).toEqual(['c.db']); // at rest: no -wal/-shm
    chmodSync(file, 0o444);
    chmodSync(ro, 0o555);
    const outDir = join(dir, 'ro-export');
    try {
      for (const argv of [
        ['status'], ['query', 'SELECT count(*) FROM amounts'], ['compare', 'totals'], ['audit'], ['audit', '--document', '9', '--format', 'md'],
        ['export', '--format', 'csv', '--out', outDir],
      ]) {
        const r = await yusuan(...argv, '--db', file);
        expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(0);
        // (export writes c.metadata.json beside the database when the folder lets it: root here)
        expect(readdirSync(ro).filter((f) => !f.endsWith('.metadata.json')), argv.join(' ')).toEqual(before.files);
        expect(statSync(file).mtimeMs, argv.join(' ')).toBe(before.mtime);
        expect(statSync(file).size).toBe(before.size);
      }
      expect(existsSync(join(outDir, 'amounts.csv'))).toBe(true);
    } finally {
      chmodSync(ro, 0o755);
      chmodSync(file, 0o644);
    }
  });
});
