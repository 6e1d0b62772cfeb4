// `yusuan compare <question> --by department,year`: the common questions as one aligned table or rows.
import { openAnalysisDb } from '../analyze/departments.js';
import { BY_KEYS, QUESTIONS, compare, type ByKey } from '../analyze/compare.js';
import { STORE_HELP, STORE_OPTIONS, parseCommand, parseFormat, showStore, storeLocation, usageError as reportUsage } from './args.js';
import type { Sql } from '../store/sql.js';
import { errorMessage } from '../errors.js';
import { ROW_FORMATS, printRows } from './output.js';

export const COMPARE_USAGE = `usage: yusuan compare <question> [--by department,year] [--code C] [--department NAME]
                      [--year Y] [--phase budget|final] [--format table|csv|jsonl|json] [--store yusuan.db]

questions:
${QUESTIONS.map((q) => `  ${q.name.padEnd(16)} ${q.summary}`).join('\n')}

  --by <keys>          grouping keys, comma-separated: ${BY_KEYS.join(', ')} (default department,year);
                       phase is added unless --phase is given, so budgets and final accounts never mix
  --code <code>        the 功能 / 经济 code (function, basic-econ)
  --department <s>     departments whose name or an alias contains s
  --year <Y>           only this year (the change is still computed from the year before)
  --phase <p>          budget (预算) or final (决算) only
  --format <f>         table (aligned, a blank for a figure the tables do not print; the default), csv,
                       jsonl (one JSON object per row) or json (one array)
${STORE_HELP}
  --aliases <file>     department alias file (default ./departments.aliases.tsv, else the project's)

  Amounts are in 元, summed exactly. With year among the keys, change_yuan / change_pct compare the
  first amount with the previous year of the same department. The store is only read.`;

export async function runCompare(argv: string[]): Promise<number> {
  const parsed = parseCommand('compare', COMPARE_USAGE, {
    args: argv,
    allowPositionals: true,
    options: {
      ...STORE_OPTIONS,
      by: { type: 'string', default: 'department,year' },
      code: { type: 'string' },
      department: { type: 'string' },
      year: { type: 'string' },
      phase: { type: 'string' },
      format: { type: 'string', default: 'table' },
      aliases: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) return usageError(`name one question: ${QUESTIONS.map((q) => q.name).join(', ')}`);
  const question = positionals[0];
  if (!QUESTIONS.some((q) => q.name === question)) return usageError(`unknown question '${question}' (one of ${QUESTIONS.map((q) => q.name).join(', ')})`);
  const by = values.by.split(',').map((s) => s.trim()).filter(Boolean);
  const badKey = by.find((k) => !(BY_KEYS as readonly string[]).includes(k));
  if (badKey) return usageError(`--by: unknown key '${badKey}' (keys: ${BY_KEYS.join(', ')})`);
  if (values.phase && values.phase !== 'budget' && values.phase !== 'final') return usageError('--phase must be budget or final');
  if (values.year && !/^\d{4}$/.test(values.year)) return usageError('--year must be a year');
  const format = parseFormat('compare', values.format, ROW_FORMATS);
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
    const result = await compare(db, question, {
      by: by as ByKey[],
      code: values.code,
      department: values.department,
      year: values.year ? Number(values.year) : undefined,
      phase: values.phase as 'budget' | 'final' | undefined,
    });
    printRows(format, result.columns, result.rows, { numeric: result.numeric });
    return 0;
  } catch (e) {
    return usageError(errorMessage(e));
  } finally {
    await db.close();
  }
}

const usageError = (message: string): number => reportUsage('compare', COMPARE_USAGE, message);
