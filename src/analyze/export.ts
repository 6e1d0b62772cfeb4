// Export the dataset as flat files (CSV, JSON Lines or Parquet) with a Frictionless Tabular Data
// Package descriptor (datapackage.json), and write a Datasette metadata.json beside the database.
//
// Amounts are exact: amount_fen is the stored integer; amount_yuan is the same value in 元, as decimal
// text in CSV and JSONL ("1234.50", made from the integer, never through a float) and as
// DECIMAL(18,2) in Parquet (whose stored integer is amount_fen).
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { once } from 'node:events';
import { parquetWriteFile } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet-writer';
import type { Sql } from '../store/sql.js';
import { PIPELINE_VERSION } from '../version.js';
import { fenToYuan } from '../domain/money.js';

export const FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type Format = (typeof FORMATS)[number];

/** Frictionless field types used here; `decimal` is a `number` made from an integer of 分. */
type FieldType = 'integer' | 'string' | 'decimal' | 'array' | 'datetime';

export interface FieldSpec {
  name: string;
  type: FieldType;
  description: string;
  /** Fiscal Data Package column type. */
  columnType?: string;
  /** Source column of a `decimal` field: its integer of 分. */
  fenOf?: string;
  required?: boolean;
  /** Parquet INT64 instead of INT32 for integers that may exceed 2^31. */
  big?: boolean;
  /** Made in JS, not read by the resource's SQL: the values `sql` gives for the row's first column, sorted, joined. */
  listOf?: { sql: string; separator: string };
  enum?: string[];
}

export interface ResourceSpec {
  name: string;
  title: string;
  description: string;
  sql: string;
  fields: FieldSpec[];
  primaryKey?: string;
  foreignKeys?: { fields: string; reference: { resource: string; fields: string } }[];
}

