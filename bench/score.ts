// Scoring of a DocumentResult against a hand-verified answer key (../shared/corpus/keys/*.json).
// Pure: no file system, no clock. The rule is the one in corpus/keys/README.md:
// - recall: a key item is found when the document has a line item on the same page with the same
//   function code (else economic code, else the label with spaces and ordinal prefixes removed), the
//   same column key, and exactly the same amount in 分;
// - precision: of the line items with a code, on keyed pages, in tables of the keyed kinds, in the
//   columns the keys use on that page, the share that match a key item exactly;
// - metadata: phase, year and department equal the key's.
// Amounts are compared as bigint 分 (of 元), parsed with integer arithmetic only.
import type { DocumentResult, LineItem, RecognizedTable, TableKind } from '../src/types.js';

/** The three families of the old keys (../shared/corpus/keys), each standing for several table kinds. */
export type KeyTable = 'summary' | 'expenditure_function' | 'basic_econ';
export const KEY_TABLES: readonly KeyTable[] = ['summary', 'expenditure_function', 'basic_econ'];

/** A key item's family: an old family, or (new keys, bench/keys/) the table kind itself. */
export type KeyFamily = KeyTable | TableKind;

export interface KeyItem {
  table: KeyFamily;
  page: number; // 1-based
  func_code: string | null;
  econ_code: string | null;
  label: string;
  column: string; // a column key of README "Column keys" (old keys: total | basic | project | personnel | public)
  unit: string; // 元 | 万元
  amount: string; // decimal as printed, no thousands separators
}

export interface KeyFile {
  sha12: string;
  file: string; // relative to corpus/real
  phase: 'budget' | 'final';
  year: number;
  department: string;
  items: KeyItem[];
  notes?: string[];
}

/** Our table kinds that correspond to each key table. Precision only considers tables of these kinds. */
export const KEY_TABLE_KINDS: Record<KeyTable, readonly TableKind[]> = {
  summary: ['budget_summary', 'final_summary'],
  expenditure_function: [
    'expenditure',
    'general_budget_expenditure',
    'appropriation_expenditure',
    'final_expenditure',
    'final_general_budget_expenditure',
  ],
  basic_econ: ['general_budget_basic', 'final_general_budget_basic'],
};

/** The table kinds a key family stands for: an old family's kinds, or the kind a new key names. */
export function kindsOfFamily(family: KeyFamily): readonly TableKind[] {
  return (KEY_TABLE_KINDS as Record<string, readonly TableKind[]>)[family] ?? [family as TableKind];
}

// ---------------------------------------------------------------------------------------------
// Amounts

/** How many 元 one printed unit is worth: 元 → 1, 万元 → 10000 (also 千元, 亿元). null/unknown → 1 (元). */
export function unitFactor(unit: string | null | undefined): bigint {
  if (!unit) return 1n;
  const u = unit.normalize('NFKC');
  if (u.includes('亿')) return 100_000_000n;
  if (u.includes('万')) return 10_000n;
  if (u.includes('千')) return 1_000n;
  return 1n;
}

/**
 * Exact decimal string × 10^shiftDigits as a bigint, or null when it is not a plain decimal or the
 * result would not be an integer. Thousands separators (, ，) and spaces are ignored.
 */
export function decimalTimesPow10(text: string, shiftDigits: number): bigint | null {
  const t = text.normalize('NFKC').replace(/[,\s]/g, '');
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const neg = m[1] === '-';
  const intPart = m[2] || '0';
  let frac = m[3] ?? '';
  // Trailing zeros of the fraction carry no value.
  frac = frac.replace(/0+$/, '');
  if (frac.length > shiftDigits) return null; // finer than 1 分: not representable
  const digits = intPart + frac.padEnd(shiftDigits, '0');
  const v = BigInt(digits);
  return neg ? -v : v;
}

