// Tables running over pages: mark a grid as continuing the previous one.
import type { Grid, TextLine } from '../types.js';
import { isMetaText, isPageNumber, isTableNumberText, isTitleText } from './lines.js';
import { editDistance, hanOnly } from '../extract/normalize.js';
import { knownTitleIn } from '../recognize/kinds.js';

/** A title wrapped over two lines has a short second line (characters)… */
const WRAPPED_TITLE_TAIL_CHARS = 12;
/** …set below the first by less than this × the first line's height… */
const WRAPPED_TITLE_GAP = 1.2;
/** …and the two together are no longer than a title (characters). */
const WRAPPED_TITLE_MAX_CHARS = 60;

/** The title of a grid: its nearest title-like line above. */
export function gridTitle(g: Grid): string | null {
  for (let i = g.titleLines.length - 1; i >= 0; i--) {
    if (!isTitleText(g.titleLines[i].text)) continue;
    // A title wrapped over two lines: "…经费支出预" / "算表".
    let title = g.titleLines[i].text;
    const prev = g.titleLines[i - 1];
    if (prev && !isTitleText(prev.text) && !isMetaText(prev.text) && title.length < WRAPPED_TITLE_TAIL_CHARS
      && g.titleLines[i].box[1] - prev.box[3] < (prev.box[3] - prev.box[1]) * WRAPPED_TITLE_GAP
      && prev.text.length + title.length <= WRAPPED_TITLE_MAX_CHARS) {
      title = prev.text + title;
    }
    return title;
  }
  return null;
}

/** A title repeated on a continuation page may differ by one misread character (not more: 收入 and 支出 differ by two)… */
const SAME_TITLE_MISREADS = 1;
/** …when it is this long at least. */
const SAME_TITLE_MIN_CHARS = 8;
const titleCore = (t: string) => hanOnly(t).replace(/续表?$/, '');
/** The same title: the same Han characters ((续) aside), or one misread of the same known title. */
function sameTitle(a: string, b: string): boolean {
  const x = titleCore(a), y = titleCore(b);
  if (x === y) return true;
  return Math.min(x.length, y.length) >= SAME_TITLE_MIN_CHARS && editDistance(x, y) <= SAME_TITLE_MISREADS && knownTitleIn(a) === knownTitleIn(b);
}

/** Column starts of two parts of one table lie within this of each other (pt)… */
const COLUMN_MATCH_TOLERANCE = 8;
/** …for at least this share of the continuation's columns. */
const COLUMN_MATCH_SHARE = 0.6;

/** Left edges of a grid's columns, from its single-column cells. */
function columnStarts(g: Grid): number[] {
  const starts: number[] = [];
  for (const c of g.cells) if (c.colSpan === 1) starts[c.col] = Math.min(starts[c.col] ?? Infinity, c.box[0]);
  return starts.filter((x) => x !== undefined && Number.isFinite(x));
}

/** Does `g` have the columns of `prev` (same count, or most of its column starts at one of prev's)? */
export function sameColumns(g: Grid, prev: Grid): boolean {
  if (g.cols === prev.cols) return true;
  const a = columnStarts(g), b = columnStarts(prev);
  if (a.length === 0) return false;
  const near = a.filter((x) => b.some((y) => Math.abs(x - y) <= COLUMN_MATCH_TOLERANCE)).length;
  return near >= COLUMN_MATCH_SHARE * a.length;
}

const hasDigit = (t: string) => /\d/.test(t);

/** Header texts of a grid: the cells above its first row holding a figure. */
function headerTexts(g: Grid): Set<string> {
  const firstBody = Math.min(g.rows, ...g.cells.filter((c) => hasDigit(c.text)).map((c) => c.row));
  return new Set(g.cells.filter((c) => c.row < firstBody).map((c) => hanOnly(c.text)).filter(Boolean));
}

