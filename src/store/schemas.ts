// Zod schemas for every stored record, one per SQLite table, keyed by column name.
// They validate rows before they are written and generate the public JSON Schema (schemas/json/).
// JSON columns (bbox, column_specs) and booleans (is_total: INTEGER 0/1) are shown here as values; the
// store serialises them.
import { z } from 'zod';
import type { DocStatus, Severity, Source, TableKind } from '../types.js';

// The vocabularies repeat the unions of types.ts; `Complete` makes tsc fail when they drift apart.
type Complete<List extends readonly string[], Union extends string> = [Union] extends [List[number]] ? true : never;

const TABLE_KINDS = [
  'budget_summary', 'income', 'expenditure', 'appropriation_summary', 'appropriation_expenditure',
  'general_budget_expenditure', 'general_budget_basic', 'general_budget_project', 'three_public',
  'gov_fund_expenditure', 'gov_fund_three_public', 'state_capital_expenditure',
  'project_performance', 'overall_performance',
  'final_summary', 'final_income', 'final_expenditure', 'final_appropriation_summary',
  'final_general_budget_expenditure', 'final_general_budget_basic', 'final_three_public',
  'final_gov_fund', 'final_state_capital',
  'other',
] as const satisfies readonly TableKind[];
const SOURCES = ['pdf_text', 'ocr', 'text_dump'] as const satisfies readonly Source[];
const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];
const STATUSES = ['ok', 'partial', 'failed'] as const satisfies readonly DocStatus[];
const kindsComplete: Complete<typeof TABLE_KINDS, TableKind> = true;
const sourcesComplete: Complete<typeof SOURCES, Source> = true;
const severitiesComplete: Complete<typeof SEVERITIES, Severity> = true;
const statusesComplete: Complete<typeof STATUSES, DocStatus> = true;
void kindsComplete; void sourcesComplete; void severitiesComplete; void statusesComplete;

const id = z.int().min(1);
const page = z.int().min(1).describe('1-based page number');
const count = z.int().min(0);
const ms = z.int().min(0).describe('milliseconds');

export const Box = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .describe('[x0, y0, x1, y1] in PDF points, top-left origin, as displayed (after /Rotate)');

export const ColumnSpecSchema = z.object({
  col: count,
  key: z.string().min(1),
  label: z.string(),
  group: z.string().optional(),
  labelCol: count.optional(),
  isAmount: z.boolean(),
});

export const DocumentRecord = z
  .object({
    id,
    sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the file bytes, lowercase hex'),
    path: z.string().min(1),
    file_name: z.string().min(1),
    pages: count,
    phase: z.enum(['budget', 'final']).nullable().describe('budget (预算) or final accounts (决算)'),
    year: z.int().min(1949).max(2200).nullable(),
    department: z.string().nullable(),
    status: z.enum(STATUSES),
    error: z.string().nullable().describe('why the document failed or is partial'),
    ingested_at: z.iso.datetime(),
    pipeline_version: z.string().min(1),
    n_tables: count,
    n_items: count,
    code_rows: count.nullable().describe('rows of its coded tables that should carry a code (db/008); null before migration 008'),
    coded_rows: count.nullable().describe('of code_rows, the rows that carry one: the share is coded_rows / code_rows'),
    extract_ms: ms,
    layout_ms: ms,
    recognize_ms: ms,
  })
  .meta({ title: 'DocumentRecord', description: 'One ingested file (row of `documents`).' });

export const DocTableRecord = z
  .object({
    id,
    document_id: id,
    table_index: count.describe('position of the table in its document'),
    kind: z.enum(TABLE_KINDS),
    title: z.string(),
    page_start: page,
    page_end: page,
    unit: z.string().nullable().describe('unit as printed, e.g. 万元'),
    department_label: z.string().nullable(),
    year_label: z.int().nullable().describe('year printed with the table'),
    source: z.enum(SOURCES),
    bbox: Box,
    column_specs: z.array(ColumnSpecSchema),
    unit_codes: z.array(z.object({ code: z.string(), page, box: Box })).describe('单位代码 cells printed in the table'),
    rejected_codes: z.array(z.object({ text: z.string(), label: z.string(), rowIndex: z.int(), page, box: Box })).describe('code-column cells that hold no valid code'),
  })
  .meta({ title: 'DocTableRecord', description: 'One recognised table (row of `doc_tables`).' });

export const LineItemRecord = z
  .object({
    id,
    document_id: id,
    table_id: id,
    page,
    row_index: count,
    label: z.string(),
    func_code: z.string().nullable().describe('功能分类科目编码'),
    econ_code: z.string().nullable().describe('经济分类科目编码'),
    column_key: z.string().min(1),
    column_label: z.string(),
    amount_fen: z.int().describe('exact amount in fen (1 yuan = 100 fen); never a float'),
    amount_text: z.string().describe('the amount as printed'),
    bbox: Box,
    is_total: z.boolean().describe('a total or subtotal row (合计/总计/小计… label, no code)'),
    confidence: z.number().min(0).max(1).describe('how sure the reading of the amount is, 0..1: the lowest OCR confidence in its cell; 1 for a text layer or a text dump'),
  })
  .meta({ title: 'LineItemRecord', description: 'One amount of one table row (row of `line_items`).' });

export const FindingRecord = z
  .object({
    id,
    document_id: id,
    table_id: id.nullable().describe('null for a document-level finding'),
    rule: z.string().min(1),
    severity: z.enum(SEVERITIES),
    message: z.string(),
    page: page.nullable(),
    bbox: Box.nullable(),
    expected: z.string().nullable(),
    actual: z.string().nullable(),
  })
  .meta({ title: 'FindingRecord', description: 'One validation finding (row of `findings`).' });

export const NarrativeLineRecord = z
  .object({
    id,
    document_id: id,
    line_index: count.describe('reading order in the document'),
    page,
    text: z.string(),
    bbox: Box,
  })
  .meta({ title: 'NarrativeLineRecord', description: 'One line of narrative text outside tables (row of `narrative_lines`).' });

export type DocumentRecord = z.infer<typeof DocumentRecord>;
export type DocTableRecord = z.infer<typeof DocTableRecord>;
export type LineItemRecord = z.infer<typeof LineItemRecord>;
export type FindingRecord = z.infer<typeof FindingRecord>;
export type NarrativeLineRecord = z.infer<typeof NarrativeLineRecord>;

/** Every stored record, by the name of its JSON Schema file. */
export const RECORD_SCHEMAS = {
  DocumentRecord,
  DocTableRecord,
  LineItemRecord,
  FindingRecord,
  NarrativeLineRecord,
} as const;

// The same records before insert: ids and foreign keys are assigned by the store.
export const NewDocument = DocumentRecord.omit({ id: true });
export const NewDocTable = DocTableRecord.omit({ id: true, document_id: true });
export const NewLineItem = LineItemRecord.omit({ id: true, document_id: true, table_id: true });
export const NewFinding = FindingRecord.omit({ id: true, document_id: true, table_id: true });
export const NewNarrativeLine = NarrativeLineRecord.omit({ id: true, document_id: true });
