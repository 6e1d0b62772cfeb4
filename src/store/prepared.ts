// Statements prepared once per connection: a bulk import writes, and an audit reads, thousands of
// documents through the same few statements.
import type { Db } from './db.js';

/** `prepare(db)` run once per connection, its result kept for as long as the connection lives. */
export function perConnection<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let st = cache.get(db);
    if (st === undefined) cache.set(db, (st = prepare(db)));
    return st;
  };
}
