// Departments across documents and years: one `departments` row per department, every printed name
// (documents.department) an alias of one, every document linked to one (document_departments).
//
// The rule: two names belong to one department when their match keys are equal (matchKey, the strict
// normaliser of domain/departments.ts), or when the alias file says so. The alias file
// (departments.aliases.tsv) holds lines `alias<TAB>department`; the department named there becomes
// the canonical name of its group. Without a file entry the canonical name is the printed name used
// by most documents (ties: the longest, then the first in code-point order).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isReadonlyError } from '../store/db.js';
import { openStore } from '../store/open.js';
import { isPostgresLocation, redactLocation, type Sql } from '../store/sql.js';
import { matchKey } from '../domain/departments.js';

/** The alias file shipped with the project (at the package root). */
export const DEFAULT_ALIAS_FILE = fileURLToPath(new URL('../../departments.aliases.tsv', import.meta.url));
export const ALIAS_FILE_NAME = 'departments.aliases.tsv';

/**
 * The alias file to use: the given path; else departments.aliases.tsv in the working folder when
 * there is one; else the project's own.
 */
export function resolveAliasFile(given?: string): string | null {
  if (given) return given;
  if (existsSync(ALIAS_FILE_NAME)) return ALIAS_FILE_NAME;
  return existsSync(DEFAULT_ALIAS_FILE) ? DEFAULT_ALIAS_FILE : null;
}

export interface AliasEntry {
  alias: string;
  department: string;
  line: number;
}

/** Parse an alias file: `alias<TAB>department` per line; blank lines and `#` comments ignored. */
export function parseAliasFile(text: string, file = 'alias file'): AliasEntry[] {
  const out: AliasEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const cols = line.split('\t').map((c) => c.trim());
    if (cols.length < 2 || !cols[0] || !cols[1]) {
      throw new Error(`${file}:${i + 1}: expected "alias<TAB>department", got ${JSON.stringify(line)}`);
    }
    out.push({ alias: cols[0].normalize('NFKC'), department: cols[1].normalize('NFKC'), line: i + 1 });
  });
  return out;
}

export interface DepartmentGroup {
  name: string;
  key: string;
  /** Printed names of documents and alias-file names, each with where it came from. */
  aliases: Map<string, 'document' | 'file'>;
  documents: { id: number; printed: string; matchedBy: 'name' | 'rule' | 'file' }[];
}

/** Group printed names into departments (pure: no database). */
export function groupDepartments(
  docs: { id: number; department: string | null }[],
  aliases: AliasEntry[],
): DepartmentGroup[] {
  // Union-find over match keys; the alias file joins keys.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const add = (k: string) => {
    if (!parent.has(k)) parent.set(k, k);
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const d of docs) if (d.department) add(matchKey(d.department));
  for (const a of aliases) {
    add(matchKey(a.alias));
    add(matchKey(a.department));
    union(matchKey(a.alias), matchKey(a.department));
  }
  // Canonical names from the file, by root.
  const fileCanonical = new Map<string, string>();
  const fileKeys = new Set<string>();
  for (const a of aliases) {
    const root = find(matchKey(a.department));
    const prev = fileCanonical.get(root);
    if (prev !== undefined && prev !== a.department) {
      throw new Error(`alias file line ${a.line}: ${a.department} and ${prev} are given as names of one department`);
    }
    fileCanonical.set(root, a.department);
    fileKeys.add(matchKey(a.alias));
  }

  const byRoot = new Map<string, { docs: { id: number; printed: string }[]; fileNames: Set<string> }>();
  const slot = (root: string) => {
    let g = byRoot.get(root);
    if (!g) byRoot.set(root, (g = { docs: [], fileNames: new Set() }));
    return g;
  };
  for (const d of docs) if (d.department) slot(find(matchKey(d.department))).docs.push({ id: d.id, printed: d.department });
  for (const a of aliases) {
    const g = slot(find(matchKey(a.department)));
    g.fileNames.add(a.alias);
    g.fileNames.add(a.department);
  }

  const groups: DepartmentGroup[] = [];
  for (const [root, g] of byRoot) {
    if (g.docs.length === 0) continue; // an alias-file department no document names
    let name = fileCanonical.get(root);
    if (name === undefined) {
      const freq = new Map<string, number>();
      for (const d of g.docs) freq.set(d.printed, (freq.get(d.printed) ?? 0) + 1);
      name = [...freq.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1))[0][0];
    }
    const canonicalKey = matchKey(name);
    const aliasMap = new Map<string, 'document' | 'file'>();
    for (const n of g.fileNames) aliasMap.set(n, 'file');
    for (const d of g.docs) aliasMap.set(d.printed, 'document');
    groups.push({
      name,
      key: canonicalKey,
      aliases: aliasMap,
      documents: g.docs.map((d) => ({
        id: d.id,
        printed: d.printed,
        matchedBy: d.printed === name ? 'name' : matchKey(d.printed) === canonicalKey ? 'rule' : 'file',
      })),
    });
  }
  groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return groups;
}