/** The exported tables. Each SQL returns exactly the fields, in order (decimal and listOf fields excepted: made in JS). */
export const RESOURCES: ResourceSpec[] = [
  {
    name: 'amounts',
    title: 'Amounts (one row per printed amount)',
    description:
      'Every amount cell of every table, joined with its document, table and department. amount_yuan is exact (from the integer amount_fen).',
    sql: `SELECT line_item_id, document_id, sha256, source_file, department_id, department, department_printed, year, phase,
            table_id, table_index, table_kind, table_title, unit, page, row_index, label, func_code, econ_code,
            column_key, column_label, amount_fen, amount_text, bbox
          FROM amounts ORDER BY line_item_id`,
    fields: [
      { name: 'line_item_id', type: 'integer', description: 'line_items.id', columnType: 'budget-line-id', required: true },
      { name: 'document_id', type: 'integer', description: 'documents.id', required: true },
      { name: 'sha256', type: 'string', description: 'SHA-256 of the source file', required: true },
      { name: 'source_file', type: 'string', description: 'path of the source file as ingested', required: true },
      { name: 'department_id', type: 'integer', description: 'departments.id (department across documents and years)', columnType: 'administrative-classification:generic:level1:code' },
      { name: 'department', type: 'string', description: 'canonical department name', columnType: 'administrative-classification:generic:level1:label' },
      { name: 'department_printed', type: 'string', description: 'department name as printed in the document' },
      { name: 'year', type: 'integer', description: 'fiscal year', columnType: 'date:fiscal-year' },
      { name: 'phase', type: 'string', description: 'budget (预算) or final (决算)', columnType: 'phase:id', enum: ['budget', 'final'] },
      { name: 'table_id', type: 'integer', description: 'tables.table_id', required: true },
      { name: 'table_index', type: 'integer', description: 'position of the table in its document', required: true },
      { name: 'table_kind', type: 'string', description: 'table kind (README: Table kinds)', required: true },
      { name: 'table_title', type: 'string', description: 'table title as printed', required: true },
      { name: 'unit', type: 'string', description: 'unit as printed (元, 万元); amounts below are in 元 whatever it is' },
      { name: 'page', type: 'integer', description: '1-based page of the amount', required: true },
      { name: 'row_index', type: 'integer', description: 'row of the table', required: true },
      { name: 'label', type: 'string', description: 'row label as printed' },
      { name: 'func_code', type: 'string', description: '功能分类科目编码 (3 digits 类, 5 款, 7 项)', columnType: 'functional-classification:generic:code' },
      { name: 'econ_code', type: 'string', description: '经济分类科目编码 (3 digits 类, 5 款)', columnType: 'economic-classification:generic:code' },
      { name: 'column_key', type: 'string', description: 'column key (README: Column keys)', required: true },
      { name: 'column_label', type: 'string', description: 'column header levels joined by /' },
      { name: 'amount_fen', type: 'integer', description: 'exact amount in 分 (1 元 = 100 分)', required: true, big: true },
      { name: 'amount_yuan', type: 'decimal', description: 'exact amount in 元 (CNY)', columnType: 'value', fenOf: 'amount_fen', required: true },
      { name: 'amount_text', type: 'string', description: 'the amount as printed, in the table unit', required: true },
      { name: 'bbox', type: 'array', description: '[x0, y0, x1, y1] of the cell in PDF points, top-left origin', required: true },
    ],
    primaryKey: 'line_item_id',
    foreignKeys: [
      { fields: 'document_id', reference: { resource: 'documents', fields: 'document_id' } },
      { fields: 'table_id', reference: { resource: 'tables', fields: 'table_id' } },
      { fields: 'department_id', reference: { resource: 'departments', fields: 'department_id' } },
    ],
  },
  {
    name: 'documents',
    title: 'Documents (one row per source file)',
    description: 'Ingested files with phase, year, department and status.',
    sql: `SELECT d.id, d.sha256, d.path, d.file_name, d.pages, d.phase, d.year, dd.department_id, dep.name, d.department,
            d.status, d.error, d.ingested_at, d.pipeline_version, d.n_tables, d.n_items
          FROM documents d LEFT JOIN document_departments dd ON dd.document_id = d.id
          LEFT JOIN departments dep ON dep.id = dd.department_id ORDER BY d.id`,
    fields: [
      { name: 'document_id', type: 'integer', description: 'documents.id', required: true },
      { name: 'sha256', type: 'string', description: 'SHA-256 of the file', required: true },
      { name: 'path', type: 'string', description: 'path as ingested', required: true },
      { name: 'file_name', type: 'string', description: 'file name', required: true },
      { name: 'pages', type: 'integer', description: 'page count', required: true },
      { name: 'phase', type: 'string', description: 'budget or final', columnType: 'phase:id', enum: ['budget', 'final'] },
      { name: 'year', type: 'integer', description: 'fiscal year', columnType: 'date:fiscal-year' },
      { name: 'department_id', type: 'integer', description: 'departments.id', columnType: 'administrative-classification:generic:level1:code' },
      { name: 'department', type: 'string', description: 'canonical department name', columnType: 'administrative-classification:generic:level1:label' },
      { name: 'department_printed', type: 'string', description: 'department as printed' },
      { name: 'status', type: 'string', description: 'ok, partial or failed', required: true, enum: ['ok', 'partial', 'failed'] },
      { name: 'error', type: 'string', description: 'why the document failed or is partial' },
      { name: 'ingested_at', type: 'datetime', description: 'when it was stored (UTC)', required: true },
      { name: 'pipeline_version', type: 'string', description: 'yusuan pipeline version', required: true },
      { name: 'n_tables', type: 'integer', description: 'tables found', required: true },
      { name: 'n_items', type: 'integer', description: 'amounts found', required: true },
    ],
    primaryKey: 'document_id',
    foreignKeys: [{ fields: 'department_id', reference: { resource: 'departments', fields: 'department_id' } }],
  },
  {
    name: 'tables',
    title: 'Tables (one row per recognised table)',
    description: 'Tables found in the documents, with kind, title, pages, unit and column specs.',
    sql: `SELECT id, document_id, table_index, kind, title, page_start, page_end, unit, department_label, year_label, source, bbox, column_specs
          FROM doc_tables ORDER BY id`,
    fields: [
      { name: 'table_id', type: 'integer', description: 'doc_tables.id', required: true },
      { name: 'document_id', type: 'integer', description: 'documents.id', required: true },
      { name: 'table_index', type: 'integer', description: 'position in the document', required: true },
      { name: 'kind', type: 'string', description: 'table kind', required: true },
      { name: 'title', type: 'string', description: 'title as printed', required: true },
      { name: 'page_start', type: 'integer', description: 'first page', required: true },
      { name: 'page_end', type: 'integer', description: 'last page', required: true },
      { name: 'unit', type: 'string', description: 'unit as printed' },
      { name: 'department_label', type: 'string', description: 'department printed with the table' },
      { name: 'year_label', type: 'integer', description: 'year printed with the table' },
      { name: 'source', type: 'string', description: 'pdf_text, ocr or text_dump', required: true, enum: ['pdf_text', 'ocr', 'text_dump'] },
      { name: 'bbox', type: 'array', description: 'box on the first page', required: true },
      { name: 'column_specs', type: 'array', description: 'column keys and labels (JSON)', required: true },
    ],
    primaryKey: 'table_id',
    foreignKeys: [{ fields: 'document_id', reference: { resource: 'documents', fields: 'document_id' } }],
  },
  {
    name: 'findings',
    title: 'Findings (validation)',
    description: 'Problems found by the validation rules, with the page and box they point at.',
    sql: `SELECT id, document_id, table_id, rule, severity, message, page, bbox, expected, actual FROM findings ORDER BY id`,
    fields: [
      { name: 'finding_id', type: 'integer', description: 'findings.id', required: true },
      { name: 'document_id', type: 'integer', description: 'documents.id', required: true },
      { name: 'table_id', type: 'integer', description: 'tables.table_id; empty for a document-level finding' },
      { name: 'rule', type: 'string', description: 'rule name', required: true },
      { name: 'severity', type: 'string', description: 'error, warning or info', required: true, enum: ['error', 'warning', 'info'] },
      { name: 'message', type: 'string', description: 'what is wrong', required: true },
      { name: 'page', type: 'integer', description: 'page' },
      { name: 'bbox', type: 'array', description: 'box on the page' },
      { name: 'expected', type: 'string', description: 'expected value' },
      { name: 'actual', type: 'string', description: 'printed value' },
    ],
    primaryKey: 'finding_id',
    foreignKeys: [
      { fields: 'document_id', reference: { resource: 'documents', fields: 'document_id' } },
      { fields: 'table_id', reference: { resource: 'tables', fields: 'table_id' } },
    ],
  },
  {
    name: 'departments',
    title: 'Departments',
    description: 'One row per department across documents and years (rule and alias file: README, For researchers).',
    sql: 'SELECT id, name, match_key, n_documents FROM departments ORDER BY id',
    fields: [
      { name: 'department_id', type: 'integer', description: 'departments.id', required: true, columnType: 'administrative-classification:generic:level1:code' },
      { name: 'name', type: 'string', description: 'canonical name', required: true, columnType: 'administrative-classification:generic:level1:label' },
      { name: 'match_key', type: 'string', description: 'the name normalised by the matching rule', required: true },
      { name: 'n_documents', type: 'integer', description: 'documents linked', required: true },
      { name: 'aliases', type: 'string', description: 'names of this department, separated by " | "', listOf: { sql: 'SELECT department_id, alias FROM department_aliases', separator: ' | ' } },
    ],
    primaryKey: 'department_id',
  },
  {
    name: 'verdicts',
    title: 'Verdicts (reviewers on findings)',
    description: 'A reviewer\'s verdict on a finding (yusuan serve), anchored by the document\'s sha256, rule, page, box and printed value.',
    sql: 'SELECT id, sha256, rule, severity, page, bbox, printed, expected, verdict, note, decided_at FROM verdicts ORDER BY id',
    fields: [
      { name: 'verdict_id', type: 'integer', description: 'verdicts.id', required: true },
      { name: 'sha256', type: 'string', description: 'SHA-256 of the document judged', required: true },
      { name: 'rule', type: 'string', description: 'rule id of the finding', required: true },
      { name: 'severity', type: 'string', description: 'severity of the finding when judged', required: true, enum: ['error', 'warning', 'info'] },
      { name: 'page', type: 'integer', description: '1-based page of the finding' },
      { name: 'bbox', type: 'array', description: '[x0, y0, x1, y1] of the finding in PDF points, top-left origin' },
      { name: 'printed', type: 'string', description: 'printed value of the finding' },
      { name: 'expected', type: 'string', description: 'expected value of the finding when judged' },
      { name: 'verdict', type: 'string', description: 'confirmed, false_alarm or unsure', required: true, enum: ['confirmed', 'false_alarm', 'unsure'] },
      { name: 'note', type: 'string', description: 'the reviewer\'s note' },
      { name: 'decided_at', type: 'datetime', description: 'when (UTC)', required: true },
    ],
    primaryKey: 'verdict_id',
  },
];

