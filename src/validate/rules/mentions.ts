// Where the narrative names the document itself: the department and the year it prints there.
//  - mention.department: a page header, a heading line above a table title, a 部门名称/编制单位 line or a
//    sentence that names the document's own unit ("X2024年度收入、支出决算总计…", "截至…，X共有车辆")
//    with another organisation, the same name at another administrative level (上海市财政局 in the
//    document of 上海市普陀区财政局), or a one-character variant of the unit's own name anywhere
//    (发展与改革委员会 for 发展和改革委员会);
//  - mention.year: a date or a scope that refers to the document itself but is not its year
//    ("截至2023年12月31日" in the 2024 final account, "纳入本部门2020年部门预算编制范围" in a 2021 budget).
// Comparisons with other years (比2023年预算, 上年) are not self-references and are left alone.
import type { Box, DocumentResult, Finding, TextLine } from '../../types.js';
import { departmentFromLine } from '../../recognize/document.js';
import { headingMentions, oneEditApart, PLACEHOLDER } from './header.js';
import { canonicalOrg, sameOrg } from '../../domain/departments.js';
import { compact } from '../../extract/normalize.js';
import { finding } from '../util.js';
import { lineAt, type Text } from './narrative.js';
import { compactLines } from './prose.js';

const ORG_END = /(省|市|区|县|局|厅|院|委|办|中心|会|部|署|所|站|馆|队|处|室|社|团|校|园|司|办事处)$/;
/** Words of a line that is not a name alone (a heading of the narrative, a title, a sentence). */
const NOT_A_NAME = /\d|支出|收入|预算|决算|情况|说明|目录|表|概况|职能|解释|名词|部分|单位[:：]|万元|[，。；：:、]/;
/** Words in front of a name that are not part of it. */
const LEAD = /^(其中|根据|按照|经|由|全|本年|今年|另外|此外|同时|现将|以下|我们|即|含|本表反映|反映)/;

/** Pages whose tables were read by OCR (a one-character difference there is more likely a misreading). */
function ocrPages(doc: DocumentResult): Set<number> {
  return new Set(doc.tables.filter((t) => t.source === 'ocr').flatMap((t) => Array.from({ length: t.pageEnd - t.pageStart + 1 }, (_, k) => t.pageStart + k)));
}

export interface NameMention { name: string; line: TextLine; where: string; heading: boolean; pos?: number }

/** Strip what wraps a unit's name: （部门）, 部门, 本级, leading connectives. */
export function bareName(s: string): string {
  return s.replace(/[（(](部门|单位|本级)[)）]$/, '').replace(/(部门|单位|本级)$/, '')
    .replace(/^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])/, '').replace(LEAD, '');
}

const mentionCache = new WeakMap<DocumentResult, NameMention[]>();

/** The mentions of a unit's own name in the narrative: name-only headings and self-naming sentences. */
export function nameMentions(doc: DocumentResult): NameMention[] {
  const hit = mentionCache.get(doc);
  if (hit) return hit;
  const out = findMentions(doc);
  mentionCache.set(doc, out);
  return out;
}

