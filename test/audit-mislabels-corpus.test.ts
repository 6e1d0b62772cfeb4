// The mislabel rules of issue 16 on real pages (../shared/corpus, half A of split.md; skipped without it).
// Where the corpus has an instance, the rule reports it at its page; where it only has the correct form
// (a consistent note, a true 决算数小于预算数), the rule stays silent, and the same real line edited into
// the wrong form is reported.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processFile } from '../src/pipeline.js';
import { mentionFamily } from '../src/validate/rules/mentions.js';
import { leftoverFamily } from '../src/validate/rules/leftovers.js';
import { comparisonFamily } from '../src/validate/rules/comparisons.js';
import { retiredFamily } from '../src/validate/rules/retired.js';
import { codeAmountRule } from '../src/validate/rules/codetext.js';
import { noteFamily } from '../src/validate/rules/notes.js';
import type { DocumentResult } from '../src/types.js';
import { corpusDir } from '../bench/paths.js';

const REAL = path.join(corpusDir(), 'real');
const HAVE_CORPUS = fs.existsSync(REAL);
const FILES = {
  sifa2026: 'shanghai/上海市普陀区司法局2026年部门预算.pdf',
  caizheng2024: 'shanghai/上海市普陀区财政局2024年度部门决算.pdf',
  wanli2024: 'shanghai/上海市普陀区人民政府万里街道办事处24年预算.pdf',
  renda2018: 'jiangsu/江苏省人大办公厅/省人大办公厅2018预算公开.pdf',
  shengwei2017: 'jiangsu/江苏省委办公厅/江苏省委办公厅2017年部门预算.pdf',
  shengwei2018: 'jiangsu/江苏省委办公厅/江苏省委办公厅2018年度部门预算公开文件.pdf',
};

/** A copy of the document with the first narrative line matching `re` rewritten. */
function edit(d: DocumentResult, re: RegExp, to: (s: string) => string): DocumentResult {
  const c = structuredClone(d);
  const l = c.narrative.find((x) => re.test(x.text.replace(/\s/g, '')));
  if (!l) throw new Error(`no line matches ${re}`);
  l.text = to(l.text.replace(/\s/g, ''));
  return c;
}

describe.skipIf(!HAVE_CORPUS)('the mislabel rules on real pages (half A)', () => {
  const docs = {} as Record<keyof typeof FILES, DocumentResult>;
  beforeAll(async () => {
    for (const [k, f] of Object.entries(FILES)) docs[k as keyof typeof FILES] = await processFile(path.join(REAL, f));
  }, 120_000);

  it('7. the 2026 budget of 普陀区司法局 names 医疗卫生与计划生育支出（210类） on page 9', () => {
    const fs_ = retiredFamily(docs.sifa2026);
    expect(fs_).toMatchObject([{ rule: 'code.retired_name', severity: 'error', page: 9, expected: '210 卫生健康支出' }]);
    // The 2018 documents print the name of their year: nothing.
    expect(retiredFamily(docs.renda2018)).toEqual([]);
  });

  it('6. the 2018 budget of 省人大办公厅 leaves 增加（减少）/增长（减少） unresolved: one finding listing them', () => {
    const fs_ = leftoverFamily(docs.renda2018);
    expect(fs_.map((f) => [f.rule, f.severity, f.page])).toEqual([['leftover.alternative', 'warning', 19]]);
    expect(fs_[0].message).toMatch(/等 \d+ 处/);
    expect(leftoverFamily(docs.caizheng2024)).toEqual([]);
  });

  it('3. the final account\'s 决算数小于预算数 hold for their figures; flipped, they are reported', () => {
    expect(comparisonFamily(docs.caizheng2024)).toEqual([]);
    const flipped = edit(docs.caizheng2024, /支出决算为135\.25万元/, (s) => s.replace('决算数小于', '决算数大于'));
    const line = flipped.narrative.find((l) => l.text.includes('决算数大于'))!;
    // The statement may wrap onto the next line: it is read where it starts.
    const fs_ = comparisonFamily(flipped);
    expect(fs_).toHaveLength(1);
    expect(fs_[0]).toMatchObject({ rule: 'compare.direction', severity: 'error', page: line.page });
  });

  it('4. the notes under the fund tables speak of their own fund; swapped, they are reported', () => {
    for (const d of [docs.sifa2026, docs.wanli2024, docs.caizheng2024]) expect(noteFamily(d)).toEqual([]);
    const swapped = edit(docs.sifa2026, /^注:本部门2026年无政府性基金预算/, (s) => s.replace('政府性基金预算', '国有资本经营预算'));
    expect(noteFamily(swapped)).toMatchObject([{ rule: 'note.other_fund', severity: 'error', expected: '政府性基金预算', actual: '国有资本经营预算' }]);
  });

  it('5. the code sentences of the narrative agree with the tables; an amount ×10 is reported', () => {
    for (const d of [docs.sifa2026, docs.wanli2024, docs.caizheng2024]) expect(codeAmountRule(d)).toEqual([]);
    const wrong = edit(docs.sifa2026, /司法\(06款\)行政运行\(01项\)1672\.67万元/, (s) => s.replace('1672.67万元', '16726.70万元'));
    expect(codeAmountRule(wrong)).toMatchObject([{ rule: 'narrative.code_amount', severity: 'error', expected: '1672.67 万元', actual: '16726.70万元' }]);
  });

  it('2. 截至 dates of the year before a budget and of a final account\'s year are the document\'s own; another year is reported', () => {
    for (const d of [docs.sifa2026, docs.wanli2024, docs.caizheng2024]) expect(mentionFamily(d).filter((f) => f.rule === 'mention.year')).toEqual([]);
    const stale = edit(docs.caizheng2024, /截至2024年12月31日/, (s) => s.replace('截至2024年', '截至2023年'));
    expect(mentionFamily(stale).filter((f) => f.rule === 'mention.year')).toMatchObject([{ severity: 'error', actual: '2023', expected: '2024' }]);
  });

  it('1. page headers and heading lines name the unit itself; the city bureau\'s name there is reported', () => {
    for (const d of Object.values(docs)) expect(mentionFamily(d).filter((f) => f.rule === 'mention.department')).toEqual([]);
    // The cover of the 2024 final account of 普陀区财政局 (its tables print no 部门 line).
    const c = structuredClone(docs.caizheng2024);
    const header = c.narrative.find((l) => l.page === 1 && l.text.replace(/\s/g, '') === '上海市普陀区财政局');
    expect(header).toBeDefined();
    header!.text = '上海市财政局';
    const fs_ = mentionFamily(c).filter((f) => f.rule === 'mention.department');
    expect(fs_).toMatchObject([{ severity: 'error', actual: '上海市财政局', page: 1 }]);
    expect(fs_[0].message).toContain('另一级');
  });

  it('10. the narrative-only files (tables published apart) get their department and year', () => {
    expect([docs.shengwei2017, docs.shengwei2018].map((d) => [d.tables.length, d.department, d.year])).toEqual([[0, '江苏省委办公厅', 2017], [0, '江苏省委办公厅', 2018]]);
  });
});
