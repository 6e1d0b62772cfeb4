// Money and units: the one home of printed units (元/万元…), fen per unit, parsing a printed amount
// into exact integer 分 (fen), and fen back to exact decimal text. No floating point anywhere.

export type Unit = '元' | '万元' | '千元' | '亿元';

/** Fen per printed unit. */
export const FEN_PER_UNIT: Record<Unit, bigint> = { 元: 100n, 千元: 100_000n, 万元: 1_000_000n, 亿元: 10_000_000_000n };

/** Blank, dash or similar: no value printed. */
export function isBlankAmount(text: string): boolean {
  return /^[\s\-−—–－_/\\]*$/.test(text) || /^[-—]+$/.test(text.trim());
}

/**
 * Parse a printed amount ("17,981.68", "-12.3", "(5.00)", "1 234.5") into an exact decimal
 * { negative, digits, scale } and then to fen. Returns null when the text is not an amount.
 */
export function parseDecimal(text: string): { value: bigint; scale: number } | null {
  let t = text.normalize('NFKC').replace(/[\s,，]/g, '').replace(/−/g, '-');
  let negative = false;
  if (/^\(.*\)$/.test(t)) { negative = true; t = t.slice(1, -1); }
  if (t.startsWith('-')) { negative = true; t = t.slice(1); }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) return null;
  const [int, frac = ''] = t.split('.');
  const value = BigInt((int || '0') + frac) * (negative ? -1n : 1n);
  return { value, scale: frac.length };
}

/** Amount in fen for a printed amount in `unit`; null if not an exact amount of fen. */
export function toFen(text: string, unit: Unit = '元'): number | null {
  const d = parseDecimal(text);
  if (!d) return null;
  const num = d.value * FEN_PER_UNIT[unit];
  const den = 10n ** BigInt(d.scale);
  if (num % den !== 0n) return null; // more decimals than a fen can hold
  const fen = num / den;
  if (fen > BigInt(Number.MAX_SAFE_INTEGER) || fen < -BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(fen);
}

/** Fen → exact decimal string in 元 ("12345.67"). */
export function fenToYuan(fen: number | bigint): string {
  const f = BigInt(fen);
  const neg = f < 0n;
  const a = neg ? -f : f;
  const s = `${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
  return neg ? '-' + s : s;
}

export function parseUnit(text: string): Unit | null {
  const t = text.replace(/\s/g, '');
  const m = /(?:金额)?单位[:：]?(?:人民币)?(万元|千元|亿元|元)/.exec(t) ?? /[（(](万元|千元|亿元|元)[)）]/.exec(t);
  return m ? (m[1] as Unit) : null;
}

/** Fen of one printed unit (元 100, 千元 100,000, 万元 1,000,000, 亿元 10,000,000,000). */
export function fenPerUnit(unit: Unit | null): number {
  // Tables whose unit was not found were read as 元.
  return Number(FEN_PER_UNIT[unit ?? '元']);
}

/** One printed 分: 0.01 of the printed unit, in fen (元 1, 千元 1,000, 万元 10,000, 亿元 100,000,000). */
export function printedCent(unit: Unit | null): number {
  return fenPerUnit(unit) / 100;
}

/** Exact decimal text of `fen` in a printed unit, 2 decimals ("641.15 万元"); integer arithmetic only. */
export function fmtAmount(fen: number, unit: Unit | null): string {
  const u = unit ?? '元';
  const cent = BigInt(printedCent(u));
  const f = BigInt(Math.round(fen));
  const neg = f < 0n;
  const a = neg ? -f : f;
  // Round half away from zero to the printed 分.
  const cents = (a + cent / 2n) / cent;
  const s = `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
  return `${neg ? '-' : ''}${s} ${u}`;
}