export interface RefreshResult {
  refreshed: boolean;
  departments: number;
  linked: number;
  unlinked: number;
}

/** What the departments tables are built from: documents' names and the alias file's bytes. */
async function fingerprint(sql: Sql, aliasText: string): Promise<string> {
  const h = createHash('sha256');
  for await (const r of sql.iterate<{ id: number; department: string | null }>('SELECT id, department FROM documents ORDER BY id')) {
    h.update(`${r.id}\u0000${r.department ?? ''}\u0001`);
  }
  h.update('\u0002' + aliasText);
  return h.digest('hex');
}

const storedFingerprint = async (sql: Sql) =>
  (await sql.pluck<string>("SELECT value FROM analysis_state WHERE key = 'departments'"))[0];

/**
 * Rebuild departments, department_aliases and document_departments when the documents or the alias
 * file changed since the last build (or always with `force`). One transaction.
 */
export async function refreshDepartments(sql: Sql, opts: { aliasFile?: string | null; force?: boolean } = {}): Promise<RefreshResult> {
  const file = opts.aliasFile === undefined ? resolveAliasFile() : opts.aliasFile;
  const aliasText = file ? readFileSync(file, 'utf8') : '';
  const fp = await fingerprint(sql, aliasText);
  const stored = await storedFingerprint(sql);
  const n = async (q: string) => (await sql.pluck<number>(q))[0];
  const count = async () => ({
    departments: await n('SELECT count(*) FROM departments'),
    linked: await n('SELECT count(*) FROM document_departments'),
    unlinked: await n('SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM document_departments)'),
  });
  if (!opts.force && stored === fp) return { refreshed: false, ...(await count()) };

  const aliases = parseAliasFile(aliasText, file ?? 'alias file');
  const refreshed = await sql.transaction(async (tx) => {
    // Again under the write lock: several processes may open a stale store at once (PostgreSQL); the
    // ones after the first find the tables current.
    const now = await fingerprint(tx, aliasText);
    if (!opts.force && (await storedFingerprint(tx)) === now) return false;
    const docs = await tx.all<{ id: number; department: string | null }>('SELECT id, department FROM documents ORDER BY id');
    const groups = groupDepartments(docs, aliases);
    await tx.exec('DELETE FROM document_departments; DELETE FROM department_aliases; DELETE FROM departments;');
    for (const [i, g] of groups.entries()) {
      const id = i + 1;
      await tx.run('INSERT INTO departments (id, name, match_key, n_documents) VALUES (?, ?, ?, ?)', [id, g.name, g.key, g.documents.length]);
      for (const [alias, source] of g.aliases) await tx.run('INSERT INTO department_aliases (alias, department_id, source) VALUES (?, ?, ?)', [alias, id, source]);
      for (const d of g.documents) {
        await tx.run('INSERT INTO document_departments (document_id, department_id, printed_name, matched_by) VALUES (?, ?, ?, ?)', [d.id, id, d.printed, d.matchedBy]);
      }
    }
    await tx.run("INSERT INTO analysis_state (key, value) VALUES ('departments', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [now]);
    return true;
  });
  return { refreshed, ...(await count()) };
}

export interface AnalysisDbOptions {
  aliasFile?: string | null;
  /** A read-only connection (the reading commands): nothing is written unless the analysis layer is stale. */
  readonly?: boolean;
}

/** Whether refreshDepartments would rebuild (read-only: nothing written). */
export async function departmentsStale(sql: Sql, aliasFile?: string | null): Promise<boolean> {
  const file = aliasFile === undefined ? resolveAliasFile() : aliasFile;
  const stored = await storedFingerprint(sql);
  return stored !== (await fingerprint(sql, file ? readFileSync(file, 'utf8') : ''));
}

/**
 * Open a store for analysis (a SQLite path or a postgres:// URL): migrations applied, departments
 * rebuilt when stale. With `readonly` the returned store cannot write, and nothing is written when
 * the analysis layer is current; a stale one in a store that cannot be written is used as it is,
 * with a warning on stderr.
 */
export async function openAnalysisDb(location: string, opts: AnalysisDbOptions = {}): Promise<Sql> {
  if (!isPostgresLocation(location) && !existsSync(location)) throw new Error(`no database at ${location} (run yusuan ingest first)`);
  const ro = await openStore(location, { readonly: true });
  let stale: boolean;
  try {
    stale = await departmentsStale(ro, opts.aliasFile);
  } catch (e) {
    await ro.close();
    throw e;
  }
  if (!stale && opts.readonly) return ro;
  await ro.close();
  let sql: Sql | undefined;
  try {
    sql = await openStore(location);
    await refreshDepartments(sql, { aliasFile: opts.aliasFile });
  } catch (e) {
    await sql?.close();
    if (!opts.readonly || !isReadonlyError(e)) throw e;
    console.error(`yusuan: ${redactLocation(location)} cannot be written, so its departments tables were not brought up to date (${String(e)})`);
    return openStore(location, { readonly: true });
  }
  if (!opts.readonly) return sql;
  await sql.close();
  return openStore(location, { readonly: true });
}
