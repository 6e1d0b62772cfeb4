// Renders the sample PDFs in this folder from the 达州 2024 budget figures (samples/dazhou-figures.ts).
//
//   npx tsx samples/generate.ts
//
// writes, deterministically (same bytes on every run):
//   samples/达州信息中心2024年部门预算-样例.pdf   — ruled tables (stroked 0.5pt lines, `re` and `m l S`)
//   samples/达州信息中心2024年部门预算-无框线.pdf — the same pages without any ruling line
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { A4_LANDSCAPE, A4_PORTRAIT, ASCENT, Content, PdfWriter, textWidth, wrapText } from './pdf-writer.js';
import * as F from './dazhou-figures.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const RULED_FILE = path.join(HERE, '达州信息中心2024年部门预算-样例.pdf');
export const UNRULED_FILE = path.join(HERE, '达州信息中心2024年部门预算-无框线.pdf');

type Align = 'left' | 'center' | 'right';
type Orientation = 'portrait' | 'landscape';

interface Column {
  width: number;
  align: Align; // body alignment
}
interface HeaderCell {
  r: number;
  c: number;
  rs?: number;
  cs?: number;
  t: string;
}
type BodyCell = string | { t: string; align: Align };

interface TableSpec {
  no: string; // 表1, 表3-1 … printed above the title
  title: string;
  unit: string;
  /** 'same-line': 部门 left and 金额单位 right on one line; 'stacked': two lines. */
  meta: 'same-line' | 'stacked';
  orientation: Orientation;
  columns: Column[];
  headerRows: number;
  headerRowHeight: number;
  header: HeaderCell[];
  rows: BodyCell[][];
  rowHeight: number; // minimum; rows with wrapped cells grow
  /** On a page break: draw the header again, or continue with body rows only. */
  continuation: 'repeat-header' | 'no-header';
  note?: string;
}

const MARGIN_TOP = 48;
const MARGIN_BOTTOM = 56;
const FONT = 9; // table text
const LINE = 11.5; // line pitch of wrapped cell text
const PAD_X = 4; // text inset from the cell's side rules
const PAD_Y = 3;
const RULE_WIDTH = 0.5;

const PAGE = { portrait: A4_PORTRAIT, landscape: A4_LANDSCAPE };

class Doc {
  readonly writer: PdfWriter;
  private page: Content | null = null;
  constructor(readonly ruled: boolean, title: string) {
    this.writer = new PdfWriter({ title, subject: '样例：由 samples/generate.ts 生成' });
  }
  newPage(o: Orientation): Content {
    this.finishPage();
    const { width, height } = PAGE[o];
    this.page = new Content(width, height);
    return this.page;
  }
  finishPage(): void {
    if (!this.page) return;
    const p = this.page;
    const n = this.writer.pageCount + 1;
    if (n > 1) p.textIn(0, p.width, p.height - 28, 9, `- ${n} -`, 'center');
    this.writer.addPage(p);
    this.page = null;
  }
}

/** Vertically centred baselines for `n` lines inside [top, bottom]. */
function baselines(top: number, bottom: number, n: number, size: number, pitch: number): number[] {
  const block = (n - 1) * pitch + size;
  const first = (top + bottom - block) / 2 + ASCENT * size;
  return Array.from({ length: n }, (_, i) => first + i * pitch);
}

function cellLines(text: string, width: number): string[] {
  return text ? wrapText(text, FONT, width - 2 * PAD_X) : [];
}

/** Horizontal or vertical segments merged where they touch, so a rule is one stroke where possible. */
function mergeSegments(segs: [number, number, number][]): [number, number, number][] {
  const byPos = new Map<string, [number, number][]>();
  for (const [pos, a, b] of segs) {
    const k = pos.toFixed(2);
    if (!byPos.has(k)) byPos.set(k, []);
    byPos.get(k)!.push([Math.min(a, b), Math.max(a, b)]);
  }
  const out: [number, number, number][] = [];
  for (const k of [...byPos.keys()].sort((x, y) => Number(x) - Number(y))) {
    const iv = byPos.get(k)!.sort((x, y) => x[0] - y[0]);
    let [s, e] = iv[0];
    for (const [a, b] of iv.slice(1)) {
      if (a <= e + 0.01) e = Math.max(e, b);
      else {
        out.push([Number(k), s, e]);
        [s, e] = [a, b];
      }
    }
    out.push([Number(k), s, e]);
  }
  return out;
}

