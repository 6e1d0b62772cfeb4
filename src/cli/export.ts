// `yusuan export`: the dataset as CSV, JSON Lines or Parquet files with datapackage.json, and a
// Datasette metadata.json beside the database.
import { openAnalysisDb } from '../analyze/departments.js';
import { FORMATS, exportDataset, writeDatasetteMetadata, type Format } from '../analyze/export.js';
import { errorMessage, usageError as reportUsage, parseCommand } from './args.js';

export const EXPORT_USAGE = `usage: yusuan export --format csv|jsonl|parquet --out DIR [--db yusuan.db] [--aliases FILE]

  Writes amounts, documents, tables, findings and departments as DIR/<name>.<format>, and
  DIR/datapackage.json (Frictionless Tabular Data Package). Also writes <db name>.metadata.json
  beside the database, for Datasette (datasette yusuan.db -m yusuan.metadata.json).

  --db <file>       SQLite database (default yusuan.db)
  --format <f>      csv, jsonl or parquet
  --out <dir>       output folder (created when missing)
  --aliases <file>  department alias file (default ./departments.aliases.tsv, else the project's)`;

export async function runExport(argv: string[]): Promise<number> {
  const parsed = parseCommand('export', EXPORT_USAGE, {
    args: argv,
    options: {
      db: { type: 'string', default: 'yusuan.db' },
      format: { type: 'string' },
      out: { type: 'string' },
      aliases: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const format = values.format as Format | undefined;
  if (!format || !FORMATS.includes(format)) return usageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (!values.out) return usageError('--out is required');
  let db;
  try {
    db = openAnalysisDb(values.db, { aliasFile: values.aliases });
  } catch (e) {
    return usageError(errorMessage(e));
  }
  try {
    const result = await exportDataset(db, { format, outDir: values.out });
    for (const f of result.files) console.log(`${f.path.padEnd(22)} ${String(f.rows).padStart(8)} rows  ${String(f.bytes).padStart(10)} bytes`);
    console.log(`datapackage: ${result.datapackage}`);
    console.log(`datasette metadata: ${writeDatasetteMetadata(values.db)}`);
    console.log(`elapsed: ${(result.elapsedMs / 1000).toFixed(2)} s`);
    return 0;
  } finally {
    db.close();
  }
}

const usageError = (message: string): number => reportUsage('export', EXPORT_USAGE, message);
