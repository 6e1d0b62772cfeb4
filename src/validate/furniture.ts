// Page furniture among the narrative lines: page numbers, running headers and footers. Joined with the
// prose around them they glue into figures ("增长" + page "3" + "17.31%" read as "增长317.31%"), so the
// rules that join lines drop them first.
import type { TextLine } from '../types.js';
import { isPageNumber } from '../layout/lines.js';
import { compact } from '../extract/normalize.js';

/** Lines this close (pt) to the same height on their pages are "at the same place". */
export const FURNITURE_Y_TOLERANCE = 12;
/** A running header or footer is on at least this share of the pages that have narrative lines… */
export const RUNNING_LINE_SHARE = 0.5;
/** …and on at least this many pages. */
export const RUNNING_LINE_MIN_PAGES = 3;
/** Running headers and footers are short. */
const RUNNING_LINE_MAX_CHARS = 40;
/** How many lines at the top and at the bottom of a page may be furniture. */
const EDGE_LINES = 2;

/** The lines of each page, top to bottom. */
function byPage(lines: TextLine[]): Map<number, TextLine[]> {
  const m = new Map<number, TextLine[]>();
  for (const l of lines) (m.get(l.page) ?? m.set(l.page, []).get(l.page)!).push(l);
  for (const ls of m.values()) ls.sort((a, b) => a.box[1] - b.box[1]);
  return m;
}

/** The first and last lines of a page: where page numbers and running lines sit. */
function edges(ls: TextLine[]): TextLine[] {
  return [...new Set([...ls.slice(0, EDGE_LINES), ...ls.slice(-EDGE_LINES)])];
}

/** Text of a running line with its page number masked ("第 3 页" and "第 4 页" are one running line). */
const runningKey = (text: string) => compact(text).replace(/\d+/g, '#');

/** The narrative lines that are page furniture. */
export function furnitureLines(lines: TextLine[]): Set<TextLine> {
  const out = new Set<TextLine>();
  const pages = byPage(lines);
  // A page number is the top or bottom line of its page (a lone number inside prose stays).
  for (const ls of pages.values()) {
    const first = ls[0], last = ls[ls.length - 1];
    for (const l of [first, last]) if (l && isPageNumber(l.text)) out.add(l);
  }
  // A running header/footer: the same short text at the same height at the edge of most pages.
  const seen = new Map<string, TextLine[]>();
  for (const ls of pages.values()) {
    for (const l of edges(ls)) {
      const k = runningKey(l.text);
      if (!k || k.length > RUNNING_LINE_MAX_CHARS) continue;
      (seen.get(k) ?? seen.set(k, []).get(k)!).push(l);
    }
  }
  const need = Math.max(RUNNING_LINE_MIN_PAGES, Math.ceil(pages.size * RUNNING_LINE_SHARE));
  for (const occ of seen.values()) {
    const ys = occ.map((l) => l.box[1]).sort((a, b) => a - b);
    const median = ys[Math.floor(ys.length / 2)];
    const placed = occ.filter((l) => Math.abs(l.box[1] - median) <= FURNITURE_Y_TOLERANCE);
    if (new Set(placed.map((l) => l.page)).size >= need) for (const l of placed) out.add(l);
  }
  return out;
}

/** The narrative without its page furniture, in the original order. */
export function withoutFurniture(lines: TextLine[]): TextLine[] {
  const drop = furnitureLines(lines);
  return drop.size ? lines.filter((l) => !drop.has(l)) : lines;
}