/** Stroke the outline of a block of cells with `re` and its inner rules with `m l S`. */
function drawRules(p: Content, boxes: [number, number, number, number][]): void {
  if (!boxes.length) return;
  const x0 = Math.min(...boxes.map((b) => b[0]));
  const y0 = Math.min(...boxes.map((b) => b[1]));
  const x1 = Math.max(...boxes.map((b) => b[2]));
  const y1 = Math.max(...boxes.map((b) => b[3]));
  const near = (a: number, b: number) => Math.abs(a - b) < 0.01;
  const hs: [number, number, number][] = [];
  const vs: [number, number, number][] = [];
  for (const [a, b, c, d] of boxes) {
    for (const y of [b, d]) if (!near(y, y0) && !near(y, y1)) hs.push([y, a, c]);
    for (const x of [a, c]) if (!near(x, x0) && !near(x, x1)) vs.push([x, b, d]);
  }
  p.rect(x0, y0, x1 - x0, y1 - y0, RULE_WIDTH);
  for (const [y, a, b] of mergeSegments(hs)) p.line(a, y, b, y, RULE_WIDTH);
  for (const [x, a, b] of mergeSegments(vs)) p.line(x, a, x, b, RULE_WIDTH);
}

function renderTable(doc: Doc, t: TableSpec): void {
  let p = doc.newPage(t.orientation);
  const tableWidth = t.columns.reduce((s, c) => s + c.width, 0);
  const left = Math.round(((p.width - tableWidth) / 2) * 100) / 100;
  const right = left + tableWidth;
  const colX = [left];
  for (const c of t.columns) colX.push(colX[colX.length - 1] + c.width);
  const bottomLimit = p.height - MARGIN_BOTTOM;

  let y = MARGIN_TOP;
  p.text(left, y + 10, 10, t.no);
  y += 20;
  p.textIn(0, p.width, y + 16, 16, t.title, 'center');
  y += 30;
  if (t.meta === 'same-line') {
    p.text(left, y + 10, 10, F.DEPARTMENT_LINE);
    p.textIn(left, right, y + 10, 10, t.unit, 'right');
    y += 18;
  } else {
    p.text(left, y + 10, 10, F.DEPARTMENT_LINE);
    y += 16;
    p.textIn(left, right, y + 10, 10, t.unit, 'right');
    y += 18;
  }

  let boxes: [number, number, number, number][] = [];
  const drawHeader = () => {
    for (const h of t.header) {
      const x0 = colX[h.c];
      const x1 = colX[h.c + (h.cs ?? 1)];
      const top = y + h.r * t.headerRowHeight;
      const bottom = top + (h.rs ?? 1) * t.headerRowHeight;
      const lines = cellLines(h.t, x1 - x0);
      if (lines.length * LINE > bottom - top) throw new Error(`header cell "${h.t}" does not fit`);
      baselines(top, bottom, lines.length, FONT, LINE).forEach((b, i) => p.textIn(x0, x1, b, FONT, lines[i], 'center', PAD_X));
      boxes.push([x0, top, x1, bottom]);
    }
    y += t.headerRows * t.headerRowHeight;
  };
  const flushRules = () => {
    if (doc.ruled) drawRules(p, boxes);
    boxes = [];
  };

  drawHeader();
  for (const row of t.rows) {
    const cells = row.map((c, i) => (typeof c === 'string' ? { t: c, align: t.columns[i].align } : c));
    const wrapped = cells.map((c, i) => cellLines(c.t, t.columns[i].width));
    const lineCount = Math.max(1, ...wrapped.map((l) => l.length));
    const h = Math.max(t.rowHeight, (lineCount - 1) * LINE + FONT + 2 * PAD_Y + 4);
    if (y + h > bottomLimit) {
      flushRules();
      p = doc.newPage(t.orientation);
      y = MARGIN_TOP;
      if (t.continuation === 'repeat-header') drawHeader();
    }
    cells.forEach((c, i) => {
      const x0 = colX[i];
      const x1 = colX[i + 1];
      const lines = wrapped[i];
      baselines(y, y + h, lines.length, FONT, LINE).forEach((b, k) => p.textIn(x0, x1, b, FONT, lines[k], c.align, PAD_X));
      boxes.push([x0, y, x1, y + h]);
    });
    y += h;
  }
  flushRules();
  if (t.note) p.text(left, y + 16, 9, t.note);
}