function findMentions(doc: DocumentResult): NameMention[] {
  const out: NameMention[] = [];
  const lines = doc.narrative;
  const titles = new Set(doc.tables.map((t) => compact(t.title)).filter(Boolean));
  const firstOfPage = new Set<TextLine>();
  let page = -1;
  for (const l of lines) if (l.page !== page) { firstOfPage.add(l); page = l.page; }
  const cls = compactLines(doc);
  lines.forEach((l, i) => {
    const t = cls[i];
    const d = departmentFromLine(l.text);
    if (d && /(部门名称|编制单位|单位名称|编制部门)[:：]/.test(t)) {
      out.push({ name: bareName(d), line: l, where: `第${l.page}页“${t.slice(0, 30)}”`, heading: true });
      return;
    }
    // A line holding a name alone: a page header, or the heading line right above a table title.
    const name = bareName(t);
    if (name.length >= 5 && name.length <= 30 && ORG_END.test(name) && !NOT_A_NAME.test(name)) {
      const next = lines[i + 1];
      const aboveTitle = next && next.page === l.page && (titles.has(compact(next.text)) || /表$/.test(compact(next.text)));
      if (firstOfPage.has(l) || aboveTitle) {
        out.push({ name, line: l, where: `第${l.page}页${aboveTitle ? '表题上方' : '页眉'}“${t}”`, heading: true });
        return;
      }
    }
  });
  // Sentences naming the unit: "X2024年度收入…", "X（部门）2024年…", "，X共有车辆" (over the joined text:
  // a line may start in the middle of a name).
  const text = proseWithBreaks(doc);
  // The words that follow a self-naming name; the name is what precedes them back to a delimiter.
  const after = /(?:[（(]部门[)）])?(?:(?:部门)?20\d\d年度?(?:部门|单位)?(?:预算|决算|收入|支出|收支|财政拨款|一般公共预算|“三公”|机关运行|政府采购)|共有车辆|部门(?:预算|决算))/g;
  for (const m of text.s.matchAll(after)) {
    const end = m.index!;
    const back = text.s.slice(Math.max(0, end - 31), end);
    const cut = Math.max(...['\n', '，', ',', '。', '；', ';', '：', ':', '、', '“', '”'].map((d) => back.lastIndexOf(d)));
    if (cut < 0 && end > 30) continue;
    const raw = back.slice(cut + 1);
    if (raw.length < 4 || !/^[\p{Script=Han}（）()]+$/u.test(raw)) continue;
    // A heading glued in front ("…测算分析情况第二部分省人大办公厅") ends at its last heading word.
    const n = bareName(raw.replace(/^.*(情况|说明|概况|部分|表|反映)/, ''));
    if (n.length < 5 || !ORG_END.test(n) || /^(本|我|该)/.test(n)) continue;
    const pos = end - raw.length;
    const line = lineAt(text, pos);
    out.push({ name: n, line, where: `第${line.page}页“${text.s.slice(pos, pos + 40)}”`, heading: false, pos });
  }
  return out;
}

/**
 * The narrative joined into one string: a line wrapped mid-sentence is joined to the next as it is,
 * but a line ending a sentence, or a short line (a heading), ends with a line break.
 */
function proseWithBreaks(doc: DocumentResult): Text {
  let s = '';
  const at: Text['at'] = [];
  const ls = compactLines(doc);
  doc.narrative.forEach((l, i) => {
    const t = ls[i];
    at.push({ start: s.length, line: l });
    s += t;
    if (/[。；;：:，,]$/.test(t) || t.length < 20) s += '\n';
  });
  return { s, at };
}

const sameCache = new Map<string, boolean>();
/** sameOrg, remembered: a document names itself the same way hundreds of times. */
function isSelf(name: string, dept: string): boolean {
  const k = `${name}|${dept}`;
  let v = sameCache.get(k);
  if (v === undefined) {
    if (sameCache.size > 10_000) sameCache.clear();
    sameCache.set(k, (v = sameOrg(name, dept)));
  }
  return v;
}

/** The place part in front of a unit's bare name ("上海市普陀区" of 上海市普陀区财政局). */
function placeOf(name: string): string {
  return /^(.{0,6}?(?:省|自治区|市|州|盟|地区))?(.{0,6}?(?:区|县|旗))?/u.exec(canonicalOrg(name))![0];
}

function departmentRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const dept = doc.department;
  if (!dept || PLACEHOLDER.test(dept)) return out;
  const ocr = ocrPages(doc);
  const seen = new Set<string>();
  const variantSeen = new Set<string>();
  // Already reported by header.department_mismatch: 第N部分 headings and the tables' 部门： lines.
  const reported = new Set([
    ...headingMentions(doc.narrative).map((h) => `${h.page}|${h.name}`),
    ...doc.tables.filter((t) => t.departmentLabel).map((t) => `${t.pageStart}|${t.departmentLabel}`),
  ]);
  for (const m of nameMentions(doc)) {
    if (PLACEHOLDER.test(m.name) || isSelf(m.name, dept) || reported.has(`${m.line.page}|${m.name}`)) continue;
    const a = canonicalOrg(m.name), b = canonicalOrg(dept);
    const variant = oneEditApart(a, b) || oneEditApart(m.name, dept);
    if (variant) variantSeen.add(m.name);
    const pa = placeOf(m.name), pb = placeOf(dept);
    const level = pa !== pb && a.slice(pa.length) === b.slice(pb.length);
    const key = `${m.name}|${m.line.page}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A sentence may name another unit in passing; a heading or a line naming the unit's own figures may not.
    const misread = ocr.has(m.line.page) && variant;
    // In a sentence only a connective misprint is sure (根据上海市财政局2025年预算编制要求 is a reference).
    const sure = m.heading || (variant && CONNECTIVE.test(editedChars(m.name, dept)));
    const severity = misread ? 'info' as const : sure ? 'error' as const : 'warning' as const;
    const kind = variant ? '与本单位名称仅差一字' : level ? '是同名单位的另一级' : '是另一单位';
    out.push(finding({
      rule: 'mention.department', severity,
      zh: `${m.where}所印单位名称“${m.name}”${kind}，本文件是“${dept}”的${doc.phase === 'final' ? '决算' : '预算'}${misread ? '（OCR 识别，可能是误识）' : ''}`,
      en: `${m.where.replace(/第(\d+)页/, 'page $1 ')} names ${m.name}: ${variant ? 'one character off the unit\'s own name' : level ? 'the same name at another administrative level' : 'another organisation'} (the document is ${dept}'s)`,
      page: m.line.page, box: m.line.box, expected: dept, actual: m.name,
    }));
  }
  out.push(...variantsAnywhere(doc, dept, ocr, variantSeen));
  return out;
}

const CONNECTIVE = /^[和与及暨、·]+$/;

/** The characters two names one edit apart differ by (both sides of a replacement). */
function editedChars(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return a.slice(i, a.length - j) + b.slice(i, b.length - j);
}

