// Review packets for judging audit findings against the printed page (issue "Audit findings a reader
// agrees with"). A fresh reader sees each finding's page as an image with the evidence box drawn, the
// page's text, and the finding's message, printed and expected values — not the rule code — and says
// agree / disagree / unsure. Their verdicts are scored by bench/review-score.ts (per corpus half, bench/halves.ts).
//
//   yusuan audit --db corpus.db --format json > audit.json
//   node --import tsx bench/review-packets.ts audit.json OUT_DIR [--severity warning] [--only sha12,…]
//
// Needs poppler-utils (pdftoppm, pdftotext) and ImageMagick (convert).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface AuditFinding {
  rule: string; severity: 'error' | 'warning' | 'info'; message: string; page: number | null;
  box: [number, number, number, number] | null; expected: string | null; actual: string | null;
}
interface AuditDoc { id: number; sha256: string; file: string; department: string | null; year: number | null; findings: AuditFinding[] }

/** Render scale of the page images: enough to read 8 pt table text. */
const DPI = 110;
/** Lines of a text dump shown around a finding's line. */
const DUMP_CONTEXT = 12;

const { positionals, values } = parseArgs({ allowPositionals: true, options: { severity: { type: 'string', default: 'warning' }, only: { type: 'string' } } });
const [auditJson, outDir] = positionals;
if (!auditJson || !outDir) {
  console.error('usage: node --import tsx bench/review-packets.ts audit.json OUT_DIR [--severity warning|error] [--only sha12,…]');
  process.exit(2);
}
const lowest = values.severity === 'error' ? ['error'] : ['error', 'warning'];
const only = values.only ? values.only.split(',') : null;
const report = JSON.parse(fs.readFileSync(auditJson, 'utf8')) as { documents: AuditDoc[] };
fs.mkdirSync(outDir, { recursive: true });

const index: string[] = [];
let n = 0;
for (const doc of report.documents) {
  if (only && !only.some((s) => doc.sha256.startsWith(s))) continue;
  for (const f of doc.findings) {
    if (!lowest.includes(f.severity)) continue;
    const id = `f${String(++n).padStart(3, '0')}`;
    const base = path.join(outDir, id);
    const lines = [
      `# ${id}`,
      `document: ${path.basename(doc.file)} (${doc.sha256.slice(0, 12)})`,
      `page: ${f.page ?? '—'}`,
      `finding: ${f.message}`,
      `printed (actual): ${f.actual ?? '—'}`,
      `expected: ${f.expected ?? '—'}`,
    ];
    if (/\.pdf$/i.test(doc.file) && f.page) {
      const png = `${base}.png`;
      execFileSync('pdftoppm', ['-f', String(f.page), '-l', String(f.page), '-r', String(DPI), '-png', '-singlefile', doc.file, base]);
      if (f.box) {
        const s = DPI / 72;
        const [x0, y0, x1, y1] = f.box.map((v) => Math.round(v * s));
        execFileSync('convert', [png, '-fill', 'none', '-stroke', 'red', '-strokewidth', '3', '-draw', `rectangle ${x0 - 3},${y0 - 3} ${x1 + 3},${y1 + 3}`, png]);
        lines.push(`image: ${png} (the red box marks the evidence)`);
      } else lines.push(`image: ${png} (the finding names no box on the page)`);
      const text = execFileSync('pdftotext', ['-f', String(f.page), '-l', String(f.page), '-layout', doc.file, '-']).toString();
      fs.writeFileSync(`${base}.page.txt`, text);
      lines.push(`page text: ${base}.page.txt`, `whole document: ${doc.file}`);
    } else {
      // Text dump: boxes are synthetic, y = line number × 10.
      const all = fs.readFileSync(doc.file, 'utf8').split('\n');
      const at = f.box ? Math.round(f.box[1] / 10) : 0;
      const from = Math.max(0, at - DUMP_CONTEXT), to = Math.min(all.length, at + DUMP_CONTEXT);
      fs.writeFileSync(`${base}.page.txt`, all.slice(from, to).map((l, i) => `${from + i + 1}: ${l}`).join('\n'));
      lines.push(`text around the evidence (line ${at}): ${base}.page.txt`, `whole document (a text dump of a PDF): ${doc.file}`);
    }
    fs.writeFileSync(`${base}.md`, lines.join('\n') + '\n');
    index.push([id, doc.sha256.slice(0, 12), f.severity, f.rule, f.page ?? ''].join('\t'));
  }
}
fs.writeFileSync(path.join(outDir, 'index.tsv'), ['id\tdoc\tseverity\trule\tpage', ...index].join('\n') + '\n');
console.log(`${n} packets in ${outDir} (index.tsv keeps rule and severity; do not show it to the reader)`);
