// Hand-off types between pipeline stages. Plain, serialisable values only
// (no class instances, no Maps), so any stage can run in a worker thread.

import type { Unit } from './domain/money.js';

/** [x0, y0, x1, y1] in PDF points, top-left origin, as the page is displayed (after /Rotate). */
export type Box = [number, number, number, number];

export type Source = 'pdf_text' | 'ocr' | 'text_dump';

/** A piece of text on one baseline with no large gap inside: a word or a cell's line. */
export interface TextRun {
  text: string; // NFKC, Han characters never separated by spaces
  box: Box;
  fontSize: number;
  confidence?: number; // OCR only, 0..100
}

/** An axis-aligned ruling line: a stroked segment, a rectangle edge or a thin filled rectangle. */
export interface Rule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  width: number;
}

export interface Page {
  number: number; // 1-based
  width: number;
  height: number;
  rotation: number;
  runs: TextRun[];
  rules: Rule[];
  source: Source;
}

export interface Cell {
  row: number;
  col: number;
  rowSpan: number;
  colSpan: number;
  text: string;
  box: Box;
  page: number;
  /** How sure the reading is, 0..1: the lowest OCR confidence of its runs; 1 for a text layer or a text dump. */
  confidence: number;
}

/** A table found on one or more pages: a grid of cells, with the text lines around it. */
export interface Grid {
  pages: number[];
  box: Box; // on the first page
  rows: number;
  cols: number;
  cells: Cell[];
  /** Lines above the table (title, 部门：, 单位：), nearest last. */
  titleLines: TextLine[];
  /** Lines below the table (备注, 注：, 说明). */
  noteLines: TextLine[];
  ruled: boolean;
  source: Source;
  /** Set when this grid continues the previous one (a table running over pages). */
  continuationOf?: number;
}

export interface TextLine {
  text: string;
  box: Box;
  page: number;
}

export type TableKind =
  | 'budget_summary' | 'income' | 'expenditure' | 'appropriation_summary' | 'appropriation_expenditure'
  | 'general_budget_expenditure' | 'general_budget_basic' | 'general_budget_project' | 'three_public'
  | 'gov_fund_expenditure' | 'gov_fund_three_public' | 'state_capital_expenditure'
  | 'project_performance' | 'overall_performance'
  | 'final_summary' | 'final_income' | 'final_expenditure' | 'final_appropriation_summary'
  | 'final_general_budget_expenditure' | 'final_general_budget_basic' | 'final_three_public'
  | 'final_gov_fund' | 'final_state_capital'
  | 'other';

export interface ColumnSpec {
  col: number;
  key: string; // total | basic | project | personnel | public | … (see README)
  label: string; // header levels joined by '/'
  /** For side-by-side groups (收入 | 支出), which group the column belongs to. */
  group?: string;
  /** The column holding this amount column's row labels (side-by-side groups each have their own). */
  labelCol?: number;
  isAmount: boolean;
}

export interface LineItem {
  tableIndex: number;
  page: number;
  rowIndex: number;
  label: string;
  funcCode: string | null;
  econCode: string | null;
  columnKey: string;
  columnLabel: string;
  amountFen: number;
  amountText: string;
  box: Box;
  /** A total or subtotal row (合计/总计/小计… label, no code): isTotalRow of domain/rowLabels.ts. */
  isTotal: boolean;
  /** How sure the reading of the amount is, 0..1 (its cell's confidence: below 1 only when read by OCR). */
  confidence: number;
}

export interface RecognizedTable {
  kind: TableKind;
  title: string;
  unit: Unit | null;
  departmentLabel: string | null;
  year: number | null;
  pageStart: number;
  pageEnd: number;
  source: Source;
  columns: ColumnSpec[];
  items: LineItem[];
  box: Box;
  /** The unit codes (单位代码) the table prints, with their cells: an audit looks for one unit under two codes. */
  unitCodes?: UnitCodeCell[];
  /** Code-column cells that hold no valid code (a class column printing one digit): the audit reports them. */
  rejectedCodes?: RejectedCode[];
}

export interface RejectedCode {
  text: string;
  label: string;
  rowIndex: number;
  page: number;
  box: Box;
}

export interface UnitCodeCell {
  code: string;
  page: number;
  box: Box;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  page: number | null;
  box: Box | null;
  expected: string | null;
  actual: string | null;
  tableIndex: number | null;
}

/** A page read by OCR: why (the text layer's verdict, as in src/extract/textlayer.ts) and the skew corrected. */
export interface OcrPageNote {
  page: number;
  reason: string | null;
  detail: string;
  /** Degrees the page image was turned by; null when it was left alone. */
  deskewDegrees: number | null;
}

/** A page that could not be read, by the text path (`extract`) or by OCR (`ocr`). */
export interface PageError {
  page: number;
  stage: 'extract' | 'ocr';
  message: string;
}

export type DocStatus = 'ok' | 'partial' | 'failed';

export interface DocumentResult {
  sha256: string;
  path: string;
  fileName: string;
  pages: number;
  phase: 'budget' | 'final' | null;
  year: number | null;
  department: string | null;
  status: DocStatus;
  error: string | null;
  tables: RecognizedTable[];
  findings: Finding[];
  /** Narrative text lines (outside tables), kept for the audit of figures quoted in prose. */
  narrative: TextLine[];
  /** Pages read by OCR (reported by the `ocr` rule family). Not stored. */
  ocrPages?: OcrPageNote[];
  /** Pages that could not be read (reported by the `page` rule family; the document is then partial). Not stored. */
  pageErrors?: PageError[];
  /** Rows with figures that gave no line item (pages read by OCR), for the `ocr.unplaced_rows` findings. Not stored. */
  unplacedRows?: UnplacedRow[];
  timings: { extractMs: number; layoutMs: number; recognizeMs: number };
}

/** A row of a table with figures that fit no column of it: kept as a finding, never dropped silently. */
export interface UnplacedRow {
  page: number;
  box: Box;
  text: string;
  tableIndex: number;
}
