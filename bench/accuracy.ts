// Accuracy against the hand-verified answer keys in ../shared/corpus/keys (scoring rule: keys/README.md).
// Usage: npm run bench:accuracy [-- [--set name=value]... <filter>...]
//   filters match the key's sha12 or file name; --set changes a layout setting (src/layout/settings.ts).
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
  KEY_TABLES,
  lineItemsOf,
  scoreDocument,
  type DocumentScore,
  type KeyFile,
  type KeyTable,
} from './score.js';

const MAX_LISTED = 10;


const root = projectRoot();
const corpus = path.resolve(root, '../shared/corpus');
const keysDir = path.join(corpus, 'keys');
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

async function main(): Promise<void> {
  if (!fs.existsSync(keysDir) || !fs.existsSync(realDir)) {
    console.log(`Corpus not found at ${corpus} (expected keys/ and real/): nothing to measure.`);
    return;
  }
  let filters: string[];
  let overrides: Partial<LayoutSettings>;
  try {
    const args = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { set: { type: 'string', multiple: true } } });
    filters = args.positionals;
    overrides = parseLayoutOverrides(args.values.set ?? []);
  } catch (e) {
    console.error(`bench:accuracy: ${errorMessage(e)}\nusage: npm run bench:accuracy -- [--set name=value]... [filter]...`);
    process.exitCode = 2;
    return;
  }
  const settings = layoutSettings(overrides);
  console.log(`layout settings (* = changed): ${describeLayoutSettings(settings)}`);
  const keys: KeyFile[] = fs
    .readdirSync(keysDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(keysDir, f), 'utf8')) as KeyFile)
    .filter((k) => !filters.length || filters.some((f) => k.sha12.startsWith(f) || k.file.includes(f)));
  if (!keys.length) {
    console.log('No keys' + (filters.length ? ` match ${filters.join(' ')}` : ` in ${keysDir}`));
    return;
  }

  const rows: DocRow[] = [];
  for (const key of keys) {
    const file = path.join(realDir, key.file);
    if (!fs.existsSync(file)) {
      console.log(`missing PDF for key ${key.sha12}: ${file}`);
      continue;
    }
    const data = fs.readFileSync(file);
    const shaOk = createHash('sha256').update(data).digest('hex').startsWith(key.sha12);
    let result: DocumentResult;
    let thrown: string | null = null;
    const t0 = performance.now();
    try {
      result = await processFile(file, new Uint8Array(data), { layout: overrides });
    } catch (e) {
      thrown = errorMessage(e);
      result = emptyResult(file, thrown);
    }
    const ms = performance.now() - t0;
    const score = scoreDocument(key, result);
    rows.push({ key, file, ms, result, score, thrown, shaOk });
    process.stderr.write(`  ${key.sha12} ${score.found}/${score.total} ${Math.round(ms)} ms\n`);
  }

  // Per-document table.
  console.log('');
  console.log(
    [pad('key', 13), lpad('recall', 14), lpad('precision', 16), pad(' meta(p/y/d)', 13), lpad('pages', 5), lpad('ms', 7), ' file'].join(' '),
  );
  let found = 0, total = 0, matched = 0, considered = 0, metaOk = 0, pages = 0, ms = 0;
  const byTable = Object.fromEntries(KEY_TABLES.map((t) => [t, { found: 0, total: 0 }])) as Record<KeyTable, { found: number; total: number }>;
  for (const r of rows) {
    const s = r.score;
    found += s.found; total += s.total; matched += s.matchedPrecision; considered += s.consideredPrecision;
    pages += r.result.pages; ms += r.ms;
    const m = s.metadata;
    if (m.phase && m.year && m.department) metaOk++;
    for (const t of KEY_TABLES) { byTable[t].found += s.byTable[t]?.found ?? 0; byTable[t].total += s.byTable[t]?.total ?? 0; }
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
  console.log(`overall (micro): recall ${pct(found, total)} (${found}/${total}), precision ${pct(matched, considered)} (${matched}/${considered}), metadata ${metaOk}/${rows.length} documents`);
  const changed = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
  console.log(`layout overrides: ${changed.length ? changed.join(' ') : 'none (defaults)'}`);
  console.log('recall by key table: ' + KEY_TABLES.map((t) => `${t} ${pct(byTable[t].found, byTable[t].total)} (${byTable[t].found}/${byTable[t].total})`).join(', '));
  if (ms > 0 && pages > 0) console.log(`time: ${(ms / 1000).toFixed(2)} s for ${pages} pages (${((pages * 1000) / ms).toFixed(1)} pages/s)`);
  const failed = rows.filter((r) => r.thrown);
  if (failed.length) console.log(`processFile threw for ${failed.length} document(s): ${[...new Set(failed.map((r) => r.thrown))].join(' | ')}`);

  // Misses and false positives.
  for (const r of rows) {
    const s = r.score;
    if (!s.misses.length && !s.falsePositives.length) continue;
    if (r.thrown && !r.result.tables.length) continue; // nothing to explain
    console.log(`\n${r.key.sha12} ${r.key.file}`);
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

  fs.mkdirSync(outDir, { recursive: true });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    layoutSettings: settings,
    layoutOverrides: overrides,
    overall: {
      documents: rows.length, found, total, recall: total ? found / total : null,
      matched, considered, precision: considered ? matched / considered : null,
      metadataOk: metaOk, pages, ms: Math.round(ms),
      byTable: Object.fromEntries(KEY_TABLES.map((t) => [t, { ...byTable[t], recall: byTable[t].total ? byTable[t].found / byTable[t].total : null }])),
    },
    documents: rows.map((r) => {
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
        misses: r.score.misses.map((k) => ({ ...k, why: explainMiss(k, r.result, items) })),
        falsePositives: r.score.falsePositives.map((li) => ({ ...li, why: explainFalsePositive(li, r.key, r.result) })),
      };
    }),
  };
  const outFile = path.join(outDir, 'accuracy.json');
  fs.writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
  console.log(`\nwrote ${path.relative(root, outFile)}`);
}

await main();
