// A scanned document made at test time by tools other than the OCR path's own renderer (pdftoppm
// 300 DPI grey + img2pdf), ingested with OCR: its amounts must equal the text path's on the same pages.
// The bundled samples use a CJK font they do not embed, which poppler renders as boxes here, so the
// scan is made from two pages of a real document of the corpus: skipped without the corpus or the tools.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { amountCellKeys } from '../bench/score.js';
import { corpusDir } from '../bench/paths.js';
import { makeScan, scanTestSkipReason } from './fixtures/scans.js';

const corpus = corpusDir();
/** 收支预算总表 and 收入预算总表 of a Jiangsu budget: two tables, each with its title, on pages 3–4. */
const SOURCE = path.join(corpus, 'real/jiangsu/江苏省委办公厅/江苏省委办公厅2018年度部门预算公开表.pdf');
const FIRST = 3, LAST = 4;

const why = scanTestSkipReason(SOURCE, corpus);
if (why) console.warn(`scan-document.test.ts skipped: ${why}`);

describe.skipIf(why !== null)('a whole scanned document (pdftoppm 300 DPI grey + img2pdf)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'yusuan-scan-test-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('is read by OCR with the amounts, tables, codes and columns of the text path', async () => {
    const scan = path.join(work, 'scan.pdf');
    makeScan(SOURCE, scan, 'gray300', { first: FIRST, last: LAST, workDir: work });
    const text = await processFile(SOURCE, undefined, { ocr: 'off' });
    const ocr = await processFile(scan, undefined, { ocr: 'auto', ocrJobs: 2 });
    expect(ocr.status).toBe('ok');
    expect(ocr.findings.filter((f) => f.rule === 'ocr.page')).toHaveLength(LAST - FIRST + 1);
    const ref = amountCellKeys(text, (p) => (p >= FIRST && p <= LAST ? p - FIRST + 1 : null)).sort();
    expect(ref.length).toBeGreaterThan(10);
    expect(amountCellKeys(ocr).sort()).toEqual(ref);
    const kinds = (r: typeof text, shift: number) => r.tables.filter((t) => t.items.length && t.pageStart - shift >= 1 && t.pageStart - shift <= LAST - FIRST + 1).map((t) => t.kind);
    expect(kinds(ocr, 0)).toEqual(kinds(text, FIRST - 1));
  }, 600_000);
});
