/**
 * Runs inside Chromium for `npm run bench -- softphone`: the renderer's own replica (Dexie on real
 * IndexedDB) filled with N customers, and the renderer's own Softphone engine registered to a real
 * Kamailio with the replica screen pop. Each ringing call is "shown" by writing the customer into the
 * DOM and waiting for the next frame, so the figure covers lookup plus a paint.
 */
import { openReplica } from '../../renderer/src/replica/database';
import { ReplicaScreenPop } from '../../renderer/src/softphone/replica-adapters';
import { Softphone } from '../../renderer/src/softphone/softphone';

export interface PhoneBenchConfig {
  customers: number;
  wsUrl: string;
  user: string;
}

const phoneOf = (i: number) => `+44770${String(i).padStart(7, '0')}`;

async function fill(n: number) {
  const db = await openReplica({ name: `softphone-bench-${Date.now()}` });
  const now = Date.now();
  const batch = 5000;
  for (let start = 0; start < n; start += batch) {
    const ids = Array.from({ length: Math.min(batch, n - start) }, (_, k) => start + k);
    const base = { tenantId: 'demo', updatedAt: now };
    await db.customers.bulkInsert(ids.map((i) => ({
      ...base, id: `bc${i}`, name: `Bench Customer ${i}`, company: `Company ${i % 5000}`, keyAccount: i % 50 === 0, tier: 'standard' as const,
      identities: [{ kind: 'phone' as const, value: phoneOf(i) }], provisional: false,
    })));
    await db.identities.bulkInsert(ids.map((i) => ({ ...base, id: `phone:${phoneOf(i)}`, kind: 'phone' as const, value: phoneOf(i), customerId: `bc${i}` })));
    await db.threads.bulkInsert(ids.map((i) => ({ ...base, id: `bt${i}`, customerId: `bc${i}`, status: 'open' as const, openedAt: now - i, lastActivityAt: now - i, subject: `Invoice ${i}` })));
  }
  return db;
}

async function run(cfg: PhoneBenchConfig) {
  const t0 = performance.now();
  const db = await fill(cfg.customers);
  const fillS = (performance.now() - t0) / 1000;
  const phone = new Softphone({ servers: [cfg.wsUrl], user: cfg.user, domain: 'threadline.test', region: 'GB', screenPop: new ReplicaScreenPop(db, 'GB') });
  const shown: number[] = [];
  const popOnly: number[] = [];
  const seen = new Set<string>();
  let misses = 0;
  const el = document.getElementById('pop')!;
  phone.subscribe((s) => {
    for (const c of s.calls) {
      if (c.pop === undefined || seen.has(c.id) || c.invitedAtPerf === undefined) continue;
      seen.add(c.id);
      if (!c.pop) {
        misses += 1;
        continue;
      }
      el.textContent = `${c.pop.customerName} · ${c.pop.company ?? ''} · ${c.pop.threadSubject ?? ''}`;
      const invitedAt = c.invitedAtPerf;
      if (c.popMs !== undefined) popOnly.push(c.popMs);
      requestAnimationFrame(() => shown.push(performance.now() - invitedAt));
    }
  });
  phone.start();
  Object.assign(window, { __phone: phone });
  return { fillS, storage: db.storage.name, results: () => ({ shown: [...shown], popOnly: [...popOnly], misses }) };
}

let handle: Awaited<ReturnType<typeof run>> | undefined;
Object.assign(window, {
  startBench: async (cfg: PhoneBenchConfig) => {
    handle = await run(cfg);
    return { fillS: handle.fillS, storage: handle.storage };
  },
  benchResults: () => handle!.results(),
  registrationState: () => (window as unknown as { __phone: Softphone }).__phone.snapshot().registration.state,
});
export { phoneOf };
