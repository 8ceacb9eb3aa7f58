import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { fromOo1, type Oo1Database, type SqlDatabase } from './sql-database';
import { getRxStorageSqlite, type RxStorageSqlite } from './rx-storage-sqlite';

/**
 * The SQLite storage for Node tests and chaos clients: the same storage code the renderer's worker
 * runs, on sqlite-wasm's Node build. Its databases live in memory, one per RxDB database name, and
 * stay open for the process so that a closed and reopened replica finds its data again, as it would
 * in its OPFS file.
 */
export async function nodeSqliteStorage(opts: { onDestroy?: (name: string) => void } = {}): Promise<RxStorageSqlite> {
  const sqlite3 = await sqlite3InitModule();
  const open = new Map<string, SqlDatabase>();
  return getRxStorageSqlite({
    destroy(name) {
      open.get(name)?.close();
      open.delete(name);
      opts.onDestroy?.(name);
      return Promise.resolve();
    },
    open(name) {
      let db = open.get(name);
      if (!db) {
        db = fromOo1(new sqlite3.oo1.DB(':memory:') as unknown as Oo1Database);
        open.set(name, db);
      }
      return Promise.resolve({ ...db, close: () => undefined });
    },
  });
}
