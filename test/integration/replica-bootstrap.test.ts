import { indexedDB } from 'fake-indexeddb';
import type { RxStorage } from 'rxdb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_LWT } from '../../renderer/src/replica/bootstrap';
import { openReplica, type ReplicaDatabase } from '../../renderer/src/replica/database';
import { Outbox } from '../../renderer/src/replica/outbox';
import { nodeSqliteStorage } from '../../renderer/src/replica/sqlite-storage/node-sqlite';
import { SyncClient } from '../../renderer/src/replica/sync-client';
import { nodeTestStorage } from '../../renderer/src/replica/testing';
import { editDoc } from '../../renderer/src/replica/writes';
import { memoryStore, NetworkError, TokenStore } from '../../renderer/src/session/token-store';
import { nodeSocket, until } from '../chaos/client';
import { startDemoServerForFile } from '../helpers/demo-server';

/**
 * The first fill of an empty replica runs outside RxDB's replication (renderer/src/replica/bootstrap.ts).
 * These tests pin what that relies on: the replication neither pushes the bootstrapped documents back
 * nor ignores later server changes to them, local edits of them still reach the server, and an
 * interrupted bootstrap resumes. On both replica storages.
 */
const demo = startDemoServerForFile('replica-bootstrap');

type Plain = Record<string, unknown>;
const strip = (d: Plain) => {
  const { _meta, _rev, _attachments, ...rest } = d;
  return rest;
};

let sqlite: RxStorage<unknown, unknown>;
beforeAll(async () => {
  sqlite = (await nodeSqliteStorage()) as unknown as RxStorage<unknown, unknown>;
});

interface Client {
  db: ReplicaDatabase;
  sync: SyncClient;
  outbox: Outbox;
  requests: string[];
  tokens: TokenStore;
  close(): Promise<void>;
}
const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

