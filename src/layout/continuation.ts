// Tables running over pages: mark a grid as continuing the previous one.
import type { Grid, TextLine } from '../types.js';
import { isMetaText, isPageNumber, isTitleText } from './lines.js';

/** A title wrapped over two lines has a short second line (characters)… */
const WRAPPED_TITLE_TAIL_CHARS = 12;
/** …set below the first by less than this × the first line's height… */
const WRAPPED_TITLE_GAP = 1.2;
/** …and the two together are no longer than a title (characters). */
const WRAPPED_TITLE_MAX_CHARS = 60;

const TITLE_NORMALIZE = (t: string) => t.replace(/\s/g, '').replace(/[（(]续[）)]|续表?$/g, '');

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

/**
 * A grid continues the previous one when it is the first on its page, the previous one was the last
 * on the previous page, and it has no title of its own (or repeats the same title).
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
    if (title === null || (rootTitle !== null && TITLE_NORMALIZE(title) === TITLE_NORMALIZE(rootTitle))) {
      g.continuationOf = root;
    }
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
