// The one storage interface: every reader and writer of the database (store/, ingest/, analyze/, the
// CLI, serve) talks to a `Sql`, never to a driver. Two implementations: SQLite (better-sqlite3, the
// default, a file for one machine; sqlite.ts) and PostgreSQL (pg, one database for many machines;
// postgres.ts). `openStore` (open.ts) picks one from a location: a path or a postgres:// URL.
//
// Statements are written once, in the SQL both engines accept:
// - parameters are `?` (the PostgreSQL side numbers them $1, $2, …);
// - new ids come from `INSERT … RETURNING id`, never last_insert_rowid();
// - `ON CONFLICT … DO NOTHING / DO UPDATE`, never INSERT OR IGNORE / OR REPLACE;
// - COALESCE, not IFNULL; CAST(x AS TEXT); no printf, group_concat, json_*, datetime(): build such
//   values in TypeScript (timestamps are ISO text made by the caller);
// - booleans are stored as integers 0/1 in both; JSON as text;
// - integers come back as JS numbers in both (PostgreSQL's bigint and count(*) are converted; an
//   integer beyond 2^53 is an error, never a rounded number);
// - ORDER BY a column that may be NULL says where NULLs go (ASC NULLS FIRST is SQLite's default,
//   PostgreSQL's is NULLS LAST); GROUP BY names every column selected outside an aggregate; a
//   subquery in FROM has an alias; a `?` whose type nothing fixes (`SELECT ?`, `? IS NULL`) is
//   CAST(? AS …); LIKE is case-sensitive in PostgreSQL (lower() both sides to ignore ASCII case).
//   Text compares and sorts by code point in both (PostgreSQL's columns collate "C").
// Where a statement truly differs (schema, views, full-text search), it lives in the dialect's
// migrations (db/ for SQLite, db/postgres/ for PostgreSQL), not in code.

export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a `?`. */
export type SqlParam = string | number | bigint | boolean | null | Uint8Array;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Rows as arrays, with their column names: for user SQL (yusuan query) and exports. */
export interface RowSet {
  columns: string[];
  rows: unknown[][];
}

export interface Sql {
  readonly dialect: Dialect;
  /** Where it is, for messages: a file path, or a postgres URL without its password. */
  readonly location: string;
  /** Opened for reading only: every write fails. */
  readonly readonly: boolean;

  /** Every row, as objects keyed by column name. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** The first column of every row. */
  pluck<T = unknown>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Rows as arrays with column names (also for a statement returning no rows). */
  rows(sql: string, params?: readonly SqlParam[]): Promise<RowSet>;
  /** Rows in batches, for tables too large to hold at once (exports). */
  iterate<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): AsyncIterable<T>;
  /** A statement that returns no rows. */
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  /** Several statements without parameters (migrations, bulk deletes). */
  exec(sql: string): Promise<void>;
  /**
   * `fn`'s statements in one transaction, the write lock taken at its start: committed when `fn`
   * resolves, rolled back when it throws. Inside, use only `tx`. A transaction inside a transaction
   * joins the outer one.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Whether a location names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A postgres URL as shown in messages: the password replaced by ***. */
export function redactLocation(location: string): string {
  if (!isPostgresLocation(location)) return location;
  try {
    const u = new URL(location);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return location.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
  }
}
