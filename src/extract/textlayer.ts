// Is a page's text layer worth reading, or must the page be OCR'd? Pure: works on the extracted runs.
import type { Page, TextRun } from '../types.js';
import { groupLines, isMetaText, isTitleText, lineText } from '../layout/lines.js';
import type { LayoutSettings } from '../layout/settings.js';
import { isTableFigure } from '../layout/tables.js';

/** Fewer visible characters than this, over a page-sized image, is a scan with a stray stamp or page number. */
export const TOO_LITTLE_TEXT = 40;
/** At least this share of unreadable characters (private use, U+FFFD, controls, mojibake) is garbage. */
export const GARBAGE_SHARE = 0.2;
/** A text layer this long with no Han character cannot be a Chinese budget table page. */
export const MIN_CHARS_FOR_HAN_CHECK = 30;
/** An image of at least this many pixels can be a scanned page (logos and seals are smaller). */
export const PAGE_IMAGE_PIXELS = 1_000_000;

export type TextLayerReason = 'ok' | 'blank' | 'none' | 'too_little' | 'garbage' | 'no_han';

export interface TextLayerVerdict {
  usable: boolean;
  reason: TextLayerReason;
  /** Short English explanation for logs and findings. */
  detail: string;
}

export interface TextStats {
  chars: number;
  han: number;
  bad: number;
  letters: number;
}

export function textStats(texts: string[]): TextStats {
  const s: TextStats = { chars: 0, han: 0, bad: 0, letters: 0 };
  for (const t of texts) {
    for (const ch of t) {
      if (/\s/u.test(ch)) continue;
      s.chars++;
      const cp = ch.codePointAt(0)!;
      if (/\p{Script=Han}/u.test(ch)) s.han++;
      else if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000 || cp === 0xfffd || /\p{Cc}|\p{Cs}|\p{Co}|\p{Cn}/u.test(ch)) s.bad++;
      // Latin-1 letters in a Chinese document are GBK bytes read as Latin-1 (mojibake).
      else if (cp >= 0xc0 && cp <= 0x2af) { s.bad++; s.letters++; }
      else if (/\p{L}/u.test(ch)) s.letters++;
    }
  }
  return s;
}

/**
 * Decide for one extracted page. `pageImagePixels` is the pixels of the images the page paints
 * (0 when none, undefined when not looked at: then an empty page is assumed to be a scan).
 */
export function assessTextLayer(page: Pick<Page, 'runs' | 'rules'>, pageImagePixels?: number): TextLayerVerdict {
  const st = textStats(page.runs.map((r) => r.text));
  const hasScan = pageImagePixels === undefined || pageImagePixels >= PAGE_IMAGE_PIXELS;
  if (st.chars === 0) {
    return hasScan
      ? { usable: false, reason: 'none', detail: 'no text layer' }
      : { usable: true, reason: 'blank', detail: 'no text and no page image: blank or drawing-only page' };
  }
  if (st.bad >= GARBAGE_SHARE * st.chars) {
    return { usable: false, reason: 'garbage', detail: `${st.bad} of ${st.chars} characters unreadable (private-use, unmapped or mojibake glyphs)` };
  }
  if (st.han === 0 && st.chars >= MIN_CHARS_FOR_HAN_CHECK && (st.letters >= 0.3 * st.chars || page.rules.length >= 4)) {
    return { usable: false, reason: 'no_han', detail: `${st.chars} characters but no Han character: the fonts do not map to Unicode` };
  }
  if (st.chars < TOO_LITTLE_TEXT && pageImagePixels !== undefined && hasScan) {
    return { usable: false, reason: 'too_little', detail: `only ${st.chars} characters over a page image` };
  }
  return { usable: true, reason: 'ok', detail: 'text layer usable' };
}

/** Worth looking for a page image (an operator-list pass) before deciding? Only for pages with little or no text. */
export function needsImageCheck(page: Pick<Page, 'runs'>): boolean {
  return textStats(page.runs.map((r) => r.text)).chars < TOO_LITTLE_TEXT;
}

/**
 * Two pieces of text on one line at least this far apart (× font size) stand in columns: a table row.
 * Prose keeps words within a space (pieces closer than pdf.ts RUN_JOIN_GAP are one run already);
 * the unruled-table detector wants 1.5 em (LayoutSettings.streamMinGap), ruled cells may sit closer.
 */
export const TABLE_COLUMN_GAP = 1;

/**
 * May this page hold a table? Decided from its text alone, before the (costly) operator-list pass
 * that finds ruling lines, which is skipped when the answer is no. Generous on purpose: any table
 * figure, any table title or 单位/部门 line, any line whose text stands in columns; and a text
 * layer with no Han character, whose verdict (assessTextLayer) weighs the ruling lines.
 */
export function mayHoldTable(runs: TextRun[], settings: Pick<LayoutSettings, 'lineTolerance'>): boolean {
  if (runs.some((r) => isTableFigure(r.text))) return true;
  for (const l of groupLines(runs, settings.lineTolerance)) {
    for (let i = 1; i < l.runs.length; i++) {
      if (l.runs[i].box[0] - l.runs[i - 1].box[2] >= TABLE_COLUMN_GAP * l.fontSize) return true;
    }
    const text = lineText(l.runs);
    if (isTitleText(text) || isMetaText(text)) return true;
  }
  const st = textStats(runs.map((r) => r.text));
  return st.han === 0 && st.chars >= MIN_CHARS_FOR_HAN_CHECK;
}
