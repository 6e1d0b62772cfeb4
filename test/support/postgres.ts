// PostgreSQL for tests: testPostgres() gives the URL of a fresh, empty database.
// - YUSUAN_TEST_POSTGRES (a server URL, e.g. from .ci/run) names a server to create databases on;
// - otherwise, where PostgreSQL's binaries are (/usr/lib/postgresql/*/bin), ONE private cluster per test
//   run (.ci/postgres.sh, loopback only) is started by the first test file that asks, in the folder the
//   global setup (postgres-global.ts) made, and stopped by its teardown;
// - otherwise postgresUnavailable() says why, and the tests skip.
// Each call creates a database yusuan_test_<run>_<random>; the teardown drops them (or the cluster).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { inject } from 'vitest';

export const CLUSTER_SCRIPT = fileURLToPath(new URL('../../.ci/postgres.sh', import.meta.url));
// The test cluster trades durability for speed: its data are thrown away at the end of the run.
export const TEST_SERVER_OPTIONS = '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300';
const CLUSTER_START_WAIT_MS = 120_000;
const POLL_MS = 200;

/** The folder of PostgreSQL's binaries (the newest version installed), if any. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (process.env.YUSUAN_TEST_POSTGRES) return null;
  if (postgresBinaries()) return null;
  return 'no PostgreSQL: set YUSUAN_TEST_POSTGRES to a server URL, or install PostgreSQL (apt-get install postgresql)';
}

interface RunInfo {
  /** This run's folder (from the global setup): the shared cluster lives there. */
  dir: string;
  /** Prefix of this run's database names. */
  prefix: string;
}

function runInfo(): RunInfo {
  let info: RunInfo | undefined;
  try {
    info = inject('yusuanPostgres');
  } catch { /* outside vitest's global setup */ }
  if (info) return info;
  // Run without the global setup (another config): a cluster of this process, stopped when it exits.
  const dir = runFolder();
  process.on('exit', () => stopCluster(dir));
  return { dir, prefix: `yusuan_test_${process.pid}` };
}

let run: RunInfo | undefined;
let server: Promise<string> | undefined;

/** The URL of the server to create test databases on (its `postgres` database). */
function serverUrl(): Promise<string> {
  const external = process.env.YUSUAN_TEST_POSTGRES;
  if (external) return Promise.resolve(external);
  run ??= runInfo();
  return (server ??= sharedCluster(run.dir));
}

/** The run's cluster: started by the first test process to get the lock, waited for by the others. */
async function sharedCluster(dir: string): Promise<string> {
  const urlFile = join(dir, 'url');
  const errorFile = join(dir, 'error');
  let starter = false;
  try {
    mkdirSync(join(dir, 'starting'));
    starter = true;
  } catch { /* another test process starts it */ }
  if (starter) {
    try {
      const url = execFileSync('bash', [CLUSTER_SCRIPT, 'start', join(dir, 'cluster')], {
        encoding: 'utf8',
        env: { ...process.env, POSTGRES_OPTIONS: TEST_SERVER_OPTIONS },
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
      writeFileSync(urlFile + '.tmp', url);
      renameSync(urlFile + '.tmp', urlFile);
      return url;
    } catch (e) {
      const why = String((e as { stderr?: unknown }).stderr || e).trim();
      writeFileSync(errorFile, why);
      throw new Error(`the test PostgreSQL cluster did not start: ${why}`);
    }
  }
  const deadline = Date.now() + CLUSTER_START_WAIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(urlFile)) return readFileSync(urlFile, 'utf8');
    if (existsSync(errorFile)) throw new Error(`the test PostgreSQL cluster did not start: ${readFileSync(errorFile, 'utf8')}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`the test PostgreSQL cluster did not start within ${CLUSTER_START_WAIT_MS / 1000} s`);
}

/** A new folder for a run's cluster, which the postgres user (the server's, when we are root) can enter. */
export function runFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yusuan-pg-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** Stop the cluster a run started in `dir`, if it did. */
export function stopCluster(dir: string): void {
  if (!existsSync(join(dir, 'cluster'))) return;
  try {
    execFileSync('bash', [CLUSTER_SCRIPT, 'stop', join(dir, 'cluster')], { stdio: 'ignore' });
  } catch { /* stopped already */ }
}

/** A URL naming `database` on the server of `url`. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

/** A new, empty database (UTF-8) for one test file; its URL. */
export async function testPostgres(): Promise<string> {
  const why = postgresUnavailable();
  if (why) throw new Error(why);
  const url = await serverUrl();
  run ??= runInfo();
  const name = `${run.prefix}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.end();
  }
  return withDatabase(url, name);
}

/** Drop the databases of a run (on a server that outlives it). */
export async function dropTestDatabases(url: string, prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const names = (await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}\\_%`])).rows;
    for (const { datname } of names) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    yusuanPostgres: RunInfo;
  }
}
