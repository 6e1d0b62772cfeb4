// Exact amount parsing: printed text → integer 分 (fen). No floating point anywhere.

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
export function fenToYuan(fen: number): string {
  const neg = fen < 0;
  const a = BigInt(Math.abs(fen));
  const s = `${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
  return neg ? '-' + s : s;
}

export function parseUnit(text: string): Unit | null {
  const t = text.replace(/\s/g, '');
  const m = /(?:金额)?单位[:：]?(?:人民币)?(万元|千元|亿元|元)/.exec(t) ?? /[（(](万元|千元|亿元|元)[)）]/.exec(t);
  return m ? (m[1] as Unit) : null;
}
