// The PostgreSQL side of the storage interface (sql.ts): a pg Pool behind the same async calls, for one
// database shared by many workers and readers. Statements arrive in the portable SQL of sql.ts; here
// `?` becomes $1, $2, …, integers come back as JS numbers, and booleans as 0/1, as from SQLite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { errorMessage } from '../errors.js';
import { listMigrations, MIGRATIONS_DIR } from './db.js';
import { redactLocation, type RowSet, type RunResult, type Sql, type SqlParam } from './sql.js';

export const POSTGRES_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'postgres');

// Rows fetched per round trip by iterate(): an export of millions of line items never holds them all.
const ITERATE_BATCH_ROWS = 1000;
// A server that does not answer within this is reported as unreachable (not waited on for minutes).
const CONNECT_TIMEOUT_MS = 10_000;
// Advisory lock keys ('yusuan' in ASCII, then +1): one for migrations, one for write transactions.
const MIGRATION_LOCK = 0x79757375616e;
const WRITE_LOCK = MIGRATION_LOCK + 1;

const BOOL_OID = 16;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** `?` parameters numbered $1, $2, … — outside quoted strings, quoted identifiers and comments. */
export function toPositional(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let end = i + 1; // the end of the token starting at i, copied as is
    if (c === '?') {
      out += `$${++n}`;
      i++;
      continue;
    } else if (c === "'") {
      // E'…' strings take backslash escapes; '' is a quote in every string
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]) && !/[\w$]/.test(sql[i - 2] ?? '');
      while (end < sql.length) {
        if (escapes && sql[end] === '\\') end += 2;
        else if (sql[end] === "'" && sql[end + 1] === "'") end += 2;
        else if (sql[end] === "'") { end++; break; }
        else end++;
      }
    } else if (c === '"') {
      end = sql.indexOf('"', i + 1);
      end = end < 0 ? sql.length : end + 1;
    } else if (c === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      end = end < 0 ? sql.length : end;
    } else if (c === '/' && next === '*') {
      // block comments nest in PostgreSQL
      let depth = 1;
      end = i + 2;
      while (end < sql.length && depth > 0) {
        if (sql.startsWith('/*', end)) { depth++; end += 2; }
        else if (sql.startsWith('*/', end)) { depth--; end += 2; }
        else end++;
      }
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      // a dollar-quoted string: $$…$$ or $tag$…$tag$
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? sql.length : close + tag[0].length;
      }
    }
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}

/** A bigint as a JS number, or an error: a rounded integer would be a wrong amount. */
export function parseInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new Error(`integer ${text} from PostgreSQL is beyond ±2^53, the largest a JS number holds exactly`);
  }
  return n;
}

/** A numeric: an integer (sum of bigints) checked like a bigint; a fraction (a ratio) as a float. */
export function parseNumeric(text: string): number {
  return /^-?\d+$/.test(text) ? parseInteger(text) : Number(text);
}

// Per pool, not pg's global parsers: pg-boss shares the process and expects pg's defaults.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return parseInteger;
    if (oid === NUMERIC_OID) return parseNumeric;
    if (oid === BOOL_OID) return (t: string) => (t === 't' ? 1 : 0); // 0/1, as SQLite gives them
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function bind(params: readonly SqlParam[]): unknown[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p instanceof Uint8Array ? Buffer.from(p) : p));
}

type Queryable = pg.Pool | pg.PoolClient;

let cursors = 0;

