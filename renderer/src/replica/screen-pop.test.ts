import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplica, type ReplicaDatabase } from './database';
import { lookupIdentityId, screenPop } from './screen-pop';
import { nodeTestStorage } from './testing';

const base = { tenantId: 'demo', updatedAt: 1 };
let db: ReplicaDatabase;

beforeAll(async () => {
  db = await openReplica({ name: 'screenpop-test', storage: nodeTestStorage(), multiInstance: false });
  await db.customers.bulkInsert([
    { ...base, id: 'c-old', name: 'Old Record', keyAccount: false, tier: 'standard', identities: [], provisional: false, mergedInto: 'c1' },
    { ...base, id: 'c1', name: 'Ada Lovelace', keyAccount: true, tier: 'gold', identities: [{ kind: 'phone', value: '+447700900123' }], provisional: false },
    { ...base, id: 'c2', name: 'Other', keyAccount: false, tier: 'standard', identities: [], provisional: false },
  ]);
  await db.identities.bulkInsert([
    { ...base, id: 'phone:+447700900123', kind: 'phone', value: '+447700900123', customerId: 'c-old' },
    { ...base, id: 'email:ada@example.com', kind: 'email', value: 'ada@example.com', customerId: 'c1' },
  ]);
  await db.threads.bulkInsert([
    { ...base, id: 't1', customerId: 'c1', status: 'resolved', openedAt: 1, lastActivityAt: 100 },
    { ...base, id: 't2', customerId: 'c1', status: 'open', openedAt: 2, lastActivityAt: 500 },
    { ...base, id: 't3', customerId: 'c2', status: 'open', openedAt: 2, lastActivityAt: 900 },
  ]);
  const ev = (id: string, customerId: string, at: number) => ({ ...base, id, threadId: 't1', interactionId: 'i1', customerId, kind: 'note' as const, at, body: { text: id } });
  await db.events.bulkInsert([ev('e1', 'c1', 10), ev('e2', 'c1', 30), ev('e3', 'c1', 20), ev('e4', 'c2', 40)]);
});
afterAll(async () => {
  await db.close();
});

describe('screen pop from the replica', () => {
  it('normalises numbers and emails the way identities are stored', () => {
    expect(lookupIdentityId('07700 900123', 'phone', 'GB')).toBe('phone:+447700900123');
    expect(lookupIdentityId('sip:+44 7700 900123@pbx', 'phone')).toBe('phone:+447700900123');
    expect(lookupIdentityId('0044 7700 900 123', 'phone')).toBe('phone:+447700900123');
    expect(lookupIdentityId(' Ada@Example.COM ', 'email')).toBe('email:ada@example.com');
  });

  it('finds the customer by phone, follows the merge, and returns newest items first', async () => {
    const r = await screenPop(db, { value: '07700 900123', defaultCountry: 'GB' });
    expect(r.identityId).toBe('phone:+447700900123');
    expect(r.customer?.id).toBe('c1');
    expect(r.threads.map((t) => t.id)).toEqual(['t2', 't1']);
    expect(r.items.map((e) => e.id)).toEqual(['e2', 'e3', 'e1']);
  });

  it('finds by email and limits items', async () => {
    const r = await screenPop(db, { value: 'ADA@example.com', limit: 1 });
    expect(r.customer?.name).toBe('Ada Lovelace');
    expect(r.items.map((e) => e.id)).toEqual(['e2']);
  });

  it('returns an empty result for an unknown caller', async () => {
    const r = await screenPop(db, { value: '+15550000000' });
    expect(r).toEqual({ identityId: 'phone:+15550000000', customer: null, threads: [], items: [] });
  });
});
