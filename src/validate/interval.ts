// Interval arithmetic on printed (rounded) figures: an amount printed 3845.49 stands for any value in
// [3845.485, 3845.495]; a percentage printed 17.62 for [17.615, 17.625] (or [17.62, 17.63) truncated).
// A stated figure agrees with a computation when their intervals meet.
import { fenPerUnit, type Unit } from '../domain/money.js';

export interface Span { lo: number; hi: number }

/** Digits printed after the decimal point ("1,234.50" → 2, "686" → 0). */
export const decimalsOf = (printed: string): number => (/\.(\d+)/.exec(printed)?.[1].length ?? 0);

/** Half a unit of the last printed digit, in fen (may be fractional: 0.5 fen for "12.34" in 元). */
export const halfUnitFen = (printed: string, unit: Unit | null): number => fenPerUnit(unit) / 10 ** decimalsOf(printed) / 2;

/** The values a printed amount of `fen` stands for. */
export const spanOf = (fen: number, printed: string, unit: Unit | null): Span => {
  const h = halfUnitFen(printed, unit);
  return { lo: fen - h, hi: fen + h };
};

/** The range of f over the box x × y (f monotonic in each argument on it: evaluated at the corners). */
export function cornerSpan(f: (x: number, y: number) => number, x: Span, y: Span): Span | null {
  const vs = [f(x.lo, y.lo), f(x.lo, y.hi), f(x.hi, y.lo), f(x.hi, y.hi)];
  if (vs.some((v) => !Number.isFinite(v))) return null;
  return { lo: Math.min(...vs), hi: Math.max(...vs) };
}

/** a / b × 100 for positive b. */
export const pctSpan = (a: Span, b: Span): Span | null => (b.lo <= 0 ? null : cornerSpan((x, y) => (x / y) * 100, a, b));

/** Does a percentage printed as `p` ("17.62") fit the interval `v`, rounded or truncated to its decimals? */
export function pctFits(v: Span, p: string): boolean {
  const u = 10 ** -decimalsOf(p);
  const P = Number(p);
  const eps = 1e-9;
  const rounded = v.lo <= P + u / 2 + eps && v.hi >= P - u / 2 - eps;
  const truncated = v.lo < P + u - eps && v.hi >= P - eps;
  return rounded || truncated;
}

/** How far (percentage points) the printed `p` lies outside the interval `v` (0 when it fits). */
export function pctOff(v: Span, p: string): number {
  if (pctFits(v, p)) return 0;
  const P = Number(p);
  return P < v.lo ? v.lo - P : P - v.hi;
}
