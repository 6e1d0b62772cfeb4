// Agreement of readers with the audit's findings, per rule and severity, on each corpus half.
//   node --import tsx bench/review-score.ts PACKET_DIR VERDICTS.jsonl [VERDICTS2.jsonl …]
// PACKET_DIR/index.tsv comes from bench/review-packets.ts; each verdicts line is
// {"id":"f001","verdict":"agree"|"disagree"|"unsure","why":"…"} written by a reader who saw the packet.
import fs from 'node:fs';
import path from 'node:path';
import { halfOf } from './halves.js';

const [dir, ...verdictFiles] = process.argv.slice(2);
if (!dir || verdictFiles.length === 0) {
  console.error('usage: node --import tsx bench/review-score.ts PACKET_DIR VERDICTS.jsonl…');
  process.exit(2);
}
const rows = fs.readFileSync(path.join(dir, 'index.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
  const [id, doc, severity, rule, page] = l.split('\t');
  return { id, doc, severity, rule, page };
});
const verdicts = new Map<string, { verdict: string; why: string }>();
for (const f of verdictFiles) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const v = JSON.parse(line) as { id: string; verdict: string; why: string };
    verdicts.set(v.id, v);
  }
}
const missing = rows.filter((r) => !verdicts.has(r.id));
if (missing.length) console.log(`no verdict for ${missing.length} packets: ${missing.map((r) => r.id).join(' ')}`);

type Tally = { agree: number; disagree: number; unsure: number };
const tally = new Map<string, Tally>();
const add = (key: string, v: string) => {
  const t = tally.get(key) ?? { agree: 0, disagree: 0, unsure: 0 };
  if (v === 'agree' || v === 'disagree' || v === 'unsure') t[v]++;
  tally.set(key, t);
};
for (const r of rows) {
  const v = verdicts.get(r.id);
  if (!v) continue;
  const half = halfOf(r.doc) ?? '?';
  for (const key of [`${half}\t${r.severity}\t(all)`, `${half}\t${r.severity}\t${r.rule}`, `all\t${r.severity}\t(all)`]) add(key, v.verdict);
}
const pct = (t: Tally) => { const n = t.agree + t.disagree + t.unsure; return n ? `${((100 * t.agree) / n).toFixed(1)}%` : '—'; };
console.log('half\tseverity\trule\tagree\tdisagree\tunsure\tagreement');
for (const [k, t] of [...tally.entries()].sort()) console.log(`${k}\t${t.agree}\t${t.disagree}\t${t.unsure}\t${pct(t)}`);
console.log('\nper finding:');
for (const r of rows) {
  const v = verdicts.get(r.id);
  console.log(`${r.id}\t${halfOf(r.doc) ?? '?'}\t${r.doc}\tp${r.page}\t${r.severity}\t${r.rule}\t${v?.verdict ?? '—'}\t${v?.why ?? ''}`);
}
