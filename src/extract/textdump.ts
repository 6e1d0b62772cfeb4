// Text dump → table grids and text lines.
//
// A text dump is a budget PDF already extracted to plain text: one table row a line, cells separated
// by tabs, empty cells kept as empty fields (so the tab index is the column), blank lines where the
// PDF had page breaks, and everything else (titles, 部门：…, 金额单位：…, 表 1-1, 备注：…, narrative)
// on lines without tabs. This module produces the same hand-off the PDF path produces after layout:
// grids with their title and note lines, plus every non-table line for the recognizer.
//
// Synthetic geometry (the dump has none): a cell in tab field `col` of source line `n` (1-based,
// counted over the whole file) has the box [col·CELL_WIDTH, n·LINE_HEIGHT, (col+1)·CELL_WIDTH,
// (n+1)·LINE_HEIGHT]; a cell merged from several lines spans all of them. A text line's box is
// [0, n·LINE_HEIGHT, len·CHAR_WIDTH, (n+1)·LINE_HEIGHT]. A form feed (\f) starts a new page; without
// one everything is on page 1. Boxes are consistent with each other, not with any rendering.
import type { Box, Cell, Grid, TextLine } from '../types.js';
import { normalizeText } from './normalize.js';

/** Width of one tab field in synthetic units: columns never overlap. */
export const CELL_WIDTH = 100;
/** Height of one source line in synthetic units: rows never overlap. */
export const LINE_HEIGHT = 10;
/** Width of one character of a text line in synthetic units (only to give lines a plausible extent). */
export const CHAR_WIDTH = 10;
/** At most this many lines above a table are taken as its title lines (title, 部门：, 单位：, 表 N). */
export const MAX_TITLE_LINES = 8;
/** A line above a table longer than this (characters, normalised) is narrative, not a title line. */
export const MAX_TITLE_CHARS = 60;

export interface TextDumpResult {
  grids: Grid[];
  lines: TextLine[];
  pages: number;
}

type LineKind = 'blank' | 'tab' | 'text';

interface SourceLine {
  no: number; // 1-based line number over the whole file
  page: number;
  raw: string;
  kind: LineKind;
}

interface WorkCell {
  col: number;
  text: string;
  firstLine: number;
  lastLine: number;
}

interface WorkRow {
  lines: number[];
  pages: number[];
  cells: Map<number, WorkCell>;
  removed: boolean;
  /** Columns whose text was started by a label fragment on the line above (a wrapped label). */
  startedAbove: Set<number>;
}

/** An amount, a percentage or a code: a field that makes a row a data row. */
const NUMERIC = /^[-+]?\(?\d[\d,]*(?:\.\d+)?\)?%?$/;
/** Label enumerators (一、 (一) 1.) open a new label: such text never continues the line above. */
const ENUMERATOR = /^(?:[一二三四五六七八九十百零]+、|\([一二三四五六七八九十百零\d]+\)|\d+[.、)](?!\d))/;
/** Sentence end (after NFKC: ；！？ become ;!?). */
const TERMINAL = /[。;!?]$/;
/** Note lines under a table. */
const NOTE = /^(?:备注|附注|注释?|说明|填表说明)\s*[:：]|^注\s*\d|^(?:备注|说明)$/;
/** Continuation items of a note (1. … / (1) …). */
const NOTE_ITEM = /^(?:\d+[.、)](?!\d)|\(\d+\))/;

function isNumeric(text: string): boolean {
  return NUMERIC.test(text.replace(/\s+/g, ''));
}

function splitSource(text: string): SourceLine[] {
  const out: SourceLine[] = [];
  let page = 1;
  const rawLines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  rawLines.forEach((rawLine, i) => {
    // A form feed is a page break (pdftotext ends every page with one): feeds before the line's text
    // put the line on the next page, feeds after it start the page of the following line.
    const lead = (rawLine.match(/^[\f\s]*/)?.[0].match(/\f/g) ?? []).length;
    const total = (rawLine.match(/\f/g) ?? []).length;
    page += lead;
    const linePage = page;
    page += total - lead;
    const raw = rawLine.replace(/\f/g, '');
    let kind: LineKind;
    if (raw.includes('\t')) kind = raw.split('\t').some((f) => normalizeText(f) !== '') ? 'tab' : 'blank';
    else kind = normalizeText(raw) === '' ? 'blank' : 'text';
    out.push({ no: i + 1, page: linePage, raw, kind });
  });
  return out;
}

