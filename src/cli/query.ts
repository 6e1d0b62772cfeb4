// `yusuan query "<SQL>"`: run one read-only SQL statement and print the result.
import { openAnalysisDb } from '../analyze/departments.js';
import { formatCsv, formatTable } from '../analyze/compare.js';
import { errorMessage, usageError as reportUsage, parseCommand } from './args.js';

export const QUERY_USAGE = `usage: yusuan query "<SQL>" [--db yusuan.db] [--format table|csv|jsonl] [--aliases FILE]

  Runs one SELECT (or other read-only statement) on a read-only connection. Views for the common
  questions: amounts, function_expenditure, basic_expenditure_by_econ, basic_personnel_share,
  three_public, department_totals (README, "For researchers"). *_fen columns are exact integers of
  分, *_yuan columns exact decimal text in 元.

  --db <file>       SQLite database (default yusuan.db)
  --format <f>      table (aligned, default), csv or jsonl`;

const QUERY_FORMATS = ['table', 'csv', 'jsonl'] as const;

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
  const format = values.format as (typeof QUERY_FORMATS)[number];
  if (!QUERY_FORMATS.includes(format)) return usageError(`--format must be one of ${QUERY_FORMATS.join(', ')}`);
  let db;
  try {
    db = openAnalysisDb(values.db, { aliasFile: values.aliases, readonly: true });
  } catch (e) {
    return usageError(errorMessage(e));
  }
  try {
    let stmt;
    try {
      stmt = db.prepare(positionals[0]);
    } catch (e) {
      console.error(`yusuan query: ${errorMessage(e)}`);
      return 2;
    }
    if (!stmt.reader) {
      console.error('yusuan query: only statements that return rows are run (the database is opened read-only)');
      return 2;
    }
    const columns = stmt.columns().map((c) => c.name);
    const rows = stmt.raw(true).all() as unknown[][];
    if (format === 'jsonl') {
      for (const r of rows) console.log(JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]]))));
    } else if (format === 'csv') console.log(formatCsv(columns, rows));
    else {
      const numeric = new Set(columns.filter((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number' || /^-?\d+\.\d\d$/.test(String(r[i])))));
      console.log(formatTable(columns, rows, numeric));
      console.log(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    }
    return 0;
  } finally {
    db.close();
  }
}

const usageError = (message: string): number => reportUsage('query', QUERY_USAGE, message);