/** A key item's amount in 分 of 元: amount × 100, × 10,000 more for 万元. Throws on a malformed amount. */
export function keyAmountFen(item: Pick<KeyItem, 'amount' | 'unit'>): bigint {
  const perYuan = unitFactor(item.unit);
  // factor is a power of ten: 分 of 元 = amount × 100 × factor.
  const shift = 2 + (perYuan.toString().length - 1);
  const v = decimalTimesPow10(item.amount, shift);
  if (v === null) throw new Error(`key amount is not an exact decimal in 分: ${JSON.stringify(item.amount)} ${item.unit}`);
  return v;
}

/**
 * What LineItem.amountFen means. src/recognize/amounts.ts (toFen: printed amount × FEN_PER_UNIT[unit])
 * and db/001_init.sql ("amount_fen … 1 yuan = 100 fen") make it 分 of 元 whatever the table's printed
 * unit, so it is compared as is. Set this to true if it ever becomes the printed amount × 100 (then
 * RecognizedTable.unit is applied here).
 */
export const LINE_ITEM_AMOUNT_IS_PRINTED_UNIT_X100: boolean = false;

/**
 * The single place where a line item's amount is converted to 分 of 元 for comparison with the keys.
 * Returns null when the amount is not an integer (a pipeline bug: it never matches).
 */
export function lineItemFen(item: Pick<LineItem, 'amountFen'>, table: Pick<RecognizedTable, 'unit'> | undefined): bigint | null {
  if (!Number.isSafeInteger(item.amountFen)) return null;
  const fen = BigInt(item.amountFen);
  if (!LINE_ITEM_AMOUNT_IS_PRINTED_UNIT_X100) return fen;
  return fen * unitFactor(table?.unit ?? null);
}

// ---------------------------------------------------------------------------------------------
// Labels and identity

const CN_NUM = '一二三四五六七八九十百零〇两';
const ORDINAL_PREFIX = new RegExp(
  [
    `^[(][${CN_NUM}\\d]+[)][、.]?`, // （一） (1)  (NFKC turns full-width brackets into ASCII)
    `^[${CN_NUM}]+[、.]`, // 一、 十二.
    `^\\d+[、.](?!\\d)`, // 1. 1、 (not 1.5)
    `^\\d+[)]`, // 1)
    `^[\\u2776-\\u277f\\u2780-\\u2789]`, // ❶ ➀ (① is removed before NFKC)
  ].join('|'),
  'u',
);

/** A label for comparison: NFKC, no whitespace at all, ordinal prefixes (一、 （一） 1. ①) removed. */
export function normalizeLabel(label: string): string {
  // Circled numbers first: NFKC would turn ① into a bare 1.
  let s = label.replace(/^\s*[\u2460-\u2473]/u, '').normalize('NFKC').replace(/\s+/gu, '');
  for (let i = 0; i < 3; i++) {
    const t = s.replace(ORDINAL_PREFIX, '');
    if (t === s || t === '') break;
    s = t;
  }
  return s;
}

/** Codes as printed may carry spaces (e.g. '201 01 02'); compare them without. */
function normCode(code: string | null | undefined): string | null {
  if (code == null) return null;
  const c = code.normalize('NFKC').replace(/\s+/g, '');
  return c === '' ? null : c;
}

/** Same row identity: function code if the key has one, else economic code, else the normalised label. */
export function sameIdentity(key: KeyItem, item: Pick<LineItem, 'funcCode' | 'econCode' | 'label'>): boolean {
  const kf = normCode(key.func_code);
  if (kf) return normCode(item.funcCode) === kf;
  const ke = normCode(key.econ_code);
  if (ke) return normCode(item.econCode) === ke;
  return normalizeLabel(item.label) === normalizeLabel(key.label);
}

/** A line item with the table it belongs to and its amount in 分 of 元 (null if unusable). */
export interface ScoredLineItem {
  item: LineItem;
  table: RecognizedTable;
  fen: bigint | null;
}

export function lineItemsOf(result: DocumentResult): ScoredLineItem[] {
  const out: ScoredLineItem[] = [];
  for (const table of result.tables ?? []) {
    for (const item of table.items ?? []) out.push({ item, table, fen: lineItemFen(item, table) });
  }
  return out;
}

