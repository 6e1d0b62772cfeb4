// Open the SQLite database and bring its schema up to date from the numbered migrations in db/.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export type Db = Database.Database;

// This file is src/store/db.ts under tsx and dist/store/db.js after tsc: db/ is two levels up in both.
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/', import.meta.url));

// Wait this long for another writer's lock instead of failing at once with SQLITE_BUSY.
const BUSY_TIMEOUT_MS = 5000;

/**
 * Open (or create) the database at `path` (':memory:' works) and apply pending migrations. WAL while
 * it is open; closing the last connection returns it to a rollback journal, so a database at rest
 * can be read by a read-only connection without creating -wal/-shm files (in a read-only folder too).
 */
export function openDb(path: string, opts: { migrationsDir?: string } = {}): Db {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL'); // readers don't block the writer (':memory:' stays 'memory')
  db.pragma('foreign_keys = ON'); // needed for ON DELETE CASCADE
  migrate(db, opts.migrationsDir ?? MIGRATIONS_DIR);
  const close = db.close.bind(db);
  db.close = () => {
    if (db.open && !db.memory) {
      // Only the last connection can leave WAL; another one still open keeps it (SQLITE_BUSY at once).
      try {
        db.pragma('busy_timeout = 0');
        db.pragma('journal_mode = DELETE');
      } catch { /* another connection is open: it stays WAL */ }
    }
    return close();
  };
  return db;
}

/**
 * Open an existing database for reading only: nothing is written, not even -wal/-shm files (unless
 * a writer has it open in WAL mode, whose files are then shared). Fails when migrations are pending.
 */
export function openDbReadonly(path: string): Db {
  if (path !== ':memory:' && !existsSync(path)) throw new Error(`no database at ${path} (run yusuan ingest first)`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('query_only = ON');
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // not a database: fail here, not later
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** The migrations of `dir` not yet applied to `db` (read-only: a database without the table has all pending). */
export function pendingMigrations(db: Db, dir: string = MIGRATIONS_DIR): number[] {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const done = new Set(hasTable ? (db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]) : []);
  return listMigrations(dir).map((m) => m.version).filter((v) => !done.has(v));
}

/** A write refused because the file or its folder cannot be written. */
export function isReadonlyError(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '');
  return /^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code) || /readonly|read-only|permission denied|EACCES|EROFS/i.test(String(e));
}

/**
 * Open for a reading command: read-only when the schema is current; when migrations are pending, they
 * are applied first through a writable connection (an error if the database cannot be written).
 */
export function openDbForReading(path: string): Db {
  let db = openDbReadonly(path);
  if (pendingMigrations(db).length === 0) return db;
  db.close();
  try {
    openDb(path).close();
  } catch (e) {
    if (isReadonlyError(e)) throw new Error(`${path} was made by an older yusuan and needs a schema update, but it cannot be written (${String(e)})`);
    throw e;
  }
  db = openDbReadonly(path);
  return db;
}

interface Migration {
  version: number;
  name: string;
  file: string;
}

/** The migrations found in `dir`: files named `NNN_name.sql`, ordered by number. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2], file: join(dir, m[0]) }))
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`two migrations numbered ${migrations[i].version} in ${dir}`);
    }
  }
  return migrations;
}

/** Apply the migrations not yet recorded in `schema_migrations`, each in its own transaction. */
export function migrate(db: Db, dir: string = MIGRATIONS_DIR): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of listMigrations(dir)) {
    if (done.has(m.version)) continue;
    const sql = readFileSync(m.file, 'utf8');
    // A failing migration rolls back whole, so a retry starts from a clean state.
    db.transaction(() => {
      db.exec(sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
