// Naming a stored document on the command line (`--document`): a bare integer is its id (or, with 8+
// digits and no such id, a sha256 prefix); a hex string of 8 or more characters a sha256 prefix; anything else a path or a file name (whole, else a part of
// it). A name that fits several documents is an error listing them, never a silent union.
import { resolve } from 'node:path';
import type { Sql } from '../store/sql.js';
import { UserError, showPath } from './args.js';

export const SHA256_PREFIX_MIN = 8;
const SHOW_CANDIDATES = 10;

interface DocRef { id: number; sha256: string; path: string; file_name: string }

export type SelectorKind = 'id' | 'sha256' | 'name';

/** How a --document value is read. */
export function selectorKind(s: string): SelectorKind {
  if (/^\d+$/.test(s)) return 'id';
  if (new RegExp(`^[0-9a-fA-F]{${SHA256_PREFIX_MIN},64}$`).test(s)) return 'sha256';
  return 'name';
}

/** The documents a selector names (several only when it is ambiguous). */
export function matchDocuments(docs: DocRef[], s: string): DocRef[] {
  const kind = selectorKind(s);
  if (kind === 'id') {
    const byId = docs.filter((d) => d.id === Number(s));
    // 8+ digits that are no id may be a sha256 prefix made of digits only (2% of them are).
    return byId.length || s.length < SHA256_PREFIX_MIN ? byId : docs.filter((d) => d.sha256.startsWith(s));
  }
  if (kind === 'sha256') return docs.filter((d) => d.sha256.startsWith(s.toLowerCase()));
  const abs = resolve(s);
  const whole = docs.filter((d) => d.path === s || resolve(d.path) === abs || d.file_name === s);
  if (whole.length) return whole;
  return docs.filter((d) => d.file_name.includes(s) || d.path.includes(s));
}

/** The ids of the documents named by the selectors, in the order given; a UserError when one names none or several. */
export async function resolveDocuments(sql: Sql, selectors: string[]): Promise<number[]> {
  const docs = await sql.all<DocRef>('SELECT id, sha256, path, file_name FROM documents ORDER BY id');
  const ids: number[] = [];
  for (const s of selectors) {
    const found = matchDocuments(docs, s);
    const kind = selectorKind(s);
    if (found.length === 0) {
      throw new UserError(kind === 'id' ? `no document with id ${s}` : kind === 'sha256' ? `no document whose sha256 starts with ${s}` : `no document whose path or file name contains '${s}'`);
    }
    if (found.length > 1) {
      const list = found.slice(0, SHOW_CANDIDATES).map((d) => `  ${d.id}  ${d.sha256.slice(0, 12)}  ${showPath(d.path)}`);
      if (found.length > SHOW_CANDIDATES) list.push(`  … and ${found.length - SHOW_CANDIDATES} more`);
      throw new UserError(`'${s}' names ${found.length} documents; give one id (or --document once per document):\n${list.join('\n')}`);
    }
    if (!ids.includes(found[0].id)) ids.push(found[0].id);
  }
  return ids;
}
