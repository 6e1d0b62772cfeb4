// Open the store a location names: a SQLite file path (the default) or a postgres:// URL.
import { openDb, openDbForReading } from './db.js';
import { SqliteSql } from './sqlite.js';
import { isPostgresLocation, type Sql } from './sql.js';

export interface OpenOptions {
  /** For a reading command: nothing is written (pending migrations are still applied, see openDbForReading). */
  readonly?: boolean;
}

export async function openStore(location: string, opts: OpenOptions = {}): Promise<Sql> {
  if (isPostgresLocation(location)) {
    // loaded only here: a SQLite user never loads pg
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(location, opts);
  }
  return new SqliteSql(opts.readonly ? openDbForReading(location) : openDb(location), location);
}
