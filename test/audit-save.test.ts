// `yusuan audit --save` replaces only the stored findings the audit makes again (the rule families it
// reruns from the database and its whole-database rules, within its --rule/--severity filter); page
// failures, OCR notes and ingest-only families stay. And an ingest leaves the stored findings equal to
// those of an audit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditDatabase, refreshFindings, saveFindings } from '../src/analyze/audit.js';
import { runAudit } from '../src/cli/audit.js';
import { runIngest } from '../src/cli/ingest.js';
import { openStore } from '../src/store/open.js';
import type { Sql } from '../src/store/sql.js';
import { listDocuments, readDocument } from '../src/store/read.js';
import { writeDocument } from '../src/store/write.js';
import type { DocumentResult, Finding } from '../src/types.js';
import { RULE_FAMILIES, recomputedFromDatabase, validateDocument, type RuleFamily } from '../src/validate/index.js';
import { A4_PORTRAIT } from '../samples/pdf-writer.js';
import { rasterizePages, writePdf } from './fixtures/ocr/image-pdf.js';
import { sampleDoc, wan } from './fixtures/audit/docs.js';
import { quietly } from './fixtures/cli.js';
import { incomeTablePage } from './fixtures/ocr/make-mixed.js';

const note = (rule: string, severity: Finding['severity'], page: number | null, tableIndex: number | null = null): Finding =>
  ({ rule, severity, message: `${rule} / ${rule}`, page, box: null, expected: null, actual: null, tableIndex });
const key = (f: Finding) => `${f.rule}|${f.severity}|${f.page}|${f.tableIndex}|${f.actual}`;
const keys = (fs: Finding[]) => fs.map(key).sort();
const stored = async (db: Sql, id: number) => (await readDocument(db, id))!.findings;

/** A family that needs facts of the ingest (as the OCR confidences): the database cannot feed it. */
const INGEST_ONLY: RuleFamily = { name: 'probe', rules: ['probe.'], ingestOnly: true, run: () => [note('probe.ingest_fact', 'warning', 2)] };

describe('audit --save keeps what it cannot make again', () => {
  let db: Sql;
  let id: number;
  let ingestOnly: Finding[];

  beforeAll(() => {
    RULE_FAMILIES.push(INGEST_ONLY);
  });
  afterAll(() => {
    RULE_FAMILIES.splice(RULE_FAMILIES.indexOf(INGEST_ONLY), 1);
  });
  afterEach(async () => db?.close());

  /** A partial document as the ingest stores it: its families' findings, a failed page, OCR findings. */
  async function ingest(): Promise<void> {
    db = await openStore(':memory:');
    const d: DocumentResult = sampleDoc();
    const t = d.tables[3].items.find((i) => i.econCode === '30101' && i.columnKey === 'total')!;
    t.amountText = '61.00'; // a 款 that no longer adds up: sum.code_hierarchy
    t.amountFen = wan('61.00');
    ingestOnly = [note('extract.page_failed', 'error', 3), note('ocr.page', 'info', 2)];
    // ocr.low_confidence is made again from the stored confidences: this one, on an amount read with
    // confidence 1, is stale and goes.
    ingestOnly.push(note('ocr.low_confidence', 'warning', 2, 1));
    d.status = 'partial';
    d.findings = [...validateDocument(d), ...ingestOnly];
    d.findings.push(note('header.year_mismatch', 'error', 1)); // stale: the rules no longer make it
    await writeDocument(db, d);
    id = (await listDocuments(db))[0].id;
  }

  it('at ingest the ingest-only family runs; from the database it does not', async () => {
    await ingest();
    expect((await stored(db, id)).map((f) => f.rule)).toContain('probe.ingest_fact');
    expect(validateDocument((await readDocument(db, id))!, { fromDatabase: true }).map((f) => f.rule)).not.toContain('probe.ingest_fact');
  });

  it('replaces the families’ findings and keeps page failures, OCR findings and ingest-only families', async () => {
    await ingest();
    const report = await auditDatabase(db);
    const audited = report.documents[0].findings;
    expect(audited.map((f) => f.rule)).toContain('sum.code_hierarchy');
    expect(await saveFindings(db, report)).toBe(audited.length);
    const after = await stored(db, id);
    const kept = [...ingestOnly.filter((f) => f.rule !== 'ocr.low_confidence'), note('probe.ingest_fact', 'warning', 2)];
    expect(keys(after)).toEqual(keys([...audited, ...kept]));
    expect(after.map((f) => f.rule)).not.toContain('ocr.low_confidence');
    expect(after.map((f) => f.rule)).not.toContain('header.year_mismatch');
    expect((await listDocuments(db))[0].status).toBe('partial');
  });

  it('with --rule and --severity, replaces only the findings within them', async () => {
    await ingest();
    const before = await stored(db, id);
    await saveFindings(db, await auditDatabase(db, { rules: ['header'] })); // the stale header finding goes, nothing else
    expect(keys(await stored(db, id))).toEqual(keys(before.filter((f) => f.rule !== 'header.year_mismatch')));
    const sumInfo = note('sum.code_hierarchy', 'info', 1, 3);
    await writeExtra(sumInfo);
    await saveFindings(db, await auditDatabase(db, { minSeverity: 'error' })); // info and warnings are outside: kept
    expect(keys(await stored(db, id))).toContain(key(sumInfo));
    await saveFindings(db, await auditDatabase(db));
    expect(keys(await stored(db, id))).not.toContain(key(sumInfo));
  });

  it('a failure of an ingest-only family is kept, one of a family the audit reruns is replaced', async () => {
    await ingest();
    await writeExtra({ ...note('validate.rule_failed', 'warning', null), actual: 'probe' });
    await writeExtra({ ...note('validate.rule_failed', 'warning', null), actual: 'header' });
    await saveFindings(db, await auditDatabase(db));
    expect((await stored(db, id)).filter((f) => f.rule === 'validate.rule_failed').map((f) => f.actual)).toEqual(['probe']);
  });

  /** One more stored finding, as an earlier run could have left. */
  async function writeExtra(f: Finding): Promise<void> {
    const doc = (await readDocument(db, id))!;
    await db.run('DELETE FROM documents WHERE id = ?', [id]);
    await writeDocument(db, { ...doc, findings: [...doc.findings, f] });
    id = (await listDocuments(db))[0].id;
  }
});

