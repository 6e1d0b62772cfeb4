// A grid → a recognized table: kind, title, unit, department label, column specs, line items.
import type { Box, Cell, ColumnSpec, Grid, LineItem, RecognizedTable, RejectedCode, TableKind, UnitCodeCell, UnplacedRow } from '../types.js';
import { compact } from '../extract/normalize.js';
import { isBlankAmount, parseDecimal, parseUnit, toFen, type Unit } from '../domain/money.js';
import { LOW_CONFIDENCE } from '../extract/ocr/engine.js';
import { classCodeByName, codeSystem, readKnownLabel, joinCode, splitLeadingCode, type CodeSystem } from '../domain/codes.js';
import { isTotalLabel, isTotalRow, stripOrdinal } from '../domain/rowLabels.js';
import { departmentFromLine, departmentFromTitle, yearsIn } from './document.js';
import { CODE_HEADER, NAME_HEADER, NOT_MONEY_HEADER, UNIT_CODE_HEADER, columnKey } from './header.js';
import { isTableTitle, tableKind, tableKindOcr } from './kinds.js';
import { gridTitle } from '../layout/continuation.js';

type Role = 'amount' | 'code' | 'unit_code' | 'name' | 'empty';

/** How each column of a table is read; reused by the continuation parts of the table. */
export interface ColumnModel {
  specs: ColumnSpec[];
  roles: Role[];
  ranges: [number, number][]; // x extent of each column, to map continuation columns
  headerTexts: string[]; // compacted header label per column, to spot a repeated header
  codeSystem: CodeSystem | null;
}

const cellAt = (g: Grid, row: number, col: number): Cell | undefined =>
  g.cells.find((c) => row >= c.row && row < c.row + c.rowSpan && col >= c.col && col < c.col + c.colSpan);

const isCodeText = (t: string) => /^\d{3}(\d{2}){0,2}$/.test(t.replace(/\s/g, '')) || /^\d{1,2}$/.test(t.trim());
const isAmountText = (t: string) => {
  const s = t.replace(/\s/g, '');
  return parseDecimal(s) !== null && /\d/.test(s);
};
const META_RE = /(金额)?单位[:：]|^部门[:：]|编制(部门|单位)[:：]/;
/** The body starts at a row with a code in one of the first columns (类/款/项 at most); further right a code-like number is an amount. */
const LAST_CODE_COL = 2;
/** A column is an amount column when at least this share of its body cells are amounts. */
const AMOUNT_COL_SHARE = 0.5;
/** A label tail cut by a page break is a few characters at most. */
const SPILL_MAX_CHARS = 8;
/** A continuation's spanning cell covers a first-part column when it overlaps this share of the narrower of the two. */
const SPAN_COLUMN_OVERLAP = 0.5;

/** Index of the first body row: a row with an amount or code outside a 栏次 numbering row. */
export function bodyStart(g: Grid): number {
  for (let r = 0; r < g.rows; r++) {
    const cells = g.cells.filter((c) => c.row === r);
    const texts = cells.map((c) => c.text);
    if (texts.some((t) => /栏次|^行次$/.test(compact(t)))) continue;
    const nums = texts.filter(isAmountText);
    // A numbering row: 1 2 3 … (or 栏次) under the header.
    if (nums.length >= 2 && nums.every((t) => /^\d{1,2}$/.test(t.trim())) && nums.length === texts.length) continue;
    if (texts.some((t) => /^[*＊]?\s*\d/.test(t) && isAmountText(t) && /[.,]/.test(t))) return r;
    if (texts.some((t) => isTotalLabel(stripOrdinal(t))) && (nums.length > 0 || cells.length === 1)) return r;
    if (cells.some((c) => c.col <= LAST_CODE_COL && /^\d{3}(\d{2}){0,2}$/.test(c.text.replace(/\s/g, '')))) return r;
    if (nums.length >= 1 && texts.some((t) => /[\p{Script=Han}]/u.test(t) && !NAME_HEADER.test(t) && !/单位|栏次/.test(t))) return r;
  }
  return g.rows;
}

