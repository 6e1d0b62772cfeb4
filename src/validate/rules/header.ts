// Headers and labels that name the wrong organisation or year.
//  - header.department_mismatch: a table's 部门：/编制单位： line, a title's department prefix, a section
//    heading (第二部分 X 2024年部门预算表) or a single unit row of a table names another organisation
//    than the document's (aliases of one organisation are the same: 信息中心 / 信息管理中心, 中共 / 中国共产党…);
//  - header.department_placeholder: XX局, ××单位, 某某 left from a template;
//  - header.blank_template: an unfilled template (placeholders or 由…填写 instructions, no amounts): one
//    warning for the document instead of one finding per heading;
//  - header.year_mismatch: a table title or a section heading with another year than the document's;
//  - header.unit_code_mismatch: the unit code (单位代码) printed differently across the tables of one unit;
//  - narrative.year_reference: "比2026年预算增加" in the 2026 budget (a comparison with its own or a later year).
import type { Box, DocumentResult, Finding, TextLine, UnitCodeCell } from '../../types.js';
import { departmentFromTitle, yearsIn } from '../../recognize/document.js';
import { compact } from '../../extract/normalize.js';
import { codeOf } from '../../domain/codes.js';
import { canonicalOrg, sameOrg } from '../../domain/departments.js';
import { normLabel } from '../../domain/rowLabels.js';
import { finding, tableRef } from '../util.js';

const ORG_END = /(省|市|区|县|局|厅|院|委|办|中心|会|部|署|所|站|馆|队|处|室|社|团|校|园|司|办事处|本级)$/;
export const PLACEHOLDER = /[XxＸｘ×*＊]{2,}|某某|[XxＸ×]+(局|厅|委|办|中心|单位|部门)|（单位名称）|\(单位名称\)/;

interface Mention {
  name: string;
  where: string;
  page: number;
  box: Box | null;
  tableIndex: number | null;
}

/** Section headings "第二部分 X 2024年部门预算表", the name possibly on the following lines. */
export function headingMentions(lines: TextLine[]): Mention[] {
  const out: Mention[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = compact(lines[i].text);
    const m = /^第[一二三四五六七八九十]+部分(.*)$/.exec(t);
    if (!m) continue;
    let text = m[1];
    const used = [lines[i]];
    // The name wraps onto the next lines of the same page (达州: 第一部分 / 达州市…信息 / 管理中心概况).
    for (let k = i + 1; k < Math.min(lines.length, i + 4) && !/(20\d\d年|概况|预算表|决算表|情况说明|名词解释|部门预算|部门决算)/.test(text); k++) {
      if (lines[k].page !== lines[i].page || /^第[一二三四五六七八九十]+部分/.test(compact(lines[k].text))) break;
      const next = compact(lines[k].text);
      if (next.length > 30) break;
      text += next;
      used.push(lines[k]);
    }
    const name = text.replace(/(20\d\d)年度?.*$/, '').replace(/(部门|单位)?(概况|预算表|决算表|预算情况说明|决算情况说明|情况说明|预算|决算)$/, '');
    // The evidence is the line printing the name (the heading may wrap it onto the next lines).
    const box = (used.find((l) => compact(l.text).includes(name.slice(0, 6))) ?? used[0]).box;
    if (name.length >= 4 && ORG_END.test(name)) out.push({ name, where: `第${lines[i].page}页标题「${compact(lines[i].text)}${text === m[1] ? '' : '…'}」`, page: lines[i].page, box, tableIndex: null });
  }
  return out;
}

/** Unit rows of a table: an uncoded row whose label is an organisation name (not a total or a class). */
function unitRows(doc: DocumentResult, ti: number) {
  const t = doc.tables[ti];
  const rows = new Map<number, { label: string; page: number; box: Box }>();
  for (const it of t.items) {
    if (codeOf(it)) continue;
    const l = normLabel(it.label);
    if (l.length < 5 || !ORG_END.test(l) || /支出|收入|合计|总计|小计|经费$/.test(l)) continue;
    if (!rows.has(it.rowIndex)) rows.set(it.rowIndex, { label: l, page: it.page, box: it.box });
  }
  return [...rows.values()];
}

