// Validation entry: runs every rule family over one document. Called at ingest (src/pipeline.ts) and
// again by `yusuan audit` over documents read back from the database.
import type { DocumentResult, Finding } from '../types.js';
import { sumRules } from './sums.js';
import { sumFamily } from './rules/sums.js';
import { crossFamily } from './rules/cross.js';
import { headerFamily } from './rules/header.js';
import { unitFamily } from './rules/unit.js';
import { tocFamily } from './rules/toc.js';
import { codeFamily } from './rules/codes.js';
import { narrativeFamily } from './rules/narrative.js';
import { mentionFamily } from './rules/mentions.js';
import { leftoverFamily } from './rules/leftovers.js';
import { comparisonFamily } from './rules/comparisons.js';
import { retiredFamily } from './rules/retired.js';
import { codeAmountRule } from './rules/codetext.js';
import { noteFamily } from './rules/notes.js';
import { codeCellFamily } from './rules/codecells.js';

export interface RuleFamily {
  name: string;
  run: (doc: DocumentResult) => Finding[];
}

export const RULE_FAMILIES: RuleFamily[] = [
  { name: 'sum.code_hierarchy', run: sumRules },
  { name: 'sum', run: sumFamily },
  { name: 'cross', run: crossFamily },
  { name: 'header', run: headerFamily },
  { name: 'unit', run: unitFamily },
  { name: 'toc', run: tocFamily },
  { name: 'code', run: codeFamily },
  { name: 'narrative', run: narrativeFamily },
  { name: 'mention', run: mentionFamily },
  { name: 'leftover', run: leftoverFamily },
  { name: 'compare', run: comparisonFamily },
  { name: 'code.retired', run: retiredFamily },
  { name: 'narrative.code_amount', run: codeAmountRule },
  { name: 'note', run: noteFamily },
  { name: 'code.invalid_cell', run: codeCellFamily },
];

export function validateDocument(doc: DocumentResult): Finding[] {
  const out: Finding[] = [];
  for (const f of RULE_FAMILIES) {
    try {
      out.push(...f.run(doc));
    } catch (e) {
      // A rule that trips over an unexpected table must not fail the ingest of the document.
      out.push({
        rule: 'validate.rule_failed', severity: 'warning', message: `规则 ${f.name} 运行出错 / rule family ${f.name} failed: ${(e as Error).message}`,
        page: null, box: null, expected: null, actual: null, tableIndex: null,
      });
    }
  }
  return out;
}