/** A one-character variant of the unit's own name anywhere in the prose (发展与改革 for 发展和改革). */
function variantsAnywhere(doc: DocumentResult, dept: string, ocr: Set<number>, already: Set<string>): Finding[] {
  const out: Finding[] = [];
  const own = compact(dept);
  if (own.length < 6) return out;
  const found = new Map<string, TextLine>();
  const head = own.slice(0, 3), tail = own.slice(-3);
  const at = (t: string, w: string) => { const xs: number[] = []; for (let i = t.indexOf(w); i >= 0; i = t.indexOf(w, i + 1)) xs.push(i); return xs; };
  const cls = compactLines(doc);
  for (const [li, l] of doc.narrative.entries()) {
    const t = cls[li];
    // Windows anchored on the name's first or last three characters.
    const heads = at(t, head);
    const tails = at(t, tail).map((i) => i + 3);
    if (heads.length === 0 && tails.length === 0) continue;
    const cands: string[] = [];
    for (const h of heads) for (const n of [own.length - 1, own.length, own.length + 1]) if (h + n <= t.length) cands.push(t.slice(h, h + n));
    for (const e of tails) for (const n of [own.length - 1, own.length, own.length + 1]) if (e - n >= 0) cands.push(t.slice(e - n, e));
    for (const c of cands) {
      if (c === own || !oneEditApart(c, own) || t.includes(own) && own.includes(c)) continue;
      // Cut names (the rest of the name on the next line) and names followed by more text are not variants.
      if (own.startsWith(c) || own.endsWith(c) || c.startsWith(own) || c.endsWith(own)) continue;
      if (!/\p{Script=Han}$/u.test(c) || !/^\p{Script=Han}/u.test(c)) continue;
      // Outside the places where the unit names itself, only a connective differing (发展与改革 for
      // 发展和改革) is surely the unit's own name misprinted: 教育局 / 体育局 are two bureaus.
      if (!CONNECTIVE.test(editedChars(c, own))) continue;
      if (!found.has(c)) found.set(c, l);
    }
  }
  for (const [c, l] of found) {
    if (already.has(c)) continue;
    const misread = ocr.has(l.page);
    out.push(finding({
      rule: 'mention.department', severity: misread ? 'info' : 'error',
      zh: `第${l.page}页“${c}”与本单位名称“${dept}”仅差一字${misread ? '（OCR 识别，可能是误识）' : ''}`,
      en: `page ${l.page} prints ${c}, one character off the unit's own name ${dept}`,
      page: l.page, box: l.box, expected: dept, actual: c,
    }));
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// Years of self-references.

interface YearHit { year: number; expect: string; line: TextLine; text: string; severity: 'error' | 'warning' }

function yearHits(doc: DocumentResult): YearHit[] {
  const Y = doc.year;
  const out: YearHit[] = [];
  if (!Y || !doc.phase) return out;
  const cls = compactLines(doc);
  for (const [li, l] of doc.narrative.entries()) {
    const t = cls[li];
    // 截至 a date: a budget of Y is prepared in Y−1 (截至Y−1年8月31日); a final account of Y counts to Y-12-31.
    for (const m of t.matchAll(/截[至止](20\d\d)年(\d{1,2})月(?:(\d{1,2})日)?/g)) {
      const y = Number(m[1]), mon = Number(m[2]);
      const ok = doc.phase === 'budget' ? y === Y - 1 || y === Y : y === Y || (y === Y + 1 && !(mon === 12 && m[3] === '31'));
      if (ok) continue;
      // Vehicles and assets held "as at" a date describe the unit now: surely the document's own date.
      const own = /车辆|资产|占用|房屋|实有人数|编制/.test(t.slice(m.index!, m.index! + 60));
      out.push({ year: y, expect: doc.phase === 'budget' ? `${Y - 1}` : `${Y}`, line: l, text: m[0], severity: own ? 'error' : 'warning' });
    }
    // The document's own scope: "纳入本部门2020年部门预算编制范围".
    for (const m of t.matchAll(/纳入(?:本部门|本单位|本级)?(20\d\d)年度?(?:部门|单位)?(?:汇总)?(预算|决算)/g)) {
      const y = Number(m[1]);
      if (y !== Y) out.push({ year: y, expect: `${Y}`, line: l, text: m[0], severity: 'error' });
    }
  }
  // The unit's own name with a year and its own totals: "X2023年度收入、支出决算总计…" in the 2024 final.
  const joined = nameMentions(doc).length ? proseWithBreaks(doc).s : '';
  for (const mm of nameMentions(doc)) {
    if (mm.heading || mm.pos === undefined || !doc.department || !isSelf(mm.name, doc.department)) continue;
    const at = joined.indexOf(mm.name, mm.pos);
    const after = at >= 0 ? joined.slice(at + mm.name.length, at + mm.name.length + 60) : '';
    const m = /^(?:[（(]部门[)）]|部门)?(20\d\d)年度?(?:部门|单位)?(?:收入|支出|收支|财政拨款|一般公共预算)*(?:、?(?:收入|支出))*(预算|决算)(?:收支|收入|支出)?(?:总计|总额|总数|总体情况|情况|公开)/.exec(after);
    if (!m || /执行|上年/.test(m[0])) continue;
    if ((m[2] === '决算') !== (doc.phase === 'final')) continue;
    const y = Number(m[1]);
    if (y !== Y) out.push({ year: y, expect: `${Y}`, line: mm.line, text: mm.name + m[0], severity: 'error' });
  }
  return out;
}

function yearRule(doc: DocumentResult): Finding[] {
  return yearHits(doc).map((h) => finding({
    rule: 'mention.year', severity: h.severity,
    zh: `第${h.line.page}页“${h.text}”指本文件自身，年份应为 ${h.expect}（本文件是 ${doc.year} 年${doc.phase === 'final' ? '决算' : '预算'}）`,
    en: `page ${h.line.page} "${h.text}" refers to the document itself but says ${h.year}; expected ${h.expect}`,
    page: h.line.page, box: h.line.box as Box, expected: h.expect, actual: String(h.year),
  }));
}

export function mentionFamily(doc: DocumentResult): Finding[] {
  return [...departmentRule(doc), ...yearRule(doc)];
}
