import fc from 'fast-check';
import { createRxDatabase, getChangedDocumentsSince, normalizeMangoQuery, prepareQuery, type MangoQuery, type RxDatabase, type RxStorage } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rxSchemaFor } from '../../../../shared/rxdb-schema';
import { openReplica } from '../database';
import { nodeSqliteStorage } from './node-sqlite';

type Ev = { id: string; tenantId: string; updatedAt: number; threadId: string; interactionId: string; customerId: string; kind: 'note'; at: number; body: { text: string } };

const ev = (i: number, threadId: string, customerId: string, at: number): Ev => ({
  id: `e${String(i).padStart(3, '0')}`, tenantId: 'demo', updatedAt: at, threadId, interactionId: 'i1', customerId, kind: 'note', at, body: { text: `n${i}` },
});

let storage: RxStorage<unknown, unknown>;
beforeAll(async () => {
  storage = (await nodeSqliteStorage()) as unknown as RxStorage<unknown, unknown>;
});

async function eventsDb(name: string, s: RxStorage<unknown, unknown>): Promise<RxDatabase> {
  const db = await createRxDatabase({ name, storage: s, multiInstance: false, closeDuplicates: true });
  await db.addCollections({ events: { schema: rxSchemaFor('events') as never } });
  return db;
}

describe('SQLite replica storage', () => {
  let db: Awaited<ReturnType<typeof openReplica>>;
  beforeAll(async () => {
    db = await openReplica({ name: 'sqlite-basic', storage, multiInstance: false, collections: ['events', 'customers'] });
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores, finds by id, and answers indexed and unindexed queries', async () => {
    await db.events.bulkInsert([ev(1, 't1', 'c1', 30), ev(2, 't1', 'c1', 10), ev(3, 't2', 'c2', 20), ev(4, 't1', 'c2', 40)]);
    expect((await db.events.findOne('e002').exec())?.at).toBe(10);
    const t1 = await db.events.find({ selector: { threadId: 't1' }, sort: [{ at: 'desc' }] }).exec();
    expect(t1.map((d) => d.id)).toEqual(['e004', 'e001', 'e002']);
    const text = await db.events.find({ selector: { 'body.text': 'n3' } }).exec();
    expect(text.map((d) => d.id)).toEqual(['e003']);
    expect(await db.events.count({ selector: { customerId: 'c2' } }).exec()).toBe(2);
    const paged = await db.events.find({ selector: {}, sort: [{ id: 'asc' }], skip: 1, limit: 2 }).exec();
    expect(paged.map((d) => d.id)).toEqual(['e002', 'e003']);
    // Selector and sort both follow the [threadId, at] index: answered by SQL's limit and offset.
    const window = await db.events.find({ selector: { threadId: 't1' }, sort: [{ at: 'asc' }], skip: 1, limit: 1 }).exec();
    expect(window.map((d) => d.id)).toEqual(['e001']);
  });

  it('rejects a write based on a stale revision with a 409 and keeps the stored document', async () => {
    const doc = (await db.events.findOne('e001').exec())!;
    const stale = doc.toMutableJSON(true);
    await doc.incrementalPatch({ at: 31 });
    const res = await db.events.storageInstance.bulkWrite(
      [{ previous: stale as never, document: { ...stale, at: 99, _rev: '9-stale', _meta: { lwt: Date.now() } } as never }],
      'test',
    );
    expect(res.error.map((e) => e.status)).toEqual([409]);
    expect((await db.events.findOne('e001').exec())?.at).toBe(31);
  });

  it('keeps data across close and reopen, and removes it with the database', async () => {
    await db.customers.insert({ id: 'c9', tenantId: 'demo', updatedAt: 1, name: 'Zoë 😀 Ltd', keyAccount: false, tier: 'standard', identities: [], provisional: false });
    await db.close();
    db = await openReplica({ name: 'sqlite-basic', storage, multiInstance: false, collections: ['events', 'customers'] });
    expect((await db.customers.findOne('c9').exec())?.name).toBe('Zoë 😀 Ltd');
    // The astral character sorts inside "all names", not beyond the upper bound sentinel.
    expect((await db.customers.find({ sort: [{ name: 'asc' }] }).exec()).map((c) => c.id)).toContain('c9');
    expect(await db.events.count().exec()).toBe(4);
  });

  it('purges deleted documents in cleanup', async () => {
    await (await db.events.findOne('e003').exec())!.remove();
    expect(await db.events.count().exec()).toBe(3);
    await db.events.storageInstance.cleanup(0);
    expect(await db.events.storageInstance.findDocumentsById(['e003'], true)).toEqual([]);
  });
});

