import fc from 'fast-check';
import type { RxStorage } from 'rxdb';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeSqliteStorage } from '../../renderer/src/replica/sqlite-storage/node-sqlite';
import { canonicalJson } from '../../shared/conflict-merge';
import { addNote, editDoc } from '../../renderer/src/replica/writes';
import { FaultProxy } from '../helpers/fault-proxy';
import { openNodeClient, until, type NodeClient } from '../chaos/client';
import { startDemoServerForFile } from '../helpers/demo-server';

/**
 * N replicas with random local writes (append-only notes and field edits of one shared customer),
 * random partitions and reconnects; once every link is healed all replicas must equal the server.
 * The middle replica runs on the SQLite storage the app uses, the others on IndexedDB (Dexie).
 */

const demo = startDemoServerForFile('prop');

const REPLICAS = 3;
const ctx = { threadId: 'prop-thread', interactionId: 'prop-int', customerId: 'prop-cust' };

type Cmd =
  | { t: 'note'; r: number }
  | { t: 'edit'; r: number; field: 'company' | 'notes' | 'language'; value: string }
  | { t: 'partition'; r: number }
  | { t: 'heal'; r: number }
  | { t: 'pause'; ms: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constant('note' as const), r: fc.nat(REPLICAS - 1) }),
  fc.record({ t: fc.constant('edit' as const), r: fc.nat(REPLICAS - 1), field: fc.constantFrom('company' as const, 'notes' as const, 'language' as const), value: fc.string({ maxLength: 12 }) }),
  fc.record({ t: fc.constant('partition' as const), r: fc.nat(REPLICAS - 1) }),
  fc.record({ t: fc.constant('heal' as const), r: fc.nat(REPLICAS - 1) }),
  fc.record({ t: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 150 }) }),
);

const STRIP = new Set(['_meta', '_rev', '_attachments', '_deleted', 'fieldTimes']);
const comparable = (d: Record<string, unknown>) => canonicalJson(Object.fromEntries(Object.entries(d).filter(([k]) => !STRIP.has(k))));

async function serverState(customerId: string, run: string): Promise<{ customer: string; notes: string[] }> {
  const [c] = await demo.server.db.query<{ data: Record<string, unknown> }>(`select data from docs where collection = 'customers' and id = $1`, [customerId]);
  const notes = await demo.server.db.query<{ text: string }>(
    `select data->'body'->>'text' as text from docs where collection = 'events' and data->'body'->>'text' like $1`, [`${run}%`]);
  return { customer: comparable(c!.data), notes: notes.map((n) => n.text).sort() };
}

async function replicaState(c: NodeClient, customerId: string, run: string): Promise<{ customer: string; notes: string[] }> {
  const doc = await c.db.customers.findOne(customerId).exec();
  const evs = await c.db.events.find({ selector: { customerId: ctx.customerId } }).exec();
  return {
    customer: doc ? comparable(doc.toJSON() as Record<string, unknown>) : 'missing',
    notes: evs.map((e) => String((e.body as { text?: string }).text)).filter((t) => t.startsWith(run)).sort(),
  };
}

let sqlite: RxStorage<unknown, unknown>;
beforeAll(async () => {
  sqlite = (await nodeSqliteStorage()) as unknown as RxStorage<unknown, unknown>;
});

describe('replica convergence (property)', () => {
  it('random writes, partitions and reconnects converge to the demo.server state', async () => {
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 25 }), async (cmds) => {
        const run = `prop${runNo++}-${Date.now()}`;
        const proxies: FaultProxy[] = [];
        const clients: NodeClient[] = [];
        try {
          for (let i = 0; i < REPLICAS; i++) {
            const p = new FaultProxy(Number(new URL(demo.server.url).port));
            await p.start();
            proxies.push(p);
            clients.push(await openNodeClient({
              serverUrl: p.url, collections: ['customers', 'events'], name: `${run}-r${i}`, email: i % 2 ? 'jonas@demo.threadline' : 'maya@demo.threadline',
              storage: i === 1 ? sqlite : undefined,
            }));
          }
          await Promise.all(clients.map((c) => c.sync.awaitInSync()));
          const customerId = (await clients[0]!.db.customers.findOne({ selector: {}, sort: [{ name: 'asc' }] }).exec())!.id;
          let notes = 0;
          for (const c of cmds) {
            if (c.t === 'note') {
              await addNote(clients[c.r]!.writer, ctx, `${run}:${notes++}`);
            } else if (c.t === 'edit') {
              await editDoc(clients[c.r]!.writer, 'customers', customerId, { [c.field]: c.value });
            } else if (c.t === 'partition') {
              proxies[c.r]!.setMode({ kind: 'drop' });
            } else if (c.t === 'heal') {
              proxies[c.r]!.setMode({ kind: 'pass' });
            } else {
              await new Promise((r) => setTimeout(r, c.ms));
            }
          }
          for (const p of proxies) p.setMode({ kind: 'pass' });
          for (const c of clients) await until(() => c.outbox.size === 0, 'outboxes to drain', 60_000);
          const want = await serverState(customerId, run);
          expect(want.notes).toHaveLength(notes);
          for (const c of clients) {
            await until(async () => {
              const got = await replicaState(c, customerId, run);
              const now = await serverState(customerId, run);
              return got.customer === now.customer && canonicalJson(got.notes) === canonicalJson(now.notes);
            }, 'replica to equal the server', 60_000).catch(async (err: unknown) => {
              const got = await replicaState(c, customerId, run);
              expect({ ...got, err: String(err) }).toEqual(await serverState(customerId, run));
            });
          }
          console.log(`[property] ${JSON.stringify({ run, commands: cmds.length, notes, partitions: cmds.filter((c) => c.t === 'partition').length, edits: cmds.filter((c) => c.t === 'edit').length })}`);
        } finally {
          for (const c of clients) await c.close();
          for (const p of proxies) await p.close();
        }
      }),
      { numRuns: 10, endOnFailure: true },
    );
  }, 300_000);
});
