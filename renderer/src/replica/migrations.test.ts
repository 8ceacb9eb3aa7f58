import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerDoc, EventDoc } from '../../../shared/model/documents';
import { openReplica, type ReplicaDatabase } from './database';
import { trackRepull } from './repull';
import { nodeTestStorage } from './testing';
import { bumpSchemaForTest } from './testing-migrations';

type Customer = Omit<CustomerDoc, '_deleted'>;
type Event = Omit<EventDoc, '_deleted'>;

const customer = (i: number): Customer => ({
  id: `c${i}`, tenantId: 'demo', updatedAt: 1000 + i, name: `customer ${i}`, keyAccount: false, tier: 'standard',
  identities: [{ kind: 'phone', value: `+44770090000${i}` }], provisional: false,
});
const event = (i: number): Event => ({
  id: `e${i}`, tenantId: 'demo', updatedAt: 2000 + i, threadId: 't1', interactionId: 'i1', customerId: 'c1',
  kind: 'note', at: 2000 + i, body: { text: `note ${i}` },
});

const cols = ['customers', 'events'] as const;
// Dev mode (nodeTestStorage) validates every migrated document against the new schema as it is written.
const open = (name: string) => openReplica({ name, storage: nodeTestStorage(), multiInstance: false, collections: cols });

async function plainCustomers(db: ReplicaDatabase): Promise<Map<string, Record<string, unknown>>> {
  const docs = await db.customers.find().exec();
  return new Map(docs.map((d) => {
    const { _meta, _rev, _attachments, ...rest } = d.toJSON(true) as Record<string, unknown>;
    return [d.id, rest];
  }));
}

let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  undo = undefined;
});

describe('replica schema migrations', () => {
  it('converts and drops documents when a collection version rises, and keeps everything else', async () => {
    const name = 'mig-convert-drop';
    const db0 = await open(name);
    expect(db0.customers.schema.version).toBe(0);
    await db0.customers.bulkInsert([1, 2, 3, 4, 5].map(customer));
    await db0.events.bulkInsert([1, 2, 3].map(event));
    // c4 is deleted locally: its tombstone also goes through the strategy and must stay deleted.
    await (await db0.customers.findOne('c4').exec())!.remove();
    const before = await plainCustomers(db0);
    await db0.close();

    const seen: string[] = [];
    undo = bumpSchemaForTest('customers', {
      1: (old) => {
        seen.push(String(old.id));
        if (old.id === 'c2') return null;
        if (old.id === 'c1') return { ...old, name: String(old.name).toUpperCase(), language: 'en' };
        return old;
      },
    });
    const db1 = await open(name);
    try {
      expect(db1.customers.schema.version).toBe(1);
      const after = await plainCustomers(db1);
      // Converted.
      expect(after.get('c1')).toEqual({ ...before.get('c1'), name: 'CUSTOMER 1', language: 'en' });
      // Dropped.
      expect(after.has('c2')).toBe(false);
      expect(await db1.customers.findOne('c2').exec()).toBeNull();
      // Untouched, document for document.
      expect(after.get('c3')).toEqual(before.get('c3'));
      expect(after.get('c5')).toEqual(before.get('c5'));
      expect([...after.keys()].sort()).toEqual(['c1', 'c3', 'c5']);
      expect(seen).toContain('c4');
      expect(await db1.customers.findOne('c4').exec()).toBeNull();
      // A collection whose version did not change loses nothing.
      expect((await db1.events.find().exec()).map((e) => e.id).sort()).toEqual(['e1', 'e2', 'e3']);
      // The migrated collection is writable at the new version.
      await db1.customers.insert(customer(6));
      expect(await db1.customers.count().exec()).toBe(4);
    } finally {
      await db1.close();
    }

    // A migration runs once: reopening at the same version does not run the strategy again.
    const runs = seen.length;
    const db2 = await open(name);
    try {
      expect(seen.length).toBe(runs);
      expect((await plainCustomers(db2)).get('c1')?.name).toBe('CUSTOMER 1');
      expect(await db2.customers.count().exec()).toBe(4);
    } finally {
      await db2.close();
    }
  });

  it('chains strategies when a replica skips versions', async () => {
    const name = 'mig-chain';
    const db0 = await open(name);
    await db0.customers.bulkInsert([1, 2].map(customer));
    await db0.close();

    undo = bumpSchemaForTest('customers', {
      1: (old) => ({ ...old, language: 'en' }),
      2: (old) => (old.id === 'c2' ? null : { ...old, language: `${String(old.language)}-GB` }),
    });
    const db2 = await open(name);
    try {
      expect(db2.customers.schema.version).toBe(2);
      const after = await plainCustomers(db2);
      expect([...after.keys()]).toEqual(['c1']);
      expect(after.get('c1')?.language).toBe('en-GB');
    } finally {
      await db2.close();
    }
  });

  it('marks a collection for a full re-pull when its version changed since its last full pull', async () => {
    const pendingAfterOpen = async (name: string) => {
      const db = await open(name);
      try {
        const hook = await trackRepull(db);
        return { customers: await hook.pending('customers'), events: await hook.pending('events'), hook, db };
      } catch (err) {
        await db.close();
        throw err;
      }
    };

    // Tracked from the start: nothing pending until the version changes, then only that collection.
    let r = await pendingAfterOpen('repull-tracked');
    expect([r.customers, r.events]).toEqual([false, false]);
    await r.db.close();
    // A replica that never ran the bookkeeping (older client) counts as synced at version 0.
    await (await open('repull-untracked')).close();

    undo = bumpSchemaForTest('customers', { 1: (old) => old });
    r = await pendingAfterOpen('repull-tracked');
    expect([r.customers, r.events]).toEqual([true, false]);
    await r.db.close();
    r = await pendingAfterOpen('repull-untracked');
    expect([r.customers, r.events]).toEqual([true, false]);
    // Not done yet: the next open still asks for the re-pull.
    await r.db.close();
    r = await pendingAfterOpen('repull-untracked');
    expect(r.customers).toBe(true);
    await r.hook.done('customers');
    expect(await r.hook.pending('customers')).toBe(false);
    await r.db.close();
    r = await pendingAfterOpen('repull-untracked');
    expect(r.customers).toBe(false);
    await r.db.close();

    // A replica created at the new version has no old documents to bring back.
    r = await pendingAfterOpen('repull-fresh-at-v1');
    expect([r.customers, r.events]).toEqual([false, false]);
    await r.db.close();
  });
});