function colRanges(g: Grid): [number, number][] {
  const ranges: [number, number][] = Array.from({ length: g.cols }, () => [Infinity, -Infinity]);
  for (const c of g.cells) {
    if (c.colSpan !== 1) continue;
    ranges[c.col][0] = Math.min(ranges[c.col][0], c.box[0]);
    ranges[c.col][1] = Math.max(ranges[c.col][1], c.box[2]);
  }
  // Columns seen only inside spans: split the span evenly.
  for (const c of g.cells) {
    if (c.colSpan === 1) continue;
    const w = (c.box[2] - c.box[0]) / c.colSpan;
    for (let k = 0; k < c.colSpan; k++) {
      const r = ranges[c.col + k];
      if (r[0] === Infinity) { r[0] = c.box[0] + k * w; r[1] = c.box[0] + (k + 1) * w; }
    }
  }
  return ranges;
}

export function buildColumnModel(g: Grid, start: number): ColumnModel {
  const levels: string[][] = Array.from({ length: g.cols }, () => []);
  for (let r = 0; r < start; r++) {
    for (let c = 0; c < g.cols; c++) {
      const cell = cellAt(g, r, c);
      if (!cell || META_RE.test(compact(cell.text))) continue;
      const t = compact(cell.text);
      if (t && levels[c][levels[c].length - 1] !== t) levels[c].push(t);
    }
  }
  const roles: Role[] = [];
  for (let c = 0; c < g.cols; c++) {
    const body = g.cells.filter((x) => x.row >= start && x.col === c && x.colSpan === 1 && x.text.trim());
    const head = levels[c].join('/');
    const leaf = levels[c][levels[c].length - 1] ?? '';
    const amounts = body.filter((x) => isAmountText(x.text));
    const codes = body.filter((x) => isCodeText(x.text));
    let role: Role;
    if (body.length === 0 && !head) role = 'empty';
    else if (UNIT_CODE_HEADER.test(leaf)) role = 'unit_code';
    else if (NOT_MONEY_HEADER.test(leaf)) role = 'name';
    else if (CODE_HEADER.test(leaf) || (codes.length > 0 && codes.length === body.length && /^(类|款|项)?$/.test(leaf) && c < g.cols - 1 && !/(金额|合计|预算|决算|数)$/.test(leaf))) role = 'code';
    // Two-digit values in every row, with the class code column at the left: a 款/项 column whose
    // header was misread (OCR reads 款 as 于).
    else if (body.length > 0 && body.every((x) => /^\d{2}$/.test(x.text.trim())) && c > 0 && roles[c - 1] === 'code' && c < g.cols - 1) role = 'code';
    else if (amounts.length > 0 && amounts.length >= AMOUNT_COL_SHARE * body.length && !/名称|科目$/.test(leaf)) role = 'amount';
    else if (body.length === 0 && /(金额|合计|小计|预算数|决算数|支出|收入|经费|费)$/.test(leaf)) role = 'amount';
    else role = 'name';
    roles.push(role);
  }
  // Find the code system from the codes the table prints.
  const sysCounts = { func: 0, econ: 0 };
  for (const cell of g.cells) {
    if (cell.row < start || roles[cell.col] === 'amount') continue;
    const code = roles[cell.col] === 'code' ? cell.text.replace(/\s/g, '') : splitLeadingCode(cell.text).code;
    const sys = code ? codeSystem(code) : null;
    if (sys) sysCounts[sys]++;
  }
  const headerAll = levels.flat().join('');
  const system: CodeSystem | null = sysCounts.func + sysCounts.econ === 0
    ? (/经济/.test(headerAll) ? 'econ' : /功能/.test(headerAll) ? 'func' : null)
    : sysCounts.econ > sysCounts.func ? 'econ' : 'func';

  const amountCols = roles.flatMap((r, c) => (r === 'amount' ? [c] : []));
  const firstLevels = new Set(amountCols.map((c) => levels[c][0]));
  const tableWideGroup = amountCols.length > 1 && firstLevels.size === 1 && amountCols.every((c) => levels[c].length > 1) ? levels[amountCols[0]][0] : null;
  const leaves = amountCols.map((c) => levels[c][levels[c].length - 1] ?? '');
  const hasFinalAndBudget = leaves.some((l) => /决算数?$/.test(l)) && leaves.some((l) => /预算数?$/.test(l));
  const specs: ColumnSpec[] = [];
  for (let c = 0; c < g.cols; c++) {
    const isAmount = roles[c] === 'amount';
    let labelCol: number | undefined;
    if (isAmount) for (let k = c - 1; k >= 0; k--) { if (roles[k] === 'name') { labelCol = k; break; } if (roles[k] === 'amount' && labelCol === undefined) continue; }
    const nAmount = roles.filter((x) => x === 'amount').length;
    // A group header over every amount column (一般公共预算基本支出 over 合计/人员经费/公用经费)
    // says what the whole table is; it does not qualify the columns.
    const keyLevels = tableWideGroup && levels[c][0] === tableWideGroup ? levels[c].slice(1) : levels[c];
    let key = !isAmount ? roles[c] : keyLevels.length ? columnKey(keyLevels, g.source === 'ocr') : nAmount === 1 ? 'total' : `col${c}`;
    // Final accounts print 预算数 beside 决算数: keep them apart.
    if (isAmount && hasFinalAndBudget && /预算数?$/.test(keyLevels[keyLevels.length - 1] ?? '') && !/决算/.test(key)) key = `${key}_budget`;
    specs.push({ col: c, key, label: levels[c].join('/'), isAmount, labelCol, group: levels[c][0] });
  }
  return { specs, roles, ranges: colRanges(g), headerTexts: levels.map((l) => l.join('/')), codeSystem: system };
}

