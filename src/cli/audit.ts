// `yusuan audit`: the validation rules again over the stored documents, plus the cross-document rules;
// a report grouped by document and rule.
import { openAnalysisDb } from '../analyze/departments.js';
import { CORPUS_RULE_IDS, FINDING_COLUMNS, SEVERITY_RANK, auditDatabase, findingRows, formatMarkdown, formatText, saveFindings, type AuditReport } from '../analyze/audit.js';
import type { Severity } from '../types.js';
import { DOCUMENT_RULE_IDS } from '../validate/index.js';
import { errorMessage } from '../errors.js';
import type { Sql } from '../store/sql.js';
import { STORE_HELP, STORE_OPTIONS, UserError, parseCommand, parseFormat, showPath, showStore, storeLocation, usageError as reportUsage } from './args.js';
import { resolveDocuments } from './documents.js';
import { printRows } from './output.js';
import { formatAgreement, verdictAgreement } from '../analyze/verdicts.js';

/**
 * Every rule id a finding can carry: the rule families' (src/validate/index.ts) and the audit's own
 * across documents. The README's rule table lists the same; test/cli.test.ts checks both against the
 * rule ids written in src/.
 */
export const RULE_IDS: readonly string[] = [...DOCUMENT_RULE_IDS, ...CORPUS_RULE_IDS];

export const AUDIT_USAGE = `usage: yusuan audit [--store yusuan.db] [--document <id|sha256|name>]… [--rule <id or prefix>]…
                    [--severity info|warning|error] [--fail-on error|warning]
                    [--format table|json|jsonl|csv|md] [--vocabulary] [--save] [--aliases FILE]
                    [--verdicts]

  Runs every validation rule again over the documents stored by \`yusuan ingest\`, and the rules that
  need the whole database (rare title/label variants, a department of another document in a header,
  ×10,000 jumps of one department's totals between years). Prints a report grouped by document and
  rule: each finding with its page, its box ([x0, y0, x1, y1] in PDF points), the printed value and
  the expected one. Documents without findings are counted, not listed. The store is only read
  unless --save.

${STORE_HELP}
  --document <d>       only this document (repeatable): a whole number is its id; 8 or more hex
                       digits a sha256 prefix; anything else its path or file name, or a part of it
                       that fits one document (several: an error listing them)
  --rule <r>           only these rules (repeatable): an id (header.department_mismatch) or a family
                       (header); an unknown one is an error
  --severity <s>       lowest severity shown: info (default), warning or error
  --fail-on <s>        exit 1 when a finding shown is at this severity or above: error or warning
                       (to gate a CI job); without it the exit code is 0 whatever is found
  --format <f>         table (text for people, the default; "text" is an older spelling), json (one
                       report), jsonl or csv (one row per finding), md (Markdown)
  --vocabulary         also list the table titles and column labels with their counts (table, md, json)
  --save               store this audit's findings in place of the stored ones it makes again
                       (within --rule and --severity); pages that failed and OCR findings stay
  --aliases <file>     department alias file (default ./departments.aliases.tsv, else the project's)
  --verdicts           instead of the report, the reviewers' verdicts (yusuan serve): per rule and
                       severity how many findings were confirmed, false alarms or unsure, and the
                       agreement (confirmed / decided); table, json, jsonl or csv

  Exit code: 0 done (1 with --fail-on and findings at that level), 2 could not run.`;

const SEVERITIES: Severity[] = ['info', 'warning', 'error'];

/** Whether a --rule value names a rule id or a family of them. */
export function knownRule(r: string): boolean {
  const prefix = r.endsWith('.') ? r : r + '.';
  return RULE_IDS.some((id) => id === r || id.startsWith(prefix));
}

export async function runAudit(argv: string[]): Promise<number> {
  const parsed = parseCommand('audit', AUDIT_USAGE, {
    args: argv,
    allowPositionals: false,
    options: {
      ...STORE_OPTIONS,
      document: { type: 'string', multiple: true },
      rule: { type: 'string', multiple: true },
      severity: { type: 'string', default: 'info' },
      'fail-on': { type: 'string' },
      format: { type: 'string', default: 'table' },
      vocabulary: { type: 'boolean', default: false },
      save: { type: 'boolean', default: false },
      aliases: { type: 'string' },
      verdicts: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const v = parsed.values;
  const format = parseFormat('audit', v.format, ['table', 'json', 'jsonl', 'csv', 'md'] as const);
  if (typeof format === 'number') return format;
  if (!SEVERITIES.includes(v.severity as Severity)) return usageError(`--severity must be one of ${SEVERITIES.join(', ')}`);
  const failOn = v['fail-on'] as Severity | undefined;
  if (failOn !== undefined && failOn !== 'error' && failOn !== 'warning') return usageError('--fail-on must be error or warning');
  const unknown = (v.rule ?? []).filter((r) => !knownRule(r));
  if (unknown.length) return usageError(`unknown rule ${unknown.join(', ')} (families: ${[...new Set(RULE_IDS.map((id) => id.split('.')[0]))].join(', ')}; ids in the README)`);
  let store: string;
  let db: Sql;
  try {
    store = storeLocation(v);
  } catch (e) {
    return usageError(errorMessage(e));
  }
  try {
    db = await openAnalysisDb(store, { aliasFile: v.aliases, readonly: !v.save });
  } catch (e) {
    return usageError(`cannot open database ${showStore(store)}: ${errorMessage(e)}`);
  }
  try {
    if (v.verdicts) return await printVerdicts(db, format);
    let documents: number[] | undefined;
    try {
      documents = v.document?.length ? await resolveDocuments(db, v.document) : undefined;
    } catch (e) {
      if (e instanceof UserError) return usageError(e.message);
      throw e;
    }
    const report = await auditDatabase(db, { documents, rules: v.rule, minSeverity: v.severity as Severity });
    if (documents && report.documents.length === 0) return usageError(`${v.document!.join(', ')}: failed documents are not audited (yusuan status shows why they failed)`);
    const shown: AuditReport = { ...report, documents: report.documents.map((d) => ({ ...d, file: showPath(d.file) })) };
    if (format === 'json') console.log(JSON.stringify(v.vocabulary ? shown : { ...shown, vocabulary: undefined }, null, 2));
    else if (format === 'md') console.log(formatMarkdown(shown, { vocabulary: v.vocabulary }));
    else if (format === 'jsonl' || format === 'csv') printRows(format, [...FINDING_COLUMNS], findingRows(shown));
    else console.log(formatText(shown, { vocabulary: v.vocabulary }));
    if (v.save) console.error(`saved ${await saveFindings(db, report)} findings`);
    if (failOn && report.documents.some((d) => d.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]))) return 1;
    return 0;
  } finally {
    await db.close();
  }
}

async function printVerdicts(db: Sql, format: 'table' | 'json' | 'jsonl' | 'csv' | 'md'): Promise<number> {
  const rows = await verdictAgreement(db);
  if (format === 'json') console.log(JSON.stringify(rows, null, 2));
  else if (format === 'jsonl' || format === 'csv') printRows(format, AGREEMENT_COLUMNS, rows.map((a) => [a.rule, a.severity, a.confirmed, a.falseAlarm, a.unsure, a.agreement]));
  else console.log(formatAgreement(rows));
  return 0;
}
const AGREEMENT_COLUMNS = ['rule', 'severity', 'confirmed', 'false_alarm', 'unsure', 'agreement'];

const usageError = (message: string): number => reportUsage('audit', AUDIT_USAGE, message);
