/// <reference lib="webworker" />
/**
 * The replica's storage worker: SQLite (WebAssembly) on the origin-private file system, behind
 * RxDB's remote-storage protocol. OPFS's synchronous access handles exist only in workers, which is
 * also where SQLite's synchronous calls belong: the UI thread never waits on a write.
 */
import sqlite3InitModule, { type SAHPoolUtil } from '@sqlite.org/sqlite-wasm';
import { Subject } from 'rxjs';
import { exposeRxStorageRemote, type MessageToRemote } from 'rxdb/plugins/storage-remote';
import { getRxStorageSqlite } from './rx-storage-sqlite';
import { fromOo1, type Oo1Database } from './sql-database';

declare const self: DedicatedWorkerGlobalScope;

/** The pool's files are held exclusively: a page being reloaded may still hold them for a moment. */
const POOL_ATTEMPTS = 40;
const POOL_RETRY_MS = 250;

const sqlite = sqlite3InitModule();
let pool: Promise<SAHPoolUtil> | undefined;
function sahPool(): Promise<SAHPoolUtil> {
  pool ??= (async () => {
    const sqlite3 = await sqlite;
    for (let attempt = 1; ; attempt++) {
      try {
        return await sqlite3.installOpfsSAHPoolVfs({ name: 'threadline-replica', directory: '.threadline-replica', initialCapacity: 6 });
      } catch (err) {
        if (attempt >= POOL_ATTEMPTS) {
          throw new Error('REPLICA_LOCKED: the replica is in use by another Threadline window', { cause: err });
        }
        await new Promise((r) => setTimeout(r, POOL_RETRY_MS));
      }
    }
  })();
  pool.catch(() => {
    pool = undefined;
  });
  return pool;
}

const fileName = (name: string) => `/${name}.sqlite3`;

const storage = getRxStorageSqlite({
  async open(name) {
    const p = await sahPool();
    // Each database is a file plus its write-ahead log (and a journal slot); grow the pool before it runs out.
    if ((p.getFileCount() as number) + 3 > (p.getCapacity() as number)) await p.addCapacity(6);
    const db = fromOo1(new p.OpfsSAHPoolDb(fileName(name)) as unknown as Oo1Database);
    // Write-ahead log with a sync per commit: a crash, even a power cut, keeps every committed write,
    // and a commit costs one sync instead of a rollback journal's three (a note offline: ~5 ms, not ~11).
    // OPFS has no shared memory for the WAL index: exclusive locking keeps it in this worker's heap.
    db.run('pragma locking_mode = exclusive');
    db.run('pragma journal_mode = wal');
    db.run('pragma synchronous = full');
    db.run('pragma cache_size = -32768');
    return db;
  },
  async destroy(name) {
    (await sahPool()).unlink(fileName(name));
  },
});

const messages$ = new Subject<MessageToRemote>();
self.onmessage = (ev: MessageEvent<MessageToRemote>) => messages$.next(ev.data);
exposeRxStorageRemote({
  storage,
  messages$,
  send: (msg) => self.postMessage(msg),
  customRequestHandler: async (req: unknown) => {
    // The window's readiness check: answered only once SQLite is loaded and the files are ours.
    if (req === 'ping') {
      await sahPool();
      return 'pong';
    }
    // Diagnostics: the worker's memory is not part of the window's JS heap.
    if (req === 'stats') return { wasmHeapBytes: (await sqlite).wasm.heap8u().byteLength };
    throw new Error(`unknown request ${String(req).slice(0, 32)}`);
  },
});
