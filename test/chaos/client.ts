import { indexedDB } from 'fake-indexeddb';
import type { RxStorage } from 'rxdb';
import WebSocket from 'ws';
import type { CollectionName } from '../../shared/model/documents';
import { openReplica, replicaName, type ReplicaDatabase } from '../../renderer/src/replica/database';
import { Outbox } from '../../renderer/src/replica/outbox';
import { SyncClient, type SocketLike } from '../../renderer/src/replica/sync-client';
import { nodeTestStorage } from '../../renderer/src/replica/testing';
import type { Writer } from '../../renderer/src/replica/writes';
import { memoryStore, TokenStore, type KeyValueStore } from '../../renderer/src/session/token-store';

export interface NodeClient {
  db: ReplicaDatabase;
  outbox: Outbox;
  tokens: TokenStore;
  sync: SyncClient;
  writer: Writer;
  kv: KeyValueStore;
  /** Closes without purging, like quitting the app: a later `openNodeClient` with the same kv and name resumes. */
  close(): Promise<void>;
}

export const nodeSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

/**
 * A replica client in Node: the renderer's own database, outbox, token store and sync client over
 * fake-indexeddb (one in-process IndexedDB, so a "restart" reopens the same data) or a given storage.
 */
export async function openNodeClient(opts: {
  serverUrl: string;
  email?: string;
  password?: string;
  tenant?: string;
  kv?: KeyValueStore;
  collections?: readonly CollectionName[];
  devMode?: boolean;
  /** Defaults to Dexie over fake-indexeddb; the property test mixes in the SQLite storage. */
  storage?: RxStorage<unknown, unknown>;
  /** Defaults to the database name derived from the session; chaos tests give each client its own. */
  name?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
}): Promise<NodeClient> {
  const kv = opts.kv ?? memoryStore();
  const tokens = new TokenStore(opts.serverUrl, kv, undefined, undefined, opts.requestTimeoutMs ?? 4000);
  if (!tokens.session) {
    await tokens.login({ tenant: opts.tenant ?? 'demo', email: opts.email ?? 'maya@demo.threadline', password: opts.password ?? 'threadline-demo' });
  }
  const s = tokens.session!;
  const name = opts.name ?? replicaName(s.user.tenantId, s.user.id);
  const db = await openReplica({ name, storage: opts.storage ?? nodeTestStorage({ devMode: opts.devMode ?? false }), multiInstance: false, collections: opts.collections });
  const outbox = new Outbox(name, indexedDB);
  await outbox.open();
  const sync = new SyncClient({
    db, outbox, tokens, socketFactory: nodeSocket, collections: opts.collections,
    minBackoffMs: opts.minBackoffMs ?? 100, maxBackoffMs: opts.maxBackoffMs ?? 1000, heartbeatMs: 1000,
  });
  await sync.start();
  return {
    db, outbox, tokens, sync, kv,
    writer: { db, outbox, tenantId: s.user.tenantId },
    async close() {
      await sync.stop();
      outbox.close();
      await db.close();
    },
  };
}

/** Waits until `pred` holds, polling; fails with `what` after `ms`. */
export async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