function textLine(src: SourceLine): TextLine {
  const text = normalizeText(src.raw);
  const y = src.no * LINE_HEIGHT;
  return { text, box: [0, y, Math.max(1, [...text].length) * CHAR_WIDTH, y + LINE_HEIGHT], page: src.page };
}

/** Runs of tab lines: blank lines inside a run are skipped if the next tab line keeps the column count. */
function segmentTables(src: SourceLine[]): number[][] {
  const tables: number[][] = [];
  let current: number[] | null = null;
  let currentCols = 0;
  let blankSince = false;
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    if (line.kind === 'blank') {
      blankSince = true;
      continue;
    }
    if (line.kind === 'text') {
      current = null;
      continue;
    }
    const fields = line.raw.split('\t').length;
    const continues =
      current !== null && (!blankSince || sameStructure(fields, currentCols, line.raw));
    if (continues && current) {
      current.push(i);
      currentCols = Math.max(currentCols, fields);
    } else {
      current = [i];
      currentCols = fields;
      tables.push(current);
    }
    blankSince = false;
  }
  return tables;
}

/** After a blank line, a tab line continues the table if it has the same number of fields
 * (one fewer or more is tolerated: an extractor may drop a trailing empty field). */
function sameStructure(fields: number, tableCols: number, raw: string): boolean {
  if (Math.abs(fields - tableCols) <= 1) {
    const parts = raw.split('\t');
    let last = -1;
    parts.forEach((p, k) => {
      if (normalizeText(p) !== '') last = k;
    });
    return last < tableCols;
  }
  return false;
}

function buildRows(src: SourceLine[], idx: number[]): WorkRow[] {
  return idx.map((i) => {
    const line = src[i];
    const cells = new Map<number, WorkCell>();
    line.raw.split('\t').forEach((field, col) => {
      const text = normalizeText(field);
      if (text !== '') cells.set(col, { col, text, firstLine: line.no, lastLine: line.no });
    });
    return { lines: [line.no], pages: [line.page], cells, removed: false, startedAbove: new Set<number>() };
  });
}

const isData = (r: WorkRow): boolean => [...r.cells.values()].some((c) => isNumeric(c.text));
const isLabelOnly = (r: WorkRow): boolean => r.cells.size > 0 && !isData(r);

function joinText(a: string, b: string): string {
  return normalizeText(`${a} ${b}`);
}

function absorb(into: WorkRow, from: WorkRow): void {
  into.lines.push(...from.lines);
  into.lines.sort((a, b) => a - b);
  for (const p of from.pages) if (!into.pages.includes(p)) into.pages.push(p);
}

/**
 * Long text cells (a column where some cell ends with 。, e.g. 年度目标 in the 项目绩效目标表) that
 * wrap in the PDF and whose continuation lands on the next line, in the same column, of a row that
 * has nothing to its left (the continuation line usually carries the next indicator row's cells).
 * The fragments are joined into the upper cell as long as they end with a sentence end.
 */
function mergeSentenceWraps(rows: WorkRow[]): void {
  const sentenceCols = new Set<number>();
  for (const r of rows) for (const c of r.cells.values()) if (c.text.endsWith('。')) sentenceCols.add(c.col);
  for (let i = 0; i < rows.length; i++) {
    const upperRow = rows[i];
    if (upperRow.removed) continue;
    for (const upper of [...upperRow.cells.values()]) {
      if (!sentenceCols.has(upper.col) || TERMINAL.test(upper.text) || isNumeric(upper.text)) continue;
      const chain: number[] = [];
      let ok = false;
      for (let j = i + 1; j < rows.length; j++) {
        const r = rows[j];
        if (r.removed) continue;
        const cell = r.cells.get(upper.col);
        if (!cell || isNumeric(cell.text) || ENUMERATOR.test(cell.text)) break;
        if ([...r.cells.keys()].some((c) => c < upper.col)) break;
        chain.push(j);
        if (TERMINAL.test(cell.text)) {
          ok = true;
          break;
        }
      }
      if (!ok) continue;
      for (const j of chain) {
        const r = rows[j];
        const cell = r.cells.get(upper.col)!;
        upper.text = joinText(upper.text, cell.text);
        upper.lastLine = Math.max(upper.lastLine, cell.lastLine);
        r.cells.delete(upper.col);
        if (r.cells.size === 0) {
          r.removed = true;
          absorb(upperRow, r);
        }
      }
    }
  }
}

