// Accuracy against the hand-verified answer keys (scoring rule: bench/README.md), in two sets scored
// apart: the old keys in ../shared/corpus/keys (three table families) and the new keys in bench/keys/
// (every amount of every standard table; `table` is the table kind).
// Usage: npm run bench:accuracy [-- [--set name=value]... [--new-keys DIR] <filter>...]
//   filters match the key's sha12 or file name; --set changes a layout setting (src/layout/settings.ts);
//   --new-keys reads the new keys from another folder (default bench/keys).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../src/pipeline.js';
import { describeLayoutSettings, layoutSettings, parseLayoutOverrides, type LayoutSettings } from '../src/layout/settings.js';
import { errorMessage } from '../src/errors.js';
import { projectRoot } from './paths.js';
import type { DocumentResult } from '../src/types.js';
import {
  explainFalsePositive,
  explainMiss,
  lineItemsOf,
  scoreDocument,
  type DocumentScore,
  type KeyFile,
} from './score.js';

const MAX_LISTED = 10;


const root = projectRoot();
const corpus = path.resolve(root, '../shared/corpus');
const oldKeysDir = path.join(corpus, 'keys');
const newKeysDefault = path.join(root, 'bench', 'keys');
const realDir = path.join(corpus, 'real');
const outDir = path.join(root, 'bench', 'out');

const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) + '%' : '—');
const pad = (s: string | number, n: number) => String(s).padEnd(n);
const lpad = (s: string | number, n: number) => String(s).padStart(n);
const width = (s: string) => [...s].reduce((w, c) => w + (/[\u1100-\uFFFF]/.test(c) ? 2 : 1), 0);
const padW = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function emptyResult(file: string, error: string): DocumentResult {
  return {
    sha256: '', path: file, fileName: path.basename(file), pages: 0, phase: null, year: null, department: null,
    status: 'failed', error, tables: [], findings: [], narrative: [], timings: { extractMs: 0, layoutMs: 0, recognizeMs: 0 },
  };
}

interface DocRow {
  key: KeyFile;
  file: string;
  ms: number;
  result: DocumentResult;
  score: DocumentScore;
  thrown: string | null;
  shaOk: boolean;
}

interface KeySet {
  name: 'old' | 'new';
  dir: string;
  /** New keys key every amount of their tables: uncoded items count in precision too (score.ts). */
  uncodedInPrecision: boolean;
}

interface SetReport {
  rows: DocRow[];
  found: number; total: number; matched: number; considered: number; metaOk: number; pages: number; ms: number;
  families: Record<string, { found: number; total: number; matched: number; considered: number }>;
}

function readKeys(dir: string, filters: string[]): KeyFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as KeyFile)
    .filter((k) => !filters.length || filters.some((f) => k.sha12.startsWith(f) || k.file.includes(f)));
}

/** One processFile per PDF, shared by both key sets. */
const results = new Map<string, { result: DocumentResult; ms: number; thrown: string | null; shaOk: (sha12: string) => boolean }>();

async function processOnce(file: string, overrides: Partial<LayoutSettings>) {
  const cached = results.get(file);
  if (cached) return cached;
  const data = fs.readFileSync(file);
  const sha = createHash('sha256').update(data).digest('hex');
  let result: DocumentResult;
  let thrown: string | null = null;
  const t0 = performance.now();
  try {
    result = await processFile(file, new Uint8Array(data), { layout: overrides });
  } catch (e) {
    thrown = errorMessage(e);
    result = emptyResult(file, thrown);
  }
  const entry = { result, ms: performance.now() - t0, thrown, shaOk: (sha12: string) => sha.startsWith(sha12) };
  results.set(file, entry);
  return entry;
}

