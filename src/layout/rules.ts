// Ruling lines → merged horizontal/vertical lines → table regions (connected components).
import type { Box, Rule } from '../types.js';

import { DEFAULT_LAYOUT_SETTINGS, type LayoutSettings } from './settings.js';

/** Two stacked horizontals are rows of one table when they overlap over this share of the shorter. */
const STACK_OVERLAP_SHARE = 0.8;
/** Fewer horizontals than this make a lone underline or a frame edge, not a table. */
const MIN_REGION_HLINES = 2;

export interface HLine { y: number; x0: number; x1: number }
export interface VLine { x: number; y0: number; y1: number }

export function splitRules(rules: Rule[], s: LayoutSettings = DEFAULT_LAYOUT_SETTINGS): { h: HLine[]; v: VLine[] } {
  const h: HLine[] = [];
  const v: VLine[] = [];
  for (const r of rules) {
    if (Math.abs(r.y1 - r.y0) <= Math.abs(r.x1 - r.x0)) h.push({ y: (r.y0 + r.y1) / 2, x0: Math.min(r.x0, r.x1), x1: Math.max(r.x0, r.x1) });
    else v.push({ x: (r.x0 + r.x1) / 2, y0: Math.min(r.y0, r.y1), y1: Math.max(r.y0, r.y1) });
  }
  return { h: mergeH(h, s), v: mergeV(v, s) };
}

/** Snap lines at (almost) the same position together, then join collinear overlapping pieces. */
function mergeCollinear<T>(items: T[], pos: (t: T) => number, lo: (t: T) => number, hi: (t: T) => number,
  make: (p: number, a: number, b: number) => T, st: LayoutSettings): T[] {
  const sorted = [...items].sort((a, b) => pos(a) - pos(b));
  const clusters: T[][] = [];
  for (const it of sorted) {
    const last = clusters[clusters.length - 1];
    if (last && pos(it) - pos(last[last.length - 1]) <= st.snapTolerance) last.push(it);
    else clusters.push([it]);
  }
  const out: T[] = [];
  for (const c of clusters) {
    const p = c.reduce((s, t) => s + pos(t), 0) / c.length;
    const segs = c.map((t) => [lo(t), hi(t)] as [number, number]).sort((a, b) => a[0] - b[0]);
    let [a, b] = segs[0];
    for (const [s, e] of segs.slice(1)) {
      if (s <= b + st.joinTolerance) b = Math.max(b, e);
      else { out.push(make(p, a, b)); [a, b] = [s, e]; }
    }
    out.push(make(p, a, b));
  }
  return out;
}

export const mergeH = (h: HLine[], s: LayoutSettings) => mergeCollinear(h, (l) => l.y, (l) => l.x0, (l) => l.x1, (y, x0, x1) => ({ y, x0, x1 }), s);
export const mergeV = (v: VLine[], s: LayoutSettings) => mergeCollinear(v, (l) => l.x, (l) => l.y0, (l) => l.y1, (x, y0, y1) => ({ x, y0, y1 }), s);

export function meets(h: HLine, v: VLine, tol: number): boolean {
  return v.x >= h.x0 - tol && v.x <= h.x1 + tol && h.y >= v.y0 - tol && h.y <= v.y1 + tol;
}

export interface RuledRegion {
  box: Box;
  h: HLine[];
  v: VLine[];
}

/**
 * Connected groups of lines that form tables. `titleYs`: the heights of table title lines on the
 * page; row rules are never stacked across one (a title starts another table).
 */
export function ruledRegions(rules: Rule[], s: LayoutSettings = DEFAULT_LAYOUT_SETTINGS, titleYs: number[] = []): RuledRegion[] {
  const { h, v } = splitRules(rules, s);
  const n = h.length + v.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => { parent[find(a)] = find(b); };
  const framed = h.map(() => false); // a horizontal that meets a vertical: part of a lattice
  for (let i = 0; i < h.length; i++) for (let j = 0; j < v.length; j++) if (meets(h[i], v[j], s.intersectionTolerance)) { union(i, h.length + j); framed[i] = true; }
  // Row rules without verticals: stack horizontals that overlap in x and are close. Two lattice
  // rules are never stacked: the bottom of one ruled table and the top of the next one below it
  // (a title and a 单位 line between them) are two tables, or verticals would join them. Nor are
  // rules with a table title between them.
  const hs = h.map((l, i) => ({ l, i })).sort((a, b) => a.l.y - b.l.y);
  for (let a = 0; a < hs.length; a++) {
    for (let b = a + 1; b < hs.length && hs[b].l.y - hs[a].l.y <= s.stackMaxGap; b++) {
      const A = hs[a].l, B = hs[b].l;
      if (framed[hs[a].i] && framed[hs[b].i]) continue;
      if (titleYs.some((y) => y > A.y && y < B.y)) break;
      const overlap = Math.min(A.x1, B.x1) - Math.max(A.x0, B.x0);
      if (overlap >= STACK_OVERLAP_SHARE * Math.min(A.x1 - A.x0, B.x1 - B.x0)) { union(hs[a].i, hs[b].i); break; }
    }
  }
  const groups = new Map<number, { h: HLine[]; v: VLine[] }>();
  h.forEach((l, i) => { const g = groups.get(find(i)) ?? { h: [], v: [] }; g.h.push(l); groups.set(find(i), g); });
  v.forEach((l, j) => { const g = groups.get(find(h.length + j)) ?? { h: [], v: [] }; g.v.push(l); groups.set(find(h.length + j), g); });
  const regions: RuledRegion[] = [];
  for (const g of groups.values()) {
    if (g.h.length < MIN_REGION_HLINES) continue;
    const xs = [...g.h.flatMap((l) => [l.x0, l.x1]), ...g.v.map((l) => l.x)];
    const ys = [...g.h.map((l) => l.y), ...g.v.flatMap((l) => [l.y0, l.y1])];
    const box: Box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    // Underlines and small boxes in prose are not tables.
    if (box[3] - box[1] < s.minTableHeight || box[2] - box[0] < s.minTableWidth) continue;
    regions.push({ box, h: g.h.sort((a, b) => a.y - b.y), v: g.v.sort((a, b) => a.x - b.x) });
  }
  return regions.sort((a, b) => a.box[1] - b.box[1]);
}
