// Tables running over pages: mark a grid as continuing the previous one.
import type { Grid } from '../types.js';
import { isMetaText, isTitleText } from './lines.js';

const TITLE_NORMALIZE = (t: string) => t.replace(/\s/g, '').replace(/[（(]续[）)]|续表?$/g, '');

/** The title of a grid: its nearest title-like line above. */
export function gridTitle(g: Grid): string | null {
  for (let i = g.titleLines.length - 1; i >= 0; i--) {
    if (!isTitleText(g.titleLines[i].text)) continue;
    // A title wrapped over two lines: "…经费支出预" / "算表".
    let title = g.titleLines[i].text;
    const prev = g.titleLines[i - 1];
    if (prev && !isTitleText(prev.text) && !isMetaText(prev.text) && title.length < 12
      && g.titleLines[i].box[1] - prev.box[3] < (prev.box[3] - prev.box[1]) * 1.2 && prev.text.length + title.length <= 60) {
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