/**
 * The unit codes (单位代码) a table prints. Some tables print the row's economic code in that column
 * (达州 基本支出表: 301 / 30101 …): a code continuing the row's 类/款 cells, or the class code of the
 * name beside it, is not a unit code.
 */
function unitCodeCells(g: Grid, start: number, model: ColumnModel, colMap: number[]): UnitCodeCell[] {
  const out: UnitCodeCell[] = [];
  for (const c of g.cells) {
    const mc = colMap[c.col];
    if (c.row < start || mc < 0 || model.roles[mc] !== 'unit_code') continue;
    const code = compact(c.text);
    if (!/^\d{3,}$/.test(code)) continue;
    const row = g.cells.filter((x) => x.row === c.row);
    const lead = row.filter((x) => x.col < c.col && model.roles[colMap[x.col]] === 'code').sort((a, b) => a.col - b.col).map((x) => compact(x.text)).join('');
    const name = stripOrdinal(compact(row.find((x) => model.roles[colMap[x.col]] === 'name' && x.col > c.col)?.text ?? ''));
    if (lead && code.startsWith(lead)) continue;
    if (classCodeByName(name, 'econ') === code || classCodeByName(name, 'func') === code) continue;
    out.push({ code, page: c.page, box: c.box });
  }
  return out;
}

/** Map each column of a continuation grid to the column of the first part with the most x overlap. */
function mapColumns(g: Grid, model: ColumnModel): number[] {
  if (g.cols === model.specs.length) return Array.from({ length: g.cols }, (_, i) => i);
  return colRanges(g).map(([a, b]) => {
    let best = -1, bestOv = 0;
    model.ranges.forEach(([x0, x1], i) => { const ov = Math.min(b, x1) - Math.max(a, x0); if (ov > bestOv) { bestOv = ov; best = i; } });
    return best;
  });
}

export interface TableContext {
  phase: 'budget' | 'final' | null;
  defaultUnit: Unit | null;
}

