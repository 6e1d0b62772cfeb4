// Planted-error benchmark of the audit: for every real document (and the 达州 text dump), plant each kind
// of error into a copy of its extraction, run the rules, and print the recall per kind, the error
// findings of the unplanted documents and the findings per document.
//   node --import tsx bench/audit-planted.ts
import fs from 'node:fs';
import path from 'node:path';
import { processFile } from '../src/pipeline.js';
import { validateDocument } from '../src/validate/index.js';
import { sameOrg } from '../src/domain/departments.js';
import type { DocumentResult } from '../src/types.js';
import { PLANT_KINDS, findingKey, plant } from '../test/fixtures/audit/plant.js';
import { corpusDir } from './paths.js';

const CORPUS_DIR = corpusDir();

const files: string[] = [];
const walk = (d: string) => { for (const f of fs.readdirSync(d).sort()) { const p = path.join(d, f); if (fs.statSync(p).isDirectory()) walk(p); else if (/\.pdf$/i.test(f)) files.push(p); } };
walk(path.join(CORPUS_DIR, 'real'));
for (const f of fs.readdirSync(path.join(CORPUS_DIR, 'text')).filter((x) => x.endsWith('.txt'))) files.push(path.join(CORPUS_DIR, 'text', f));

const docs: DocumentResult[] = [];
for (const f of files) docs.push(await processFile(f));
console.log('findings per document (error / warning / info):');
for (const d of docs) {
  const fs_ = validateDocument(d);
  const n = (s: string) => fs_.filter((f) => f.severity === s).length;
  console.log(`  ${d.sha256.slice(0, 12)} ${String(n('error')).padStart(3)} ${String(n('warning')).padStart(3)} ${String(n('info')).padStart(3)}  ${d.fileName}`);
  for (const f of fs_.filter((x) => x.severity === 'error')) console.log(`      error ${f.rule} p${f.page}: ${f.message.split(' / ')[0]}`);
}
console.log('\nplanted-error recall per kind:');
const departments = [...new Set(docs.map((d) => d.department).filter((x): x is string => !!x))];
for (const kind of PLANT_KINDS) {
  let planted = 0, found = 0;
  const missed: string[] = [];
  for (const d of docs) {
    const other = departments.find((x) => d.department && !sameOrg(x, d.department)) ?? '某省财政厅';
    const before = new Set(validateDocument(d).map(findingKey));
    for (let n = 0; n < 12; n++) {
      const p = plant(kind, d, other, n);
      if (!p) break;
      planted++;
      const after = validateDocument(p.doc).filter((f) => !before.has(findingKey(f)));
      if (after.some(p.detects)) found++;
      else missed.push(`${d.sha256.slice(0, 12)} ${p.what}`);
    }
  }
  console.log(`  ${kind.padEnd(24)} ${found}/${planted}${missed.length ? '  missed: ' + missed.join('; ') : ''}`);
}
