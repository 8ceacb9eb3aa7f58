/**
 * Runs inside Chromium for `npm run bench -- replica`: the renderer's own replica code (its storage,
 * the sync client, screen pop, local writes), driven without the UI so the figures are the data
 * path's, not React's.
 */
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { openReplica, replicaName } from '../../renderer/src/replica/database';
import { defaultReplicaStorage } from '../../renderer/src/replica/replica-storage';
import { Outbox } from '../../renderer/src/replica/outbox';
import { screenPop } from '../../renderer/src/replica/screen-pop';
import { SyncClient, type SocketLike } from '../../renderer/src/replica/sync-client';
import { addNote } from '../../renderer/src/replica/writes';
import { TokenStore } from '../../renderer/src/session/token-store';

export interface BenchConfig {
  serverUrl: string;
  email: string;
  customers: number;
  lookups: number;
  offlineWrites: number;
  pullBatchSize: number;
  /** `default` is what the app picks (SQLite on OPFS here); `indexeddb` forces the Dexie peer. */
  storage: 'default' | 'indexeddb';
  /** The peer run stops after the initial sync. */
  initialSyncOnly: boolean;
}

const until = async (pred: () => boolean, ms: number) => {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function run(cfg: BenchConfig) {
  let offline = false;
  const trace = new URLSearchParams(location.search).has('trace');
  const fetchImpl: typeof fetch = async (input, init) => {
    if (offline) throw new TypeError('offline (bench)');
    const t = performance.now();
    const res = await fetch(input, init);
    if (trace && String(input).includes('/push')) console.log(`push ${Math.round(t)} +${Math.round(performance.now() - t)}ms`);
    return res;
  };
  const tokens = new TokenStore(cfg.serverUrl, window.localStorage, fetchImpl);
  const session = await tokens.login({ tenant: 'demo', email: cfg.email, password: 'threadline-demo' });
  const name = `${replicaName(session.user.tenantId, session.user.id)}-${cfg.storage}`;
  const storageKind = cfg.storage === 'indexeddb' ? 'indexeddb' : (await defaultReplicaStorage()).kind;
  const db = await openReplica(cfg.storage === 'indexeddb' ? { name, storage: getRxStorageDexie() as never, multiInstance: true } : { name });
  const outbox = new Outbox(name);
  await outbox.open();
  const sync = new SyncClient({
    db, outbox, tokens, pullBatchSize: cfg.pullBatchSize, maxBackoffMs: 1000,
    socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
  });
  const t0 = performance.now();
  await sync.start();
  await sync.awaitInSync();
  const initialSyncS = (performance.now() - t0) / 1000;
  const counts = {
    customers: await db.customers.count().exec(),
    identities: await db.identities.count().exec(),
    interactions: await db.interactions.count().exec(),
    events: await db.events.count().exec(),
  };
  if (cfg.initialSyncOnly) {
    await sync.stop();
    await db.close();
    return { storageKind, initialSyncS, counts, pendingOffline: 0, offlineWriteS: 0, catchupS: 0, found: 0, p50: 0, p95: 0 };
  }

  const lat: number[] = [];
  let found = 0;
  for (let i = 0; i < cfg.lookups; i++) {
    const n = Math.floor(Math.random() * cfg.customers);
    const t = performance.now();
    const r = await screenPop(db, { value: `+44770${String(n).padStart(7, '0')}` });
    lat.push(performance.now() - t);
    if (r.customer && r.items.length > 0) found++;
  }
  lat.sort((a, b) => a - b);

  offline = true;
  const tw = performance.now();
  const writer = { db, outbox, tenantId: session.user.tenantId };
  for (let i = 0; i < cfg.offlineWrites; i++) {
    await addNote(writer, { threadId: 'bench-t', interactionId: 'bench-i', customerId: 'bench-c' }, `offline ${i}`);
  }
  const offlineWriteS = (performance.now() - tw) / 1000;
  const pendingOffline = outbox.size;
  offline = false;
  const tc = performance.now();
  sync.resync();
  await until(() => outbox.size === 0, 600_000);
  const catchupS = (performance.now() - tc) / 1000;
  await sync.stop();
  const storage = cfg.storage === 'indexeddb' ? undefined : (await defaultReplicaStorage()).storage;
  const stats = storage && 'customRequest' in storage ? await (storage as unknown as { customRequest(r: string): Promise<{ wasmHeapBytes: number }> }).customRequest('stats') : undefined;
  return {
    storageWasmMb: stats ? stats.wasmHeapBytes / 1024 / 1024 : undefined,
    storageKind,
    initialSyncS, counts, pendingOffline, offlineWriteS, catchupS, found,
    p50: lat[Math.floor(lat.length * 0.5)]!, p95: lat[Math.ceil(lat.length * 0.95) - 1]!,
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