function unclosedBracket(s: string): boolean {
  const open = (s.match(/[(\[]/g) ?? []).length;
  const close = (s.match(/[)\]]/g) ?? []).length;
  return open > close;
}

/**
 * Row labels that wrap in the PDF and come out as lines holding only label text, one above and/or one
 * below the line with the row's codes and amounts, whose label field is then empty. Such a fragment
 * is merged into that data row (head + tail joined around it). A label-only line is kept as a row of
 * its own when it cannot be a fragment: its neighbours' label fields are taken, or (for a tail) it
 * starts with 一、/(一)/1. — rows without amounts such as 七、上年结转 or 社会保险基金支出 are real
 * rows. A tail is also accepted under a label cut inside brackets (…缴费( / 项)). Header rows (those
 * above the first row with a number) are never merged: the recognizer combines them by column.
 */
function mergeLabelWraps(rows: WorkRow[], headerRows: number): void {
  const live = (from: number, step: number): number => {
    for (let k = from; k >= headerRows && k < rows.length; k += step) if (!rows[k].removed) return k;
    return -1;
  };
  for (let i = headerRows; i < rows.length; i++) {
    const r = rows[i];
    if (r.removed || !isLabelOnly(r)) continue;
    const cols = [...r.cells.keys()];
    const texts = [...r.cells.values()];
    const continuation = texts.every((c) => !ENUMERATOR.test(c.text));
    const pi = live(i - 1, -1);
    const ni = live(i + 1, 1);
    const p = pi >= 0 ? rows[pi] : null;
    const n = ni >= 0 ? rows[ni] : null;
    const pData = p !== null && isData(p);
    const nData = n !== null && isData(n);

    // 1. The tail of a label whose head was merged into the data row above.
    if (p && pData && continuation && cols.every((c) => p.startedAbove.has(c))) {
      append(p, r);
      for (const c of cols) p.startedAbove.delete(c); // one tail line per head
      continue;
    }
    // 2. The head of a label whose data row below has an empty label field.
    if (n && nData && cols.every((c) => !n.cells.has(c))) {
      prepend(n, r);
      continue;
    }
    // 3. The tail of a label whose data row above has an empty label field, or a label cut inside
    //    brackets (机关事业单位基本养老保险缴费( / 项)).
    if (
      p &&
      pData &&
      continuation &&
      cols.every((c) => {
        const above = p.cells.get(c);
        return above === undefined || unclosedBracket(above.text);
      })
    ) {
      append(p, r);
      continue;
    }
  }
}

function prepend(into: WorkRow, from: WorkRow): void {
  for (const c of from.cells.values()) {
    const below = into.cells.get(c.col);
    if (below) {
      below.text = joinText(c.text, below.text);
      below.firstLine = Math.min(below.firstLine, c.firstLine);
    } else {
      into.cells.set(c.col, { ...c });
    }
    into.startedAbove.add(c.col);
  }
  from.removed = true;
  absorb(into, from);
}

function append(into: WorkRow, from: WorkRow): void {
  for (const c of from.cells.values()) {
    const above = into.cells.get(c.col);
    if (above) {
      above.text = joinText(above.text, c.text);
      above.lastLine = Math.max(above.lastLine, c.lastLine);
    } else {
      into.cells.set(c.col, { ...c });
    }
  }
  from.removed = true;
  absorb(into, from);
}

/**
 * Header rows: the rows above the first row holding a number. The last of them is a body row after
 * all when it can only be the head of a wrapped row label: a single cell, in a column that holds
 * labels further down, above a first data row whose cell in that column is empty.
 */
