// Validation entry: runs every rule family over one document's tables.
import type { DocumentResult, Finding } from '../types.js';
import { sumRules } from './sums.js';

export function validateDocument(doc: DocumentResult): Finding[] {
  return [...sumRules(doc)];
}