/** A row with figures that gave no line item: its column was not understood, or not mapped to the first part's. */
export interface PartialTable {
  table: RecognizedTable;
  model: ColumnModel;
  /** Body rows holding a figure that gave no line item. */
  unplaced: UnplacedRow[];
  /** Label text of a row cut by the page break, per label column: the end of the previous part's last row. */
  spill?: Map<number, string>;
}

/** The label column each item took its label from, to finish labels cut by a page break. */
const labelColOf = new WeakMap<LineItem, number>();

/** A first row with only short label text and no ordinal: the tail of a label cut by the page break. */
function spillRow(g: Grid, start: number, model: ColumnModel, colMap: number[]): Map<number, string> | undefined {
  const cells = g.cells.filter((c) => c.row === start);
  if (cells.length === 0 || start + 1 >= g.rows) return undefined;
  const out = new Map<number, string>();
  for (const c of cells) {
    const mc = colMap[c.col];
    const t = compact(c.text);
    if (mc < 0 || model.roles[mc] !== 'name' || isAmountText(t) || t.length > SPILL_MAX_CHARS || stripOrdinal(t) !== t || /^\d/.test(t) || isTotalLabel(t)) return undefined;
    out.set(mc, t);
  }
  return out;
}

function metaFromLines(g: Grid) {
  const lines = [...g.titleLines, ...g.noteLines];
  const titleText = gridTitle(g) ?? g.titleLines.map((l) => l.text).find((t) => isTableTitle(t)) ?? null;
  let unit: Unit | null = null;
  let dept: string | null = null;
  for (const l of g.titleLines) { unit = parseUnit(l.text) ?? unit; dept = departmentFromLine(l.text) ?? dept; }
  // Some tables carry 单位/部门 inside their first ruled rows.
  for (const c of g.cells.filter((x) => x.row <= 1)) { unit ??= parseUnit(c.text); dept ??= departmentFromLine(c.text); }
  if (!unit) for (const l of lines) unit = unit ?? parseUnit(l.text);
  // Some documents name the department only in each table's title.
  dept ??= titleText ? departmentFromTitle(titleText) : null;
  return { titleText, unit, dept };
}

