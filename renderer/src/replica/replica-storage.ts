import type { RxStorage } from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { getRxStorageRemote, type MessageFromRemote, type RxStorageRemote } from 'rxdb/plugins/storage-remote';
import { Subject } from 'rxjs';

export type ReplicaStorageKind = 'sqlite-opfs' | 'indexeddb';

export interface ReplicaStorage {
  kind: ReplicaStorageKind;
  storage: RxStorage<unknown, unknown>;
  /** Dexie shares one database between tabs through BroadcastChannel; the SQLite worker is one tab's. */
  multiInstance: boolean;
}

/** How long the storage worker may take to load SQLite and claim its files before we fall back. */
const WORKER_READY_MS = 15_000;

function sqliteWorkerStorage(): RxStorageRemote {
  return getRxStorageRemote({
    identifier: 'threadline-replica-sqlite',
    mode: 'one',
    messageChannelCreator() {
      const worker = new Worker(new URL('./sqlite-storage/sqlite-worker.ts', import.meta.url), { type: 'module', name: 'threadline-replica' });
      const messages$ = new Subject<MessageFromRemote>();
      worker.onmessage = (ev: MessageEvent<MessageFromRemote>) => messages$.next(ev.data);
      return Promise.resolve({
        send: (msg) => worker.postMessage(msg),
        messages$,
        close: () => {
          worker.terminate();
          return Promise.resolve();
        },
      });
    },
  });
}

async function opfsAvailable(): Promise<boolean> {
  if (typeof Worker === 'undefined' || typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return false;
  try {
    await navigator.storage.getDirectory();
    return true;
  } catch {
    return false;
  }
}

let chosen: Promise<ReplicaStorage> | undefined;

/**
 * The replica's storage for this window: SQLite on OPFS in a worker where the platform has it (an
 * order of magnitude faster to fill than IndexedDB, see docs/architecture.md), else RxDB's Dexie
 * storage on IndexedDB. Chosen once per window; the worker answers a ping before it is trusted, so
 * a worker that cannot start costs a fallback, not a hung workspace.
 */
export function defaultReplicaStorage(): Promise<ReplicaStorage> {
  chosen ??= (async (): Promise<ReplicaStorage> => {
    const indexedDb: ReplicaStorage = { kind: 'indexeddb', storage: getRxStorageDexie() as RxStorage<unknown, unknown>, multiInstance: true };
    if (!(await opfsAvailable())) return indexedDb;
    const remote = sqliteWorkerStorage();
    try {
      await Promise.race([
        remote.customRequest('ping'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('storage worker did not answer')), WORKER_READY_MS)),
      ]);
      return { kind: 'sqlite-opfs', storage: remote as unknown as RxStorage<unknown, unknown>, multiInstance: false };
    } catch (err) {
      console.warn('replica storage: SQLite worker unavailable, using IndexedDB', err);
      return indexedDb;
    }
  })();
  return chosen;
}
