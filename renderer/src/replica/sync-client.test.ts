import { describe, expect, it } from 'vitest';
import { openNodeClient, until } from '../../../test/chaos/client';
import { backoff } from './sync-client';
import { addNote, addWrapup } from './writes';
import { startDemoServerForFile } from '../../../test/helpers/demo-server';

const demo = startDemoServerForFile('sync-client');

const eventsOnServer = async (ids: string[]) =>
  demo.server.db.query<{ id: string; n: number }>(`select id, count(*)::int as n from docs where collection = 'events' and id = any($1) group by id`, [ids]);

describe('sync client against the real server', () => {
  it('pulls the replica, pushes notes and wrap-ups once, and another agent receives them live', async () => {
    const cols = ['customers', 'threads', 'events'] as const;
    const a = await openNodeClient({ serverUrl: demo.server.url, collections: cols, devMode: true, name: 'sc-a' });
    const b = await openNodeClient({ serverUrl: demo.server.url, collections: cols, name: 'sc-b' });
    try {
      await a.sync.awaitInSync();
      await b.sync.awaitInSync();
      const [{ n }] = await demo.server.db.query<{ n: number }>(`select count(*)::int as n from docs where collection = 'customers' and not deleted`) as [{ n: number }];
      expect(await a.db.customers.count().exec()).toBe(n);
      const thread = (await a.db.threads.findOne().exec())!;
      const ctx = { threadId: thread.id, interactionId: 'int-x', customerId: thread.customerId };
      const note = await addNote(a.writer, ctx, 'called back about the bill');
      const wrap = await addWrapup(a.writer, ctx, { reasons: ['billing'], outcome: 'resolved' });
      await until(() => a.outbox.size === 0, 'outbox to drain');
      await until(async () => (await b.db.events.findByIds([note.id, wrap.id]).exec()).size === 2, 'b to receive both events');
      const rows = await eventsOnServer([note.id, wrap.id]);
      expect(rows.map((r) => r.n)).toEqual([1, 1]);
      await until(() => a.sync.status.state === 'synced', 'status synced');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('computes jittered backoff within bounds', () => {
    expect(backoff(0, 500, 30_000, () => 0)).toBe(500);
    expect(backoff(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoff(40, 500, 30_000, () => 1)).toBe(30_000);
  });
});
