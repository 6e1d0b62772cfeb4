// `yusuan query "<SQL>"`: run one read-only SQL statement and print the result.
import { openAnalysisDb } from '../analyze/departments.js';
import { STORE_HELP, STORE_OPTIONS, parseCommand, parseFormat, showStore, storeLocation, usageError as reportUsage } from './args.js';
import type { RowSet, Sql } from '../store/sql.js';
import { errorMessage } from '../errors.js';
import { ROW_FORMATS, printRows } from './output.js';

export const QUERY_USAGE = `usage: yusuan query "<SQL>" [--store yusuan.db] [--format table|csv|jsonl|json] [--aliases FILE]

  Runs one SELECT (or other read-only statement) on a read-only connection: it works on a read-only
  database file or folder (and on a PostgreSQL store, in SQL both engines accept). Views for the
  common questions: amounts, function_expenditure, basic_expenditure_by_econ, basic_personnel_share,
  three_public, department_totals (README, "For researchers"). *_fen columns are exact integers of 分, *_yuan columns exact decimal text in 元.

${STORE_HELP}
  --format <f>         table (aligned, NULL printed as NULL; the default), csv (NULL as an empty field,
                       an empty string as ""), jsonl (one JSON object per row) or json (one array)
  --aliases <file>     department alias file, used when the departments tables are brought up to date
                       (default ./departments.aliases.tsv, else the project's)`;

const NULL_TEXT = 'NULL';

export async function runQuery(argv: string[]): Promise<number> {
  const parsed = parseCommand('query', QUERY_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      format: { type: 'string', default: 'table' },
      aliases: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError('give exactly one SQL statement (quoted)');
  const format = parseFormat('query', values.format, ROW_FORMATS);
  if (typeof format === 'number') return format;
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
    let result: RowSet;
    const refused = 'only statements that return rows are run (the database is opened read-only)';
    try {
      result = await db.rows(positionals[0]);
    } catch (e) {
      // The store is read-only: a statement that writes fails (SQLite: "readonly database", PostgreSQL: "read-only transaction").
      return usageError(/readonly|read-only/i.test(errorMessage(e)) ? `${refused}: ${errorMessage(e)}` : errorMessage(e));
    }
    if (result.columns.length === 0) return usageError(refused);
    const { columns, rows } = result;
    const numeric = new Set(columns.filter((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number' || /^-?\d+\.\d\d$/.test(String(r[i])))));
    printRows(format, columns, rows, { numeric, nullText: NULL_TEXT });
    if (format === 'table') console.error(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    return 0;
  } finally {
    await db.close();
  }
}

const usageError = (message: string): number => reportUsage('query', QUERY_USAGE, message);
