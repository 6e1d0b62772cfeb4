// code.name_mismatch: a function or economic code printed with a name that is not its reference name
// (src/domain/reference/, for the document's year). A name that is another code's reference name
// (a name printed with the wrong code, e.g. 30201 印刷费) is an error; a name merely worded
// differently is a warning when it shares little with the reference, else nothing.
import type { DocumentResult, Finding, LineItem } from '../../types.js';
import { ECON_REFERENCE, type RefName, type RefTable } from '../../domain/reference/econ.js';
import { FUNC_REFERENCE } from '../../domain/reference/func.js';
import { codeOf, referenceNames } from '../../domain/codes.js';
import { normLabel } from '../../domain/rowLabels.js';
import { dice, finding, tableRef } from '../util.js';
import { retiredNameOf } from './retired.js';

export const nameKey = (s: string) => normLabel(s).replace(/[()（）]/g, '').replace(/[、,，。;；:：]/g, '');

/** Codes whose reference name (any year) is `name`, in the same classification and at the same level. */
function codesNamed(name: string, like: string): string[] {
  const table: RefTable = like.startsWith('2') ? FUNC_REFERENCE : ECON_REFERENCE;
  const k = nameKey(name);
  return Object.entries(table).filter(([c, rs]) => c !== like && c.length === like.length && rs.some((r) => nameKey(r.name) === k)).map(([c]) => c);
}

export function nameMatches(printed: string, names: string[]): boolean {
  const p = nameKey(printed);
  return names.some((n) => {
    const r = nameKey(n);
    // Cut or wrapped labels keep the start; some tables add 支出/费 or drop them.
    return p === r || (p.length >= 4 && r.startsWith(p)) || (r.length >= 4 && p.startsWith(r)) || p.replace(/支出$/, '') === r.replace(/支出$/, '');
  });
}

export function codeFamily(doc: DocumentResult): Finding[] {
  const all: Finding[] = [];
  doc.tables.forEach((t, ti) => {
    const out: Finding[] = [];
    const rowOf = new Map<Finding, number>();
    const seen = new Set<string>();
    for (const it of t.items as LineItem[]) {
      const code = codeOf(it);
      const label = normLabel(it.label);
      if (!code || !label || seen.has(`${it.rowIndex}|${code}`)) continue;
      seen.add(`${it.rowIndex}|${code}`);
      const names = referenceNames(code, doc.year);
      if (names.length === 0 || nameMatches(label, names)) continue;
      if (retiredNameOf(code, label, doc.year)) continue; // code.retired_name reports it
      const best = Math.max(...names.map((n) => dice(nameKey(label), nameKey(n))));
      // The name of another code: certain when that code is printed with the same name in this table,
      // or when the name has nothing in common with the code's own.
      const inTable = (c: string) => t.items.some((x) => codeOf(x) === c && nameKey(x.label) === nameKey(label));
      const others = codesNamed(label, code).filter((c) => (c.slice(0, 3) === code.slice(0, 3) || c.length === 3) && (inTable(c) || best < 0.3));
      if (others.length === 0 && best >= 0.5) continue;
      out.push(finding({
        rule: 'code.name_mismatch', severity: others.length ? 'error' : 'warning',
        zh: others.length
          ? `${tableRef(t)}中科目 ${code} 印的名称“${label}”是科目 ${others.join('/')} 的名称，${code} 应为“${names[0]}”`
          : `${tableRef(t)}中科目 ${code} 的名称印为“${label}”，与《政府收支分类科目》的“${names[0]}”不同`,
        en: others.length ? `code ${code} is printed with the name of ${others.join('/')}` : `code ${code} is printed with a name unlike its reference name`,
        page: it.page, box: it.box, tableIndex: ti, expected: `${code} ${names[0]}`, actual: `${code} ${label}`,
      }));
      rowOf.set(out[out.length - 1], it.rowIndex);
    }
    all.push(...groupRuns(out, rowOf));
  });
  return all;
}

/** Rows apart at most this much still belong to one run of renumbered codes. */
const RUN_GAP = 2;
/** A run this long is one shifted block of codes, not separate mistakes (a swap of two rows stays two findings). */
const RUN_MIN = 3;

/** One root cause, one finding: a run of consecutive rows each printed with another code's name. */
function groupRuns(fs: Finding[], rowOf: Map<Finding, number>): Finding[] {
  const out: Finding[] = [];
  let run: Finding[] = [];
  const flush = () => {
    if (run.length >= RUN_MIN) {
      const f = run[0];
      out.push({
        ...f,
        message: `连续 ${run.length} 行科目编码与名称错位（编码可能整体移位）：${run.map((x) => `${x.actual}（应为${x.expected?.split(' ')[1] ?? ''}）`).join('、')} / ${run.length} consecutive rows print the names of other codes (a shifted run of codes): ${run.map((x) => x.actual).join(', ')}`,
        expected: run.map((x) => x.expected).join(' | '), actual: run.map((x) => x.actual).join(' | '),
      });
    } else out.push(...run);
    run = [];
  };
  for (const f of fs) {
    const prev = run.at(-1);
    if (f.severity !== 'error') { flush(); out.push(f); continue; }
    if (prev && rowOf.get(f)! - rowOf.get(prev)! > RUN_GAP) flush();
    run.push(f);
  }
  flush();
  return out;
}
