// `yusuan export`: the dataset as CSV, JSON Lines or Parquet files with datapackage.json, and a
// Datasette metadata.json beside the database.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openAnalysisDb } from '../analyze/departments.js';
import { FORMATS, exportDataset, writeDatasetteMetadata } from '../analyze/export.js';
import { STORE_HELP, STORE_OPTIONS, parseCommand, parseFormat, showPath, showStore, storeLocation, usageError as reportUsage } from './args.js';
import { isPostgresLocation, type Sql } from '../store/sql.js';
import { errorMessage } from '../errors.js';

export const EXPORT_USAGE = `usage: yusuan export --format csv|jsonl|parquet --out DIR [--store yusuan.db] [--aliases FILE]

  Writes amounts, documents, tables, findings, departments and verdicts as DIR/<name>.<format>, and
  DIR/datapackage.json (Frictionless Tabular Data Package). Also writes <db name>.metadata.json
  beside a SQLite database, for Datasette (datasette yusuan.db -m yusuan.metadata.json), when that
  folder can be written. The store is only read.

${STORE_HELP}
  --format <f>         csv (RFC 4180, UTF-8), jsonl (one JSON object per row) or parquet
  --out <dir>          output folder (created when missing; files in it of the same names are replaced)
  --aliases <file>     department alias file (default ./departments.aliases.tsv, else the project's)`;

export async function runExport(argv: string[]): Promise<number> {
  const parsed = parseCommand('export', EXPORT_USAGE, {
    args: argv,
    options: {
      ...STORE_OPTIONS,
      format: { type: 'string' },
      out: { type: 'string' },
      aliases: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!values.format) return usageError(`--format is required: ${FORMATS.join(', ')}`);
  const format = parseFormat('export', values.format, FORMATS);
  if (typeof format === 'number') return format;
  if (!values.out) return usageError('--out is required (a folder)');
  const outStat = statSync(values.out, { throwIfNoEntry: false });
  if (outStat && !outStat.isDirectory()) return usageError(`--out ${showPath(values.out)} is a file; give a folder`);
  let store: string;
  let db: Sql;
  try {
    store = storeLocation(values);
  } catch (e) {
    return usageError(errorMessage(e));
  }
  try {
    db = await openAnalysisDb(store, { aliasFile: values.aliases, readonly: true });
  } catch (e) {
    return usageError(`cannot open database ${showStore(store)}: ${errorMessage(e)}`);
  }
  try {
    let result;
    try {
      result = await exportDataset(db, { format, outDir: values.out });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code && /^E(ACCES|PERM|ROFS|NOTDIR|EXIST|ISDIR|NOSPC)$/.test(code)) return usageError(`cannot write to ${showPath(values.out)}: ${errorMessage(e)}`);
      throw e;
    }
    for (const f of result.files) console.log(`${showPath(join(values.out, f.path)).padEnd(28)} ${String(f.rows).padStart(8)} rows  ${String(f.bytes).padStart(10)} bytes`);
    console.log(`datapackage: ${showPath(result.datapackage)}`);
    // Datasette opens SQLite files only.
    if (!isPostgresLocation(store)) {
      try {
        console.log(`datasette metadata: ${showPath(writeDatasetteMetadata(store))}`);
      } catch (e) {
        console.error(`yusuan export: datasette metadata not written beside the database: ${errorMessage(e)}`);
      }
    }
    console.error(`elapsed: ${(result.elapsedMs / 1000).toFixed(2)} s`);
    return 0;
  } finally {
    await db.close();
  }
}

const usageError = (message: string): number => reportUsage('export', EXPORT_USAGE, message);
