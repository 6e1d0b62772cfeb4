// Document metadata: phase (预算/决算), year and department, from the cover, meta lines and titles.
import type { TextLine } from '../types.js';

const DEPT_LINE = /(?:编制部门|预算部门|部门名称|部门|预算单位|编制单位|单位名称)[:：]\s*(.+)$/;

/** The department printed on a 部门：/编制单位： line ("部门:江苏省人民检察院单位:万元" → 江苏省人民检察院). */
export function departmentFromLine(text: string): string | null {
  const t = text.replace(/\s/g, '');
  const m = DEPT_LINE.exec(t);
  if (!m) return null;
  let d = m[1]
    .replace(/(金额)?单位[:：].*$/, '')
    .replace(/(20\d\d年.*)$/, '')
    .replace(/[（(]?(万元|元)[)）]?$/, '')
    .replace(/[,，;；。]$/, '');
  d = d.replace(/^[:：]/, '');
  if (d.length < 2 || /^\d+$/.test(d) || /^(万元|元)$/.test(d)) return null;
  return d;
}

export function yearsIn(text: string): number[] {
  return [...text.replace(/\s/g, '').matchAll(/(20\d\d)年/g)].map((m) => Number(m[1]));
}

function mostCommon<T>(xs: T[]): T | null {
  const counts = new Map<T, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  let best: T | null = null, n = 0;
  for (const [x, c] of counts) if (c > n) { best = x; n = c; }
  return best;
}

const ORG_END = /(省|市|区|县|局|厅|院|委|办|中心|会|部|署|所|站|馆|队|处|室|社|团|校|园|司|办事处)$/;

/** A department named on the cover: "X2024年部门预算", "2018年度X预算公开", wrapped over lines. */
export function departmentFromCover(lines: TextLine[]): string | null {
  if (lines.length === 0) return null;
  const first = Math.min(...lines.map((x) => x.page));
  const cover = lines.filter((l) => l.page === first).map((l) => l.text.replace(/\s/g, ''))
    .filter((t) => !/^\d{4}年\d{1,2}月(\d{1,2}日)?$/.test(t) && !/^[-—\d\s]+$/.test(t) && !/^目录$/.test(t));
  const joined = cover.join('');
  const before = /(?:^|[^\p{Script=Han}])?([\p{Script=Han}（）()]{4,40}?)(20\d\d)年度?(部门|单位)?(预算|决算)/u.exec(joined);
  const strip = (d: string) => d.replace(/^第[一二三四五六七八九十]+部分/, '').replace(/[（(].*$/, '');
  if (before && ORG_END.test(strip(before[1]))) return strip(before[1]);
  const after = /(20\d\d)年度?([\p{Script=Han}（）()]{4,40}?)(部门|单位)?(预算|决算)/u.exec(joined);
  if (after && ORG_END.test(strip(after[2]))) return strip(after[2]);
  return null;
}

/** Department prefix of a table title ("江苏省高级人民法院2017年收支预算总表"). */
export function departmentFromTitle(title: string): string | null {
  const t = title.replace(/\s/g, '').replace(/^[一二三四五六七八九十]+、/, '').replace(/^第[一二三四五六七八九十]+部分/, '');
  const m = /^(.{4,40}?)(20\d\d)年(度)?/.exec(t);
  if (m && ORG_END.test(m[1])) return m[1];
  // "2018年度江苏省高级人民法院收支预算总表"
  const a = /^(20\d\d)年度?(.{4,40}?)(部门)?(收支|收入|支出|财政拨款|一般公共|政府性|国有资本|[“"]?三公|机关运行|政府采购)/.exec(t);
  if (a && ORG_END.test(a[2])) return a[2];
  return null;
}

export interface DocMeta {
  phase: 'budget' | 'final' | null;
  year: number | null;
  department: string | null;
}

/** How many lines from the start count as the document's opening (title, cover, first heading). */
const FIRST_LINES = 60;

export function documentMeta(input: { lines: TextLine[]; titles: string[]; deptLabels: string[]; fileName: string }): DocMeta {
  const all = [...input.titles, ...input.lines.slice(0, 60).map((l) => l.text), input.fileName].join('\n');
  const nFinal = (all.match(/决算/g) ?? []).length;
  const nBudget = (all.match(/预算/g) ?? []).length;
  const phase = nFinal === 0 && nBudget === 0 ? null : nFinal > nBudget / 3 && nFinal > 0 ? 'final' : 'budget';

  const firstPage = Math.min(...input.lines.map((l) => l.page), Infinity);
  const coverYears = input.lines.filter((l) => l.page === firstPage).flatMap((l) => yearsIn(l.text));
  const titleYears = input.titles.flatMap(yearsIn);
  const fileYears = yearsIn(input.fileName).concat([...input.fileName.matchAll(/(?<!\d)(\d{2})年/g)].map((m) => 2000 + Number(m[1])));
  // Documents without tables (tables published apart) have only their cover and first lines to go by.
  const head = input.lines.slice(0, FIRST_LINES);
  const headYears = head.flatMap((l) => yearsIn(l.text));
  const year = coverYears[0] ?? mostCommon(titleYears) ?? mostCommon(headYears) ?? fileYears[0] ?? null;

  const department = mostCommon(input.deptLabels.filter(Boolean))
    ?? departmentFromCover(input.lines)
    ?? mostCommon(input.titles.map(departmentFromTitle).filter((d): d is string => d !== null))
    ?? head.map((l) => departmentFromCover([l])).find((d): d is string => d !== null)
    ?? departmentFromTitle(input.fileName.replace(/\.[a-z]+$/i, ''))
    ?? null;
  return { phase, year, department };
}
