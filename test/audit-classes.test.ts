// The planted errors of the audit's classes (test/fixtures/audit/plant-classes.ts) on two real documents:
// the plants are well formed and the detection machinery works. No recall threshold here: that is
// `npm run bench:audit-classes`, and the rules are still being written. Skipped without the corpus.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { validateDocument } from '../src/validate/index.js';
import type { DocumentResult, Finding } from '../src/types.js';
import { corpusDir } from '../bench/paths.js';
import {
  detect, NEGATIVE_CONTROLS, newFindings, PLANT_CLASSES, plantClass, pointsAt, variantCount, type ClassId, type Plant,
} from './fixtures/audit/plant-classes.js';
import { pageTexts } from './fixtures/audit/plant-text.js';

const CORPUS = corpusDir();
const FILES = [
  path.join(CORPUS, 'text', '达州市人力资源和社会保障信息中心2024年部门预算.txt'),
  path.join(CORPUS, 'real', 'shanghai', '上海市普陀区司法局2026年部门预算.pdf'),
];
const HAVE = FILES.every((f) => fs.existsSync(f));
const ALL: ClassId[] = [...PLANT_CLASSES, ...NEGATIVE_CONTROLS];
const PLANTS_PER_CLASS = 2;
const SLOW = 60_000; // whole-document copies and audits, on a shared 2-core machine

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'test.synthetic', severity: 'warning', message: 'synthetic', page: null, box: null, expected: null, actual: null, tableIndex: null, ...over,
});

describe.skipIf(!HAVE)('planted errors of the audit classes (corpus)', () => {
  const docs: DocumentResult[] = [];
  const plants: { doc: DocumentResult; plant: Plant }[] = [];
  const snapshots: string[] = [];

  beforeAll(async () => {
    for (const f of FILES) docs.push(await processFile(f));
    for (const d of docs) snapshots.push(JSON.stringify(d));
    // A few plants per class and document: the first variants that have a place.
    for (const doc of docs) {
      for (const cls of ALL) {
        let made = 0;
        for (let n = 0; n < variantCount(cls) && made < PLANTS_PER_CLASS; n++) {
          const plant = plantClass(cls, doc, n);
          if (plant) { plants.push({ doc, plant }); made++; }
        }
      }
    }
  }, 120_000);

  it('reads both documents', () => {
    expect(docs.map((d) => d.status)).toEqual(['ok', 'ok']);
  });

  it('plants every class somewhere in the two documents, and no variant beyond the last', () => {
    for (const cls of ALL) expect(plants.filter((p) => p.plant.cls === cls).length, cls).toBeGreaterThan(0);
    for (const cls of ALL) expect(plantClass(cls, docs[0], variantCount(cls))).toBeNull();
    expect(plantClass('department_name', { ...docs[0], status: 'failed' }, 0)).toBeNull();
  });

  it('plants into a copy: the document read stays as it was', () => {
    docs.forEach((d, i) => expect(JSON.stringify(d)).toBe(snapshots[i]));
    for (const { doc, plant } of plants) expect(JSON.stringify(plant.doc), `${plant.cls}/${plant.variant}`).not.toBe(JSON.stringify(doc));
  }, SLOW);

  it('each plant says where it is, and the planted text or row is there', () => {
    for (const { doc, plant } of plants) {
      const what = `${doc.fileName} ${plant.cls}/${plant.variant}`;
      const w = plant.where;
      expect(w.page, what).toBeGreaterThanOrEqual(1);
      expect(w.page, what).toBeLessThanOrEqual(Math.max(doc.pages, 1));
      expect(w.box !== null || w.tableIndex !== null, what).toBe(true);
      expect(w.after, what).not.toBe(w.before);
      expect(plant.negative, what).toBe((NEGATIVE_CONTROLS as readonly string[]).includes(plant.cls));
      if (w.tableIndex !== null) {
        const t = plant.doc.tables[w.tableIndex];
        expect(t, what).toBeDefined();
        if (w.rowIndex !== null) expect(t.items.some((i) => i.rowIndex === w.rowIndex), what).toBe(true);
      } else {
        const page = pageTexts(plant.doc).find((p) => p.page === w.page);
        expect(page?.text.replace(/\s/g, ''), what).toContain(w.after.replace(/\s/g, ''));
      }
    }
  });

  it('an unplanted copy is not found and raises nothing new', () => {
    const [doc] = docs;
    const { plant } = plants.find((p) => p.doc === doc && p.plant.where.box !== null)!;
    const base = validateDocument(structuredClone(doc));
    const det = detect(base, validateDocument(structuredClone(doc)), plant.where);
    expect(det).toEqual({ found: false, fresh: [], newErrors: [] });
  });

  it('a new finding at the plant is found; one elsewhere, or an old one, or an info is not', () => {
    const { plant } = plants.find((p) => p.plant.where.box !== null && p.plant.where.tableIndex === null)!;
    const w = plant.where;
    const at = finding({ page: w.page, box: w.box });
    expect(detect([], [at], w).found).toBe(true);
    expect(detect([at], [at], w).found).toBe(false);
    expect(detect([], [{ ...at, severity: 'info' }], w).found).toBe(false);
    expect(detect([], [{ ...at, page: w.page + 1 }], w).found).toBe(false);
    const below: typeof w.box = [w.box![0], w.box![3] + 50, w.box![2], w.box![3] + 60];
    expect(detect([], [{ ...at, box: below }], w).found).toBe(false);
    // A second finding of the same kind at the same place is new.
    expect(newFindings([at], [at, at])).toHaveLength(1);
  });

  it('a table plant is found by a new finding that names its table', () => {
    const { plant } = plants.find((p) => p.plant.where.tableIndex !== null && p.plant.where.rowIndex !== null)!;
    const w = plant.where;
    expect(pointsAt(finding({ tableIndex: w.tableIndex, page: w.page }), w)).toBe(true);
    expect(pointsAt(finding({ tableIndex: w.tableIndex! + 1, page: w.page + 1 }), w)).toBe(false);
  });

  it('negative controls count new errors only', () => {
    const { plant } = plants.find((p) => p.plant.negative)!;
    const err = finding({ severity: 'error', page: 1 });
    expect(detect([], [err, finding({ page: 1 })], plant.where).newErrors).toEqual([err]);
  });

  it('the audit runs on every planted copy (as a black box)', () => {
    for (const { plant } of plants) expect(() => validateDocument(plant.doc), `${plant.cls}/${plant.variant}`).not.toThrow();
  }, SLOW);
});
