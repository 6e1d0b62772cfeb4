// Function (功能分类) and economic (经济分类) classification codes: which system a code belongs to,
// joining a code printed over 类/款/项 cells, a code at the start of a label, a class code from its
// name, and the reference names of codes (domain/reference/: the one source of code names).
import type { LineItem, RecognizedTable } from '../types.js';
import { isBlankLabel, isUncodedByDesign, KNOWN_ROW_LABELS } from './rowLabels.js';
import { editDistance, hanOnly } from '../extract/normalize.js';
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

/** Misread characters tolerated in an OCR reading of a known label: one, two from this many characters on. */
const KNOWN_LABEL_TWO_MISREADS_FROM = 6;
/**
 * A reading its engine is sure of may still hold one misread character (PP-OCR reads 分散自行组织 as
 * 分散白行组织 with the confidence of its right readings), but no more (当年收入小计 is printed, not a
 * misread 本年收入合计), and only in a label of this many characters at least.
 */
const SURE_READING_MISREADS = 1;
const SURE_READING_MIN_CHARS = 4;
/**
 * The words an OCR reading of a row label is held against, Han characters only: the reference names of
 * every level (a class name with its class code), the printed class variants, the known row labels (rowLabels.ts).
 */
const knownLabels = (classes: Record<string, string[]>, names: Set<string>) => {
  const out = new Map<string, { label: string; code: string | null }>();
  for (const n of [...names, ...KNOWN_ROW_LABELS]) out.set(hanOnly(n), { label: n, code: null });
  for (const [code, ns] of Object.entries(classes)) for (const n of ns) out.set(hanOnly(n), { label: n, code });
  return [...out];
};
const FUNC_KNOWN = knownLabels(FUNC_CLASSES, FUNC_NAMES);
const ECON_KNOWN = knownLabels(ECON_CLASSES, ECON_NAMES);

/**
 * An uncoded row's label as OCR read it, held against the known labels of the classification: the one
 * nearest to its Han characters ("社会保障和就业广出" → 社会保障和就业支出, class 208; "-财政拨款" →
 * 财政拨款), when within one misread character (two from KNOWN_LABEL_TWO_MISREADS_FROM characters on)
 * and no other known label is as near; null otherwise. `sure`: the engine is sure of its reading (see
 * SURE_READING_MISREADS). Names of every level count as rivals:
 * 住房改革支出 (a 款) keeps 住房改草支出 from passing for 住房保障支出 (a 类). Not for text layers:
 * there a label is what is printed (classCodeByName).
 */
export function readKnownLabel(reading: string, system: CodeSystem, sure = false): { label: string; code: string | null } | null {
  const han = hanOnly(reading);
  if (han.length < 2) return null;
  let best: { name: string; d: number; known: { label: string; code: string | null } } | null = null;
  let tied = false;
  for (const [name, known] of system === 'func' ? FUNC_KNOWN : ECON_KNOWN) {
    if (Math.abs(name.length - han.length) > 2) continue;
    const d = name === han ? 0 : editDistance(han, name);
    if (!best || d < best.d) { best = { name, d, known }; tied = false; } else if (d === best.d && (known.code ?? known.label) !== (best.known.code ?? best.known.label)) tied = true;
  }
  if (!best || tied) return null;
  const chars = [...best.name].length;
  if (sure) return best.d === 0 || (best.d <= SURE_READING_MISREADS && chars >= SURE_READING_MIN_CHARS) ? best.known : null;
  return best.d <= (chars >= KNOWN_LABEL_TWO_MISREADS_FROM ? 2 : 1) ? best.known : null;
}

// ---------------------------------------------------------------------------------------------
// Code coverage: how completely a table's rows carry their codes (extract.code_missing, documents.code_rows).

/** A table carries codes when at least this many of its rows have one. */
const MIN_CODED_ROWS = 2;
/** …and, for the pattern rule, this share of its rows from the first coded one on (or of its uncoded rows named as items). */
const CODED_PATTERN_SHARE = 0.5;
/** One printed line of a table: the items of one row under one label (a two-sided summary row holds two). */
export interface CodedLine { rowIndex: number; label: string; code: string | null; isTotal: boolean; items: LineItem[] }

function linesOf(t: RecognizedTable): CodedLine[] {
  const byKey = new Map<string, CodedLine>();
  for (const it of t.items) {
    const key = `${it.rowIndex}\u0000${it.label}`;
    const line = byKey.get(key) ?? { rowIndex: it.rowIndex, label: it.label, code: null, isTotal: it.isTotal, items: [] };
    line.code ??= codeOf(it);
    line.items.push(it);
    byKey.set(key, line);
  }
  return [...byKey.values()].sort((a, b) => a.rowIndex - b.rowIndex);
}

function majoritySystem(lines: CodedLine[]): CodeSystem {
  const econ = lines.filter((l) => l.code && codeSystem(l.code) === 'econ').length;
  return econ * 2 > lines.length ? 'econ' : 'func';
}

export interface CodeCoverage {
  /** Rows that should carry a code: from the first coded row on, not uncoded by design, and in a table that prints no codes only those named as classification items. */
  rows: number;
  coded: number;
  /** The rows among them with a label and amounts but no code. */
  missing: CodedLine[];
}

/** How completely a table's rows carry their codes; null for a table whose rows carry none. */
export function codeCoverage(t: RecognizedTable): CodeCoverage | null {
  const lines = linesOf(t);
  const coded = lines.filter((l) => l.code);
  if (coded.length < MIN_CODED_ROWS) return null;
  const first = coded[0].rowIndex;
  const asked = lines.filter((l) => l.rowIndex >= first && (l.code || (!l.isTotal && !isBlankLabel(l.label) && !isUncodedByDesign(l.label))));
  const uncoded = asked.filter((l) => !l.code);
  const printsCodes = t.columns.some((c) => c.key === 'code') || coded.some((l) => l.code!.length > 3);
  const system = majoritySystem(coded);
  const named = uncoded.filter((l) => isReferenceName(l.label, system));
  // Most rows coded, or most uncoded rows named as classification items (a code column lost below
  // the class rows, whose codes came back from their names): all of them miss their code.
  const pattern = printsCodes && (coded.length >= CODED_PATTERN_SHARE * asked.length || named.length >= CODED_PATTERN_SHARE * uncoded.length);
  const missing = pattern ? uncoded : named;
  // A table that prints no codes (a summary: class codes come from the names) owes one only on the
  // lines named as classification items; other lines (财政拨款, 其他资金) have none to give.
  return { rows: coded.length + (printsCodes ? uncoded.length : missing.length), coded: coded.length, missing };
}
