import { removeRxDatabase } from 'rxdb';
import type { Session } from '../../../shared/auth-contract';
import { openReplica, replicaName, type ReplicaDatabase } from '../replica/database';
import { Outbox } from '../replica/outbox';
import { trackRepull } from '../replica/repull';
import { SyncClient, type SocketFactory } from '../replica/sync-client';
import type { Writer } from '../replica/writes';
import type { KeyValueStore, TokenStore } from './token-store';

export interface WorkspaceSession {
  session: Session;
  name: string;
  db: ReplicaDatabase;
  outbox: Outbox;
  sync: SyncClient;
  writer: Writer;
  /** The one token store of this session: server calls outside sync must share it (refresh tokens rotate). */
  tokens: TokenStore;
  /** Stops syncing and closes the replica, keeping its data (app quit, reload). */
  close(): Promise<void>;
  /** Stops syncing and deletes every local trace of this tenant+user (logout, revoked device). */
  purge(): Promise<void>;
}

const lastSyncedKey = (name: string) => `threadline.lastSynced.${name}`;

export function lastSyncedAt(kv: KeyValueStore, name: string): number | undefined {
  const v = Number(kv.getItem(lastSyncedKey(name)));
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * A replica not synced for `maxOfflineDays` is locked: a stolen or forgotten laptop stops showing
 * customer data after the policy's window, and unlocks only by syncing with the server again.
 */
export function isLocked(kv: KeyValueStore, name: string, maxOfflineDays: number | undefined, now = Date.now()): boolean {
  if (!maxOfflineDays) return false;
  const last = lastSyncedAt(kv, name);
  // A replica that never synced holds no server data yet, so there is nothing to protect.
  if (last === undefined) return false;
  return now - last > maxOfflineDays * 86_400_000;
}

/** Opens the replica of the signed-in tenant+user and starts syncing it. */
export async function openWorkspace(opts: {
  tokens: TokenStore;
  kv: KeyValueStore;
  socketFactory?: SocketFactory;
  storage?: Parameters<typeof openReplica>[0]['storage'];
  idb?: IDBFactory;
  /** After the server ended this device's session and the replica was purged. */
  onRevoked?: (reason: string) => void;
}): Promise<WorkspaceSession> {
  const session = opts.tokens.session;
  if (!session) throw new Error('not signed in');
  const name = replicaName(session.user.tenantId, session.user.id);
  const db = await openReplica({ name, storage: opts.storage });
  const outbox = new Outbox(name, opts.idb);
  await outbox.open();
  await outbox.reconcile(async (collection, id, updatedAt) => {
    const col = db.collections[collection as keyof typeof db.collections];
    const doc = col ? await col.findOne(id).exec() : null;
    return !!doc && (doc.get('updatedAt') as number) >= updatedAt;
  });
  const sync = new SyncClient({
    db, outbox, tokens: opts.tokens, socketFactory: opts.socketFactory,
    repull: await trackRepull(db),
    onSynced: (at) => opts.kv.setItem(lastSyncedKey(name), String(at)),
  });
  await sync.start();
  let closed = false;
  let purging: Promise<void> | undefined;
  const close = async () => {
    if (closed) return;
    closed = true;
    await sync.stop();
    outbox.close();
    await db.close();
  };
  function purge(): Promise<void> {
    purging ??= (async () => {
      if (!closed) {
        closed = true;
        await sync.stop();
      }
      // A closed database (app was closing) is removed by name, so a purge never silently leaves data behind.
      if (db.closed) await removeRxDatabase(name, db.storage);
      else await db.remove();
      await outbox.destroy();
      opts.kv.removeItem(lastSyncedKey(name));
    })();
    return purging;
  }
  opts.tokens.onRevoked = (reason) => {
    void purge().then(() => opts.onRevoked?.(reason));
  };
  const ws: WorkspaceSession = {
    session, name, db, outbox, sync, close, tokens: opts.tokens,
    writer: { db, outbox, tenantId: session.user.tenantId },
    purge,
  };
  return ws;
}

