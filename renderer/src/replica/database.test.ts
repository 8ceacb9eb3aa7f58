import { describe, expect, it } from 'vitest';
import { collectionNames } from '../../../shared/model/documents';
import { openReplica, replicaName } from './database';
import { nodeTestStorage } from './testing';

describe('replica database', () => {
  it('opens all collections under RxDB limits with derived schemas', async () => {
    const db = await openReplica({ name: replicaName('demo', 'u1'), storage: nodeTestStorage(), multiInstance: false });
    try {
      expect(Object.keys(db.collections).sort()).toEqual([...collectionNames].sort());
      expect(Object.keys(db.collections).length).toBeLessThanOrEqual(13);
      expect(db.events.schema.indexes).toContainEqual(['_deleted', 'threadId', 'at', 'id']);
    } finally {
      await db.close();
    }
  });

  it('rejects a document that breaks the shared schema', async () => {
    const db = await openReplica({ name: replicaName('demo', 'u2'), storage: nodeTestStorage(), multiInstance: false });
    try {
      await expect(
        db.threads.insert({ id: 't1', tenantId: 'demo', updatedAt: 1, customerId: 'c1', status: 'bogus' as 'open', openedAt: 1, lastActivityAt: 1 }),
      ).rejects.toThrow();
      await db.threads.insert({ id: 't1', tenantId: 'demo', updatedAt: 1, customerId: 'c1', status: 'open', openedAt: 1, lastActivityAt: 1 });
      expect((await db.threads.findOne('t1').exec())?.status).toBe('open');
    } finally {
      await db.close();
    }
  });

  it('names databases per tenant and user so their data cannot mix', () => {
    expect(replicaName('demo', 'U1')).not.toBe(replicaName('demo', 'U2'));
    expect(replicaName('demo', 'U1')).not.toBe(replicaName('demo2', 'U1'));
    // Sanitising alone would map these two onto one name; the hash keeps them apart.
    expect(replicaName('a-b', 'c')).not.toBe(replicaName('ab', 'c'));
    expect(replicaName('Demo Tenant!', 'x')).toMatch(/^[a-z][a-z0-9-]*$/);
  });
});