/** Two names that differ by one inserted, deleted or replaced character (at least 5 characters long). */
export function oneEditApart(a: string, b: string): boolean {
  if (Math.min(a.length, b.length) < 5 || Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  let j = 0;
  while (j < a.length - i && j < b.length - i && a[a.length - 1 - j] === b[b.length - 1 - j]) j++;
  return a.length - i - j <= 1 && b.length - i - j <= 1;
}

/** Instructions to whoever fills the form in: 由各部门填写, 请填写…, （此处填写…）. */
const FILL_INSTRUCTION = /由.{0,20}?填[写报列]|请.{0,6}?填[写报列]|此处填[写报列]|填写说明/;

/**
 * An unfilled template: no amount in any table or in the text, and XX placeholders or 由…填写
 * instructions. Counts of each, or null for a filled document.
 */
export function blankTemplate(doc: DocumentResult): { placeholders: number; instructions: number; page: number } | null {
  if (doc.tables.some((t) => t.items.some((i) => i.amountFen !== 0))) return null;
  const lines = doc.narrative.map((l) => ({ l, t: compact(l.text) }));
  if (lines.some(({ t }) => /\d(?:[\d,]*\d)?(?:\.\d+)?(?:亿元|万元|千元|元)/.test(t))) return null;
  const ph = lines.filter(({ t }) => PLACEHOLDER.test(t));
  const ins = lines.filter(({ t }) => FILL_INSTRUCTION.test(t));
  const titled = doc.tables.filter((t) => PLACEHOLDER.test(compact(t.title)) || (t.departmentLabel !== null && PLACEHOLDER.test(compact(t.departmentLabel))));
  const placeholders = ph.length + titled.length;
  if (placeholders === 0 && ins.length === 0) return null;
  const first = [...ph, ...ins].map(({ l }) => l.page).concat(titled.map((t) => t.pageStart));
  return { placeholders, instructions: ins.length, page: Math.min(...first) };
}

function blankTemplateRule(doc: DocumentResult): Finding[] {
  const b = blankTemplate(doc);
  if (!b) return [];
  return [finding({
    rule: 'header.blank_template', severity: 'warning',
    zh: `本文件是未填写的模板：没有任何金额，有 ${b.placeholders} 处占位符（XX、某某）和 ${b.instructions} 处填写说明（由…填写）`,
    en: `the document is an unfilled template: no amounts, ${b.placeholders} placeholders and ${b.instructions} filling instructions`,
    page: b.page, expected: null, actual: null,
  })];
}

function departmentRules(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  // An unfilled template gets one notice (header.blank_template), not one finding per heading.
  if (blankTemplate(doc)) return out;
  const dept = doc.department;
  const ocrPages = new Set(doc.tables.filter((t) => t.source === 'ocr').flatMap((t) => Array.from({ length: t.pageEnd - t.pageStart + 1 }, (_, k) => t.pageStart + k)));
  const mentions: Mention[] = [];
  doc.tables.forEach((t, ti) => {
    if (t.departmentLabel) mentions.push({ name: t.departmentLabel, where: `${tableRef(t)}的“部门：”行`, page: t.pageStart, box: t.box, tableIndex: ti });
    const fromTitle = t.title ? departmentFromTitle(t.title) : null;
    if (fromTitle) mentions.push({ name: fromTitle, where: `${tableRef(t)}的标题`, page: t.pageStart, box: t.box, tableIndex: ti });
  });
  mentions.push(...headingMentions(doc.narrative));
  // Single-unit documents: each table lists at most one unit row; every one must be the document's unit.
  const perTable = doc.tables.map((_, ti) => unitRows(doc, ti));
  if (perTable.every((r) => r.length <= 1)) {
    perTable.forEach((rows, ti) => {
      for (const r of rows) mentions.push({ name: r.label, where: `${tableRef(doc.tables[ti])}的单位行`, page: r.page, box: r.box, tableIndex: ti });
    });
  }
  for (const m of mentions) {
    if (PLACEHOLDER.test(compact(m.name))) {
      out.push(finding({
        rule: 'header.department_placeholder', severity: 'error',
        zh: `${m.where}印的部门名称“${m.name}”是模板占位符`, en: `placeholder department name in ${m.where}`,
        page: m.page, box: m.box, tableIndex: m.tableIndex, expected: dept, actual: m.name,
      }));
      continue;
    }
    if (!dept || sameOrg(m.name, dept)) continue;
    // On a page read by OCR, a name one character off the document's (江苏省政协办公打) is a misreading
    // far more often than another organisation: reported, but not as an error.
    const misread = ocrPages.has(m.page) && oneEditApart(canonicalOrg(m.name), canonicalOrg(dept));
    out.push(finding({
      rule: 'header.department_mismatch', severity: misread ? 'info' : 'error',
      zh: `${m.where}印为“${m.name}”，本文件是“${dept}”的${doc.phase === 'final' ? '决算' : '预算'}${misread ? '（OCR 识别，仅差一字，可能是误识）' : ''}`,
      en: `${m.where} names ${m.name}, not the document's department ${dept}${misread ? ' (read by OCR, one character off: probably a misreading)' : ''}`,
      page: m.page, box: m.box, tableIndex: m.tableIndex, expected: dept, actual: m.name,
    }));
  }
  return out;
}

function yearRules(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const year = doc.year;
  if (!year) return out;
  doc.tables.forEach((t, ti) => {
    // Years in the title itself; "(2024 年度)" counts, a prior-year column does not (it is not in the title).
    const ys = yearsIn(t.title).filter((y) => y !== year);
    if (ys.length && !/上年|以前年度/.test(t.title)) {
      out.push(finding({
        rule: 'header.year_mismatch', severity: 'error',
        zh: `${tableRef(t)}标题中的年份 ${ys[0]} 与文件年度 ${year} 不符`, en: `the title of ${t.kind} says ${ys[0]}, the document is for ${year}`,
        page: t.pageStart, box: t.box, tableIndex: ti, expected: String(year), actual: String(ys[0]),
      }));
    }
  });
  doc.narrative.forEach((l) => {
    const t = compact(l.text);
    // Headings: "2024年部门预算表", "2024年度部门预算情况说明", "X 2024 年部门预算" (short lines only).
    if (t.length <= 40 && /^.{0,30}?(20\d\d)年度?(部门|单位)?(预算|决算)(表|情况说明|公开)?$/.test(t) && !/上年|比/.test(t)) {
      const y = yearsIn(t)[0];
      // A 决算 of year N is published in N+1 and may say so on its cover.
      if (y && y !== year && !(doc.phase === 'final' && /^\d{4}年\d{1,2}月/.test(t))) {
        out.push(finding({
          rule: 'header.year_mismatch', severity: 'error',
          zh: `第${l.page}页标题“${t}”的年份 ${y} 与文件年度 ${year} 不符`, en: `heading on page ${l.page} says ${y}, the document is for ${year}`,
          page: l.page, box: l.box, expected: String(year), actual: String(y),
        }));
      }
    }
    // "比2026年预算增加" in the 2026 budget: a comparison must be with an earlier year.
    if (doc.phase === 'budget') {
      for (const m of t.matchAll(/(?:比|较|与)(20\d\d)年(?:度)?(?:预算|执行|决算)?(?:数)?(?:相比)?(?:增加|减少|增长|下降|持平)/g)) {
        const y = Number(m[1]);
        if (y >= year) {
          out.push(finding({
            rule: 'narrative.year_reference', severity: 'error',
            zh: `第${l.page}页“${m[0]}”：${year}年预算应与上一年度（${year - 1}年）比较`, en: `page ${l.page} compares the ${year} budget with ${y}; expected ${year - 1}`,
            page: l.page, box: l.box, expected: String(year - 1), actual: String(y),
          }));
        }
      }
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Unit codes: the recognizer keeps the 单位代码 cells of each table (RecognizedTable.unitCodes).

/** Unit codes per table index. */
export function unitCodesOf(doc: DocumentResult): Map<number, UnitCodeCell[]> {
  const out = new Map<number, UnitCodeCell[]>();
  doc.tables.forEach((t, ti) => { if (t.unitCodes?.length) out.set(ti, t.unitCodes); });
  return out;
}

function unitCodeRule(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const per = unitCodesOf(doc);
  // Only for single-unit documents: every table prints one unit code.
  if (per.size < 2 || [...per.values()].some((cs) => new Set(cs.map((c) => c.code)).size > 1)) return out;
  const counts = new Map<string, number>();
  for (const cs of per.values()) counts.set(cs[0].code, (counts.get(cs[0].code) ?? 0) + 1);
  if (counts.size < 2) return out;
  const [major] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0];
  for (const [ti, cs] of per) {
    const c = cs[0];
    if (c.code === major) continue;
    out.push(finding({
      rule: 'header.unit_code_mismatch', severity: 'error',
      zh: `${tableRef(doc.tables[ti])}的单位代码印为 ${c.code}，本单位其他 ${counts.get(major)} 张表为 ${major}`,
      en: `unit code ${c.code} in ${doc.tables[ti].kind}; the unit's other tables print ${major}`,
      page: c.page, box: c.box, tableIndex: ti, expected: major, actual: c.code,
    }));
  }
  return out;
}

export function headerFamily(doc: DocumentResult): Finding[] {
  return [...blankTemplateRule(doc), ...departmentRules(doc), ...yearRules(doc), ...unitCodeRule(doc)];
}
