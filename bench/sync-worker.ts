/**
 * Hosts a slice of the benchmark's clients. Open-source RxDB allows 13 open collections per JS realm
 * (COL23), so 50 clients live in several worker threads, ≤ 10 each. Each client is an RxDB database on
 * memory storage replicating one collection, either with our protocol (replicateRxCollection against
 * /sync + the WebSocket stream) or with RxDB's CouchDB replication against express-pouchdb.
 * Times are `performance.timeOrigin + performance.now()`, one clock across threads.
 */
import { parentPort } from 'node:worker_threads';
import { Subject } from 'rxjs';
import { createRxDatabase, type RxCollection, type RxDatabase, type RxJsonSchema } from 'rxdb';
import { replicateCouchDB } from 'rxdb/plugins/replication-couchdb';
import { replicateRxCollection, type RxReplicationState } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import WebSocket from 'ws';
import type { PullResponse, PushResponse, StreamServerMessage } from '../shared/sync-protocol';

export type WorkerIn =
  | { type: 'init'; mode: 'ours' | 'couch'; url: string; clients: Array<{ index: number; token?: string }> }
  | { type: 'write'; client: number; id: string }
  | { type: 'bulk'; client: number; ids: string[] }
  | { type: 'close' };
export type WorkerOut =
  | { type: 'ready' }
  | { type: 'wrote'; id: string; t: number }
  | { type: 'seen'; id: string; client: number; t: number }
  | { type: 'bulkDone'; client: number; t: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

interface BenchDoc {
  id: string;
  tenantId: string;
  updatedAt: number;
  name: string;
  keyAccount: boolean;
  tier: string;
  identities: Array<{ kind: string; value: string }>;
  provisional: boolean;
}

const schema: RxJsonSchema<BenchDoc> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    tenantId: { type: 'string' },
    updatedAt: { type: 'number' },
    name: { type: 'string' },
    keyAccount: { type: 'boolean' },
    tier: { type: 'string' },
    identities: { type: 'array', items: { type: 'object' } },
    provisional: { type: 'boolean' },
  },
  required: ['id', 'tenantId', 'updatedAt', 'name'],
};

const now = () => performance.timeOrigin + performance.now();

interface Client {
  index: number;
  db: RxDatabase;
  col: RxCollection<BenchDoc>;
  repl: RxReplicationState<BenchDoc, unknown>;
  ws?: WebSocket;
}
const clients = new Map<number, Client>();
const post = (m: WorkerOut) => parentPort!.postMessage(m);

async function openOurs(index: number, url: string, token: string, col: RxCollection<BenchDoc>): Promise<{ repl: RxReplicationState<BenchDoc, unknown>; ws: WebSocket }> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const stream$ = new Subject<'RESYNC'>();
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sync/stream`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => { ws.send(JSON.stringify({ type: 'AUTH', token })); });
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as StreamServerMessage;
      if (m.type === 'READY') resolve();
      else if (m.type === 'ERROR') reject(new Error(`${m.code}: ${m.message}`));
      else if (m.type === 'CHANGE' || m.type === 'RESYNC') stream$.next('RESYNC');
    });
    ws.once('error', reject);
  });
  const repl = replicateRxCollection<BenchDoc, { seq: number }>({
    collection: col,
    replicationIdentifier: `ours-${index}-${url}`,
    live: true,
    retryTime: 500,
    waitForLeadership: false,
    pull: {
      batchSize: 500,
      stream$: stream$.asObservable(),
      async handler(cp, batchSize) {
        const res = await fetch(`${url}/sync/customers/pull?seq=${cp?.seq ?? 0}&limit=${batchSize}`, { headers });
        if (!res.ok) throw new Error(`pull ${res.status}`);
        const body = (await res.json()) as PullResponse<BenchDoc & { _deleted: boolean }>;
        return { documents: body.documents, checkpoint: body.checkpoint };
      },
    },
    push: {
      batchSize: 100,
      async handler(rows) {
        const res = await fetch(`${url}/sync/customers/push`, { method: 'POST', headers, body: JSON.stringify({ rows }) });
        if (!res.ok) throw new Error(`push ${res.status} ${await res.text()}`);
        return ((await res.json()) as PushResponse<BenchDoc & { _deleted: boolean }>).conflicts;
      },
    },
  });
  return { repl: repl as unknown as RxReplicationState<BenchDoc, unknown>, ws };
}

async function init(msg: Extract<WorkerIn, { type: 'init' }>): Promise<void> {
  for (const c of msg.clients) {
    const db = await createRxDatabase({ name: `bench-${msg.mode}-${c.index}-${Date.now()}`, storage: getRxStorageMemory(), multiInstance: false });
    const { customers } = await db.addCollections({ customers: { schema } });
    const col = customers as RxCollection<BenchDoc>;
    col.$.subscribe((ev) => {
      if (ev.operation === 'INSERT' && ev.documentId.startsWith('bench-')) post({ type: 'seen', id: ev.documentId, client: c.index, t: now() });
    });
    let repl: RxReplicationState<BenchDoc, unknown>;
    let ws: WebSocket | undefined;
    if (msg.mode === 'ours') {
      ({ repl, ws } = await openOurs(c.index, msg.url, c.token!, col));
    } else {
      repl = replicateCouchDB<BenchDoc>({
        collection: col,
        replicationIdentifier: `couch-${c.index}-${msg.url}`,
        url: `${msg.url}bench/`,
        live: true,
        retryTime: 500,
        waitForLeadership: false,
        pull: { batchSize: 500, heartbeat: 10_000 },
        push: { batchSize: 100 },
      }) as unknown as RxReplicationState<BenchDoc, unknown>;
    }
    repl.error$.subscribe((e) => post({ type: 'error', message: `client ${c.index}: ${String(e?.message ?? e)}` }));
    await repl.awaitInitialReplication();
    clients.set(c.index, { index: c.index, db, col, repl, ...(ws ? { ws } : {}) });
  }
  post({ type: 'ready' });
}

function doc(id: string): BenchDoc {
  return { id, tenantId: 'demo', updatedAt: Date.now(), name: `Bench ${id}`, keyAccount: false, tier: 'standard', identities: [], provisional: false };
}

parentPort!.on('message', (msg: WorkerIn) => {
  void (async () => {
    try {
      if (msg.type === 'init') await init(msg);
      else if (msg.type === 'write') {
        const c = clients.get(msg.client)!;
        const t = now();
        await c.col.insert(doc(msg.id));
        post({ type: 'wrote', id: msg.id, t });
      } else if (msg.type === 'bulk') {
        const c = clients.get(msg.client)!;
        await c.col.bulkInsert(msg.ids.map(doc));
        await c.repl.awaitInSync();
        post({ type: 'bulkDone', client: msg.client, t: now() });
      } else if (msg.type === 'close') {
        for (const c of clients.values()) {
          c.ws?.close();
          await c.repl.cancel();
          await c.db.close();
        }
        post({ type: 'closed' });
      }
    } catch (err) {
      post({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  })();
});
