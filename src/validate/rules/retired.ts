// code.retired_name: a classification name retired before the document's year (医疗卫生与计划生育支出,
// renamed 卫生健康支出 from 2019), printed with its code in a table or named in the narrative. The
// reference names carry the years they apply to (src/validate/reference/).
import type { DocumentResult, Finding } from '../../types.js';
import { ECON_REFERENCE, type RefName, type RefTable } from '../../domain/reference/econ.js';
import { FUNC_REFERENCE } from '../../domain/reference/func.js';
import { codeOf } from '../../domain/codes.js';
import { normLabel } from '../../domain/rowLabels.js';
import { finding, tableRef } from '../util.js';
import { lineAt } from './narrative.js';
import { prose } from './prose.js';
import { nameKey } from './codes.js';

interface Retired { code: string; name: string; to: number; now: string[] }

const applies = (r: RefName, year: number) => (r.from ?? 0) <= year && year <= (r.to ?? 9999);

const cache = new Map<string, Retired[]>();

/** Names of `table` no longer in use in `year`, with the names that replaced them (computed once per year). */
function retiredNames(table: RefTable, year: number): Retired[] {
  const key = `${table === FUNC_REFERENCE ? 'func' : 'econ'}|${year}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = computeRetired(table, year);
  cache.set(key, out);
  return out;
}

function computeRetired(table: RefTable, year: number): Retired[] {
  const current = new Set(Object.values(table).flatMap((rs) => rs.filter((r) => applies(r, year)).map((r) => nameKey(r.name))));
  const out: Retired[] = [];
  for (const [code, rs] of Object.entries(table)) {
    const now = rs.filter((r) => applies(r, year)).map((r) => r.name);
    for (const r of rs) if (r.to !== undefined && r.to < year && now.length && !current.has(nameKey(r.name))) out.push({ code, name: r.name, to: r.to, now });
  }
  return out;
}

/** Is `label` a name of `code` retired before `year`? (the retired entry, or null) */
export function retiredNameOf(code: string, label: string, year: number | null): Retired | null {
  if (year === null) return null;
  const table = code.startsWith('2') ? FUNC_REFERENCE : ECON_REFERENCE;
  const k = nameKey(label);
  return retiredNames(table, year).find((r) => r.code === code && nameKey(r.name) === k) ?? null;
}

/** Right after the change a document may keep the old name: a year's grace is only a warning. */
const severityOf = (r: Retired, year: number) => (year >= r.to + 2 ? 'error' as const : 'warning' as const);

export function retiredFamily(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  const year = doc.year;
  if (!year) return out;
  doc.tables.forEach((t, ti) => {
    const seen = new Set<string>();
    for (const it of t.items) {
      const code = codeOf(it);
      if (!code || seen.has(`${it.rowIndex}|${code}`)) continue;
      seen.add(`${it.rowIndex}|${code}`);
      const r = retiredNameOf(code, it.label, year);
      if (!r) continue;
      out.push(finding({
        rule: 'code.retired_name', severity: severityOf(r, year),
        zh: `${tableRef(t)}中科目 ${code} 印为“${normLabel(it.label)}”，该名称 ${r.to + 1} 年起已改为“${r.now[0]}”`,
        en: `code ${code} is printed with its name retired after ${r.to} (now ${r.now[0]})`,
        page: it.page, box: it.box, tableIndex: ti, expected: `${code} ${r.now[0]}`, actual: `${code} ${normLabel(it.label)}`,
      }));
    }
  });
  // The narrative: "医疗卫生与计划生育支出（210类）…" in a 2026 budget. Function classes, 款 and 项 only.
  const text = prose(doc);
  const seen = new Set<string>();
  for (const r of retiredNames(FUNC_REFERENCE, year)) {
    if (r.name.length < 5) continue;
    // As a classification name: marked (类)/(款)/(项) or with its code, not a phrase of a sentence
    // ("用于行政事业单位离退休方面的支出").
    const esc = r.name.replace(/[()（）]/g, '.');
    const m = new RegExp(`${esc}(?:支出)?[（(](?:类|款|项|\\d{3,7})`).exec(text.s);
    const at = m ? m.index : -1;
    if (at < 0 || seen.has(r.name)) continue;
    seen.add(r.name);
    const line = lineAt(text, at);
    out.push(finding({
      rule: 'code.retired_name', severity: severityOf(r, year),
      zh: `第${line.page}页说明中的“${r.name}”（${r.code}）${r.to + 1} 年起已改为“${r.now[0]}”，本文件是 ${year} 年的`,
      en: `page ${line.page} names ${r.code} ${r.name}, retired after ${r.to} (now ${r.now[0]})`,
      page: line.page, box: line.box, expected: `${r.code} ${r.now[0]}`, actual: `${r.code} ${r.name}`,
    }));
  }
  return out;
}
