// The narrative as the text rules read it, computed once per document: several rule families scan the
// same joined text, and compacting every line is the costly part.
import type { DocumentResult, TextLine } from '../../types.js';
import { compact } from '../../extract/normalize.js';
import { narrativeText, type Text } from './narrative.js';

// Keyed by the narrative array: a document whose lines are replaced (a plant, an edit) is read afresh.
const joined = new WeakMap<TextLine[], Text>();
const lines = new WeakMap<TextLine[], string[]>();

/** narrativeText(doc), once per narrative. */
export function prose(doc: DocumentResult): Text {
  let t = joined.get(doc.narrative);
  if (!t) joined.set(doc.narrative, (t = narrativeText(doc)));
  return t;
}

/** The narrative's lines, compacted, once per narrative. */
export function compactLines(doc: DocumentResult): string[] {
  let ls = lines.get(doc.narrative);
  if (!ls) lines.set(doc.narrative, (ls = doc.narrative.map((l) => compact(l.text))));
  return ls;
}
