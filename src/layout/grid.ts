// One table region → a grid of cells. Columns come from vertical rules, completed by text
// gutters where rules are missing; rows from horizontal rules, split by text lines where a
// band holds several rows. Spanning cells come from missing rule segments (lattice) or from
// text crossing a column boundary (header group labels).
import type { Box, Cell, TextRun } from '../types.js';
import { centreX, groupLines, lineText, looksLikeAmount, type RunLine } from './lines.js';
import type { HLine, VLine } from './rules.js';
import { DEFAULT_LAYOUT_SETTINGS, type LayoutSettings } from './settings.js';

/** A rule covering this share of a cell side separates the two cells. */
const SIDE_COVERAGE = 0.5;
/** Text crossing a boundary by more than this (points) on both sides spans the two columns. */
const SPAN_OVERHANG = 2;
/** …and by at least this share of its width on each side (unruled boundaries). */
const SPAN_SHARE = 0.25;

interface Boundary { pos: number; ruled: boolean }

export interface GridInput {
  box: Box;
  runs: TextRun[];
  h: HLine[];
  v: VLine[];
  page: number;
}

export interface GridOutput {
  rows: number;
  cols: number;
  cells: Cell[];
  colBounds: number[];
}

const isAmountRun = (r: TextRun) => looksLikeAmount(r.text) && r.text.replace(/[^\d]/g, '').length > 0;

/** Boundaries within `snap` of each other are one; ruled if any of them is. */
function dedupe(ps: Boundary[], snap: number): Boundary[] {
  const s = [...ps].sort((a, b) => a.pos - b.pos);
  const out: Boundary[] = [];
  for (const p of s) {
    const last = out[out.length - 1];
    if (last && p.pos - last.pos <= snap) { last.ruled = last.ruled || p.ruled; }
    else out.push({ ...p });
  }
  return out;
}

function intervalIndex(bounds: Boundary[], x: number): number {
  for (let i = 0; i + 1 < bounds.length; i++) if (x < bounds[i + 1].pos) return i;
  return bounds.length - 2;
}

/** Column gutters: x ranges not covered by any run of the amount lines. */
export function textGutters(lines: RunLine[], box: Box, minGutter: number): number[] {
  const amountLines = lines.filter((l) => l.runs.some(isAmountRun) && l.runs.length > 1);
  const spans = amountLines.flatMap((l) => l.runs.map((r) => [r.box[0], r.box[2]] as [number, number])).sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return [];
  // Merge into covered intervals; the gaps between them are gutters.
  const covered: [number, number][] = [[...spans[0]]];
  for (const [s, e] of spans.slice(1)) {
    const last = covered[covered.length - 1];
    if (s - last[1] >= minGutter) covered.push([s, e]);
    else last[1] = Math.max(last[1], e);
  }
  // A header right of the last column with data (上年结转安排 with nothing under it) makes a
  // column of its own.
  const firstBody = Math.min(...amountLines.map((l) => l.box[1]));
  const lastEnd = covered[covered.length - 1][1];
  const trailing = lines.filter((l) => l.box[3] <= firstBody).flatMap((l) => l.runs).filter((r) => r.box[0] >= lastEnd + minGutter);
  if (trailing.length) covered.push([Math.min(...trailing.map((r) => r.box[0])), Math.max(...trailing.map((r) => r.box[2]))]);
  const out: number[] = [];
  for (let i = 1; i < covered.length; i++) out.push((covered[i - 1][1] + covered[i][0]) / 2);
  return out.filter((x) => x > box[0] && x < box[2]);
}

/** Do two amounts of one line fall in one column? Then the columns are missing a boundary. */
function columnsCollide(lines: RunLine[], bounds: Boundary[]): boolean {
  return lines.some((l) => {
    const seen = new Set<number>();
    for (const r of l.runs.filter(isAmountRun)) {
      const c = intervalIndex(bounds, centreX(r.box));
      if (seen.has(c)) return true;
      seen.add(c);
    }
    return false;
  });
}

