// Text runs → text lines, and small predicates on run text used by several layout steps.
import type { Box, TextLine, TextRun } from '../types.js';
import { knownTitleIn } from '../recognize/kinds.js';

/** A title is one short line; a longer line ending in 表 is a sentence about a table. */
const TITLE_MAX_CHARS = 50;

export interface RunLine {
  runs: TextRun[]; // left to right
  box: Box;
  fontSize: number;
}

export function unionBox(boxes: Box[]): Box {
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

const centreY = (b: Box) => (b[1] + b[3]) / 2;
export const centreX = (b: Box) => (b[0] + b[2]) / 2;

/** Group runs into lines by vertical centre, top to bottom; `lineTolerance` is LayoutSettings.lineTolerance. */
export function groupLines(runs: TextRun[], lineTolerance: number): RunLine[] {
  const sorted = [...runs].sort((a, b) => centreY(a.box) - centreY(b.box) || a.box[0] - b.box[0]);
  const lines: { runs: TextRun[]; cy: number; size: number }[] = [];
  for (const r of sorted) {
    const cy = centreY(r.box);
    const last = lines[lines.length - 1];
    if (last && Math.abs(last.cy - cy) <= lineTolerance * Math.max(last.size, r.fontSize)) {
      last.runs.push(r);
      last.cy = (last.cy * (last.runs.length - 1) + cy) / last.runs.length;
      last.size = Math.max(last.size, r.fontSize);
    } else {
      lines.push({ runs: [r], cy, size: r.fontSize });
    }
  }
  return lines.map((l) => {
    const runsLR = l.runs.sort((a, b) => a.box[0] - b.box[0]);
    return { runs: runsLR, box: unionBox(runsLR.map((r) => r.box)), fontSize: l.size };
  });
}

/** Join a line's runs into its text: Han pieces directly, other pieces with one space. */
export function lineText(runs: TextRun[]): string {
  let out = '';
  for (const r of runs) {
    if (out && !(/[\p{Script=Han}：:、（）()]$/u.test(out) && /^[\p{Script=Han}：:、（）()]/u.test(r.text))) out += ' ';
    out += r.text;
  }
  return out;
}

export function toTextLine(l: RunLine, page: number): TextLine {
  return { text: lineText(l.runs), box: l.box, page };
}

/** An amount as printed: 1,234.56 / -12.3 / 0 / (12.00); a dash means no value. */
export const AMOUNT_RE = /^[-−]?\(?[\d,]*\d(\.\d+)?\)?$/;
export function looksLikeAmount(text: string): boolean {
  const t = text.replace(/\s/g, '');
  if (!AMOUNT_RE.test(t)) return false;
  // Codes (201, 2080505) look like integers too; an amount either has a decimal point or
  // a separator, or is short. Callers that know the column decide finally.
  return true;
}

/** A table number standing alone: 公开05表, 公开表5, 表1-2, 附表3. */
export function isTableNumberText(text: string): boolean {
  return /^(公开|附)?(表)?[\d\-—－.]+表?$|^公开\d+表$/.test(text.replace(/\s/g, '').normalize('NFKC'));
}

/** Brackets as OCR reads them: （ may come back as 〈 《 【 [ {, or the closing one may be lost. */
const OPEN = '(（〈<《【\\[{「『';
const CLOSE = ')）〉>》】\\]}」』|';
/** A bracketed tail after a title (功能科目), (续), as OCR reads it. */
const TITLE_TAIL = new RegExp(`[${OPEN}][^${CLOSE}]{1,16}[${CLOSE}]?$`);
/** Stray marks OCR puts after a title's last character. */
const TITLE_TRAIL = new RegExp(`[${CLOSE}'"‘’“”.·]+$`);

/**
 * A table title line: ends in 表 (optionally followed by a bracketed note, (续) or 续), and is short.
 * As OCR reads it the brackets may be other marks ("财政拨款支出预算表 〈 功能科目)"), and one or two
 * characters of a known title may be misread (kinds.ts knownTitleIn).
 */
export function isTitleText(text: string): boolean {
  const t = text.replace(/\s/g, '');
  if (isTableNumberText(t)) return false; // "公开05表", "表1-2": table numbers, not titles
  if (t.length > TITLE_MAX_CHARS || /^(注|备注|说明)/.test(t)) return false;
  if (/表([(（][^)）]{1,16}[)）])?(\(续\)|（续）|续)?$/.test(t)) return true;
  const head = t.replace(TITLE_TAIL, '').replace(/续$/, '').replace(TITLE_TRAIL, '');
  if (/表$/.test(head)) return true;
  // A known title with misread characters: the line ends in it, and holds no figure (…预算总计 33172.15).
  return /\p{Script=Han}$/u.test(head) && !/\d[.,]\d/.test(t) && knownTitleIn(t) !== null;
}

export function isMetaText(text: string): boolean {
  return /(部门|单位|编制部门|预算单位|编制单位|金额单位)[:：]/.test(text.replace(/\s/g, ''));
}

export function isNoteText(text: string): boolean {
  return /^(注|备注|说明|注释)[:：\d（(]/.test(text.replace(/\s/g, '')) || /^注\d/.test(text);
}

export function isPageNumber(text: string): boolean {
  return /^[-—\s]*(第\s*)?\d{1,3}(\s*页)?[-—\s]*$/.test(text) || /^-\s*\d+\s*-$/.test(text);
}