/** Recognize one grid; `parent` is the first part when the grid continues a table. */
export function recognizeGrid(g: Grid, tableIndex: number, ctx: TableContext, parent?: PartialTable): PartialTable {
  const meta = metaFromLines(g);
  let start = bodyStart(g);
  let model: ColumnModel;
  let colMap: number[];
  if (parent) {
    model = parent.model;
    colMap = mapColumns(g, model);
    // A continuation starts with its body unless it repeats the first part's header rows.
    const headerWords = new Set(model.headerTexts.flatMap((h) => h.split('/')).filter(Boolean));
    start = 0;
    while (start < g.rows) {
      const cells = g.cells.filter((c) => c.row === start);
      if (cells.length === 0 || !cells.every((c) => headerWords.has(compact(c.text)) || /栏次|^\d{1,2}$/.test(compact(c.text)))) break;
      start++;
    }
  } else {
    model = buildColumnModel(g, start);
    colMap = Array.from({ length: g.cols }, (_, i) => i);
  }
  const title = parent?.table.title ?? meta.titleText ?? '';
  const kind: TableKind = parent?.table.kind ?? (g.source === 'ocr' ? tableKindOcr(title, ctx.phase) : tableKind(title, ctx.phase));
  const unit = (parent?.table.unit as Unit | null) ?? meta.unit ?? ctx.defaultUnit;
  const items: LineItem[] = [];
  const rejected: RejectedCode[] = [];

  for (let r = start; r < g.rows; r++) {
    const rowCells = g.cells.filter((c) => c.row === r);
    if (rowCells.length === 0) continue;
    // Columns of this row in the model's numbering.
    const cellsOf = (modelCol: number) =>
      rowCells.filter((c) => {
        for (let k = c.col; k < c.col + c.colSpan; k++) if (colMap[k] === modelCol) return true;
        // A continuation's spanning cell may cover first-part columns its own grid does not have.
        if (!parent) return false;
        const [x0, x1] = model.ranges[modelCol];
        const ov = Math.min(x1, c.box[2]) - Math.max(x0, c.box[0]);
        return ov > SPAN_COLUMN_OVERLAP * Math.min(x1 - x0, c.box[2] - c.box[0]) && !isAmountText(c.text);
      });
    const textOf = (modelCol: number) => cellsOf(modelCol).map((c) => c.text).join('');
    for (const cell of rowCells) {
      const mc = colMap[cell.col];
      const spec = mc >= 0 ? model.specs[mc] : undefined;
      if (!spec?.isAmount || cell.colSpan > 1 && !rowCells.every((x) => x === cell || x.col + x.colSpan <= cell.col || x.col >= cell.col + cell.colSpan)) continue;
      const text = cell.text.replace(/\s/g, '');
      if (isBlankAmount(text)) continue;
      const fen = toFen(text, unit ?? '元');
      if (fen === null) continue;
      // Label and codes from the label column at the left of this amount column.
      const labelCol = spec.labelCol;
      const rawLabel = labelCol !== undefined ? textOf(labelCol) : '';
      const lead = splitLeadingCode(rawLabel);
      const codeCols: number[] = [];
      for (let k = (labelCol ?? mc) - 1; k >= 0; k--) {
        if (model.roles[k] === 'code') codeCols.unshift(k);
        else if (model.roles[k] === 'amount' || (model.roles[k] === 'name' && codeCols.length)) break;
      }
      // A code may also sit in the label column's left code columns merged into one cell.
      let code = joinCode(codeCols.map(textOf)) ?? lead.code;
      let label = stripOrdinal(lead.rest);
      // A code column printing something that is no code (a class column with one digit): kept for the audit.
      const codeText = codeCols.map(textOf).join('').replace(/\s/g, '');
      if (!code && /\d/.test(codeText) && !/\p{Script=Han}/u.test(codeText) && !rejected.some((x) => x.rowIndex === r)) rejected.push({ text: codeCols.map((k) => compact(textOf(k))).filter(Boolean).join(' '), label, rowIndex: r, page: cell.page, box: cell.box });
      if (!code && label) {
        // An OCR reading of an uncoded label may hold a misread character or two (社会保障和就业广出), a
        // sure one at most one (readKnownLabel).
        const sure = labelCol !== undefined && cellsOf(labelCol).every((c) => c.confidence >= LOW_CONFIDENCE / 100);
        const known = g.source === 'ocr' ? readKnownLabel(label, model.codeSystem ?? 'func', sure) : null;
        if (known) label = known.label;
        code = known ? known.code : classCodeByName(label, model.codeSystem ?? 'func');
      }
      const sys = code ? codeSystem(code) : null;
      const item: LineItem = {
        tableIndex, page: cell.page, rowIndex: r, label,
        funcCode: sys === 'func' ? code : null,
        econCode: sys === 'econ' ? code : null,
        columnKey: spec.key, columnLabel: spec.label,
        amountFen: fen, amountText: cell.text, box: cell.box, confidence: cell.confidence,
        isTotal: isTotalRow(label, sys ? code : null),
      };
      if (labelCol !== undefined) labelColOf.set(item, labelCol);
      items.push(item);
    }
  }
  const yearLabel = title ? yearsIn(title)[0] ?? null : null;
  const unitCodes = unitCodeCells(g, start, model, colMap);
  const table: RecognizedTable = {
    kind, title, unit, departmentLabel: meta.dept ?? parent?.table.departmentLabel ?? null, year: yearLabel,
    pageStart: g.pages[0], pageEnd: g.pages[g.pages.length - 1], source: g.source,
    columns: model.specs, items, box: g.box as Box, unitCodes,
    ...(rejected.length ? { rejectedCodes: rejected } : {}),
  };
  const spill = parent ? spillRow(g, start, model, colMap) : undefined;
  return { table, model, spill, unplaced: unplacedRows(g, start, items, tableIndex) };
}