let run = 0;
async function client(storage: () => RxStorage<unknown, unknown>, email: string, opts: { name?: string; failPullsAfter?: number; kv?: ReturnType<typeof memoryStore> } = {}): Promise<Client> {
  const requests: string[] = [];
  let pulls = 0;
  const fetchImpl: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    requests.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}${new URL(url).search}`);
    if (url.includes('/pull?') && opts.failPullsAfter !== undefined && ++pulls > opts.failPullsAfter) {
      return Promise.reject(new NetworkError('link dropped (test)'));
    }
    return fetch(input, init);
  };
  const kv = opts.kv ?? memoryStore();
  const tokens = new TokenStore(demo.server.url, kv, fetchImpl, undefined, 4000);
  if (!tokens.session) await tokens.login({ tenant: 'demo', email, password: 'threadline-demo' });
  const name = opts.name ?? `boot-${++run}`;
  const db = await openReplica({ name, storage: storage(), multiInstance: false, collections: ['customers'] });
  const outbox = new Outbox(name, indexedDB);
  await outbox.open();
  const sync = new SyncClient({ db, outbox, tokens, socketFactory: nodeSocket, collections: ['customers'], pullBatchSize: 4, minBackoffMs: 50, maxBackoffMs: 200, heartbeatMs: 1000 });
  await sync.start();
  let closed = false;
  const c: Client = {
    db, sync, outbox, requests, tokens,
    async close() {
      if (closed) return;
      closed = true;
      await sync.stop();
      outbox.close();
      await db.close();
    },
  };
  open.push(c);
  return c;
}

/** Every customer the server holds for this user, straight from the pull endpoint. */
async function serverCustomers(tokens: TokenStore): Promise<Map<string, Plain>> {
  const out = new Map<string, Plain>();
  for (let seq = 0; ;) {
    const body = (await (await tokens.authorizedFetch(`/sync/customers/pull?seq=${seq}&limit=1000`)).json()) as { documents: Plain[]; checkpoint: { seq: number } };
    for (const d of body.documents) out.set(String(d.id), d);
    if (body.documents.length < 1000) return out;
    seq = body.checkpoint.seq;
  }
}

async function replicaCustomers(db: ReplicaDatabase): Promise<Map<string, Plain>> {
  const docs = await db.customers.find().exec();
  return new Map(docs.map((d) => [d.id, { ...strip(d.toJSON(true) as Plain), _deleted: false }]));
}

describe.each([
  ['IndexedDB (Dexie)', () => nodeTestStorage({ devMode: false })],
  ['SQLite', () => sqlite],
] as const)('bootstrap of an empty replica on %s', (_label, storage) => {
  it('fills the replica page by page and pushes none of it back', async () => {
    const a = await client(storage, 'maya@demo.threadline');
    await a.sync.awaitInSync();
    const server = await serverCustomers(a.tokens);
    expect(server.size).toBeGreaterThan(8);
    const local = await replicaCustomers(a.db);
    expect([...local.keys()].sort()).toEqual([...server.keys()].filter((id) => !server.get(id)!._deleted).sort());
    for (const [id, doc] of local) expect(doc, id).toEqual(server.get(id));
    const raw = await a.db.customers.storageInstance.findDocumentsById([...local.keys()], false);
    expect(raw.every((d) => d._meta.lwt === BOOTSTRAP_LWT)).toBe(true);
    expect(a.requests.filter((r) => r.includes('/customers/pull')).length).toBeGreaterThan(server.size / 4);
    expect(a.requests.filter((r) => r.includes('/push'))).toEqual([]);
    expect(a.sync.status.state).toBe('synced');
  });

  it('a later server change replaces a bootstrapped document, and a local edit of one reaches the server', async () => {
    const a = await client(storage, 'maya@demo.threadline');
    const b = await client(storage, 'luis@demo.threadline');
    await Promise.all([a.sync.awaitInSync(), b.sync.awaitInSync()]);
    const [first, second] = (await a.db.customers.find({ sort: [{ id: 'asc' }], limit: 2 }).exec()).map((d) => d.id);

    // b changes a document both bootstrapped: a must take the server's version.
    await editDoc({ db: b.db, outbox: b.outbox, tenantId: 'demo' }, 'customers', first!, { name: 'Renamed by Luis' });
    await until(async () => (await a.db.customers.findOne(first!).exec())?.name === 'Renamed by Luis', 'server change to reach a bootstrapped copy');

    // a edits a document it only has from the bootstrap (no replication bookkeeping): first push conflicts, merge settles it.
    await editDoc({ db: a.db, outbox: a.outbox, tenantId: 'demo' }, 'customers', second!, { company: 'Edited offline-first' });
    await until(async () => (await serverCustomers(a.tokens)).get(second!)?.company === 'Edited offline-first', 'local edit to reach the server');
    await until(async () => (await b.db.customers.findOne(second!).exec())?.company === 'Edited offline-first', 'the edit to reach the other replica');
    await a.sync.awaitInSync();
    expect((await replicaCustomers(a.db)).get(second!)).toEqual((await serverCustomers(a.tokens)).get(second!));
  });

  it('an interrupted bootstrap resumes where it stopped', async () => {
    const kv = memoryStore();
    const name = `boot-resume-${++run}`;
    const first = await client(storage, 'maya@demo.threadline', { name, kv, failPullsAfter: 2 });
    await until(() => first.requests.filter((r) => r.includes('/customers/pull')).length >= 3, 'the link to drop mid-bootstrap');
    const partial = await first.db.customers.count().exec();
    await first.close();
    expect(partial).toBeGreaterThan(0);

    const second = await client(storage, 'maya@demo.threadline', { name, kv });
    await second.sync.awaitInSync();
    const resumedAt = Number(new URL(`http://x${second.requests.find((r) => r.includes('/customers/pull'))!.split(' ')[1]}`).searchParams.get('seq'));
    expect(resumedAt).toBeGreaterThan(0);
    const server = await serverCustomers(second.tokens);
    expect(await second.db.customers.count().exec()).toBe([...server.values()].filter((d) => !d._deleted).length);
    expect(second.requests.filter((r) => r.includes('/push'))).toEqual([]);
  });

  it('a document changed on the server between two bootstrap sessions ends as the server has it', async () => {
    const kv = memoryStore();
    const name = `boot-moved-${++run}`;
    const first = await client(storage, 'maya@demo.threadline', { name, kv, failPullsAfter: 1 });
    await until(async () => (await first.db.customers.count().exec()) > 0, 'the first page');
    const early = (await first.db.customers.find({ sort: [{ id: 'asc' }], limit: 1 }).exec())[0]!.id;
    await first.close();

    // Another agent edits that document: on the server it moves past the bootstrap's position.
    const other = await client(storage, 'luis@demo.threadline');
    await other.sync.awaitInSync();
    await editDoc({ db: other.db, outbox: other.outbox, tenantId: 'demo' }, 'customers', early, { company: 'Changed mid-bootstrap' });
    await until(async () => (await serverCustomers(other.tokens)).get(early)?.company === 'Changed mid-bootstrap', 'the edit on the server');

    const second = await client(storage, 'maya@demo.threadline', { name, kv });
    await second.sync.awaitInSync();
    expect((await second.db.customers.findOne(early).exec())?.company).toBe('Changed mid-bootstrap');
    expect((await replicaCustomers(second.db)).get(early)).toEqual((await serverCustomers(second.tokens)).get(early));
  });
});