/** Exact match: same page, same identity, same column key, same amount in 分. */
export function itemMatches(key: KeyItem, keyFen: bigint, li: ScoredLineItem): boolean {
  return (
    li.item.page === key.page &&
    li.item.columnKey === key.column &&
    li.fen !== null &&
    li.fen === keyFen &&
    sameIdentity(key, li.item)
  );
}

// ---------------------------------------------------------------------------------------------
// Scoring

export interface MetadataScore {
  phase: boolean;
  year: boolean;
  department: boolean;
}

export interface TableScore {
  found: number;
  total: number;
  recall: number;
}

export interface PrecisionScore {
  matched: number;
  considered: number;
}

export interface ScoreOptions {
  /**
   * Count line items without a code in precision too. The old keys cover only coded rows and the
   * summary's totals, so their rule counts coded items only; the new keys key every amount of their
   * tables, so every item of a keyed table, page and column must match one.
   */
  uncodedInPrecision?: boolean;
}

export interface DocumentScore {
  /** found / total (1 when the key is empty). */
  recall: number;
  /** matchedPrecision / consideredPrecision (0 when nothing was considered). */
  precision: number;
  found: number;
  total: number;
  matchedPrecision: number;
  consideredPrecision: number;
  metadata: MetadataScore;
  /** Key items not found, in key order. */
  misses: KeyItem[];
  /** Considered line items (see precision) that match no key item. */
  falsePositives: LineItem[];
  /** Recall per key family (old: summary/expenditure_function/basic_econ; new: the table kind). */
  byTable: Record<string, TableScore>;
  /** Precision per key family: the considered line items of the tables of that family's kinds. */
  precisionByTable: Record<string, PrecisionScore>;
}

function normDepartment(s: string | null | undefined): string {
  return (s ?? '').normalize('NFKC').replace(/\s+/gu, '');
}

export function scoreDocument(key: KeyFile, result: DocumentResult, opts: ScoreOptions = {}): DocumentScore {
  const keyed = key.items.map((k) => ({ k, fen: keyAmountFen(k) }));
  const items = lineItemsOf(result);

  // Index line items by page for speed (keys have a few hundred items, documents a few thousand).
  const byPage = new Map<number, ScoredLineItem[]>();
  for (const li of items) {
    const list = byPage.get(li.item.page);
    if (list) list.push(li);
    else byPage.set(li.item.page, [li]);
  }

  // Recall.
  // The old families always appear (their report lists all three); other families as keyed.
  const old = key.items.every((k) => (KEY_TABLES as readonly string[]).includes(k.table));
  const byTable: Record<string, TableScore> = old ? Object.fromEntries(KEY_TABLES.map((t) => [t, { found: 0, total: 0, recall: 1 }])) : {};
  const misses: KeyItem[] = [];
  let found = 0;
  for (const { k, fen } of keyed) {
    const hit = (byPage.get(k.page) ?? []).some((li) => itemMatches(k, fen, li));
    const t = (byTable[k.table] ??= { found: 0, total: 0, recall: 1 });
    t.total++;
    if (hit) {
      found++;
      t.found++;
    } else misses.push(k);
  }
  for (const t of Object.values(byTable)) t.recall = t.total ? t.found / t.total : 1;

  // Precision: per keyed page, the kinds of the key tables on that page (each with its family) and
  // the columns its keys use.
  const pageKinds = new Map<number, Map<TableKind, KeyFamily>>();
  const pageColumns = new Map<number, Set<string>>();
  const pageKeys = new Map<number, { k: KeyItem; fen: bigint }[]>();
  for (const e of keyed) {
    const p = e.k.page;
    if (!pageKinds.has(p)) {
      pageKinds.set(p, new Map());
      pageColumns.set(p, new Set());
      pageKeys.set(p, []);
    }
    for (const kind of kindsOfFamily(e.k.table)) if (!pageKinds.get(p)!.has(kind)) pageKinds.get(p)!.set(kind, e.k.table);
    pageColumns.get(p)!.add(e.k.column);
    pageKeys.get(p)!.push(e);
  }
  let considered = 0;
  let matched = 0;
  const falsePositives: LineItem[] = [];
  const precisionByTable: Record<string, PrecisionScore> = {};
  for (const family of Object.keys(byTable)) precisionByTable[family] = { matched: 0, considered: 0 };
  for (const li of items) {
    const p = li.item.page;
    if (!opts.uncodedInPrecision && !li.item.funcCode && !li.item.econCode) continue;
    const family = pageKinds.get(p)?.get(li.table.kind);
    if (family === undefined) continue;
    if (!pageColumns.get(p)!.has(li.item.columnKey)) continue;
    considered++;
    const fam = (precisionByTable[family] ??= { matched: 0, considered: 0 });
    fam.considered++;
    if (pageKeys.get(p)!.some(({ k, fen }) => itemMatches(k, fen, li))) { matched++; fam.matched++; }
    else falsePositives.push(li.item);
  }

  const metadata: MetadataScore = {
    phase: result.phase === key.phase,
    year: result.year === key.year,
    department: result.department != null && normDepartment(result.department) === normDepartment(key.department),
  };

  return {
    recall: keyed.length ? found / keyed.length : 1,
    precision: considered ? matched / considered : 0,
    found,
    total: keyed.length,
    matchedPrecision: matched,
    consideredPrecision: considered,
    metadata,
    misses,
    falsePositives,
    byTable,
    precisionByTable,
  };
}