/** Split the lines of one band into rows: each amount line starts a row; wrapped label lines join the nearest. */
export function splitRows(lines: RunLine[], wrapDistance: number): RunLine[][] {
  const hasAmount = lines.map((l) => l.runs.some(isAmountRun));
  const groups: RunLine[][] = [];
  const owner: number[] = lines.map(() => -1);
  lines.forEach((l, i) => { if (hasAmount[i]) { owner[i] = groups.length; groups.push([l]); } });
  if (groups.length <= 1) return [lines];
  const cy = (l: RunLine) => (l.box[1] + l.box[3]) / 2;
  // Label-only lines: attach to the nearest amount line when close enough, else their own row. A
  // wrapped label is one piece of text; a line of several (科目编码 科目名称 金额) is a header row.
  lines.forEach((l, i) => {
    if (hasAmount[i] || l.runs.length > 1) return;
    let best = -1, bestD = Infinity;
    for (let j = i - 1; j >= 0; j--) if (hasAmount[j]) { best = j; bestD = cy(l) - cy(lines[j]); break; }
    for (let j = i + 1; j < lines.length; j++) if (hasAmount[j]) { const d = cy(lines[j]) - cy(l); if (d < bestD) { best = j; bestD = d; } break; }
    if (best >= 0 && bestD <= wrapDistance * l.fontSize) owner[i] = owner[best];
  });
  // Rebuild contiguous rows in line order.
  const rows: RunLine[][] = [];
  let cur: RunLine[] = [];
  let curOwner = -2;
  lines.forEach((l, i) => {
    const o = owner[i] === -1 ? -100 - i : owner[i];
    if (o !== curOwner && cur.length) { rows.push(cur); cur = []; }
    cur.push(l);
    curOwner = o;
  });
  if (cur.length) rows.push(cur);
  return rows;
}

export function buildGrid(input: GridInput, settings: LayoutSettings = DEFAULT_LAYOUT_SETTINGS): GridOutput {
  const { box, runs, h, v, page } = input;
  const snap = settings.snapTolerance;
  const allLines = groupLines(runs, settings.lineTolerance);

  // Columns.
  let cols = dedupe([
    { pos: box[0], ruled: true },
    { pos: box[2], ruled: true },
    ...v.filter((l) => l.x > box[0] + snap && l.x < box[2] - snap).map((l) => ({ pos: l.x, ruled: true })),
  ], snap);
  if (columnsCollide(allLines, cols) || cols.length <= 2) {
    const extra = textGutters(allLines, box, settings.minGutter).filter((x) => cols.every((c) => Math.abs(c.pos - x) > settings.gutterRuleMerge));
    cols = dedupe([...cols, ...extra.map((pos) => ({ pos, ruled: false }))], snap);
  }

  // Rows: bands between horizontal rules, each split by text where it holds several rows.
  const ruledYs = dedupe([
    { pos: box[1], ruled: true },
    { pos: box[3], ruled: true },
    ...h.filter((l) => l.y > box[1] + snap && l.y < box[3] - snap).map((l) => ({ pos: l.y, ruled: true })),
  ], snap);
  const rowBounds: Boundary[] = [ruledYs[0]];
  for (let b = 0; b + 1 < ruledYs.length; b++) {
    const top = ruledYs[b].pos, bottom = ruledYs[b + 1].pos;
    const bandLines = allLines.filter((l) => { const c = (l.box[1] + l.box[3]) / 2; return c >= top && c < bottom; });
    if (bandLines.length > 1 && columnsCollide([mergeLines(bandLines)], cols)) {
      const rows = splitRows(bandLines, settings.wrapDistance);
      for (let k = 0; k + 1 < rows.length; k++) {
        const upper = rows[k][rows[k].length - 1].box[3];
        const lower = rows[k + 1][0].box[1];
        rowBounds.push({ pos: (upper + lower) / 2, ruled: false });
      }
    }
    rowBounds.push(ruledYs[b + 1]);
  }

  const R = rowBounds.length - 1;
  const C = cols.length - 1;
  // Union-find over base cells for spans.
  const parent = Array.from({ length: R * C }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => { const ra = find(a), rb = find(b); if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb); };
  const covered = (segs: [number, number][], a: number, b: number) => {
    let len = 0;
    for (const [s, e] of segs) len += Math.max(0, Math.min(b, e) - Math.max(a, s));
    return len >= SIDE_COVERAGE * (b - a);
  };
  const vAt = (x: number) => v.filter((l) => Math.abs(l.x - x) <= snap).map((l) => [l.y0, l.y1] as [number, number]);
  const hAt = (y: number) => h.filter((l) => Math.abs(l.y - y) <= snap).map((l) => [l.x0, l.x1] as [number, number]);
  const lattice = v.length > 0;

  // Runs per base cell.
  const byCell = new Map<number, TextRun[]>();
  for (const r of runs) {
    const cx = centreX(r.box), cy = (r.box[1] + r.box[3]) / 2;
    if (cy < rowBounds[0].pos || cy > rowBounds[R].pos) continue;
    const ri = intervalIndex(rowBounds, cy), ci = intervalIndex(cols, cx);
    const k = ri * C + ci;
    (byCell.get(k) ?? byCell.set(k, []).get(k)!).push(r);
  }

  for (let r = 0; r < R; r++) {
    const y0 = rowBounds[r].pos, y1 = rowBounds[r + 1].pos;
    const rowRuns = runs.filter((t) => { const cy = (t.box[1] + t.box[3]) / 2; return cy >= y0 && cy < y1; });
    for (let c = 0; c + 1 < C; c++) {
      const bx = cols[c + 1];
      let merge: boolean;
      if (bx.ruled && lattice) merge = !covered(vAt(bx.pos), y0, y1);
      else merge = rowRuns.some((t) => {
        // A group label straddles the boundary; a leaf label only overhangs its column a little.
        const over = Math.max(SPAN_OVERHANG, SPAN_SHARE * (t.box[2] - t.box[0]));
        return !isAmountRun(t) && t.box[0] < bx.pos - over && t.box[2] > bx.pos + over;
      });
      if (merge) union(r * C + c, r * C + c + 1);
    }
  }
  if (h.length > 0) {
    for (let r = 0; r + 1 < R; r++) {
      const by = rowBounds[r + 1];
      if (!by.ruled) continue;
      for (let c = 0; c < C; c++) if (!covered(hAt(by.pos), cols[c].pos, cols[c + 1].pos)) union(r * C + c, (r + 1) * C + c);
    }
  }

  // Assemble merged cells.
  const members = new Map<number, number[]>();
  for (let i = 0; i < R * C; i++) (members.get(find(i)) ?? members.set(find(i), []).get(find(i))!).push(i);
  const cells: Cell[] = [];
  for (const ids of members.values()) {
    const cellRuns = ids.flatMap((i) => byCell.get(i) ?? []);
    if (cellRuns.length === 0) continue;
    const rs = ids.map((i) => Math.floor(i / C)), cs = ids.map((i) => i % C);
    const r0 = Math.min(...rs), r1 = Math.max(...rs), c0 = Math.min(...cs), c1 = Math.max(...cs);
    cells.push({
      row: r0, col: c0, rowSpan: r1 - r0 + 1, colSpan: c1 - c0 + 1,
      text: cellText(cellRuns, settings.lineTolerance),
      box: [cols[c0].pos, rowBounds[r0].pos, cols[c1 + 1].pos, rowBounds[r1 + 1].pos],
      page,
      // The least sure of its runs (OCR gives 0–100; a text layer's runs have none and count as sure).
      confidence: Math.min(...cellRuns.map((r) => r.confidence ?? 100)) / 100,
    });
  }
  return compact(cells, cols.map((c) => c.pos));
}

