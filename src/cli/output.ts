// Rows on stdout in the format vocabulary of src/cli/args.ts: table, csv, jsonl, json.
import { formatCsv, formatJsonl, formatTable } from '../analyze/compare.js';

export type RowFormat = 'table' | 'csv' | 'jsonl' | 'json';
export const ROW_FORMATS: readonly RowFormat[] = ['table', 'csv', 'jsonl', 'json'];

/** Print rows; an empty result prints only the header (table, csv) or nothing (jsonl) or [] (json). */
export function printRows(format: RowFormat, columns: string[], rows: unknown[][], opts: { numeric?: Set<string>; nullText?: string } = {}): void {
  if (format === 'csv') console.log(formatCsv(columns, rows));
  else if (format === 'jsonl') {
    if (rows.length) console.log(formatJsonl(columns, rows));
  } else if (format === 'json') console.log(JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))), null, 1));
  else console.log(formatTable(columns, rows, opts.numeric, opts.nullText));
}