function renderCover(doc: Doc): void {
  const p = doc.newPage('portrait');
  p.textIn(0, p.width, 300, 22, F.COVER[0], 'center');
  p.textIn(0, p.width, 350, 26, F.COVER[1], 'center');
}

function renderNarrative(doc: Doc): void {
  const p = doc.newPage('portrait');
  const left = 72;
  const right = p.width - 72;
  const size = 10.5;
  const pitch = 19;
  let y = 70;
  F.narrative.headings.forEach((h, i) => {
    const s = i === 0 ? 14 : 16;
    p.textIn(0, p.width, y + s, s, h, 'center');
    y += s + 12;
  });
  y += 10;
  for (const para of F.narrative.paragraphs) {
    const indent = 2 * size;
    const first = wrapText(para.text, size, right - left - indent)[0];
    const rest = para.text.slice(first.length);
    const lines = [first, ...(rest ? wrapText(rest, size, right - left) : [])];
    lines.forEach((line, i) => {
      p.text(i === 0 ? left + indent : left, y + size, size, line);
      y += pitch;
    });
  }
}

const amountCols = (n: number, width: number): Column[] => Array.from({ length: n }, () => ({ width, align: 'right' as const }));
const code = (width: number): Column => ({ width, align: 'center' });
const label = (width: number): Column => ({ width, align: 'left' });
const centred = (cells: readonly string[][], labelCol: number): BodyCell[][] =>
  cells.map((r) => r.map((c, i) => (i === labelCol && c === '合 计' ? { t: c, align: 'center' as const } : c)));