export interface ExportedFile {
  resource: string;
  path: string;
  rows: number;
  bytes: number;
}

export interface ExportResult {
  format: Format;
  outDir: string;
  files: ExportedFile[];
  datapackage: string;
  elapsedMs: number;
}

const EXT: Record<Format, string> = { csv: 'csv', jsonl: 'jsonl', parquet: 'parquet' };
const MEDIATYPE: Record<Format, string> = {
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

/** Write every resource in `format` to `outDir`, then datapackage.json. */
export async function exportDataset(sql: Sql, opts: { format: Format; outDir: string }): Promise<ExportResult> {
  const started = performance.now();
  mkdirSync(opts.outDir, { recursive: true });
  const files: ExportedFile[] = [];
  for (const r of RESOURCES) {
    const file = `${r.name}.${EXT[opts.format]}`;
    const path = join(opts.outDir, file);
    const rows = readRows(sql, r);
    let n: number;
    if (opts.format === 'csv') n = await writeRowLines(path, rows, (row) => r.fields.map((f) => csvField(row[f.name])).join(','), [r.fields.map((f) => f.name).join(',') + '\n']);
    else if (opts.format === 'jsonl') n = await writeRowLines(path, rows, (row) => JSON.stringify(row));
    else n = await writeParquet(path, r, rows);
    files.push({ resource: r.name, path: file, rows: n, bytes: statSync(path).size });
  }
  const descriptor = dataPackage(opts.format, files);
  const dp = join(opts.outDir, 'datapackage.json');
  writeFileSync(dp, JSON.stringify(descriptor, null, 2) + '\n');
  return { format: opts.format, outDir: opts.outDir, files, datapackage: dp, elapsedMs: performance.now() - started };
}

type Row = Record<string, unknown>;

// Boxes come from pdfjs as float32 noise (112.5999984741211): exported to 0.01 pt, far finer than
// any text or ruling line.
const BOX_DECIMALS = 2;

/** A box's coordinates rounded to 0.01 pt. */
export function roundBox(box: number[]): number[] {
  const f = 10 ** BOX_DECIMALS;
  return box.map((x) => (typeof x === 'number' ? Math.round(x * f) / f : x));
}

/** A listOf field's lists by key, sorted here (an engine's collation would order names its own way). */
async function readLists(sql: Sql, spec: NonNullable<FieldSpec['listOf']>): Promise<Map<unknown, string>> {
  const lists = new Map<unknown, string[]>();
  for (const [key, value] of (await sql.rows(spec.sql)).rows) (lists.get(key) ?? lists.set(key, []).get(key)!).push(String(value));
  return new Map([...lists].map(([k, vs]) => [k, vs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(spec.separator)]));
}

/** Rows of a resource keyed by field name, JSON columns parsed, decimal and listOf fields made here; streamed. */
export async function* readRows(sql: Sql, r: ResourceSpec): AsyncGenerator<Row> {
  const stored = r.fields.filter((f) => f.type !== 'decimal' && !f.listOf);
  const lists = new Map<string, Map<unknown, string>>();
  for (const f of r.fields) if (f.listOf) lists.set(f.name, await readLists(sql, f.listOf));
  for await (const record of sql.iterate(r.sql)) {
    const values = Object.values(record); // by position: the SQL's column names are not the field names
    if (values.length !== stored.length) throw new Error(`${r.name}: query returns ${values.length} columns for ${stored.length} fields`);
    const stored_: Row = {};
    stored.forEach((f, i) => {
      const v = values[i];
      const parsed = f.type === 'array' && typeof v === 'string' ? JSON.parse(v) as unknown : v;
      stored_[f.name] = f.name === 'bbox' && Array.isArray(parsed) ? roundBox(parsed as number[]) : parsed;
    });
    const row: Row = {};
    for (const f of r.fields) {
      if (f.listOf) row[f.name] = lists.get(f.name)!.get(values[0]) ?? null;
      else if (f.type === 'decimal') {
        const fen = stored_[f.fenOf!];
        row[f.name] = fen === null || fen === undefined ? null : fenToYuan(fen as number);
      } else row[f.name] = stored_[f.name];
    }
    yield row;
  }
}

// ------------------------------------------------------------------------------------------------
// CSV (RFC 4180, UTF-8, no BOM, \n line ends). NULL is an empty field; an empty string is "".

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (s === '') return '""';
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeLines(path: string, lines: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  for await (const line of lines) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** One line per row (CSV after its header line, JSON Lines); returns how many rows. */
async function writeRowLines(path: string, rows: AsyncIterable<Row>, line: (row: Row) => string, header: string[] = []): Promise<number> {
  let n = 0;
  async function* lines() {
    yield* header;
    for await (const row of rows) {
      n++;
      yield line(row) + '\n';
    }
  }
  await writeLines(path, lines());
  return n;
}

// ------------------------------------------------------------------------------------------------
// Parquet through hyparquet-writer (pure JavaScript). Strings UTF8, integers INT32 (INT64 where
// `big`), amount_yuan DECIMAL(18,2) stored as INT64 = 分, JSON columns as JSON text. Snappy.

function parquetElement(f: FieldSpec): SchemaElement {
  const repetition_type = f.required ? 'REQUIRED' : 'OPTIONAL';
  switch (f.type) {
    case 'integer':
      return { name: f.name, type: f.big ? 'INT64' : 'INT32', repetition_type };
    case 'decimal':
      return { name: f.name, type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18, repetition_type, logical_type: { type: 'DECIMAL', scale: 2, precision: 18 } };
    case 'array':
      return { name: f.name, type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type };
    default:
      return { name: f.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
  }
}

async function writeParquet(path: string, r: ResourceSpec, rows: AsyncIterable<Row>): Promise<number> {
  const columns = r.fields.map(() => [] as unknown[]);
  let n = 0;
  for await (const row of rows) {
    n++;
    r.fields.forEach((f, i) => {
      const v = row[f.name];
      if (v === null || v === undefined) columns[i].push(null);
      else if (f.type === 'decimal') columns[i].push(BigInt(row[f.fenOf!] as number)); // unscaled = 分
      else if (f.type === 'integer' && f.big) columns[i].push(BigInt(v as number));
      else if (f.type === 'datetime') columns[i].push(String(v));
      else columns[i].push(v);
    });
  }
  const schema: SchemaElement[] = [{ name: 'root', num_children: r.fields.length }, ...r.fields.map(parquetElement)];
  parquetWriteFile({
    filename: path,
    columnData: r.fields.map((f, i) => ({ name: f.name, data: columns[i] as never })),
    schema,
    kvMetadata: [{ key: 'yusuan.resource', value: r.name }, { key: 'yusuan.pipeline_version', value: PIPELINE_VERSION }],
    createdBy: `yusuan ${PIPELINE_VERSION}`,
  });
  return n;
}

// ------------------------------------------------------------------------------------------------
// datapackage.json: Frictionless Tabular Data Package (v1 profile), Fiscal Data Package column types.

function tableSchemaField(f: FieldSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { name: f.name, description: f.description };
  if (f.type === 'decimal') {
    Object.assign(out, { type: 'number', bareNumber: true, decimalChar: '.', groupChar: '' });
  } else out.type = f.type;
  if (f.columnType) out.columnType = f.columnType;
  const constraints: Record<string, unknown> = {};
  if (f.required) constraints.required = true;
  if (f.enum) constraints.enum = f.enum;
  if (Object.keys(constraints).length > 0) out.constraints = constraints;
  return out;
}

export function dataPackage(format: Format, files: ExportedFile[]): Record<string, unknown> {
  const byName = new Map(files.map((f) => [f.resource, f]));
  return {
    profile: 'tabular-data-package',
    name: 'yusuan-export',
    title: 'Chinese government department budgets and final accounts (部门预算 / 部门决算), as extracted by yusuan',
    description:
      'Every amount printed in the tables of the ingested disclosures, exact in 元, with its document, table, page, box and codes. ' +
      'Functional (功能分类) and economic (经济分类) classification codes as printed; departments joined across documents by a documented rule.',
    version: PIPELINE_VERSION,
    created: new Date().toISOString(),
    licenses: [{ name: 'other-pd', title: 'Government disclosures; check the terms of the source sites' }],
    keywords: ['budget', 'fiscal', 'China', '部门预算', '部门决算', 'fiscal-data-package'],
    resources: RESOURCES.filter((r) => byName.has(r.name)).map((r) => {
      const f = byName.get(r.name)!;
      const resource: Record<string, unknown> = {
        profile: 'tabular-data-resource',
        name: r.name,
        path: f.path,
        title: r.title,
        description: r.description,
        format,
        mediatype: MEDIATYPE[format],
        encoding: 'utf-8',
        bytes: f.bytes,
        schema: {
          fields: r.fields.map(tableSchemaField),
          missingValues: [''],
          ...(r.primaryKey ? { primaryKey: r.primaryKey } : {}),
          ...(r.foreignKeys ? { foreignKeys: r.foreignKeys } : {}),
        },
      };
      if (format === 'csv') resource.dialect = { delimiter: ',', doubleQuote: true, header: true, lineTerminator: '\n', quoteChar: '"' };
      if (r.name === 'amounts') {
        // Fiscal Data Package: the currency as a constant extra field.
        (resource.schema as Record<string, unknown>).extraFields = [
          { name: 'currency', type: 'string', columnType: 'value-currency:code', constant: 'CNY' },
        ];
      }
      return resource;
    }),
  };
}

// ------------------------------------------------------------------------------------------------
// Datasette metadata.json, written beside the database as <name>.metadata.json.

export function datasetteMetadataPath(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath, extname(dbPath))}.metadata.json`);
}

const VIEW_DOCS: Record<string, string> = {
  amounts: 'One row per printed amount, with document, table, department and the exact amount in 元 (amount_yuan) beside the integer of 分 (amount_fen).',
  function_expenditure:
    'Expenditure by function (功能分类) per department, year and phase: total/basic/project. Source per document: the 部门支出总表 when it has 功能 codes, else 财政拨款支出表, else 一般公共预算支出表 (source_kind).',
  basic_expenditure_by_econ:
    'Basic expenditure (基本支出) by economic code per department, year and phase; personnel/public are the printed 人员经费/公用经费 columns where the table has them.',
  basic_personnel_share: 'Personnel share of basic expenditure: 人员经费 = classes 301 + 303, of the sum of all 类 of basic expenditure.',
  three_public: '“三公”经费 per department, year and phase: total, 因公出国(境), 公务用车购置及运行 (购置 / 运行), 公务接待.',
  department_totals: 'Department expenditure totals per year: the 合计 row of the 部门支出总表 (total/basic/project), else the sum of the function classes.',
};

export function datasetteMetadata(dbPath: string): Record<string, unknown> {
  const amountCols = Object.fromEntries(RESOURCES[0].fields.map((f) => [f.name, f.description]));
  return {
    title: 'yusuan: Chinese government budget disclosures',
    description: 'Tables of 部门预算 / 部门决算 disclosures, every amount exact (integer 分; *_yuan columns are exact decimal text in 元).',
    source: 'yusuan (PDF and text-dump extraction); source files are named in documents.path',
    databases: {
      [basename(dbPath, extname(dbPath))]: {
        tables: {
          documents: { description: 'One row per ingested file (sha256, phase, year, department as printed, status).' },
          doc_tables: { description: 'One row per recognised table; unit as printed (元 / 万元).' },
          line_items: {
            description: 'One row per amount cell. amount_fen is exact in 分 (1 元 = 100 分) whatever the printed unit; amount_text as printed.',
            fts_table: 'line_items_fts',
            fts_pk: 'id',
            columns: { amount_fen: 'exact amount in 分 (divide by 100 for 元)', func_code: '功能分类科目编码', econ_code: '经济分类科目编码' },
          },
          findings: { description: 'Validation findings per document and table.' },
          departments: { description: 'Departments across documents and years (matching rule + departments.aliases.tsv).' },
          department_aliases: { description: 'Every name of every department, from documents or the alias file.' },
          document_departments: { description: 'The department of each document.' },
          ...Object.fromEntries(Object.entries(VIEW_DOCS).map(([k, v]) => [k, { description: v, ...(k === 'amounts' ? { columns: amountCols } : {}) }])),
        },
        queries: {
          three_public_by_department_year: {
            title: '三公 by department and year (元)',
            sql: 'SELECT department, year, phase, three_public_yuan, overseas_travel_yuan, vehicle_purchase_yuan, vehicle_operation_yuan, official_reception_yuan FROM three_public ORDER BY department, year, phase',
          },
          personnel_share: {
            title: 'Personnel share of basic expenditure by department',
            sql: 'SELECT department, year, phase, basic_yuan, personnel_yuan, personnel_pct FROM basic_personnel_share ORDER BY department, year',
          },
          function_class_by_year: {
            title: 'One function class of one department, year by year',
            sql: "SELECT department, year, phase, func_code, label, total_yuan FROM function_expenditure WHERE func_code = :code AND department LIKE '%' || :department || '%' ORDER BY department, year",
          },
        },
      },
    },
  };
}

export function writeDatasetteMetadata(dbPath: string): string {
  const path = datasetteMetadataPath(dbPath);
  writeFileSync(path, JSON.stringify(datasetteMetadata(dbPath), null, 2) + '\n');
  return path;
}
