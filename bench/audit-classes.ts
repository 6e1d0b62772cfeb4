// Recall of the audit on planted errors of its classes (test/fixtures/audit/plant-classes.ts), measured
// blind to the rules: every real document (and the text dump) is read once, each class's variants are
// planted into copies, and `validateDocument` runs as a black box on each copy. A plant is found when the
// copy's audit has a new warning or error at the plant (same page and an overlapping box, or naming the
// planted table/row); a negative control is a false alarm when it raises any new `error`.
//
//   node --import tsx bench/audit-classes.ts [--verbose] [filter…]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processFile } from '../src/pipeline.js';
import { validateDocument } from '../src/validate/index.js';
import { errorMessage } from '../src/errors.js';
import type { DocumentResult, Finding } from '../src/types.js';
import { corpusDir, projectRoot } from './paths.js';
import {
  detect, NEGATIVE_CONTROLS, PLANT_CLASSES, plantClass, variantCount, type ClassId, type Plant,
} from '../test/fixtures/audit/plant-classes.js';

const { values: opts, positionals: filters } = parseArgs({ options: { verbose: { type: 'boolean', default: false } }, allowPositionals: true });

function corpusDocuments(corpus = corpusDir()): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(pdf|txt)$/i.test(e.name)) files.push(p);
    }
  };
  for (const sub of ['real', 'text']) if (fs.existsSync(path.join(corpus, sub))) walk(path.join(corpus, sub));
  return files;
}

/** The audit of a document, run as a black box; a rule that throws is reported as a finding, not a crash. */
function audit(doc: DocumentResult): Finding[] {
  try {
    return validateDocument(doc);
  } catch (e) {
    return [{ rule: 'bench.audit_threw', severity: 'error', message: errorMessage(e), page: null, box: null, expected: null, actual: null, tableIndex: null }];
  }
}

interface Tally { planted: number; found: number; withNewErrors: number; newErrors: number }
const tally = (): Tally => ({ planted: 0, found: 0, withNewErrors: 0, newErrors: 0 });
const ALL: ClassId[] = [...PLANT_CLASSES, ...NEGATIVE_CONTROLS];

/** Pad to a display width, Han characters counting two columns; cut with … when longer. */
function padWide(s: string, width: number): string {
  const w = (c: string) => (/[\u2e80-\uffef]/.test(c) ? 2 : 1);
  const total = [...s].reduce((n, c) => n + w(c), 0);
  let out = '';
  let used = 0;
  for (const c of s) {
    if (total > width && used + w(c) > width - 1) { out += '…'; used += 1; break; }
    out += c;
    used += w(c);
  }
  return out + ' '.repeat(Math.max(0, width - used));
}