describe('SQLite storage answers queries as RxDB’s memory storage does', () => {
  const threads = ['t1', 't2', 't3'];
  const customers = ['c1', 'c2'];
  const docArb = fc.record({ t: fc.constantFrom(...threads), c: fc.constantFrom(...customers), at: fc.integer({ min: 0, max: 50 }), del: fc.boolean() });
  const queryArb = fc.record({
    thread: fc.option(fc.constantFrom(...threads), { nil: undefined }),
    threadIn: fc.option(fc.subarray(threads, { minLength: 1 }), { nil: undefined }),
    customer: fc.option(fc.constantFrom(...customers), { nil: undefined }),
    atOp: fc.option(fc.constantFrom('$gt', '$gte', '$lt', '$lte', '$eq'), { nil: undefined }),
    atVal: fc.integer({ min: 0, max: 50 }),
    idOp: fc.option(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), { nil: undefined }),
    idVal: fc.integer({ min: 0, max: 40 }),
    text: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    sort: fc.constantFrom<Array<Record<string, 'asc' | 'desc'>>>([{ at: 'asc' }], [{ at: 'desc' }], [{ id: 'asc' }], [{ threadId: 'asc' }, { at: 'desc' }], [{ customerId: 'desc' }, { at: 'asc' }],
      // These follow an index exactly, so the storage answers them with SQL's own order, limit and offset.
      [{ threadId: 'asc' }, { at: 'asc' }], [{ customerId: 'asc' }, { at: 'asc' }]),
    skip: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  });

  it('for random documents and random queries', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(docArb, { maxLength: 40 }), fc.array(queryArb, { minLength: 1, maxLength: 6 }), async (docs, queries) => {
        run++;
        const dbs = await Promise.all([eventsDb(`prop-sqlite-${run}`, storage), eventsDb(`prop-mem-${run}`, getRxStorageMemory() as RxStorage<unknown, unknown>)]);
        try {
          for (const db of dbs) {
            await db.events!.bulkInsert(docs.map((d, i) => ev(i, d.t, d.c, d.at)));
            const gone = docs.flatMap((d, i) => (d.del ? [ev(i, d.t, d.c, d.at).id] : []));
            if (gone.length) await db.events!.bulkRemove(gone);
          }
          for (const q of queries) {
            const selector: Record<string, unknown> = {};
            if (q.thread) selector.threadId = q.thread;
            else if (q.threadIn) selector.threadId = { $in: q.threadIn };
            if (q.customer) selector.customerId = q.customer;
            if (q.atOp) selector.at = { [q.atOp]: q.atVal };
            if (q.idOp) selector.id = { [q.idOp]: `e${String(q.idVal).padStart(3, '0')}` };
            if (q.text !== undefined) selector['body.text'] = { $ne: `n${q.text}` };
            // A total order, so both storages must return the same ids in the same order.
            const mango: MangoQuery = { selector, sort: [...q.sort, { id: 'asc' }], skip: q.skip, limit: q.limit };
            const [a, b] = await Promise.all(dbs.map((db) => db.events!.find(mango).exec()));
            expect(a!.map((d) => d.primary), JSON.stringify(mango)).toEqual(b!.map((d) => d.primary));
            // Straight to the storages: RxDB's collection API refuses counts that need a scan (QU14).
            const [changedA, changedB] = await Promise.all(dbs.map((db) => getChangedDocumentsSince(db.events!.storageInstance, q.limit ?? 10, undefined)));
            expect(changedA!.documents.map((d) => d.id)).toEqual(changedB!.documents.map((d) => d.id));
            const [ca, cb] = await Promise.all(dbs.map((db) => {
              const schema = db.events!.storageInstance.schema;
              return db.events!.storageInstance.count(prepareQuery(schema, normalizeMangoQuery(schema, { selector })));
            }));
            expect(ca!.count).toBe(cb!.count);
          }
        } finally {
          await Promise.all(dbs.map((db) => db.remove()));
        }
      }),
      { numRuns: 150 },
    );
  });
});
