// `yusuan query "<SQL>"`: run one read-only SQL statement and print the result.
import { openAnalysisDb } from '../analyze/departments.js';
import { parseCommand, parseFormat, showPath, usageError as reportUsage } from './args.js';
import { errorMessage } from '../errors.js';
import { ROW_FORMATS, printRows } from './output.js';

export const QUERY_USAGE = `usage: yusuan query "<SQL>" [--db yusuan.db] [--format table|csv|jsonl|json] [--aliases FILE]

  Runs one SELECT (or other read-only statement) on a read-only connection: it works on a read-only
  database file or folder. Views for the common questions: amounts, function_expenditure,
  basic_expenditure_by_econ, basic_personnel_share, three_public, department_totals (README, "For
  researchers"). *_fen columns are exact integers of 分, *_yuan columns exact decimal text in 元.

  --db <file>        SQLite database (default yusuan.db)
  --format <f>       table (aligned, NULL printed as NULL; the default), csv (NULL as an empty field,
                     an empty string as ""), jsonl (one JSON object per row) or json (one array)
  --aliases <file>   department alias file, used when the departments tables are brought up to date
                     (default ./departments.aliases.tsv, else the project's)`;

const NULL_TEXT = 'NULL';

export async function runQuery(argv: string[]): Promise<number> {
  const parsed = parseCommand('query', QUERY_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'yusuan.db' },
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
  let db;
  try {
    db = openAnalysisDb(values.db, { aliasFile: values.aliases, readonly: true });
  } catch (e) {
    return usageError(`cannot open database ${showPath(values.db)}: ${errorMessage(e)}`);
  }
  try {
    let stmt;
    try {
      stmt = db.prepare(positionals[0]);
    } catch (e) {
      return usageError(errorMessage(e));
    }
    if (!stmt.reader) return usageError('only statements that return rows are run (the database is opened read-only)');
    const columns = stmt.columns().map((c) => c.name);
    const rows = stmt.raw(true).all() as unknown[][];
    const numeric = new Set(columns.filter((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number' || /^-?\d+\.\d\d$/.test(String(r[i])))));
    printRows(format, columns, rows, { numeric, nullText: NULL_TEXT });
    if (format === 'table') console.error(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    return 0;
  } finally {
    db.close();
  }
}

const usageError = (message: string): number => reportUsage('query', QUERY_USAGE, message);