/** Words of header cells: label column heads (科目编码, 项目) and amount column heads (合计, 2024年预算数). */
const HEADER_WORD = /^(项目|科目|名称|类|款|项|合计|小计|总计|金额|栏次|行次|单位|收入|支出)$|编码|代码|名称$|预算数$|决算数$|金额$/;
/** A row is a header row when at least this share of its cells hold header words. */
const HEADER_WORD_SHARE = 0.5;

/**
 * A header row of its own at the top of `g`: a first row of several cells without figures, mostly
 * header words, that are not the header of `root` repeated.
 */
export function startsWithOtherHeader(g: Grid, root: Grid): boolean {
  const first = g.cells.filter((c) => c.row === 0);
  if (first.length < 2 || first.some((c) => hasDigit(c.text))) return false;
  const texts = first.map((c) => hanOnly(c.text)).filter(Boolean);
  if (texts.filter((t) => HEADER_WORD.test(t)).length < HEADER_WORD_SHARE * first.length) return false;
  const known = [...headerTexts(root)];
  return texts.some((t) => !known.some((k) => sameHeaderText(t, k)));
}

/** A header cell read again on a continuation page may differ by one misread character (项目 read 项月 by OCR). */
const HEADER_MISREADS = 1;
/** …when one of the two is this long at least (类 and 款 are different heads; 项 is 项目 with 目 lost). */
const HEADER_MISREAD_MIN_CHARS = 2;
const sameHeaderText = (a: string, b: string) =>
  a === b || (Math.max([...a].length, [...b].length) >= HEADER_MISREAD_MIN_CHARS && editDistance(a, b) <= HEADER_MISREADS);

/** Lines above a grid that start a new table: a table number (公开05表) or a 部门：/单位： line. */
const startsNewTable = (g: Grid) => g.titleLines.some((l) => isTableNumberText(l.text) || isMetaText(l.text));

/**
 * A grid continues the previous one when it is the first on its page and the previous one was the
 * last on the previous page, and either repeats the same title, or has no title, no table number
 * or 部门/单位 line above it, no header of its own and the previous part's columns.
 * Sets `continuationOf` to the index of the first part.
 */
export function markContinuations(grids: Grid[]): void {
  for (let i = 1; i < grids.length; i++) {
    const g = grids[i], prev = grids[i - 1];
    const page = g.pages[0], prevPage = prev.pages[prev.pages.length - 1];
    if (page !== prevPage + 1) continue;
    if (grids.some((o, k) => k < i && o.pages[0] === page)) continue; // not first on its page
    const title = gridTitle(g);
    const root = prev.continuationOf ?? i - 1;
    const rootTitle = gridTitle(grids[root]);
    // A title and header alone at the foot of a page (no figure yet) are continued by whatever table follows.
    const stub = !prev.cells.some((c) => hasDigit(c.text));
    const continues = title === null
      ? !startsNewTable(g) && (stub || sameColumns(g, prev) && !startsWithOtherHeader(g, grids[root]))
      : rootTitle !== null && sameTitle(title, rootTitle);
    if (continues) g.continuationOf = root;
  }
}

/** Title lines at the foot of a page, waiting for the next page's first table. */
export interface FootTitle { page: number; lines: TextLine[] }

/**
 * A table title printed at the foot of a page belongs to the table at the top of the next page:
 * give it to that table (when it has no title of its own) so it is not taken for a continuation of
 * the table before. `pending` is what the previous page left; returns what this page leaves.
 */
export function carryFootTitle(pending: FootTitle | undefined, lay: { grids: Grid[]; lines: TextLine[] }, pageNumber: number): FootTitle | undefined {
  const carried = pending?.page === pageNumber - 1 ? pending.lines : [];
  const first = lay.grids[0];
  if (first && carried.length && gridTitle(first) === null) first.titleLines = [...carried, ...first.titleLines];
  const lastBottom = lay.grids.length ? lay.grids[lay.grids.length - 1].box[3] : -Infinity;
  const below = lay.lines.filter((l) => l.box[1] >= lastBottom && !isPageNumber(l.text));
  const start = below.findIndex((l) => isTitleText(l.text));
  return start >= 0 ? { page: pageNumber, lines: below.slice(start) } : undefined;
}
