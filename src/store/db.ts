// Open the SQLite database and bring its schema up to date from the numbered migrations in db/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export type Db = Database.Database;

// This file is src/store/db.ts under tsx and dist/store/db.js after tsc: db/ is two levels up in both.
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../db/', import.meta.url));

// Wait this long for another writer's lock instead of failing at once with SQLITE_BUSY.
const BUSY_TIMEOUT_MS = 5000;

/** Open (or create) the database at `path` (':memory:' works) and apply pending migrations. */
export function openDb(path: string, opts: { migrationsDir?: string } = {}): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL'); // readers don't block the writer (':memory:' stays 'memory')
  db.pragma('foreign_keys = ON'); // needed for ON DELETE CASCADE
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  migrate(db, opts.migrationsDir ?? MIGRATIONS_DIR);
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
