import { indexedDB } from 'fake-indexeddb';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { describe, expect, it } from 'vitest';
import { nodeSocket, until } from '../../../test/chaos/client';
import { openReplica } from '../replica/database';
import { Outbox } from '../replica/outbox';
import { nodeSqliteStorage } from '../replica/sqlite-storage/node-sqlite';
import { nodeTestStorage } from '../replica/testing';
import { addNote } from '../replica/writes';
import { memoryStore, TokenStore } from './token-store';
import { isLocked, lastSyncedAt, openWorkspace } from './workspace-session';
import { startDemoServerForFile } from '../../../test/helpers/demo-server';

const demo = startDemoServerForFile('hygiene');

async function signedIn(email = 'maya@demo.threadline') {
  const kv = memoryStore();
  const tokens = new TokenStore(demo.server.url, kv);
  await tokens.login({ tenant: 'demo', email, password: 'threadline-demo' });
  return { kv, tokens };
}

const open = (t: Awaited<ReturnType<typeof signedIn>>, onRevoked?: (r: string) => void) =>
  openWorkspace({ ...t, socketFactory: nodeSocket, storage: nodeTestStorage(), idb: indexedDB, onRevoked });

async function countAfterReopen(name: string): Promise<number> {
  const db = await openReplica({ name, storage: nodeTestStorage(), multiInstance: false, collections: ['customers'] });
  try {
    return await db.customers.count().exec();
  } finally {
    await db.close();
  }
}

describe('workstation data hygiene', () => {
  it('logout purges the replica, its outbox and its sync record', async () => {
    const t = await signedIn();
    const ws = await open(t);
    await ws.sync.awaitInSync();
    await until(() => lastSyncedAt(t.kv, ws.name) !== undefined, 'last-synced record');
    expect(await ws.db.customers.count().exec()).toBeGreaterThan(0);
    await t.tokens.logout();
    await ws.purge();
    expect(t.tokens.session).toBeUndefined();
    expect(lastSyncedAt(t.kv, ws.name)).toBeUndefined();
    expect(await countAfterReopen(ws.name)).toBe(0);
  });

  it('on the SQLite storage, a purge drops every table and deletes the database file', async () => {
    const destroyed: string[] = [];
    // Dev mode is on in this file (nodeTestStorage): it wants a validating storage.
    const storage = wrappedValidateAjvStorage({ storage: await nodeSqliteStorage({ onDestroy: (n) => destroyed.push(n) }) });
    const t = await signedIn('aisha@demo.threadline');
    const ws = await openWorkspace({ ...t, socketFactory: nodeSocket, storage: storage as never, idb: indexedDB });
    await ws.sync.awaitInSync();
    expect(await ws.db.customers.count().exec()).toBeGreaterThan(0);
    await t.tokens.logout();
    await ws.purge();
    expect(destroyed).toEqual([ws.name]);
  });

  it('a server-side revocation of the device purges the replica, unsynced writes included', async () => {
    const t = await signedIn('jonas@demo.threadline');
    let revokedWith: string | undefined;
    const ws = await open(t, (r) => (revokedWith = r));
    await ws.sync.awaitInSync();
    // The device stops syncing (as when its link is down) and writes a note that stays on the machine.
    await ws.sync.stop();
    await addNote(ws.writer, { threadId: 't', interactionId: 'i', customerId: 'c' }, 'written before the revocation was known');
    expect(ws.outbox.size).toBe(1);
    const admin = await signedIn('admin@demo.threadline');
    const res = await admin.tokens.authorizedFetch(`/auth/sessions/${t.tokens.session!.sessionId}`, { method: 'DELETE' });
    expect(res.ok).toBe(true);
    // The next request of this device meets the revocation.
    await t.tokens.authorizedFetch('/sync/customers/pull?seq=0&limit=1').catch(() => undefined);
    await until(() => revokedWith !== undefined, 'revocation to be noticed', 20_000);
    expect(revokedWith).toBe('SESSION_REVOKED');
    expect(t.tokens.session).toBeUndefined();
    expect(await countAfterReopen(ws.name)).toBe(0);
    const outbox = new Outbox(ws.name, indexedDB);
    await outbox.open();
    expect(outbox.size).toBe(0);
    outbox.close();
  });

  it('locks a replica not synced within the policy window', () => {
    const kv = memoryStore();
    const day = 86_400_000;
    const now = 100 * day;
    expect(isLocked(kv, 'r', 3, now)).toBe(false); // never synced: holds no demo.server data yet
    kv.setItem('threadline.lastSynced.r', String(now - 2 * day));
    expect(isLocked(kv, 'r', 3, now)).toBe(false);
    expect(isLocked(kv, 'r', undefined, now)).toBe(false);
    kv.setItem('threadline.lastSynced.r', String(now - 4 * day));
    expect(isLocked(kv, 'r', 3, now)).toBe(true);
  });
});