async function main(): Promise<void> {
  const corpus = corpusDir();
  if (!fs.existsSync(corpus)) { console.log(`no corpus at ${corpus}: nothing to measure`); return; }
  const files = corpusDocuments(corpus).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
  const byClass = new Map<ClassId, Tally>(ALL.map((c) => [c, tally()]));
  const byDoc: { name: string; cells: Map<ClassId, Tally> }[] = [];
  const misses: string[] = [];
  const alarms: string[] = [];
  const out: unknown[] = [];
  const t0 = performance.now();
  for (const file of files) {
    const name = path.relative(corpus, file);
    const doc = await processFile(file);
    const cells = new Map<ClassId, Tally>(ALL.map((c) => [c, tally()]));
    byDoc.push({ name, cells });
    if (doc.status === 'failed') { console.log(`${name}: failed (${doc.error}), skipped`); continue; }
    const baseline = audit(structuredClone(doc));
    for (const cls of ALL) {
      for (let n = 0; n < variantCount(cls); n++) {
        let plant: Plant | null;
        try { plant = plantClass(cls, doc, n); } catch (e) { console.log(`${name}: ${cls} #${n} could not be planted: ${errorMessage(e)}`); continue; }
        if (!plant) continue;
        const det = detect(baseline, audit(plant.doc), plant.where);
        for (const t of [byClass.get(cls)!, cells.get(cls)!]) {
          t.planted++;
          if (det.found) t.found++;
          if (det.newErrors.length > 0) t.withNewErrors++;
          t.newErrors += det.newErrors.length;
        }
        const w = plant.where;
        const at = `${name} p${w.page}${w.tableIndex !== null ? ` table ${w.tableIndex}${w.rowIndex !== null ? ` row ${w.rowIndex}` : ''}` : ''}`;
        const what = `${cls}/${plant.variant} ${at}: “${w.before.slice(0, 40)}” → “${w.after.slice(0, 40)}”`;
        if (!plant.negative && !det.found) misses.push(what);
        if (plant.negative && det.newErrors.length > 0) alarms.push(`${what}\n      ${det.newErrors.map((f) => `${f.rule}: ${f.message.slice(0, 100)}`).join('\n      ')}`);
        out.push({ doc: name, cls, variant: plant.variant, where: w, found: det.found, fresh: det.fresh.map((f) => ({ rule: f.rule, severity: f.severity, page: f.page, box: f.box, tableIndex: f.tableIndex })) });
      }
    }
  }

  const pct = (a: number, b: number) => (b === 0 ? '   —  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
  console.log(`\n${files.length} documents, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  console.log('class                    planted  found  recall');
  for (const cls of PLANT_CLASSES) {
    const t = byClass.get(cls)!;
    console.log(`${cls.padEnd(24)} ${String(t.planted).padStart(7)} ${String(t.found).padStart(6)}  ${pct(t.found, t.planted)}`);
  }
  const pos = PLANT_CLASSES.map((c) => byClass.get(c)!);
  const sum = (f: (t: Tally) => number, ts: Tally[]) => ts.reduce((a, t) => a + f(t), 0);
  console.log(`${'all'.padEnd(24)} ${String(sum((t) => t.planted, pos)).padStart(7)} ${String(sum((t) => t.found, pos)).padStart(6)}  ${pct(sum((t) => t.found, pos), sum((t) => t.planted, pos))}`);
  console.log('\nnegative control         planted  with new errors  new errors');
  for (const cls of NEGATIVE_CONTROLS) {
    const t = byClass.get(cls)!;
    console.log(`${cls.padEnd(24)} ${String(t.planted).padStart(7)} ${String(t.withNewErrors).padStart(16)} ${String(t.newErrors).padStart(11)}`);
  }
  const none = PLANT_CLASSES.filter((c) => byClass.get(c)!.planted > 0 && byClass.get(c)!.found === 0);
  const unplanted = PLANT_CLASSES.filter((c) => byClass.get(c)!.planted === 0);
  console.log(`\nclasses that found nothing: ${none.join(', ') || '(none)'}`);
  if (unplanted.length) console.log(`classes with no plant on this corpus: ${unplanted.join(', ')}`);

  const abbrev = (c: string) => c.replace(/^neg_/, '¬').split('_').map((w) => w.slice(0, 4)).join('_');
  console.log(`\nper document (found/planted; negative controls: plants with new errors/planted)`);
  console.log([padWide('document', 44), ...ALL.map((c) => abbrev(c).padStart(10))].join(' '));
  for (const { name, cells } of byDoc) {
    const label = padWide(path.basename(name), 44);
    console.log([label, ...ALL.map((c) => {
      const t = cells.get(c)!;
      if (t.planted === 0) return '·'.padStart(10);
      return `${(NEGATIVE_CONTROLS as readonly string[]).includes(c) ? t.withNewErrors : t.found}/${t.planted}`.padStart(10);
    })].join(' '));
  }
  if (alarms.length) { console.log(`\nfalse alarms (new errors from negative controls):`); for (const a of alarms) console.log('  ' + a); }
  if (opts.verbose) { console.log(`\nmisses:`); for (const m of misses) console.log('  ' + m); }
  const outDir = path.join(projectRoot(), 'bench', 'out');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'audit-classes.json'), JSON.stringify({ byClass: Object.fromEntries(byClass), plants: out }, null, 1));
  console.log(`\ndetails: bench/out/audit-classes.json${opts.verbose ? '' : ' (--verbose lists the misses)'}`);
}

main().catch((e) => { console.error(errorMessage(e)); process.exit(1); });
