/**
 * `npm run bench -- replica`: in headless Chromium with a profile on disk (the renderer's own replica
 * storage and sync code), an empty replica syncs 100k customers, 100k identities, 100k interactions
 * and 100k events from a real server (PGlite); then 1,000 screen-pop lookups; then 10k notes written
 * offline and the time until the outbox drains once the link returns; then the renderer's JS heap
 * after a forced GC. The peer is the same initial sync on RxDB's Dexie storage (IndexedDB), in the
 * same browser and run. Env: REPLICA_BENCH_CUSTOMERS (100000), REPLICA_BENCH_PULL_BATCH (5000),
 * REPLICA_BENCH_PEER=0 skips the peer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../server/logger';
import { startServer } from '../server/server';
import { openBenchPage } from './lib/bench-page';
import type { BenchResult } from './run';
import type { BenchConfig } from './replica-page/main';

const N = Number(process.env.REPLICA_BENCH_CUSTOMERS ?? 100_000);
const PULL_BATCH = Number(process.env.REPLICA_BENCH_PULL_BATCH ?? 5000);

async function seed(db: Awaited<ReturnType<typeof startServer>>['db'], n: number): Promise<void> {
  const now = Date.now();
  // One statement per collection: generate_series keeps seeding to seconds, and the rows look like ingress output.
  await db.exec(`
    insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
    select 'demo', 'customers', 'bc' || i, nextval('doc_seq'), ${now}, false, jsonb_build_object(
      'id', 'bc' || i, 'tenantId', 'demo', 'updatedAt', ${now}, '_deleted', false, 'name', 'Bench Customer ' || i,
      'company', 'Company ' || (i % 5000), 'keyAccount', i % 50 = 0, 'tier', 'standard', 'provisional', false,
      'identities', jsonb_build_array(jsonb_build_object('kind', 'phone', 'value', '+44770' || lpad(i::text, 7, '0'))))
    from generate_series(0, ${n - 1}) i;
    insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
    select 'demo', 'identities', 'phone:+44770' || lpad(i::text, 7, '0'), nextval('doc_seq'), ${now}, false, jsonb_build_object(
      'id', 'phone:+44770' || lpad(i::text, 7, '0'), 'tenantId', 'demo', 'updatedAt', ${now}, '_deleted', false,
      'kind', 'phone', 'value', '+44770' || lpad(i::text, 7, '0'), 'customerId', 'bc' || i)
    from generate_series(0, ${n - 1}) i;
    insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
    select 'demo', 'interactions', 'bi' || i, nextval('doc_seq'), ${now}, false, jsonb_build_object(
      'id', 'bi' || i, 'tenantId', 'demo', 'updatedAt', ${now}, '_deleted', false, 'threadId', 'bt' || i, 'customerId', 'bc' || i,
      'channel', 'call', 'direction', 'inbound', 'state', 'done', 'offeredAt', ${now - 3_600_000}, 'endedAt', ${now - 3_000_000})
    from generate_series(0, ${n - 1}) i;
    insert into docs (tenant_id, collection, id, seq, updated_at, deleted, data)
    select 'demo', 'events', 'be' || i, nextval('doc_seq'), ${now}, false, jsonb_build_object(
      'id', 'be' || i, 'tenantId', 'demo', 'updatedAt', ${now}, '_deleted', false, 'threadId', 'bt' || i, 'interactionId', 'bi' || i,
      'customerId', 'bc' || i, 'kind', 'note', 'at', ${now} - i, 'body', jsonb_build_object('text', 'Called about invoice ' || i))
    from generate_series(0, ${n - 1}) i;
  `);
}


export default async function replicaBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-replica-bench-'));
  const pageDir = join(dir, 'page');
  const server = await startServer(
    { port: 0, host: '127.0.0.1', dataDir: join(dir, 'db'), logLevel: 'silent', seedDemo: true, corsOrigins: [] } as unknown as Parameters<typeof startServer>[0],
    createLogger('silent'),
  );
  const ts = Date.now();
  await seed(server.db, N);
  console.error(`[replica bench] seeded ${4 * N} documents in ${((Date.now() - ts) / 1000).toFixed(1)} s`);
  const bp = await openBenchPage(join(import.meta.dirname, 'replica-page'), pageDir);
  const { context, url: pageUrl } = bp;
  try {
    type Run = {
      storageKind: string; initialSyncS: number; counts: Record<string, number>; pendingOffline: number; offlineWriteS: number;
      catchupS: number; found: number; p50: number; p95: number; storageWasmMb?: number;
    };
    // Supervisor: scope is the whole tenant, so the client receives every seeded document.
    const base: BenchConfig = {
      serverUrl: server.url, email: 'luis@demo.threadline', customers: N, lookups: 1000, offlineWrites: 10_000, pullBatchSize: PULL_BATCH,
      storage: 'default', initialSyncOnly: false,
    };
    const runIn = async (cfg: BenchConfig) => {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('[page error]', e.message));
      if (process.env.REPLICA_BENCH_TRACE) page.on('console', (m) => console.error(`[page] ${m.text()}`));
      await page.goto(process.env.REPLICA_BENCH_TRACE ? `${pageUrl}?trace` : pageUrl);
      await page.waitForFunction(() => 'runBench' in window);
      const r = await page.evaluate(async (c) => (window as unknown as { runBench(c: BenchConfig): Promise<Run> }).runBench(c), cfg);
      console.error(`[replica bench] ${r.storageKind}: initial sync ${r.initialSyncS.toFixed(1)} s`);
      return { page, r };
    };
    const { page, r } = await runIn(base);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    await page.close();
    const [{ n: serverNotes }] = (await server.db.query<{ n: number }>(`select count(*)::int as n from docs where collection = 'events' and data->>'threadId' = 'bench-t'`)) as [{ n: number }];
    const peer = process.env.REPLICA_BENCH_PEER === '0' ? undefined : (await runIn({ ...base, storage: 'indexeddb', initialSyncOnly: true })).r;
    const docs = Object.values(r.counts).reduce((a, b) => a + b, 0);
    const peerDocs = peer ? Object.values(peer.counts).reduce((a, b) => a + b, 0) : 0;
    const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      name: 'replica',
      metrics: {
        initial_sync_s: round(r.initialSyncS),
        initial_sync_docs: docs,
        initial_sync_docs_per_s: Math.round(docs / r.initialSyncS),
        screen_pop_p50_ms: round(r.p50, 2),
        screen_pop_p95_ms: round(r.p95, 2),
        screen_pop_hits: r.found,
        offline_write_s: round(r.offlineWriteS),
        offline_catchup_s: round(r.catchupS),
        offline_writes_on_server: serverNotes,
        renderer_heap_mb: round(heap.usedSize / 1024 / 1024),
        ...(r.storageWasmMb !== undefined ? { storage_worker_wasm_mb: round(r.storageWasmMb) } : {}),
      },
      ...(peer
        ? {
            peer: {
              name: 'RxDB Dexie storage (IndexedDB), same browser profile and server',
              initial_sync_s: round(peer.initialSyncS),
              initial_sync_docs: peerDocs,
              initial_sync_docs_per_s: Math.round(peerDocs / peer.initialSyncS),
              // Throughput, not seconds: the peer also receives the notes the first run pushed.
              ratio: round(docs / r.initialSyncS / (peerDocs / peer.initialSyncS), 2),
            },
          }
        : {}),
      targets: { initial_sync_s: '< 60', screen_pop_p95_ms: '< 50', offline_catchup_s: '< 20', renderer_heap_mb: '< 300' },
      environment: {
        chromium: bp.chromiumVersion, storage: r.storageKind, profile: 'persistent (on disk)', pull_batch: PULL_BATCH, customers: N,
        pending_before_catchup: r.pendingOffline,
      },
    };
  } finally {
    await bp.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