function countHeaderRows(rows: WorkRow[]): number {
  const first = rows.findIndex(isData);
  if (first < 0) return rows.length;
  if (first < 2) return first;
  const cand = rows[first - 1];
  if (cand.cells.size !== 1) return first;
  const col = [...cand.cells.keys()][0];
  const labelCol = rows.slice(first).some((r) => {
    const c = r.cells.get(col);
    return c !== undefined && !isNumeric(c.text);
  });
  return labelCol && !rows[first].cells.has(col) ? first - 1 : first;
}

function cellBox(c: WorkCell): Box {
  return [c.col * CELL_WIDTH, c.firstLine * LINE_HEIGHT, (c.col + 1) * CELL_WIDTH, (c.lastLine + 1) * LINE_HEIGHT];
}

function isNoteLine(text: string): boolean {
  return NOTE.test(text);
}

/** A line above a table that can belong to its title block (not a narrative sentence). */
function isTitleLike(text: string): boolean {
  return [...text].length <= MAX_TITLE_CHARS && !TERMINAL.test(text);
}

/** Parse a tab-separated text dump into grids (one per table) and the non-table text lines. */
export function parseTextDump(text: string): TextDumpResult {
  const src = splitSource(text);
  const tables = segmentTables(src);
  const inTable = new Set<number>(tables.flat());

  // Every non-table, non-blank line, in order; keyed by source index for the title/note look-ups.
  const lines: TextLine[] = [];
  const lineAt = new Map<number, TextLine>();
  src.forEach((s, i) => {
    if (s.kind !== 'text' || inTable.has(i)) return;
    const tl = textLine(s);
    lines.push(tl);
    lineAt.set(i, tl);
  });

  const grids: Grid[] = [];
  let boundary = -1; // last source index consumed by the previous table (its rows and notes)
  for (let t = 0; t < tables.length; t++) {
    const idx = tables[t];
    const first = idx[0];
    const last = idx[idx.length - 1];

    // Title lines: walk up from the table over text lines, nearest last.
    const titleLines: TextLine[] = [];
    for (let i = first - 1; i > boundary && titleLines.length < MAX_TITLE_LINES; i--) {
      const s = src[i];
      if (s.kind === 'blank') continue;
      const tl = lineAt.get(i);
      if (!tl || !isTitleLike(tl.text)) break;
      titleLines.unshift(tl);
    }

    // Note lines: right under the table (blank lines skipped), 备注：/注：/说明： and their items.
    const noteLines: TextLine[] = [];
    const nextTableStart = t + 1 < tables.length ? tables[t + 1][0] : src.length;
    let consumed = last;
    for (let i = last + 1; i < nextTableStart; i++) {
      const s = src[i];
      if (s.kind === 'blank') continue;
      const tl = lineAt.get(i);
      if (!tl) break;
      if (isNoteLine(tl.text) || (noteLines.length > 0 && NOTE_ITEM.test(tl.text))) {
        noteLines.push(tl);
        consumed = i;
      } else break;
    }
    boundary = consumed;

    const rows = buildRows(src, idx);
    const headerRows = countHeaderRows(rows);
    mergeSentenceWraps(rows);
    mergeLabelWraps(rows, headerRows);

    const kept = rows.filter((r) => !r.removed);
    const cells: Cell[] = [];
    const pages = new Set<number>();
    kept.forEach((r, rowIndex) => {
      r.pages.forEach((p) => pages.add(p));
      const sorted = [...r.cells.values()].sort((a, b) => a.col - b.col);
      for (const c of sorted) {
        cells.push({
          row: rowIndex,
          col: c.col,
          rowSpan: 1,
          colSpan: 1,
          text: c.text,
          box: cellBox(c),
          page: src[c.firstLine - 1].page,
          confidence: 1, // typed text: nothing to doubt
        });
      }
    });
    const cols = Math.max(...idx.map((i) => src[i].raw.split('\t').length));
    grids.push({
      pages: [...pages].sort((a, b) => a - b),
      box: [0, src[first].no * LINE_HEIGHT, cols * CELL_WIDTH, (src[last].no + 1) * LINE_HEIGHT],
      rows: kept.length,
      cols,
      cells,
      titleLines,
      noteLines,
      ruled: false,
      source: 'text_dump',
    });
  }

  // Pages that hold text (a trailing form feed opens no page).
  const pages = Math.max(1, ...src.filter((s) => s.kind !== 'blank').map((s) => s.page));
  return { grids, lines, pages };
}
