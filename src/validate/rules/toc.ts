// The table of contents against the body.
//  - toc.missing_table: a table listed in the 目录 that the document does not contain;
//  - toc.title_mismatch: a listed table whose body title is worded differently;
//  - toc.missing_standard_table: a standard table of the phase neither listed nor present.
// Documents without any table (a 公开文件 whose tables are published as a separate file) are skipped.
import type { DocumentResult, Finding, TableKind, TextLine } from '../../types.js';
import { cleanTitle, isTableTitle, tableKind } from '../../recognize/kinds.js';
import { compact } from '../../extract/normalize.js';
import { dice, finding } from '../util.js';

export interface TocEntry { title: string; line: TextLine }

/** Table titles listed in the 目录: lines after a 目录 line on its page (and the next page while they continue). */
export function tocEntries(lines: TextLine[]): TocEntry[] {
  const start = lines.findIndex((l) => /^目录$/.test(compact(l.text)));
  if (start < 0) return [];
  const page = lines[start].page;
  const out: TocEntry[] = [];
  const seen = new Set<string>();
  for (let i = start + 1; i < lines.length && lines[i].page <= page + 1; i++) {
    const raw = compact(lines[i].text);
    let t = raw.replace(/[.…·．。\-—_]{3,}\d*$/, '').replace(/\d+$/, '');
    // The body starts where a line repeats one of the contents (text dumps have no page break) or
    // where running text begins.
    const core = titleCore(t) || t;
    if (seen.has(core) || (t.length > 45 && !/[.…·]{3,}/.test(raw))) break;
    // On the page after the 目录 page only numbered entries continue it.
    if (lines[i].page > page && !/^([一二三四五六七八九十]+、|\d+[.、．])/.test(t)) break;
    seen.add(core);
    // A title wrapped onto a short next line ("…培训费支" / "出预算表").
    const next = lines[i + 1] ? compact(lines[i + 1].text) : '';
    if (!/表$/.test(t) && next.length <= 6 && next.endsWith('表') && !/^[一二三四五六七八九十]+、/.test(next)) { t += next; i++; }
    if (lines[i].page > page && !isTableTitle(t)) break;
    // Section headings (第二部分 … 部门预算表, 五、部门预算表) are not tables.
    if (/^第[一二三四五六七八九十]+部分/.test(t) || /^(部门|单位)?(预算|决算)表$/.test(titleCore(t))) continue;
    if (isTableTitle(t)) out.push({ title: t, line: lines[i] });
  }
  return out;
}

/** Title without ordinals, 表号, years, departments and parenthesised notes, for comparing wordings. */
export function titleCore(t: string): string {
  return cleanTitle(t)
    .replace(/^(公开\d+表[:：]?|表(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]|[\d\-]+))/, '')
    .replace(/[（(][^)）]*[)）]/g, '')
    .replace(/^.*?20\d\d年度?/, '')
    .replace(/^(部门|单位|预算单位)/, '')
    .replace(/^.{2,20}?(人民法院|人民检察院|办公厅|委员会|局|厅|委|办|中心)(部门)?(?=.{4,}表$)/, '')
    .replace(/^(部门|单位|预算单位)/, '');
}

const STANDARD: Record<'budget' | 'final', { kind: TableKind; zh: string; alt?: RegExp }[]> = {
  budget: [
    { kind: 'budget_summary', zh: '收支预算总表' },
    { kind: 'income', zh: '收入预算总表' },
    { kind: 'expenditure', zh: '支出预算总表' },
    { kind: 'appropriation_summary', zh: '财政拨款收支预算总表' },
    { kind: 'general_budget_expenditure', zh: '一般公共预算支出预算表' },
    { kind: 'general_budget_basic', zh: '一般公共预算基本支出预算表' },
    { kind: 'three_public', zh: '“三公”经费支出预算表', alt: /三公/ },
    { kind: 'gov_fund_expenditure', zh: '政府性基金预算支出表' },
  ],
  final: [
    { kind: 'final_summary', zh: '收入支出决算总表' },
    { kind: 'final_income', zh: '收入决算表' },
    { kind: 'final_expenditure', zh: '支出决算表' },
    { kind: 'final_appropriation_summary', zh: '财政拨款收入支出决算总表' },
    { kind: 'final_general_budget_expenditure', zh: '一般公共预算财政拨款支出决算表' },
    { kind: 'final_general_budget_basic', zh: '一般公共预算财政拨款基本支出决算表' },
    { kind: 'final_three_public', zh: '财政拨款“三公”经费支出决算表', alt: /三公/ },
    { kind: 'final_gov_fund', zh: '政府性基金预算财政拨款收入支出决算表' },
  ],
};

export function tocFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  if (doc.tables.length === 0) return out;
  const entries = tocEntries(doc.narrative);
  const used = new Set<number>();
  for (const e of entries) {
    const kind = tableKind(e.title, doc.phase);
    const core = titleCore(e.title);
    let ti = -1;
    if (kind !== 'other') ti = doc.tables.findIndex((t, i) => !used.has(i) && t.kind === kind);
    if (ti < 0) {
      // 'other' tables (政府采购, 机关运行经费…) and kinds read differently: by wording.
      let best = -1, bestScore = 0;
      doc.tables.forEach((t, i) => {
        // A table of another known kind is another table, however alike the wording.
        if (used.has(i) || !t.title || (t.kind !== 'other' && t.kind !== kind)) return;
        const s = dice(core, titleCore(t.title));
        if (s > bestScore) { bestScore = s; best = i; }
      });
      if (bestScore >= 0.6) ti = best;
    }
    if (ti < 0) {
      out.push(finding({
        rule: 'toc.missing_table', severity: 'error',
        zh: `目录列出“${e.title}”，正文中没有这张表`, en: `the table of contents lists ${e.title}, which the document does not contain`,
        page: e.line.page, box: e.line.box, expected: e.title, actual: null,
      }));
      continue;
    }
    used.add(ti);
    const t = doc.tables[ti];
    const a = titleCore(e.title), b = titleCore(t.title);
    if (a && b && a !== b && !a.includes(b) && !b.includes(a)) {
      out.push(finding({
        rule: 'toc.title_mismatch', severity: dice(a, b) >= 0.7 ? 'info' : 'warning',
        zh: `目录中的“${e.title}”在第${t.pageStart}页印为“${t.title}”`, en: `table of contents title differs from the body title on page ${t.pageStart}`,
        page: t.pageStart, box: t.box, tableIndex: ti, expected: e.title, actual: t.title,
      }));
    }
  }
  // Standard tables of the phase: absent and not already reported as listed-but-missing.
  const known = doc.tables.filter((t) => t.kind !== 'other').length;
  if (doc.phase && known >= 3) {
    for (const s of STANDARD[doc.phase]) {
      const present = doc.tables.some((t) => t.kind === s.kind || (s.alt && s.alt.test(t.title)));
      const listed = entries.some((e) => tableKind(e.title, doc.phase) === s.kind || (s.alt && s.alt.test(e.title)));
      if (present || listed) continue;
      out.push(finding({
        rule: 'toc.missing_standard_table', severity: 'warning',
        zh: `${doc.phase === 'final' ? '决算' : '预算'}公开应有的“${s.zh}”在文件中没有找到`, en: `the standard table ${s.kind} is missing`,
        page: null, box: null, expected: s.zh, actual: null,
      }));
    }
  }
  return out;
}
