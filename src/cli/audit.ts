// `yusuan audit`: the validation rules again over the stored documents, plus the cross-document rules;
// a report grouped by document and rule.
import { existsSync } from 'node:fs';
import { openDb, type Db } from '../store/db.js';
import { auditDatabase, formatMarkdown, formatText, saveFindings } from '../analyze/audit.js';
import type { Severity } from '../types.js';
import { usageError as reportUsage, parseCommand } from './args.js';

export const AUDIT_USAGE = `usage: yusuan audit [--db yusuan.db] [--document <id|sha256|name>]… [--rule <id or prefix>]…
                    [--severity info|warning|error] [--format text|json|md] [--vocabulary] [--save]

  Runs every validation rule again over the documents stored by \`yusuan ingest\`, and the rules that
  need the whole database (rare title/label variants, a department of another document in a header,
  ×10,000 jumps of one department's totals between years). Prints a report grouped by document and
  rule: each finding with its page, the printed value and the expected one.

  --db <file>          SQLite database (default yusuan.db)
  --document <d>       only this document: its id, a sha256 prefix or part of its file name (repeatable)
  --rule <r>           only these rules: an id (header.department_mismatch) or a prefix (header) (repeatable)
  --severity <s>       lowest severity shown (default info)
  --format <f>         text (default), json or md
  --vocabulary         also list the table titles and column labels with their counts
  --save               store this audit's findings in place of the stored ones it makes again
                       (within --rule and --severity); pages that failed and OCR findings stay`;

const FORMATS = ['text', 'json', 'md'] as const;
const SEVERITIES: Severity[] = ['info', 'warning', 'error'];

export async function runAudit(argv: string[]): Promise<number> {
  const parsed = parseCommand('audit', AUDIT_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      db: { type: 'string', default: 'yusuan.db' },
      document: { type: 'string', multiple: true },
      rule: { type: 'string', multiple: true },
      severity: { type: 'string', default: 'info' },
      format: { type: 'string', default: 'text' },
      vocabulary: { type: 'boolean', default: false },
      save: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  if (!FORMATS.includes(v.format as (typeof FORMATS)[number])) return usageError(`--format must be one of ${FORMATS.join(', ')}`);
  if (!SEVERITIES.includes(v.severity as Severity)) return usageError(`--severity must be one of ${SEVERITIES.join(', ')}`);
  if (!existsSync(v.db)) return usageError(`no database at ${v.db} (run yusuan ingest first)`);
  let db: Db;
  try {
    db = openDb(v.db);
  } catch (e) {
    return usageError(`cannot open database ${v.db}: ${(e as Error).message}`);
  }
  try {
    const report = auditDatabase(db, { documents: v.document, rules: v.rule, minSeverity: v.severity as Severity });
    if (v.document?.length && report.documents.length === 0) return usageError(`no stored document matches ${v.document.join(', ')}`);
    if (v.format === 'json') console.log(JSON.stringify(v.vocabulary ? report : { ...report, vocabulary: undefined }, null, 2));
    else if (v.format === 'md') console.log(formatMarkdown(report, { vocabulary: v.vocabulary }));
    else console.log(formatText(report, { vocabulary: v.vocabulary }));
    if (v.save) console.error(`saved ${saveFindings(db, report)} findings`);
    return 0;
  } finally {
    db.close();
  }
}

const usageError = (message: string): number => reportUsage('audit', AUDIT_USAGE, message);
