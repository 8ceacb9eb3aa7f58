import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { addRxPlugin, type RxStorage } from 'rxdb';
import { RxDBDevModePlugin } from 'rxdb/plugins/dev-mode';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';

let devModeAdded = false;

/**
 * Storage for Node tests and chaos clients: Dexie (the renderer's fallback storage) over
 * fake-indexeddb; the SQLite storage the renderer prefers has its own Node build in
 * `sqlite-storage/node-sqlite.ts`. Dev mode (schema and query checks) is on here and never in the shipped bundle,
 * which imports only database.ts.
 */
export function nodeTestStorage(opts: { devMode?: boolean } = {}): RxStorage<unknown, unknown> {
  const dexie = getRxStorageDexie({ indexedDB, IDBKeyRange });
  // Dev mode is process-wide once added and then demands a validating storage for every database.
  if (opts.devMode === false && !devModeAdded) return dexie as RxStorage<unknown, unknown>;
  if (!devModeAdded) {
    addRxPlugin(RxDBDevModePlugin);
    devModeAdded = true;
  }
  return wrappedValidateAjvStorage({ storage: dexie }) as RxStorage<unknown, unknown>;
}