async function scoreSet(set: KeySet, keys: KeyFile[], overrides: Partial<LayoutSettings>): Promise<SetReport> {
  const rep: SetReport = { rows: [], found: 0, total: 0, matched: 0, considered: 0, metaOk: 0, pages: 0, ms: 0, families: {} };
  for (const key of keys) {
    const file = path.join(realDir, key.file);
    if (!fs.existsSync(file)) {
      console.log(`missing PDF for key ${key.sha12}: ${file}`);
      continue;
    }
    const { result, ms, thrown, shaOk } = await processOnce(file, overrides);
    const score = scoreDocument(key, result, { uncodedInPrecision: set.uncodedInPrecision });
    rep.rows.push({ key, file, ms, result, score, thrown, shaOk: shaOk(key.sha12) });
    process.stderr.write(`  ${set.name} ${key.sha12} ${score.found}/${score.total} ${Math.round(ms)} ms\n`);
    rep.found += score.found; rep.total += score.total; rep.matched += score.matchedPrecision; rep.considered += score.consideredPrecision;
    rep.pages += result.pages; rep.ms += ms;
    if (score.metadata.phase && score.metadata.year && score.metadata.department) rep.metaOk++;
    for (const [fam, t] of Object.entries(score.byTable)) {
      const f = (rep.families[fam] ??= { found: 0, total: 0, matched: 0, considered: 0 });
      f.found += t.found; f.total += t.total;
    }
    for (const [fam, p] of Object.entries(score.precisionByTable)) {
      const f = (rep.families[fam] ??= { found: 0, total: 0, matched: 0, considered: 0 });
      f.matched += p.matched; f.considered += p.considered;
    }
  }
  return rep;
}

function printSet(set: KeySet, rep: SetReport, overrides: Partial<LayoutSettings>): void {
  console.log(`\n=== ${set.name} keys: ${path.relative(root, set.dir) || set.dir} (${rep.rows.length} documents) ===`);
  console.log(
    [pad('key', 13), lpad('recall', 14), lpad('precision', 16), pad(' meta(p/y/d)', 13), lpad('pages', 5), lpad('ms', 7), ' file'].join(' '),
  );
  for (const r of rep.rows) {
    const s = r.score;
    const m = s.metadata;
    const meta = [m.phase, m.year, m.department].map((b) => (b ? '✓' : '✗')).join('');
    console.log(
      [
        pad(r.key.sha12, 13),
        lpad(`${pct(s.found, s.total)} ${s.found}/${s.total}`, 14),
        lpad(`${pct(s.matchedPrecision, s.consideredPrecision)} ${s.matchedPrecision}/${s.consideredPrecision}`, 16),
        pad(' ' + meta, 13),
        lpad(r.result.pages, 5),
        lpad(Math.round(r.ms), 7),
        ' ' + r.key.file + (r.shaOk ? '' : '  [sha256 differs from key!]') + (r.result.status !== 'ok' ? `  [${r.result.status}${r.result.error ? ': ' + r.result.error : ''}]` : ''),
      ].join(' '),
    );
  }
  console.log('');
  console.log(`overall (micro): recall ${pct(rep.found, rep.total)} (${rep.found}/${rep.total}), precision ${pct(rep.matched, rep.considered)} (${rep.matched}/${rep.considered}), metadata ${rep.metaOk}/${rep.rows.length} documents`);
  const changed = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
  console.log(`layout overrides: ${changed.length ? changed.join(' ') : 'none (defaults)'}`);
  console.log('per table family:');
  for (const [fam, f] of Object.entries(rep.families)) {
    console.log(`  ${padW(fam, 34)} recall ${lpad(pct(f.found, f.total), 6)} ${lpad(`(${f.found}/${f.total})`, 11)}   precision ${lpad(pct(f.matched, f.considered), 6)} (${f.matched}/${f.considered})`);
  }
  if (rep.ms > 0 && rep.pages > 0) console.log(`time: ${(rep.ms / 1000).toFixed(2)} s for ${rep.pages} pages (${((rep.pages * 1000) / rep.ms).toFixed(1)} pages/s)`);
  const failed = rep.rows.filter((r) => r.thrown);
  if (failed.length) console.log(`processFile threw for ${failed.length} document(s): ${[...new Set(failed.map((r) => r.thrown))].join(' | ')}`);

  // Misses and false positives.
  for (const r of rep.rows) {
    const s = r.score;
    if (!s.misses.length && !s.falsePositives.length) continue;
    if (r.thrown && !r.result.tables.length) continue; // nothing to explain
    console.log(`\n${set.name} ${r.key.sha12} ${r.key.file}`);
    const items = lineItemsOf(r.result);
    if (s.misses.length) {
      console.log(`  misses (${s.misses.length}${s.misses.length > MAX_LISTED ? `, first ${MAX_LISTED}` : ''}):`);
      for (const k of s.misses.slice(0, MAX_LISTED)) {
        const code = k.func_code ?? k.econ_code ?? '-';
        console.log(`    p${lpad(k.page, 3)} ${pad(code, 8)} ${padW(k.label, 28)} ${pad(k.column, 9)} ${lpad(k.amount, 14)} ${k.unit}  → ${explainMiss(k, r.result, items)}`);
      }
    }
    if (s.falsePositives.length) {
      console.log(`  false positives (${s.falsePositives.length}${s.falsePositives.length > MAX_LISTED ? `, first ${MAX_LISTED}` : ''}):`);
      for (const li of s.falsePositives.slice(0, MAX_LISTED)) console.log(`    ${explainFalsePositive(li, r.key, r.result)}`);
    }
  }
}