describe('every finding of a family is one it declares', () => {
  it('on the sample document with each kind of error planted', () => {
    const variants: ((d: DocumentResult) => void)[] = [
      () => {},
      (d) => { d.tables[2].departmentLabel = '某某局'; d.year = 2023; },
      (d) => { for (const i of d.tables[1].items) { i.amountFen += 1_000_000; i.amountText = '1' + i.amountText; } },
      (d) => { d.narrative.forEach((l) => { l.text = l.text.replace(/\d+\.\d\d万元/g, '12.34万元').replace(/\d+\.\d+%/g, '12.3%'); }); },
      (d) => { d.tables.splice(1, 2); },
    ];
    for (const change of variants) {
      const d = sampleDoc();
      change(d);
      for (const fam of RULE_FAMILIES) {
        for (const f of fam.run(d)) expect(fam.rules.some((r) => (r.endsWith('.') ? f.rule.startsWith(r) : f.rule === r)), `${fam.name}: ${f.rule}`).toBe(true);
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------
// End to end: a PDF with a text page, a scanned page (OCR) and a page that cannot be read.

/** A budget title and a small 部门收入总表 on a text page. */
const budgetPage = () => incomeTablePage('测试中心', 2024, '1000.00', '部门收入总表');

/** Page 1 text, page 2 a scan of page 1's top (read by OCR), page 3 missing (its page tree entry points nowhere). */
async function partialPdf(): Promise<Buffer> {
  const text = { kind: 'text' as const, content: budgetPage() };
  const [scan] = await rasterizePages(writePdf([text]), [1], { dpi: 300, crop: [0, 40, A4_PORTRAIT.width, 240] });
  const pdf = Buffer.from(writePdf([text, scan, text])).toString('latin1');
  const broken = pdf.replace(/\/Kids \[(\d+ 0 R) (\d+ 0 R) \d+ 0 R\]/, '/Kids [$1 $2 9999 0 R]');
  expect(broken).not.toBe(pdf);
  return Buffer.from(broken, 'latin1');
}


describe('a partial document through ingest and audit --save', () => {
  let tmp: string;
  let dbFile: string;
  const partialFindings = async () => {
    const db = await openStore(dbFile);
    try {
      const [row] = await listDocuments(db);
      return { status: row.status, findings: (await readDocument(db, row))!.findings, audit: (await auditDatabase(db)).documents[0].findings };
    } finally {
      await db.close();
    }
  };

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-audit-save-'));
    dbFile = path.join(tmp, 'y.db');
    const pdf = path.join(tmp, '测试中心2024年部门预算.pdf');
    fs.writeFileSync(pdf, await partialPdf());
    const code = await quietly(() => runIngest([pdf, '--db', dbFile, '--jobs', '0', '--ocr', 'auto', '--ocr-jobs', '1', '--results', path.join(tmp, 'r.json')]));
    expect(code).toBe(0);
  }, 120_000);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('is stored partial, with the page failure and the OCR note', async () => {
    const { status, findings } = await partialFindings();
    expect(status).toBe('partial');
    expect(findings.filter((f) => f.rule.endsWith('page_failed')).map((f) => f.page)).toEqual([3]);
    expect(findings.filter((f) => f.rule === 'ocr.page').map((f) => f.page)).toEqual([2]);
  });

  it('keeps them after audit --save, and the stored findings are the audit’s and the ingest’s own', async () => {
    const before = await partialFindings();
    expect(await quietly(() => runAudit(['--db', dbFile, '--save']))).toBe(0);
    const after = await partialFindings();
    expect(after.status).toBe('partial');
    // The ingest's own: findings of the families an audit cannot run from the database.
    const ingestOwn = (fs: Finding[]) => fs.filter((f) => !recomputedFromDatabase(f));
    expect(keys(ingestOwn(after.findings))).toEqual(keys(ingestOwn(before.findings)));
    expect(ingestOwn(after.findings).map((f) => f.rule)).toEqual(expect.arrayContaining(['ocr.page', 'ocr.page_failed']));
    // The scanned page repeats page 1's table under its 编制部门 line: a table of its own, whose OCR
    // amounts may carry ocr.low_confidence findings, which the audit makes again from the stored confidences.
    expect(keys(after.findings)).toEqual(keys([...after.audit, ...ingestOwn(after.findings)]));
    // The ingest had already left them so: the audit changed nothing.
    expect(keys(after.findings)).toEqual(keys(before.findings));
  });
});

describe('refreshFindings', () => {
  it('brings every document’s whole-database findings up to date, narrative-only ones in full', async () => {
    const db = await openStore(':memory:');
    const store = async (d: DocumentResult) => {
      d.findings = validateDocument(d); // as the ingest does
      await writeDocument(db, d);
      return (await listDocuments(db)).find((r) => r.sha256 === d.sha256)!.id;
    };
    try {
      const a = sampleDoc();
      a.tables[2].departmentLabel = '达州市另一中心'; // copied from a file not stored yet
      const aId = await store(a);
      expect(await refreshFindings(db)).toEqual({ documents: 0, findings: 0 }); // alone, nothing to add
      // Next year's document in 元 by mistake: a unit jump against a, reported on it.
      const b = sampleDoc();
      b.sha256 = 'b'.repeat(64); b.path = '/x/next.pdf'; b.fileName = 'next.pdf'; b.year = 2025;
      b.tables.forEach((t) => { t.unit = '元'; t.items.forEach((i) => { i.amountFen = Math.round(i.amountFen / 10_000); }); });
      const bId = await store(b);
      expect(await refreshFindings(db)).toMatchObject({ documents: 1 });
      expect((await stored(db, bId)).map((f) => f.rule)).toContain('corpus.unit_jump');
      // The department a's header names arrives: a's stored findings change, not only the new document's.
      const c = sampleDoc();
      c.sha256 = 'c'.repeat(64); c.path = '/x/other.pdf'; c.fileName = 'other.pdf'; c.department = '达州市另一中心'; c.year = 2023;
      c.tables.forEach((t) => { t.departmentLabel = '达州市另一中心'; });
      const cId = await store(c);
      expect(await refreshFindings(db)).toMatchObject({ documents: 2 }); // c's narrative, the sample's, names a's department
      expect((await stored(db, cId)).find((f) => f.rule === 'corpus.foreign_department')).toMatchObject({ actual: '达州市测试中心' });
      expect((await stored(db, aId)).find((f) => f.rule === 'corpus.foreign_department')).toMatchObject({ tableIndex: 2, actual: '达州市另一中心' });
      const audit = await auditDatabase(db);
      expect(audit.documents).toHaveLength(3);
      for (const d of audit.documents) expect(keys(await stored(db, d.id))).toEqual(keys(d.findings));
      expect(await refreshFindings(db)).toEqual({ documents: 0, findings: 0 });
    } finally {
      await db.close();
    }
  });

  it('a narrative-only document is checked against its companion tables file as it arrives', async () => {
    const db = await openStore(':memory:');
    try {
      const text = sampleDoc();
      text.sha256 = 'd'.repeat(64); text.path = '/x/说明.pdf'; text.fileName = '说明.pdf'; text.tables = [];
      text.narrative = text.narrative.map((l) => ({ ...l, text: l.text.replace('100.00万元', '120.00万元') }));
      text.findings = validateDocument(text);
      await writeDocument(db, text);
      await refreshFindings(db);
      const before = keys(await stored(db, (await listDocuments(db))[0].id));
      const tables = sampleDoc();
      tables.findings = validateDocument(tables);
      await writeDocument(db, tables);
      await refreshFindings(db);
      const textId = (await listDocuments(db)).find((r) => r.sha256 === text.sha256)!.id;
      const audited = (await auditDatabase(db)).documents.find((d) => d.id === textId)!.findings;
      expect(audited.some((f) => f.message.includes('checked against the tables of'))).toBe(true);
      expect(keys(await stored(db, textId))).toEqual(keys(audited));
      expect(keys(await stored(db, textId))).not.toEqual(before);
    } finally {
      await db.close();
    }
  });

  it('runs the families again on the documents it is given', async () => {
    const db = await openStore(':memory:');
    try {
      const a = sampleDoc();
      a.findings = [note('header.year_mismatch', 'error', 1)]; // stale: the rules no longer make it
      await writeDocument(db, a);
      const id = (await listDocuments(db))[0].id;
      await refreshFindings(db);
      expect((await stored(db, id)).map((f) => f.rule)).toEqual(['header.year_mismatch']);
      await refreshFindings(db, [id]);
      expect(await stored(db, id)).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
