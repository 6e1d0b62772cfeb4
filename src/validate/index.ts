// Validation entry: runs every rule family over one document. Called at ingest (src/pipeline.ts) and
// again by `yusuan audit` over documents read back from the database.
//
// The registry says which rule ids each family reports, so that `yusuan audit --save` replaces only
// the stored findings of the families it ran again and keeps the others: page failures, OCR notes,
// and the findings of families that need facts of the ingest the database does not keep.
import type { DocumentResult, Finding } from '../types.js';
import { errorMessage } from '../errors.js';
import { sumRules } from './sums.js';
import { sumFamily } from './rules/sums.js';
import { crossFamily } from './rules/cross.js';
import { headerFamily } from './rules/header.js';
import { unitFamily } from './rules/unit.js';
import { tocFamily } from './rules/toc.js';
import { codeFamily } from './rules/codes.js';
import { narrativeFamily } from './rules/narrative.js';
import { pageFamily } from './rules/pages.js';
import { ocrFamily, ocrPageFamily, ocrUnplacedFamily } from './rules/ocr.js';
import { mentionFamily } from './rules/mentions.js';
import { leftoverFamily } from './rules/leftovers.js';
import { comparisonFamily } from './rules/comparisons.js';
import { retiredFamily } from './rules/retired.js';
import { codeAmountRule } from './rules/codetext.js';
import { noteFamily } from './rules/notes.js';
import { codeCellFamily } from './rules/codecells.js';
import { completenessFamily } from './rules/completeness.js';

export interface RuleFamily {
  name: string;
  /** The rule ids it reports: exact ids (`sum.total_row`) or prefixes ending in a dot (`ocr.`). */
  rules: readonly string[];
  /**
   * Needs facts of the ingest that the database does not keep (OCR confidences, pages that could not
   * be read): run at ingest only. `yusuan audit` does not run it and keeps its stored findings.
   */
  ingestOnly?: boolean;
  run: (doc: DocumentResult) => Finding[];
}

/** A family that threw: reported under this rule, with the family's name as `actual`. */
export const RULE_FAILED = 'validate.rule_failed';

// Every finding of a document comes from one of these, in this order (pages that could not be read first).
export const RULE_FAMILIES: RuleFamily[] = [
  { name: 'page', rules: ['extract.page_failed', 'ocr.page_failed'], ingestOnly: true, run: pageFamily },
  { name: 'sum.code_hierarchy', rules: ['sum.code_hierarchy'], run: sumRules },
  { name: 'sum', rules: ['sum.total_row', 'sum.row_parts'], run: sumFamily },
  {
    name: 'cross', run: crossFamily,
    rules: ['cross.income_vs_expenditure', 'cross.summary_vs_expenditure', 'cross.expenditure_vs_general_budget', 'cross.basic_total', 'cross.appropriation_vs_parts', 'cross.three_public_vs_econ'],
  },
  {
    name: 'header', run: headerFamily,
    rules: ['header.department_mismatch', 'header.department_placeholder', 'header.blank_template', 'header.year_mismatch', 'header.unit_code_mismatch', 'narrative.year_reference'],
  },
  { name: 'unit', rules: ['unit.magnitude'], run: unitFamily },
  { name: 'toc', rules: ['toc.missing_table', 'toc.title_mismatch', 'toc.missing_standard_table'], run: tocFamily },
  { name: 'code', rules: ['code.name_mismatch'], run: codeFamily },
  { name: 'narrative', rules: ['narrative.amount', 'narrative.percent', 'narrative.foreign_text'], run: narrativeFamily },
  { name: 'mention', rules: ['mention.department', 'mention.year'], run: mentionFamily },
  { name: 'leftover', rules: ['leftover.instruction', 'leftover.alternative', 'leftover.edit_mark', 'leftover.duplicate', 'leftover.missing_amount'], run: leftoverFamily },
  { name: 'compare', rules: ['compare.direction', 'compare.zero_base', 'compare.part_exceeds_whole'], run: comparisonFamily },
  { name: 'code.retired', rules: ['code.retired_name'], run: retiredFamily },
  { name: 'narrative.code_amount', rules: ['narrative.code_amount'], run: codeAmountRule },
  { name: 'note', rules: ['note.other_fund'], run: noteFamily },
  { name: 'code.invalid_cell', rules: ['code.invalid_cell'], run: codeCellFamily },
  { name: 'completeness', rules: ['extract.code_missing'], run: completenessFamily },
  { name: 'ocr.page', rules: ['ocr.page'], ingestOnly: true, run: ocrPageFamily },
  { name: 'ocr', rules: ['ocr.low_confidence', 'ocr.digit_suspect'], run: ocrFamily },
  { name: 'ocr.unplaced_rows', rules: ['ocr.unplaced_rows'], ingestOnly: true, run: ocrUnplacedFamily },
];

/** Every rule id a document's findings can carry: the families' own and the one for a family that failed. */
export const DOCUMENT_RULE_IDS: readonly string[] = [...RULE_FAMILIES.flatMap((f) => f.rules), RULE_FAILED];


/** Whether `rule` is one of these ids, or starts with one of these prefixes (ending in a dot). */
export function matchesRule(patterns: readonly string[], rule: string): boolean {
  return patterns.some((p) => (p.endsWith('.') ? rule.startsWith(p) : rule === p));
}

export interface ValidateOptions {
  /** The document was read back from the database: the ingest-only families are left out. */
  fromDatabase?: boolean;
}

export function validateDocument(doc: DocumentResult, opts: ValidateOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const f of RULE_FAMILIES) {
    if (opts.fromDatabase && f.ingestOnly) continue;
    try {
      out.push(...f.run(doc));
    } catch (e) {
      // A rule that trips over an unexpected table must not fail the ingest of the document.
      out.push({
        rule: RULE_FAILED, severity: 'warning', message: `规则 ${f.name} 运行出错 / rule family ${f.name} failed: ${errorMessage(e)}`,
        page: null, box: null, expected: null, actual: f.name, tableIndex: null,
      });
    }
  }
  return out;
}

/**
 * Whether a stored finding is one that validateDocument(doc, { fromDatabase: true }) makes again: a
 * rule of a family that is not ingest-only, or the failure of such a family. Anything else (page
 * failures, OCR notes, ingest-only families) only the ingest can make, so an audit keeps it.
 */
export function recomputedFromDatabase(f: Pick<Finding, 'rule' | 'actual'>): boolean {
  if (f.rule === RULE_FAILED) {
    const family = RULE_FAMILIES.find((fam) => fam.name === f.actual);
    return !family?.ingestOnly; // an unnamed failure (older databases): replaced by the audit
  }
  return RULE_FAMILIES.some((fam) => !fam.ingestOnly && matchesRule(fam.rules, f.rule));
}
