// The SQLite side of the storage interface (sql.ts): a better-sqlite3 connection behind async calls.
// better-sqlite3 is synchronous, so one connection serves one statement at a time; a transaction
// holds the connection until it ends, and statements from outside it wait (they would otherwise run
// inside it, between its awaits).
import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { RowSet, RunResult, Sql, SqlParam } from './sql.js';

// Statements prepared once per connection and SQL text: a bulk import writes, and an audit reads,
// thousands of documents through the same few statements.
const MAX_CACHED_STATEMENTS = 500;

function bind(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private statements = new Map<string, Database.Statement>();
  /** Resolves when the transaction holding the connection ends. */
  private held: Promise<void> | null = null;

  constructor(
    /** The better-sqlite3 connection, for what only SQLite has (tests, the SQLite-only tools). */
    readonly db: Db,
    readonly location: string,
  ) {}

  get readonly(): boolean {
    return this.db.readonly;
  }

  private prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, st);
    }
    return st;
  }

  private async free(): Promise<void> {
    while (this.held) await this.held;
  }

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    await this.free();
    return this.allNow<T>(sql, params);
  }
  allNow<T>(sql: string, params: readonly SqlParam[] = []): T[] {
    return this.prepare(sql).all(...bind(params)) as T[];
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    await this.free();
    return this.getNow<T>(sql, params);
  }
  getNow<T>(sql: string, params: readonly SqlParam[] = []): T | undefined {
    return this.prepare(sql).get(...bind(params)) as T | undefined;
  }

  async pluck<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    await this.free();
    return this.pluckNow<T>(sql, params);
  }
  pluckNow<T>(sql: string, params: readonly SqlParam[] = []): T[] {
    return this.prepare(sql).raw(true).all(...bind(params)).map((r) => (r as unknown[])[0] as T);
  }

  async rows(sql: string, params: readonly SqlParam[] = []): Promise<RowSet> {
    await this.free();
    return this.rowsNow(sql, params);
  }
  rowsNow(sql: string, params: readonly SqlParam[] = []): RowSet {
    // Not cached: raw mode is a property of the statement, and user SQL is run once.
    const st = this.db.prepare(sql);
    if (!st.reader) {
      st.run(...bind(params));
      return { columns: [], rows: [] };
    }
    return { columns: st.columns().map((c) => c.name), rows: st.raw(true).all(...bind(params)) as unknown[][] };
  }

  async *iterate<T>(sql: string, params: readonly SqlParam[] = []): AsyncIterable<T> {
    await this.free();
    // Its own statement: the connection is busy while a statement iterates, so the consumer must
    // not run other statements on this connection until the iteration ends.
    for (const row of this.db.prepare(sql).iterate(...bind(params))) yield row as T;
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    await this.free();
    return this.runNow(sql, params);
  }
  runNow(sql: string, params: readonly SqlParam[] = []): RunResult {
    return { changes: this.prepare(sql).run(...bind(params)).changes };
  }

  async exec(sql: string): Promise<void> {
    await this.free();
    this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    // Checked and taken with no await between: transactions started at once each wait their turn.
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise<void>((r) => (release = r));
    const tx = new SqliteTx(this);
    try {
      // IMMEDIATE takes the write lock up front: no deadlock upgrading a read lock under concurrency.
      this.db.exec(this.readonly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      const out = await fn(tx);
      this.db.exec('COMMIT');
      return out;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    } finally {
      tx.ended = true;
      this.held = null;
      release();
    }
  }

  async close(): Promise<void> {
    await this.free();
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

/** The connection as seen inside a transaction: statements run at once, nested transactions join. */
class SqliteTx implements Sql {
  readonly dialect = 'sqlite' as const;
  ended = false;
  constructor(private readonly owner: SqliteSql) {}
  get location() {
    return this.owner.location;
  }
  get readonly() {
    return this.owner.readonly;
  }
  private live(): SqliteSql {
    if (this.ended) throw new Error('statement on a transaction that has ended');
    return this.owner;
  }
  async all<T>(sql: string, params?: readonly SqlParam[]) {
    return this.live().allNow<T>(sql, params);
  }
  async get<T>(sql: string, params?: readonly SqlParam[]) {
    return this.live().getNow<T>(sql, params);
  }
  async pluck<T>(sql: string, params?: readonly SqlParam[]) {
    return this.live().pluckNow<T>(sql, params);
  }
  async rows(sql: string, params?: readonly SqlParam[]) {
    return this.live().rowsNow(sql, params);
  }
  async *iterate<T>(sql: string, params: readonly SqlParam[] = []): AsyncIterable<T> {
    for (const row of this.live().db.prepare(sql).iterate(...bind(params))) yield row as T;
  }
  async run(sql: string, params?: readonly SqlParam[]) {
    return this.live().runNow(sql, params);
  }
  async exec(sql: string) {
    this.live().db.exec(sql);
  }
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error('close the store, not a transaction');
  }
}