/** `sql`'s rows in batches through a cursor; `client` must be in a transaction. */
async function* cursorRows<T>(client: pg.PoolClient, sql: string, params: readonly SqlParam[]): AsyncIterable<T> {
  const name = `yusuan_cursor_${++cursors}`;
  await client.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${toPositional(sql)}`, values: bind(params) });
  try {
    for (;;) {
      const batch = await client.query(`FETCH ${ITERATE_BATCH_ROWS} FROM ${name}`);
      for (const row of batch.rows) yield row as T;
      if (batch.rows.length < ITERATE_BATCH_ROWS) break;
    }
  } finally {
    await client.query(`CLOSE ${name}`).catch(() => undefined); // gone already when the transaction failed
  }
}

/** Statements on a pool (each on any free connection) or on the one connection of a transaction. */
abstract class PostgresBase implements Sql {
  readonly dialect = 'postgres' as const;
  abstract readonly location: string;
  abstract readonly readonly: boolean;
  protected abstract target(): Queryable;
  abstract iterate<T>(sql: string, params?: readonly SqlParam[]): AsyncIterable<T>;
  abstract transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;

  private query(sql: string, params: readonly SqlParam[], rowMode?: 'array'): Promise<pg.QueryResult> {
    // The extended protocol also without parameters: one statement per call, as SQLite's prepare
    // allows (user SQL from `yusuan query` cannot append a `SET …` to leave read-only mode).
    const config = { text: toPositional(sql), values: bind(params), queryMode: 'extended', ...(rowMode ? { rowMode } : {}) };
    return this.target().query(config as pg.QueryConfig);
  }

  async all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async pluck<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.query(sql, params, 'array')).rows.map((r) => (r as unknown[])[0] as T);
  }

  async rows(sql: string, params: readonly SqlParam[] = []): Promise<RowSet> {
    const res = await this.query(sql, params, 'array');
    // RowDescription names the columns even when no row comes back; a statement without rows has none.
    return { columns: (res.fields ?? []).map((f: pg.FieldDef) => f.name), rows: res.rows as unknown[][] };
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.target().query(sql); // no parameters: the simple protocol, which takes several statements
  }
}

export class PostgresSql extends PostgresBase {
  constructor(
    /** The pg pool, for what only PostgreSQL has (tests, the queue). */
    readonly pool: pg.Pool,
    readonly location: string,
    readonly readonly: boolean,
  ) {
    super();
  }

  protected target(): Queryable {
    return this.pool;
  }

  async *iterate<T>(sql: string, params: readonly SqlParam[] = []): AsyncIterable<T> {
    // A cursor lives in a transaction: one connection held until the last row (or a break).
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      yield* cursorRows<T>(client, sql, params);
    } finally {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e)); // it only read
      client.release(broken);
    }
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new PostgresTx(client, this);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // One writer at a time, like SQLite's BEGIN IMMEDIATE: code written for one writer stays right with
      // many workers; a document's write takes milliseconds against the seconds of reading it.
      if (!this.readonly) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const out = await fn(tx);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((err: Error) => (broken = err));
      throw e;
    } finally {
      tx.ended = true;
      client.release(broken); // a connection that could not roll back is closed, not reused
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** The connection of a transaction: its statements, its cursors; nested transactions join it. */
class PostgresTx extends PostgresBase {
  ended = false;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly owner: PostgresSql,
  ) {
    super();
  }
  get location() {
    return this.owner.location;
  }
  get readonly() {
    return this.owner.readonly;
  }
  protected target(): Queryable {
    if (this.ended) throw new Error('statement on a transaction that has ended');
    return this.client;
  }
  async *iterate<T>(sql: string, params: readonly SqlParam[] = []): AsyncIterable<T> {
    yield* cursorRows<T>(this.target() as pg.PoolClient, sql, params);
  }
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {
    throw new Error('close the store, not a transaction');
  }
}

/** Why a connection failed, in one line (a refused dual-stack connect is an AggregateError without message). */
function connectReason(e: unknown): string {
  const inner = e instanceof AggregateError && e.errors.length > 0 ? e.errors[0] : e;
  const msg = errorMessage(inner) || String((inner as { code?: unknown }).code ?? 'unknown error');
  return msg.replace(/\s*\n\s*/g, ' ');
}

export interface OpenPostgresOptions {
  /** For a reading command: every transaction is read-only (pending migrations are still applied first). */
  readonly?: boolean;
  migrationsDir?: string;
}

/**
 * Connect to the PostgreSQL database `url` names and bring its schema up to date from db/postgres/.
 * Many workers may start at once: migrations run under an advisory lock, each in its own transaction.
 */
export async function openPostgres(url: string, opts: OpenPostgresOptions = {}): Promise<PostgresSql> {
  const location = redactLocation(url);
  const config: pg.ClientConfig = { connectionString: url, types: TYPES, application_name: 'yusuan', keepAlive: true };
  // One connection first, with a time limit: an unreachable server is reported at once, in one line.
  // (Not a limit on the pool: there a statement may wait long for a connection when many writers queue.)
  const client = new pg.Client({ ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new Error(`cannot connect to PostgreSQL at ${location}: ${connectReason(e)}`);
  }
  try {
    const dir = opts.migrationsDir ?? POSTGRES_MIGRATIONS_DIR;
    // applied through this connection, which can write also when the store opens read-only
    if ((await pendingPostgresMigrations(client, dir)).length > 0) await migratePostgres(client, dir);
  } finally {
    await client.end();
  }
  const pool = new pg.Pool(opts.readonly ? { ...config, options: '-c default_transaction_read_only=on' } : config);
  pool.on('error', () => undefined); // an idle connection the server dropped: the pool replaces it
  return new PostgresSql(pool, location, opts.readonly === true);
}

/** The migrations of `dir` not yet recorded in the database's schema_migrations. */
export async function pendingPostgresMigrations(db: Queryable | pg.Client, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<number[]> {
  const table = await db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  const done = new Set<number>(
    table.rows[0].present ? (await db.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)) : [],
  );
  return listMigrations(dir).map((m) => m.version).filter((v) => !done.has(v));
}

/** Apply the pending migrations of `dir`, under an advisory lock: the first worker applies, the others wait. */
export async function migratePostgres(client: pg.Client, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<number[]> {
  const applied: number[] = [];
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    bigint PRIMARY KEY,
      name       text   NOT NULL,
      applied_at text   NOT NULL
    )`);
    const pending = new Set(await pendingPostgresMigrations(client, dir));
    for (const m of listMigrations(dir)) {
      if (!pending.has(m.version)) continue;
      // A failing migration rolls back whole, so a retry starts from a clean state.
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(m.file, 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version, m.name, new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`PostgreSQL migration ${m.version}_${m.name} failed: ${errorMessage(e)}`);
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
  return applied;
}