// ---------------------------------------------------------------------------------------------
// Diagnostics (for the benchmark's listing of misses and false positives)

/** Format 分 of 元 as a decimal in the given unit, e.g. 1234500n, '万元' → '0.12345'. */
export function formatFen(fen: bigint, unit: string | null = '元'): string {
  const factor = 100n * unitFactor(unit);
  const digits = factor.toString().length - 1;
  const neg = fen < 0n;
  const a = neg ? -fen : fen;
  const int = a / factor;
  let frac = (a % factor).toString().padStart(digits, '0').replace(/0+$/, '');
  if (frac.length === 1) frac += '0';
  return `${neg ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}

function describe(li: ScoredLineItem, unit: string): string {
  const code = li.item.funcCode ?? li.item.econCode ?? '';
  const amt = li.fen === null ? `amountFen=${li.item.amountFen}` : formatFen(li.fen, unit);
  return `p${li.item.page} ${code ? code + ' ' : ''}${li.item.label} [${li.item.columnKey}] ${amt} (${li.table.kind}, unit ${li.table.unit ?? '?'})`;
}

/** A short hint of what the document has instead of a missed key item. */
export function explainMiss(key: KeyItem, result: DocumentResult, items: ScoredLineItem[] = lineItemsOf(result)): string {
  const fen = keyAmountFen(key);
  const samePage = items.filter((li) => li.item.page === key.page);
  const sameRow = samePage.filter((li) => sameIdentity(key, li.item));
  const sameCell = sameRow.filter((li) => li.item.columnKey === key.column);
  if (sameCell.length) return `wrong amount: ${sameCell.slice(0, 2).map((li) => describe(li, key.unit)).join('; ')}`;
  const sameAmountRow = sameRow.find((li) => li.fen === fen);
  if (sameAmountRow) return `wrong column: ${describe(sameAmountRow, key.unit)}`;
  if (sameRow.length) return `row found, column missing: has ${[...new Set(sameRow.map((li) => li.item.columnKey))].join(',')}`;
  const sameAmount = samePage.filter((li) => li.fen === fen);
  if (sameAmount.length) return `amount on another row: ${sameAmount.slice(0, 2).map((li) => describe(li, key.unit)).join('; ')}`;
  const elsewhere = items.find((li) => li.item.page !== key.page && li.fen === fen && sameIdentity(key, li.item) && li.item.columnKey === key.column);
  if (elsewhere) return `found on another page: ${describe(elsewhere, key.unit)}`;
  if (!samePage.length) return 'no line items on this page';
  return 'not found';
}

/** A short hint for a false positive: what the key says for that row and column. */
export function explainFalsePositive(item: LineItem, key: KeyFile, result: DocumentResult): string {
  const table = result.tables.find((t) => t.items?.includes(item)) ?? result.tables[item.tableIndex];
  const unit = key.items.find((k) => k.page === item.page)?.unit ?? '元';
  const li: ScoredLineItem = { item, table: table!, fen: lineItemFen(item, table) };
  const expected = key.items.filter((k) => k.page === item.page && k.column === item.columnKey && (k.func_code || k.econ_code) && sameIdentity(k, item));
  const got = table ? describe(li, unit) : `p${item.page} ${item.funcCode ?? item.econCode} ${item.label} [${item.columnKey}] ${item.amountText}`;
  if (expected.length) return `${got} — key: ${expected.map((k) => k.amount).join(' / ')} ${unit}`;
  return `${got} — no key item with this code and column on the page`;
}

// ---------------------------------------------------------------------------------------------
// One document read two ways (text path and OCR): amount cells compared one for one

/**
 * Amount cells as comparable keys: page, table kind, row code (else compacted label), column key,
 * amount in 分. `pageMap` renumbers or drops pages (null drops).
 */
export function amountCellKeys(r: DocumentResult, pageMap: (p: number) => number | null = (p) => p): string[] {
  const out: string[] = [];
  for (const t of r.tables) {
    for (const it of t.items) {
      const page = pageMap(it.page);
      if (page === null) continue;
      out.push([page, t.kind, it.funcCode ?? it.econCode ?? normalizeLabel(it.label), it.columnKey, it.amountFen].join('|'));
    }
  }
  return out;
}

/**
 * How well an OCR reading's confidence points at its misreads: of its amount cells that match a
 * reference cell (amountCellKeys) and of those that do not, how many are doubtful (confidence below
 * `low`, 0..1: what gets an ocr.low_confidence finding).
 */
export function flaggedCells(ref: DocumentResult, got: DocumentResult, low: number): { right: number; rightFlagged: number; wrong: number; wrongFlagged: number; rightConfidence: number[]; wrongConfidence: number[] } {
  const bag = new Map<string, number>();
  for (const k of amountCellKeys(ref)) bag.set(k, (bag.get(k) ?? 0) + 1);
  const out = { right: 0, rightFlagged: 0, wrong: 0, wrongFlagged: 0, rightConfidence: [] as number[], wrongConfidence: [] as number[] };
  for (const t of got.tables) {
    for (const it of t.items) {
      const k = [it.page, t.kind, it.funcCode ?? it.econCode ?? normalizeLabel(it.label), it.columnKey, it.amountFen].join('|');
      const n = bag.get(k) ?? 0;
      const doubtful = it.confidence < low;
      if (n > 0) { bag.set(k, n - 1); out.right++; if (doubtful) out.rightFlagged++; out.rightConfidence.push(it.confidence); } else { out.wrong++; if (doubtful) out.wrongFlagged++; out.wrongConfidence.push(it.confidence); }
    }
  }
  return out;
}

/** Each reference key matched by at most one key of `got`: matched count, reference keys missed, keys of `got` left over. */
export function matchCells(ref: string[], got: string[]): { matched: number; missed: string[]; extra: string[] } {
  const bag = new Map<string, number>();
  got.forEach((k) => bag.set(k, (bag.get(k) ?? 0) + 1));
  const missed: string[] = [];
  let matched = 0;
  for (const k of ref) {
    const n = bag.get(k) ?? 0;
    if (n > 0) { matched++; bag.set(k, n - 1); } else missed.push(k);
  }
  const extra = [...bag.entries()].flatMap(([k, n]) => Array(n).fill(k) as string[]);
  return { matched, missed, extra };
}