function setJson(rep: SetReport) {
  return {
    overall: {
      documents: rep.rows.length, found: rep.found, total: rep.total, recall: rep.total ? rep.found / rep.total : null,
      matched: rep.matched, considered: rep.considered, precision: rep.considered ? rep.matched / rep.considered : null,
      metadataOk: rep.metaOk, pages: rep.pages, ms: Math.round(rep.ms),
      byTable: Object.fromEntries(Object.entries(rep.families).map(([t, f]) => [t, {
        ...f, recall: f.total ? f.found / f.total : null, precision: f.considered ? f.matched / f.considered : null,
      }])),
    },
    documents: rep.rows.map((r) => {
      const items = lineItemsOf(r.result);
      return {
        sha12: r.key.sha12,
        file: r.key.file,
        shaOk: r.shaOk,
        status: r.result.status,
        error: r.result.error,
        pages: r.result.pages,
        ms: Math.round(r.ms),
        timings: r.result.timings,
        tables: r.result.tables.length,
        lineItems: items.length,
        metadata: {
          ...r.score.metadata,
          expected: { phase: r.key.phase, year: r.key.year, department: r.key.department },
          actual: { phase: r.result.phase, year: r.result.year, department: r.result.department },
        },
        recall: r.score.recall,
        precision: r.score.precision,
        found: r.score.found,
        total: r.score.total,
        matchedPrecision: r.score.matchedPrecision,
        consideredPrecision: r.score.consideredPrecision,
        byTable: r.score.byTable,
        precisionByTable: r.score.precisionByTable,
        misses: r.score.misses.map((k) => ({ ...k, why: explainMiss(k, r.result, items) })),
        falsePositives: r.score.falsePositives.map((li) => ({ ...li, why: explainFalsePositive(li, r.key, r.result) })),
      };
    }),
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync(realDir)) {
    console.log(`Corpus not found at ${corpus} (expected real/): nothing to measure.`);
    return;
  }
  let filters: string[];
  let overrides: Partial<LayoutSettings>;
  let newKeysDir: string;
  try {
    const args = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { set: { type: 'string', multiple: true }, 'new-keys': { type: 'string' } } });
    filters = args.positionals;
    overrides = parseLayoutOverrides(args.values.set ?? []);
    newKeysDir = path.resolve(args.values['new-keys'] ?? newKeysDefault);
  } catch (e) {
    console.error(`bench:accuracy: ${errorMessage(e)}\nusage: npm run bench:accuracy -- [--set name=value]... [--new-keys DIR] [filter]...`);
    process.exitCode = 2;
    return;
  }
  const settings = layoutSettings(overrides);
  console.log(`layout settings (* = changed): ${describeLayoutSettings(settings)}`);
  const sets: KeySet[] = [
    { name: 'old', dir: oldKeysDir, uncodedInPrecision: false },
    { name: 'new', dir: newKeysDir, uncodedInPrecision: true },
  ];
  const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, layoutSettings: settings, layoutOverrides: overrides };
  for (const set of sets) {
    const keys = readKeys(set.dir, filters);
    if (!keys.length) {
      console.log(`\n=== ${set.name} keys: none${filters.length ? ` match ${filters.join(' ')}` : ''} in ${set.dir} ===`);
      continue;
    }
    const rep = await scoreSet(set, keys, overrides);
    printSet(set, rep, overrides);
    out[set.name] = setJson(rep);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, 'accuracy.json');
  fs.writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
  console.log(`\nwrote ${path.relative(root, outFile)}`);
}

await main();
