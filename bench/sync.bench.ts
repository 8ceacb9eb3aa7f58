/**
 * `npm run bench -- sync`: 50 replicating clients on loopback. Measures the time from a write on one
 * client until each other client's replica holds it (p50/p99 over every writer→receiver pair), and
 * push throughput (50 clients bulk-inserting at once until every push is acknowledged). The peer is
 * the same workload, same RxDB clients and storage, through RxDB's CouchDB replication against
 * express-pouchdb; `ratio` = peer time / our time.
 *
 * Both servers run as their own child process; the clients run in 5 worker threads (RxDB's open-source
 * collection limit is per JS realm). Env: SYNC_BENCH_CLIENTS (50), SYNC_BENCH_WRITES (100),
 * SYNC_BENCH_INTERVAL_MS (100), SYNC_BENCH_BULK (20 docs per client), DATABASE_URL (else PGlite).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import type { Session } from '../shared/auth-contract';
import type { BenchResult } from './run';
import type { WorkerIn, WorkerOut } from './sync-worker';

const CLIENTS = Number(process.env.SYNC_BENCH_CLIENTS ?? 50);
const WRITES = Number(process.env.SYNC_BENCH_WRITES ?? 100);
const INTERVAL_MS = Number(process.env.SYNC_BENCH_INTERVAL_MS ?? 100);
const BULK = Number(process.env.SYNC_BENCH_BULK ?? 20);
const PER_WORKER = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnLine(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = pattern.exec(line);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before listening`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

interface RunFigures { p50_ms: number; p99_ms: number; max_ms: number; delivered: number; expected: number; push_docs_per_s: number; errors: number }

async function runWorkload(mode: 'ours' | 'couch', url: string, tokens: string[]): Promise<RunFigures> {
  const workers: Worker[] = [];
  const wrote = new Map<string, { t: number; client: number }>();
  const seen = new Map<string, Map<number, number>>();
  const bulkDone = new Map<number, number>();
  let errors = 0;
  const waiters: Array<() => void> = [];
  const kick = () => waiters.splice(0).forEach((w) => w());
  const until = async (cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 50); });
  };
  const owner = (client: number) => workers[Math.floor(client / PER_WORKER)]!;
  const send = (client: number, m: WorkerIn) => owner(client).postMessage(m);

  let ready = 0;
  let closed = 0;
  for (let w = 0; w * PER_WORKER < CLIENTS; w++) {
    // Node 20 workers ignore `--import tsx`, so the worker registers tsx itself before loading the TS module.
    const entry = new URL('./sync-worker.ts', import.meta.url).href;
    const worker = new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
      { eval: true },
    );
    worker.on('error', (err) => {
      errors++;
      console.error(`[${mode}] worker failed: ${err.message}`);
    });
    worker.on('message', (m: WorkerOut) => {
      if (m.type === 'ready') ready++;
      else if (m.type === 'closed') closed++;
      else if (m.type === 'wrote') wrote.set(m.id, { t: m.t, client: Number(m.id.split('-')[2]) });
      else if (m.type === 'seen') {
        let by = seen.get(m.id);
        if (!by) seen.set(m.id, (by = new Map()));
        if (!by.has(m.client)) by.set(m.client, m.t);
      } else if (m.type === 'bulkDone') bulkDone.set(m.client, m.t);
      else if (m.type === 'error') {
        errors++;
        if (errors <= 5) console.error(`[${mode}] ${m.message.split('\n')[0]}`);
      }
      kick();
    });
    workers.push(worker);
    const slice = Array.from({ length: Math.min(PER_WORKER, CLIENTS - w * PER_WORKER) }, (_, i) => w * PER_WORKER + i);
    worker.postMessage({ type: 'init', mode, url, clients: slice.map((index) => ({ index, token: tokens[index] })) } satisfies WorkerIn);
  }
  console.error(`[${mode}] starting ${CLIENTS} clients in ${workers.length} workers`);
  await until(() => ready === workers.length, 120_000);
  console.error(`[${mode}] clients in sync; ${WRITES} writes every ${INTERVAL_MS} ms`);
  if (ready !== workers.length) throw new Error(`${mode}: only ${ready}/${workers.length} workers became ready`);

  // Latency: one write at a time from a rotating client, spaced so each is measured on a settled system.
  const ids: string[] = [];
  for (let i = 0; i < WRITES; i++) {
    const client = (i * 7) % CLIENTS;
    const id = `bench-${mode}-${client}-${i}`;
    ids.push(id);
    send(client, { type: 'write', client, id });
    await sleep(INTERVAL_MS);
  }
  const expected = WRITES * (CLIENTS - 1);
  const delivered = () => ids.reduce((n, id) => n + [...(seen.get(id)?.keys() ?? [])].filter((c) => c !== wrote.get(id)?.client).length, 0);
  await until(() => delivered() >= expected, 30_000);
  const lat: number[] = [];
  for (const id of ids) {
    const w = wrote.get(id);
    if (!w) continue;
    for (const [client, t] of seen.get(id) ?? []) if (client !== w.client) lat.push(t - w.t);
  }

  // Throughput: every client bulk-inserts at once; done when every client's pushes are acknowledged.
  const t0 = performance.timeOrigin + performance.now();
  for (let c = 0; c < CLIENTS; c++) {
    send(c, { type: 'bulk', client: c, ids: Array.from({ length: BULK }, (_, k) => `bulk-${mode}-${c}-${k}`) });
  }
  await until(() => bulkDone.size === CLIENTS, 120_000);
  const t1 = Math.max(...bulkDone.values());
  const pushRate = bulkDone.size === CLIENTS ? (CLIENTS * BULK) / ((t1 - t0) / 1000) : NaN;

  for (const w of workers) w.postMessage({ type: 'close' } satisfies WorkerIn);
  await until(() => closed === workers.length, 20_000);
  await Promise.all(workers.map((w) => w.terminate()));
  return {
    p50_ms: r1(pct(lat, 50)), p99_ms: r1(pct(lat, 99)), max_ms: r1(Math.max(...lat)),
    delivered: lat.length, expected, push_docs_per_s: Math.round(pushRate), errors,
  };
}

export default async function run(): Promise<BenchResult> {
  const loadBefore = loadavg()[0]!;
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-syncbench-'));
  const env = { ...process.env, LOG_LEVEL: 'warn', SEED_DEMO: 'true' };
  const ours = await spawnLine(['server/main.ts', '--port', '0', '--data-dir', dataDir], /^THREADLINE_SERVER_URL=(.+)$/, env);
  let peer: { url: string; child: ChildProcess } | undefined;
  try {
    const users = ['maya', 'jonas', 'aisha', 'luis'];
    const tokens: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const res = await fetch(`${ours.url}/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', email: `${users[i % users.length]}@demo.threadline`, password: 'threadline-demo', deviceName: `bench-${i}` }),
      });
      if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      tokens.push(((await res.json()) as Session).accessToken);
    }
    console.error(`logged in ${CLIENTS} device sessions at ${ours.url}`);
    const oursFig = await runWorkload('ours', ours.url, tokens);
    await stop(ours.child);

    peer = await spawnLine(['bench/sync-couch-peer.ts'], /^COUCH_PEER_URL=(.+)$/, env);
    const created = await fetch(`${peer.url}bench`, { method: 'PUT' });
    if (!created.ok) throw new Error(`peer db create failed: ${created.status}`);
    const peerFig = await runWorkload('couch', peer.url, []);

    return {
      name: 'sync',
      metrics: {
        clients: CLIENTS,
        writes: WRITES,
        p50_ms: oursFig.p50_ms,
        p99_ms: oursFig.p99_ms,
        max_ms: oursFig.max_ms,
        delivered: oursFig.delivered,
        expected_deliveries: oursFig.expected,
        push_docs_per_s: oursFig.push_docs_per_s,
        replication_errors: oursFig.errors,
      },
      peer: {
        name: 'RxDB replicateCouchDB → express-pouchdb 4 (memory adapter)',
        p50_ms: peerFig.p50_ms,
        p99_ms: peerFig.p99_ms,
        max_ms: peerFig.max_ms,
        delivered: peerFig.delivered,
        expected_deliveries: peerFig.expected,
        push_docs_per_s: peerFig.push_docs_per_s,
        replication_errors: peerFig.errors,
        ratio: r1(peerFig.p50_ms / oursFig.p50_ms),
        ratio_p99: r1(peerFig.p99_ms / oursFig.p99_ms),
        ratio_push: r1(oursFig.push_docs_per_s / peerFig.push_docs_per_s),
      },
      targets: { p50_ms: '< 150', p99_ms: '< 500', ratio: '>= 2' },
      environment: {
        database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
        cpus: cpus().length,
        // Other work on the machine moves these figures a lot; recorded so runs can be compared.
        loadavg_1m_before: Math.round(loadBefore * 100) / 100,
        loadavg_1m_after: Math.round(loadavg()[0]! * 100) / 100,
        write_interval_ms: INTERVAL_MS,
        bulk_docs_per_client: BULK,
        note: 'both servers are child processes on loopback; clients are RxDB memory-storage replicas in 5 worker threads',
      },
    };
  } finally {
    await stop(ours.child);
    if (peer) await stop(peer.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
