import { isRxDatabaseFirstTimeInstantiated, type RxDatabase } from 'rxdb';
import type { CollectionName } from '../../../shared/model/documents';
import type { ReplicaDatabase } from './database';

/**
 * The hook the sync client asks before a collection's first pull of a session (see
 * `SyncClientOptions.repull`). A schema migration may drop documents it cannot convert, but RxDB keeps
 * the replication checkpoint across the migration, so an ordinary pull would never bring them back
 * until the server changed them. A collection whose schema version differs from the one it was last
 * pulled in full at is therefore pulled again from the start.
 */
export interface RepullHook {
  /** True when this collection must be pulled from seq 0, whatever RxDB's checkpoint says. */
  pending(name: CollectionName): Promise<boolean>;
  /** The full pull has caught up and is stored: record the current schema version as synced. */
  done(name: CollectionName): Promise<void>;
}

interface SyncedSchema {
  version: number;
}

/** Database-level local documents: they are not replicated and survive migrations of the collections. */
const recordId = (name: CollectionName) => `synced-schema-${name}`;

/**
 * Reads, once per open, the schema version each collection was last fully pulled at and compares it
 * with the version the collection has now (after any migration `openReplica` ran).
 */
export async function trackRepull(db: ReplicaDatabase): Promise<RepullHook> {
  const names = Object.keys(db.collections) as CollectionName[];
  const current = (name: CollectionName) => db.collections[name].schema.version;
  // A database created by this open has no old documents and no checkpoint: nothing to re-pull.
  // (RxDB types the helper for a database with no typed collections, which ours is not assignable to.)
  const fresh = await isRxDatabaseFirstTimeInstantiated(db as unknown as RxDatabase);
  const pending = new Set<CollectionName>();
  for (const name of names) {
    const record = await db.getLocal<SyncedSchema>(recordId(name));
    const stored: unknown = record?.get('version');
    // No record: the replica predates this bookkeeping, when every collection was at version 0.
    const syncedAt = typeof stored === 'number' ? stored : fresh ? current(name) : 0;
    if (syncedAt !== current(name)) pending.add(name);
    else if (!record) await db.upsertLocal<SyncedSchema>(recordId(name), { version: syncedAt });
  }
  return {
    pending: (name) => Promise.resolve(pending.has(name)),
    async done(name) {
      if (!pending.has(name)) return;
      await db.upsertLocal<SyncedSchema>(recordId(name), { version: current(name) });
      pending.delete(name);
    },
  };
}