/** A figure as tables print it (a point or a separator): not a code, a year or a row number. */
const isFigure = (t: string) => isAmountText(t) && /[.,]/.test(t);

function unplacedRows(g: Grid, start: number, items: LineItem[], tableIndex: number): UnplacedRow[] {
  const placed = new Set(items.map((it) => it.rowIndex));
  const out: UnplacedRow[] = [];
  for (let r = start; r < g.rows; r++) {
    const cells = g.cells.filter((c) => c.row === r);
    if (placed.has(r) || !cells.some((c) => isFigure(c.text))) continue;
    const box: Box = [Math.min(...cells.map((c) => c.box[0])), Math.min(...cells.map((c) => c.box[1])), Math.max(...cells.map((c) => c.box[2])), Math.max(...cells.map((c) => c.box[3]))];
    out.push({ page: cells[0].page, box, text: cells.map((c) => c.text).join(' | '), tableIndex });
  }
  return out;
}

/** Append the label tail printed at the top of the next page to the items of the cut row. */
function finishCutLabels(t: RecognizedTable, lastRow: number, spill: Map<number, string>, model: ColumnModel): void {
  for (const it of t.items) {
    const lc = labelColOf.get(it);
    if (it.rowIndex !== lastRow || lc === undefined || !spill.has(lc)) continue;
    it.label += spill.get(lc);
    if (!it.funcCode && !it.econCode) {
      const code = classCodeByName(it.label, model.codeSystem ?? 'func');
      const sys = code ? codeSystem(code) : null;
      if (sys === 'func') it.funcCode = code;
      if (sys === 'econ') it.econCode = code;
    }
    it.isTotal = isTotalRow(it.label, it.funcCode ?? it.econCode);
  }
}

/**
 * All grids of a document → tables; continuation parts are merged into their first part. A part
 * none of whose figures fit the first part's columns is a table of its own (kind from what was read
 * of its title, else `other`). Rows with figures that still gave no line item go to `unplaced`.
 */
export function recognizeTables(grids: Grid[], ctx: TableContext, unplaced: UnplacedRow[] = []): RecognizedTable[] {
  const parts: (PartialTable | null)[] = [];
  const tables: RecognizedTable[] = [];
  const tableOfGrid: number[] = [];
  grids.forEach((g, i) => {
    if (g.continuationOf !== undefined && parts[g.continuationOf]) {
      const root = parts[g.continuationOf]!;
      const ti = tableOfGrid[g.continuationOf];
      const cont = recognizeGrid(g, ti, ctx, root);
      const fits = cont.table.items.length > 0 || cont.unplaced.length === 0;
      if (fits) {
        const t = tables[ti];
        // Row indexes continue after the first part's rows.
        const offset = Math.max(-1, ...t.items.map((x) => x.rowIndex)) + 1;
        if (cont.spill) finishCutLabels(t, offset - 1, cont.spill, root.model);
        t.items.push(...cont.table.items.map((x) => ({ ...x, rowIndex: x.rowIndex + offset })));
        t.pageEnd = Math.max(t.pageEnd, cont.table.pageEnd);
        if (cont.table.rejectedCodes) t.rejectedCodes = [...(t.rejectedCodes ?? []), ...cont.table.rejectedCodes.map((x) => ({ ...x, rowIndex: x.rowIndex + offset }))];
        unplaced.push(...cont.unplaced);
        parts.push(root);
        tableOfGrid.push(ti);
        return;
      }
    }
    const ti = tables.length;
    const p = recognizeGrid(g, ti, ctx);
    parts.push(p);
    tables.push(p.table);
    tableOfGrid.push(ti);
    unplaced.push(...p.unplaced);
  });
  return tables;
}