function tables(): TableSpec[] {
  const s = F.budgetSummary;
  const summaryRows: BodyCell[][] = s.expenditure.map((e, i) => [s.income[i]?.[0] ?? '', s.income[i]?.[1] ?? '', e[0], e[1]]);
  for (const r of s.totals) summaryRows.push([...r]);

  const yuanRows = F.generalBudgetExpenditure.rows.map((r) => r.map((c, i) => (i >= 5 ? F.wanToYuanText(c) : c)));

  return [
    {
      no: '表1',
      title: s.title,
      unit: F.UNIT_WAN,
      meta: 'stacked',
      orientation: 'portrait',
      columns: [label(165), { width: 80, align: 'right' }, label(170), { width: 80, align: 'right' }],
      headerRows: 2,
      headerRowHeight: 22,
      header: [
        { r: 0, c: 0, cs: 2, t: '收 入' },
        { r: 0, c: 2, cs: 2, t: '支 出' },
        { r: 1, c: 0, t: '项 目' },
        { r: 1, c: 1, t: '预算数' },
        { r: 1, c: 2, t: '项 目' },
        { r: 1, c: 3, t: '预算数' },
      ],
      rows: summaryRows,
      rowHeight: 22,
      continuation: 'repeat-header',
      note: s.note,
    },
    {
      no: '表1-2',
      title: F.expenditureTotal.title,
      unit: F.UNIT_WAN,
      meta: 'same-line',
      orientation: 'landscape',
      columns: [code(34), code(34), code(34), code(56), label(110), ...amountCols(3, 76), { width: 72, align: 'right' }, { width: 72, align: 'right' }],
      headerRows: 2,
      headerRowHeight: 20,
      header: [
        { r: 0, c: 0, cs: 3, t: '科目编码' },
        { r: 0, c: 3, rs: 2, t: '单位代码' },
        { r: 0, c: 4, rs: 2, t: '单位名称（科目）' },
        { r: 0, c: 5, rs: 2, t: '合计' },
        { r: 0, c: 6, rs: 2, t: '基本支出' },
        { r: 0, c: 7, rs: 2, t: '项目支出' },
        { r: 0, c: 8, rs: 2, t: '上缴上级支出' },
        { r: 0, c: 9, rs: 2, t: '对附属单位补助支出' },
        { r: 1, c: 0, t: '类' },
        { r: 1, c: 1, t: '款' },
        { r: 1, c: 2, t: '项' },
      ],
      rows: centred(F.expenditureTotal.rows as unknown as string[][], 4),
      rowHeight: 20,
      continuation: 'repeat-header',
    },
    {
      no: '表3',
      title: F.generalBudgetExpenditure.title,
      unit: F.UNIT_YUAN,
      meta: 'same-line',
      orientation: 'landscape',
      columns: [code(34), code(34), code(34), code(56), label(180), ...amountCols(3, 100)],
      headerRows: 2,
      headerRowHeight: 20,
      header: [
        { r: 0, c: 0, cs: 3, t: '科目编码' },
        { r: 0, c: 3, rs: 2, t: '单位代码' },
        { r: 0, c: 4, rs: 2, t: '单位名称（科目）' },
        { r: 0, c: 5, rs: 2, t: '合计' },
        { r: 0, c: 6, rs: 2, t: '当年财政拨款安排' },
        { r: 0, c: 7, rs: 2, t: '上年结转安排' },
        { r: 1, c: 0, t: '类' },
        { r: 1, c: 1, t: '款' },
        { r: 1, c: 2, t: '项' },
      ],
      rows: centred(yuanRows, 4),
      rowHeight: 20,
      continuation: 'repeat-header',
    },
    {
      no: '表3-1',
      title: F.generalBudgetBasic.title,
      unit: F.UNIT_WAN,
      meta: 'same-line',
      orientation: 'landscape',
      columns: [code(36), code(36), code(64), label(200), ...amountCols(3, 100)],
      headerRows: 3,
      headerRowHeight: 18,
      header: [
        { r: 0, c: 0, cs: 4, t: '项 目' },
        { r: 0, c: 4, cs: 3, t: '基本支出' },
        { r: 1, c: 0, cs: 2, t: '科目编码' },
        { r: 1, c: 2, rs: 2, t: '单位代码' },
        { r: 1, c: 3, rs: 2, t: '单位名称（科目）' },
        { r: 1, c: 4, rs: 2, t: '合计' },
        { r: 1, c: 5, rs: 2, t: '人员经费' },
        { r: 1, c: 6, rs: 2, t: '公用经费' },
        { r: 2, c: 0, t: '类' },
        { r: 2, c: 1, t: '款' },
      ],
      rows: centred(F.generalBudgetBasic.rows as unknown as string[][], 3),
      rowHeight: 19,
      continuation: 'no-header',
    },
    {
      no: '表3-3',
      title: F.threePublic.title,
      unit: F.UNIT_WAN,
      meta: 'same-line',
      orientation: 'landscape',
      columns: [code(60), label(150), ...amountCols(6, 82)],
      headerRows: 3,
      headerRowHeight: 20,
      header: [
        { r: 0, c: 0, rs: 3, t: '单位编码' },
        { r: 0, c: 1, rs: 3, t: '单位名称（科目）' },
        { r: 0, c: 2, cs: 6, t: '当年财政拨款预算安排' },
        { r: 1, c: 2, rs: 2, t: '合计' },
        { r: 1, c: 3, rs: 2, t: '因公出国（境）费用' },
        { r: 1, c: 4, cs: 3, t: '公务用车购置及运行费' },
        { r: 1, c: 7, rs: 2, t: '公务接待费' },
        { r: 2, c: 4, t: '小计' },
        { r: 2, c: 5, t: '公务用车购置费' },
        { r: 2, c: 6, t: '公务用车运行费' },
      ],
      rows: centred(F.threePublic.rows as unknown as string[][], 1),
      rowHeight: 20,
      continuation: 'repeat-header',
      note: F.threePublic.note,
    },
  ];
}

export function renderSample(ruled: boolean): Buffer {
  const doc = new Doc(ruled, `${F.DEPARTMENT}2024年部门预算（样例${ruled ? '' : '，无框线'}）`);
  renderCover(doc);
  renderNarrative(doc);
  for (const t of tables()) renderTable(doc, t);
  doc.finishPage();
  return doc.writer.toBuffer();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, ruled] of [[RULED_FILE, true], [UNRULED_FILE, false]] as const) {
    const bytes = renderSample(ruled);
    fs.writeFileSync(file, bytes);
    console.log(`${path.relative(process.cwd(), file)}  ${bytes.length} bytes`);
  }
}
