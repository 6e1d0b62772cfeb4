// Function (功能分类) and economic (经济分类) classification codes: which system a code belongs to,
// joining a code printed over 类/款/项 cells, a code at the start of a label, a class code from its
// name, and the reference names of codes (domain/reference/: the one source of code names).
import { ECON_REFERENCE, type RefName, type RefTable } from './reference/econ.js';
import { FUNC_REFERENCE } from './reference/func.js';

export type CodeSystem = 'func' | 'econ';

/** A code of 3 (类), 5 (款) or 7 (项) digits. */
const CODE = /^\d{3}(\d{2}){0,2}$/;

/** Which classification a code belongs to, from its first digit (2xx 功能, 3xx/5xx 经济). */
export function codeSystem(code: string): CodeSystem | null {
  if (!CODE.test(code)) return null;
  if (code[0] === '2') return 'func';
  if (code[0] === '3' || code[0] === '5') return 'econ';
  return null;
}

/** The code of a line item, whichever classification it is in. */
export const codeOf = (it: { funcCode: string | null; econCode: string | null }): string | null => it.funcCode ?? it.econCode;

/**
 * Join a code printed in one cell or split over 类/款/项 cells. Split parts that lost their
 * leading zero ("301 | 2") are padded: 301 + 2 → 30102.
 */
export function joinCode(parts: string[]): string | null {
  const ps = parts.map((p) => p.replace(/\s/g, '')).filter((p) => p.length > 0);
  if (ps.length === 0) return null;
  if (ps.length === 1) {
    const p = ps[0];
    return CODE.test(p) ? p : null;
  }
  if (!/^\d{3}$/.test(ps[0]) && !CODE.test(ps[0])) return null;
  let code = ps[0];
  for (const p of ps.slice(1)) {
    if (!/^\d{1,2}$/.test(p)) return null;
    code += p.padStart(2, '0');
  }
  return code.length <= 7 ? code : null;
}

/** A code at the start of a label cell: "2080505 机关事业单位…", "[201]一般公共服务支出". */
export function splitLeadingCode(text: string): { code: string | null; rest: string } {
  // The code must be followed by a space, a bracket or a Han character: "326.71" is an amount.
  const m = /^\[?(\d{3}(?:\s?\d{2}){0,2})\]?(?:\s+|(?=[\p{Script=Han}（(])|$)(.*)$/u.exec(text.trim());
  if (m) {
    const code = m[1].replace(/\s/g, '');
    if (CODE.test(code) && codeSystem(code)) return { code, rest: m[2].trim() };
  }
  return { code: null, rest: text.trim() };
}

const referenceOf = (code: string): RefTable => (code.startsWith('2') ? FUNC_REFERENCE : ECON_REFERENCE);
const applies = (r: RefName, year: number | null) => year === null || ((r.from ?? 0) <= year && year <= (r.to ?? 9999));

/** Reference names of a code for a year (all years when none apply, e.g. a code renamed later). */
export function referenceNames(code: string, year: number | null): string[] {
  const refs = referenceOf(code)[code];
  if (!refs) return [];
  const now = refs.filter((r) => applies(r, year));
  return (now.length ? now : refs).map((r) => r.name);
}

/**
 * Class (类) names printed by documents besides the reference names: older or local wordings that are
 * not the Ministry's name in any year, but that recognition must still map to their class.
 */
const PRINTED_CLASS_VARIANTS: Record<string, string[]> = {
  '210': ['医疗卫生支出'],
  '212': ['城乡社区事务支出'],
  '213': ['农林水事务支出'],
  '215': ['资源勘探电力信息等支出'],
  '217': ['金融监管等事务支出'],
  '220': ['国土资源气象等支出'],
  '222': ['粮油物资储备管理等事务'],
};

/** Class (类) codes of a reference with every name they are printed with: reference names (all years) first. */
function classNames(reference: RefTable): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [code, refs] of Object.entries(reference)) {
    if (code.length === 3) out[code] = [...refs.map((r) => r.name), ...(PRINTED_CLASS_VARIANTS[code] ?? [])];
  }
  return out;
}

/** 功能分类 classes (类) with their names, current, earlier (2017–2018) and printed variants. */
export const FUNC_CLASSES: Record<string, string[]> = classNames(FUNC_REFERENCE);

/** 部门预算支出经济分类 classes (类) with their names. */
export const ECON_CLASSES: Record<string, string[]> = classNames(ECON_REFERENCE);

const byName = (table: Record<string, string[]>) => {
  const m = new Map<string, string>();
  for (const [code, names] of Object.entries(table)) for (const n of names) m.set(n.normalize('NFKC').replace(/\s/g, ''), code);
  return m;
};
const FUNC_BY_NAME = byName(FUNC_CLASSES);
const ECON_BY_NAME = byName(ECON_CLASSES);

const namesOf = (reference: RefTable) => new Set(Object.values(reference).flatMap((refs) => refs.map((r) => r.name.normalize('NFKC').replace(/\s/g, ''))));
const FUNC_NAMES = namesOf(FUNC_REFERENCE);
const ECON_NAMES = namesOf(ECON_REFERENCE);

/** Whether a label is the reference name of some code (any level, any year) of a classification (NFKC, spaces ignored). */
export function isReferenceName(label: string, system: CodeSystem): boolean {
  return (system === 'func' ? FUNC_NAMES : ECON_NAMES).has(label.normalize('NFKC').replace(/\s/g, ''));
}

/** The class code of a class row printed without a code ("社会保障和就业支出" → 208; NFKC, spaces ignored). */
export function classCodeByName(label: string, system: CodeSystem): string | null {
  const key = label.normalize('NFKC').replace(/\s/g, '');
  return (system === 'func' ? FUNC_BY_NAME : ECON_BY_NAME).get(key) ?? null;
}
