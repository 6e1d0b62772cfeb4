// A page → its tables (grids) with the title and note lines around them, and the free text lines.
import type { Box, Grid, Page, TextLine, TextRun } from '../types.js';
import { buildGrid } from './grid.js';
import { groupLines, isMetaText, isNoteText, isPageNumber, isTitleText, looksLikeAmount, toTextLine, type RunLine } from './lines.js';
import { ruledRegions, type HLine, type VLine } from './rules.js';
import { DEFAULT_LAYOUT_SETTINGS, type LayoutSettings } from './settings.js';

/** A bare number (no separator, no point) shorter than this is a code or a year (201, 2024), not a table figure. */
const MIN_BARE_AMOUNT_CHARS = 5;
/** Header lines of an unruled table are looked for at most this many lines above its first tabular line. */
const MAX_STREAM_HEADER_LINES = 4;
/** A line this long is prose, not a header line of an unruled table (characters)… */
const MAX_STREAM_HEADER_CHARS = 60;
/** …and a single piece of text this long without gaps is a sentence (characters). */
const MAX_STREAM_HEADER_PLAIN_CHARS = 12;
/** Fewer tabular lines than this are a figure standing alone in prose, not a table. */
const MIN_STREAM_TABULAR_LINES = 2;
/** An unruled region's box reaches this far beyond its text, so the text is well inside it (pt). */
const STREAM_BOX_PAD = 1;

export interface PageLayout {
  grids: Grid[];
  /** Text lines outside every table, top to bottom. */
  lines: TextLine[];
}

interface Region { box: Box; h: HLine[]; v: VLine[] }

/** A figure as a table prints it: an amount with a separator or a point, or a bare number too long to be a code or a year. */
export function isTableFigure(text: string): boolean {
  return looksLikeAmount(text) && (/[.,]/.test(text) || text.length >= MIN_BARE_AMOUNT_CHARS);
}

const inside = (r: TextRun, b: Box, m: number) => {
  const cx = (r.box[0] + r.box[2]) / 2, cy = (r.box[1] + r.box[3]) / 2;
  return cx >= b[0] - m && cx <= b[2] + m && cy >= b[1] - m && cy <= b[3] + m;
};

/**
 * A line of an unruled table: some amount stands apart from its neighbours (prose puts 万元 or
 * a comma right after a figure), and the line is not a run of words filling the text width.
 */
function isTabular(l: RunLine, s: LayoutSettings): boolean {
  if (l.runs.length < 2) return false;
  const gap = s.streamMinGap * l.fontSize;
  let isolated = 0;
  l.runs.forEach((r, i) => {
    if (!isTableFigure(r.text)) return;
    const before = i === 0 ? Infinity : r.box[0] - l.runs[i - 1].box[2];
    const after = i === l.runs.length - 1 ? Infinity : l.runs[i + 1].box[0] - r.box[2];
    // Prose follows a figure with a unit after a word space; a table leaves a wider gap.
    if (before >= gap && (after >= s.streamAfterGap * l.fontSize || looksLikeAmount(l.runs[i + 1].text))) isolated++;
  });
  return isolated > 0;
}

function hasGaps(l: RunLine, s: LayoutSettings): boolean {
  for (let i = 1; i < l.runs.length; i++) if (l.runs[i].box[0] - l.runs[i - 1].box[2] >= s.streamMinGap * l.fontSize) return true;
  return false;
}