function mergeLines(lines: RunLine[]): RunLine {
  return { runs: lines.flatMap((l) => l.runs), box: lines[0].box, fontSize: lines[0].fontSize };
}

/** Text of a cell: its lines top to bottom, wrapped Han text joined without a space. */
export function cellText(runs: TextRun[], lineTolerance: number): string {
  const lines = groupLines(runs, lineTolerance).map((l) => lineText(l.runs));
  let out = '';
  for (const t of lines) {
    if (!out) out = t;
    else if (/[\p{Script=Han}）)、]$/u.test(out) || /^[\p{Script=Han}（(]/u.test(t)) out += t;
    else out += ' ' + t;
  }
  return out;
}

/**
 * Drop empty rows and renumber. Columns stay, even when empty on this page, so that the parts
 * of a table continued over pages line up column for column.
 */
function compact(cells: Cell[], colBounds: number[]): GridOutput {
  const rowsUsed = [...new Set(cells.flatMap((c) => [c.row]))].sort((a, b) => a - b);
  const colsUsed = colBounds.slice(0, -1).map((_, i) => i);
  const rowMap = new Map(rowsUsed.map((r, i) => [r, i]));
  const colMap = new Map(colsUsed.map((c, i) => [c, i]));
  const out = cells.map((c) => {
    const lastCol = c.col + c.colSpan - 1;
    const spanCols = colsUsed.filter((k) => k >= c.col && k <= lastCol).length;
    const lastRow = c.row + c.rowSpan - 1;
    const spanRows = rowsUsed.filter((k) => k >= c.row && k <= lastRow).length;
    return { ...c, row: rowMap.get(c.row)!, col: colMap.get(c.col)!, colSpan: Math.max(1, spanCols), rowSpan: Math.max(1, spanRows) };
  });
  out.sort((a, b) => a.row - b.row || a.col - b.col);
  return { rows: rowsUsed.length, cols: colsUsed.length, cells: out, colBounds: colsUsed.map((c) => colBounds[c]) };
}
