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
import { isReadonlyError, openDb, openDbForReading, openDbReadonly, type Db } from '../store/db.js';
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
function fingerprint(db: Db, aliasText: string): string {
  const h = createHash('sha256');
  for (const r of db.prepare('SELECT id, department FROM documents ORDER BY id').raw().iterate() as Iterable<[number, string | null]>) {
    h.update(`${r[0]}\u0000${r[1] ?? ''}\u0001`);
  }
  h.update('\u0002' + aliasText);
  return h.digest('hex');
}

/**
 * Rebuild departments, department_aliases and document_departments when the documents or the alias
 * file changed since the last build (or always with `force`). One transaction.
 */
export function refreshDepartments(db: Db, opts: { aliasFile?: string | null; force?: boolean } = {}): RefreshResult {
  const file = opts.aliasFile === undefined ? resolveAliasFile() : opts.aliasFile;
  const aliasText = file ? readFileSync(file, 'utf8') : '';
  const fp = fingerprint(db, aliasText);
  const stored = db.prepare("SELECT value FROM analysis_state WHERE key = 'departments'").pluck().get() as string | undefined;
  const count = () => ({
    departments: db.prepare('SELECT count(*) FROM departments').pluck().get() as number,
    linked: db.prepare('SELECT count(*) FROM document_departments').pluck().get() as number,
    unlinked: db.prepare('SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM document_departments)').pluck().get() as number,
  });
  if (!opts.force && stored === fp) return { refreshed: false, ...count() };

  const aliases = parseAliasFile(aliasText, file ?? 'alias file');
  const docs = db.prepare('SELECT id, department FROM documents ORDER BY id').all() as { id: number; department: string | null }[];
  const groups = groupDepartments(docs, aliases);
  db.transaction(() => {
    db.exec('DELETE FROM document_departments; DELETE FROM department_aliases; DELETE FROM departments;');
    const insDep = db.prepare('INSERT INTO departments (id, name, match_key, n_documents) VALUES (?, ?, ?, ?)');
    const insAlias = db.prepare('INSERT INTO department_aliases (alias, department_id, source) VALUES (?, ?, ?)');
    const insLink = db.prepare('INSERT INTO document_departments (document_id, department_id, printed_name, matched_by) VALUES (?, ?, ?, ?)');
    groups.forEach((g, i) => {
      const id = i + 1;
      insDep.run(id, g.name, g.key, g.documents.length);
      for (const [alias, source] of g.aliases) insAlias.run(alias, id, source);
      for (const d of g.documents) insLink.run(d.id, id, d.printed, d.matchedBy);
    });
    db.prepare("INSERT INTO analysis_state (key, value) VALUES ('departments', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(fp);
  }).immediate();
  return { refreshed: true, ...count() };
}

export interface AnalysisDbOptions {
  aliasFile?: string | null;
  /** A read-only connection (the reading commands): nothing is written unless the analysis layer is stale. */
  readonly?: boolean;
}

/** Whether refreshDepartments would rebuild (read-only: nothing written). */
export function departmentsStale(db: Db, aliasFile?: string | null): boolean {
  const file = aliasFile === undefined ? resolveAliasFile() : aliasFile;
  const stored = db.prepare("SELECT value FROM analysis_state WHERE key = 'departments'").pluck().get() as string | undefined;
  return stored !== fingerprint(db, file ? readFileSync(file, 'utf8') : '');
}

/**
 * Open a database for analysis: migrations applied, departments rebuilt when stale. With `readonly`
 * the returned connection cannot write, and nothing is written when the analysis layer is current;
 * a stale one in a database that cannot be written is used as it is, with a warning on stderr.
 */
export function openAnalysisDb(path: string, opts: AnalysisDbOptions = {}): Db {
  if (!existsSync(path)) throw new Error(`no database at ${path} (run yusuan ingest first)`);
  const ro = openDbForReading(path);
  let stale: boolean;
  try {
    stale = departmentsStale(ro, opts.aliasFile);
  } catch (e) {
    ro.close();
    throw e;
  }
  if (!stale && opts.readonly) return ro;
  ro.close();
  let db: Db;
  try {
    db = openDb(path);
    refreshDepartments(db, { aliasFile: opts.aliasFile });
  } catch (e) {
    if (!opts.readonly || !isReadonlyError(e)) throw e;
    console.error(`yusuan: ${path} cannot be written, so its departments tables were not brought up to date (${String(e)})`);
    return openDbReadonly(path);
  }
  if (!opts.readonly) return db;
  db.close();
  return openDbReadonly(path);
}