/** Unruled tables: runs of tabular lines, with the gapped header lines right above them. */
function streamRegions(lines: RunLine[], s: LayoutSettings): Region[] {
  const regions: Region[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!isTabular(lines[i], s)) { i++; continue; }
    let start = i, end = i;
    // Extend down over tabular lines and the rows between them set at the table's line pitch
    // (wrapped labels, rows without amounts); the table ends at its last tabular line.
    let j = i + 1;
    while (j < lines.length) {
      const t = lineText(lines[j]);
      if (isTitleText(t) || isNoteText(t) || isMetaText(t) || isPageNumber(t)) break;
      if (lines[j].box[1] - lines[j - 1].box[3] > s.streamMaxRowGap * lines[j].fontSize) break;
      if (isTabular(lines[j], s)) end = j;
      j++;
    }
    // Header lines above: gapped or short lines up to a title/meta line.
    let k0 = start - 1;
    while (k0 >= 0 && start - k0 <= MAX_STREAM_HEADER_LINES) {
      const t = lineText(lines[k0]);
      if (isTitleText(t) || isMetaText(t) || isNoteText(t) || isPageNumber(t) || t.length > MAX_STREAM_HEADER_CHARS) break;
      if (!hasGaps(lines[k0], s) && lines[k0].runs.length < 2 && t.length > MAX_STREAM_HEADER_PLAIN_CHARS) break;
      start = k0; k0--;
    }
    const ls = lines.slice(start, end + 1);
    if (ls.filter((l) => isTabular(l, s)).length < MIN_STREAM_TABULAR_LINES) { i = end + 1; continue; }
    const pad = STREAM_BOX_PAD;
    regions.push({ box: [Math.min(...ls.map((l) => l.box[0])) - pad, ls[0].box[1] - pad, Math.max(...ls.map((l) => l.box[2])) + pad, ls[ls.length - 1].box[3] + pad], h: [], v: [] });
    i = end + 1;
  }
  return regions;
}

const lineText = (l: RunLine) => toTextLine(l, 0).text;

export function layoutPage(page: Page, settings: LayoutSettings = DEFAULT_LAYOUT_SETTINGS): PageLayout {
  const m = settings.regionMargin;
  const titleYs = groupLines(page.runs, settings.lineTolerance).filter((l) => isTitleText(lineText(l))).map((l) => (l.box[1] + l.box[3]) / 2);
  const ruled = ruledRegions(page.rules, settings, titleYs).filter((r) => page.runs.some((t) => inside(t, r.box, m)));
  const freeRuns = page.runs.filter((t) => !ruled.some((r) => inside(t, r.box, m)));
  const freeLines = groupLines(freeRuns, settings.lineTolerance);
  const stream = streamRegions(freeLines, settings);
  const regions: Region[] = [...ruled, ...stream].sort((a, b) => a.box[1] - b.box[1]);

  const used = new Set<TextRun>();
  const grids: Grid[] = [];
  for (const reg of regions) {
    const runs = page.runs.filter((t) => !used.has(t) && inside(t, reg.box, m));
    const g = buildGrid({ box: reg.box, runs, h: reg.h, v: reg.v, page: page.number }, settings);
    // A single column is a framed paragraph or prose, not a table: its text stays narrative.
    if (g.cells.length === 0 || g.cols < 2) continue;
    runs.forEach((t) => used.add(t));
    grids.push({
      pages: [page.number], box: reg.box, rows: g.rows, cols: g.cols, cells: g.cells,
      titleLines: [], noteLines: [], ruled: reg.h.length > 0 || reg.v.length > 0, source: page.source,
    });
  }
  const lines = groupLines(page.runs.filter((t) => !used.has(t)), settings.lineTolerance).map((l) => toTextLine(l, page.number));
  attachTitlesAndNotes(grids, lines, settings.titleReach);
  return { grids, lines };
}

/** Lines between tables: notes (注/备注/说明) go to the table above, the rest to the table below. */
function attachTitlesAndNotes(grids: Grid[], lines: TextLine[], titleReach: number): void {
  grids.forEach((g, i) => {
    const prevBottom = i > 0 ? grids[i - 1].box[3] : -Infinity;
    const nextTop = i + 1 < grids.length ? grids[i + 1].box[1] : Infinity;
    // By the line's centre: OCR boxes are loose and may reach over the table's top rule.
    const cy = (l: TextLine) => (l.box[1] + l.box[3]) / 2;
    const above = lines.filter((l) => cy(l) < g.box[1] && cy(l) > prevBottom && g.box[1] - l.box[3] <= titleReach);
    // Notes of the previous table are not this table's title.
    const prevNotes = new Set(i > 0 ? grids[i - 1].noteLines : []);
    g.titleLines = above.filter((l) => !prevNotes.has(l) && !isPageNumber(l.text));
    const below = lines.filter((l) => cy(l) > g.box[3] && cy(l) < nextTop);
    const notes: TextLine[] = [];
    for (const l of below) {
      if (notes.length === 0 && !isNoteText(l.text)) break;
      if (notes.length > 0 && (isTitleText(l.text) || isMetaText(l.text))) break;
      notes.push(l);
    }
    g.noteLines = notes;
  });
}
