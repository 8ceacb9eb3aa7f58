import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamServerMessage } from '../../shared/sync-protocol';
import { createTestDb } from '../../test/helpers/test-db';
import type { Db } from '../db';
import { notifyChange, notifySessionRevoked } from '../doc-store';
import { createLogger } from '../logger';
import { ChangeHub } from './hub';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

const until = async (cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

describe('ChangeHub', () => {
  it('fans committed notices out per tenant, invalidates caches first, and throttles bursts to first + latest', async () => {
    const order: string[] = [];
    const revoked: string[] = [];
    const hub = new ChangeHub(db, createLogger('silent'), {
      change: (t, c) => order.push(`invalidate ${t}/${c}`),
      sessionRevoked: (sid) => revoked.push(sid),
    }, 200);
    await hub.start();
    const got: StreamServerMessage[] = [];
    const other: StreamServerMessage[] = [];
    hub.add({ tenantId: 'a', send: (m) => { got.push(m); order.push(`send ${JSON.stringify(m)}`); } });
    hub.add({ tenantId: 'b', send: (m) => other.push(m) });

    for (const seq of [10, 11, 12, 13]) await db.transaction((tx) => notifyChange(tx, 'a', 'customers', seq));
    // A rolled-back write announces nothing.
    await db.transaction(async (tx) => {
      await notifyChange(tx, 'a', 'customers', 99);
      throw new Error('rollback');
    }).catch(() => undefined);
    await db.transaction((tx) => notifySessionRevoked(tx, 'a', 'S1'));
    await until(() => got.length >= 2);
    expect(got).toEqual([{ type: 'CHANGE', collection: 'customers', seq: 10 }, { type: 'CHANGE', collection: 'customers', seq: 13 }]);
    expect(other).toEqual([]);
    expect(order[0]).toBe('invalidate a/customers');
    expect(order.filter((o) => o.startsWith('invalidate')).length).toBe(4);
    expect(revoked).toEqual(['S1']);
    await hub.stop();
  });
});
