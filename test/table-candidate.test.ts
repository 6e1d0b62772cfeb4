// mayHoldTable: which pages get the operator-list pass for ruling lines (src/extract/textlayer.ts),
// on small hand-made pages, and on the ruled sample PDF against a full extraction.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractPage, extractPdf, openPdf } from '../src/extract/pdf.js';
import { mayHoldTable, MIN_CHARS_FOR_HAN_CHECK, TABLE_COLUMN_GAP } from '../src/extract/textlayer.js';
import { layoutPage } from '../src/layout/tables.js';
import { DEFAULT_LAYOUT_SETTINGS as S } from '../src/layout/settings.js';
import type { TextRun } from '../src/types.js';
import { RULED_FILE } from '../samples/generate.js';

const SIZE = 12;
/** A run of `text` starting at x on the line whose top is y, one em per character. */
const run = (text: string, x: number, y: number): TextRun => ({ text, box: [x, y, x + [...text].length * SIZE, y + SIZE], fontSize: SIZE });
/** Lines of prose: one run each, filling the text width. */
const prose = (lines: string[]) => lines.map((t, i) => run(t, 72, 100 + i * 1.5 * SIZE));

const PROSE = prose([
  '一、部门主要职能。贯彻执行国家和本市有关财政工作的法律法规',
  '规章和方针政策,研究拟订本区财政发展战略和改革方案并组织实施。',
  '二、部门预算单位构成。纳入本部门预算编制范围的单位包括本级。',
]);

describe('mayHoldTable', () => {
  it('says no for prose, and for a page without text', () => {
    expect(mayHoldTable(PROSE, S)).toBe(false);
    expect(mayHoldTable([], S)).toBe(false);
  });

  it('says no for figures inside sentences, years, codes and page numbers', () => {
    const runs = [...prose(['2024年收支预算总数641.15万元,比上年增加21.43万元。']), run('2024', 72, 300), run('201', 72, 320), run('3', 290, 800)];
    expect(mayHoldTable(runs, S)).toBe(false);
  });

  it('says yes for a table figure standing alone', () => {
    for (const figure of ['1,234.56', '641.15', '156211123', '(12.00)']) {
      expect(mayHoldTable([...PROSE, run(figure, 400, 300)], S), figure).toBe(true);
    }
  });

  it('says yes for a table title or a 单位/部门 line, without any figure', () => {
    expect(mayHoldTable([...PROSE, run('政府性基金预算支出表', 200, 60)], S)).toBe(true);
    expect(mayHoldTable([...PROSE, run('单位:万元', 450, 80)], S)).toBe(true);
  });

  it('says yes for a line whose text stands in columns, not for words a space apart', () => {
    const gap = TABLE_COLUMN_GAP * SIZE;
    const row = (dx: number) => [run('序号', 100, 400), run('单位名称', 100 + 2 * SIZE + dx, 400)];
    expect(mayHoldTable([...PROSE, ...row(gap)], S)).toBe(true);
    expect(mayHoldTable([...PROSE, ...row(gap / 2)], S)).toBe(false);
  });

  it('says yes for a long text layer without Han, whose verdict weighs the ruling lines', () => {
    const latin = 'abcdefghij'.repeat(Math.ceil(MIN_CHARS_FOR_HAN_CHECK / 10));
    expect(mayHoldTable([run(latin, 72, 100)], S)).toBe(true);
    expect(mayHoldTable([run(latin.slice(0, MIN_CHARS_FOR_HAN_CHECK - 1), 72, 100)], S)).toBe(false);
  });
});

describe('extractPage with rulesOnlyForTables', () => {
  it('reads the ruling lines of every page whose layout needs them, and leaves the layout unchanged', async () => {
    const full = (await extractPdf(new Uint8Array(fs.readFileSync(RULED_FILE)))).pages;
    const doc = await openPdf(new Uint8Array(fs.readFileSync(RULED_FILE)));
    try {
      let skipped = 0;
      for (const f of full) {
        const p = await extractPage(doc, f.number, { rulesOnlyForTables: S });
        expect(p.runs).toEqual(f.runs);
        if (p.rules.length === 0 && f.rules.length > 0) skipped++;
        else expect(p.rules, `page ${f.number}`).toEqual(f.rules);
        expect(layoutPage(p, S), `page ${f.number}`).toEqual(layoutPage(f, S));
      }
      // The sample's table pages are all ruled and all candidates: nothing to skip there.
      expect(skipped).toBe(0);
      expect(full.some((f) => f.rules.length > 0)).toBe(true);
    } finally {
      await doc.destroy();
    }
  });
});
