import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { spawnServer, type ServerChild } from '../../scripts/lib/spawn-server';
import { addNote } from '../../renderer/src/replica/writes';
import { FaultProxy } from '../helpers/fault-proxy';
import { openNodeClient, until, type NodeClient } from './client';

/**
 * Chaos: real server processes (kill -9), a fault proxy on loopback between clients and server,
 * a restarted database, restarted clients. After each run every write made on every client must be
 * on the server exactly once and every replica must equal the server.
 */

const ctx = { threadId: 'chaos-thread', interactionId: 'chaos-int', customerId: 'chaos-cust' };
const log = (o: Record<string, unknown>) => console.log(`[chaos] ${JSON.stringify(o)}`);
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

async function startServer(args: string[]): Promise<ServerChild> {
  return spawnServer(['--port', '0', '--log-level', 'fatal', ...args], process.env, false);
}

function kill9(s: ServerChild): Promise<void> {
  return new Promise((r) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return r();
    s.child.once('exit', () => r());
    s.child.kill('SIGKILL');
  });
}

async function serverNotes(base: string, token: string, run: string): Promise<Map<string, number>> {
  const byText = new Map<string, number>();
  let seq = 0;
  for (;;) {
    const res = await fetch(`${base}/sync/events/pull?seq=${seq}&limit=5000`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`pull: HTTP ${res.status}`);
    const body = (await res.json()) as { documents: Array<{ kind: string; body: { text?: string } }>; checkpoint: { seq: number } };
    for (const d of body.documents) {
      const t = d.body.text;
      if (d.kind === 'note' && t?.startsWith(run)) byText.set(t, (byText.get(t) ?? 0) + 1);
    }
    if (body.documents.length < 5000) return byText;
    seq = body.checkpoint.seq;
  }
}

async function tokenFor(base: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', email: 'luis@demo.threadline', password: 'threadline-demo' }),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** Writes `n` notes on a client, `gapMs` apart, returning their texts. */
async function writeNotes(c: NodeClient, run: string, who: string, n: number, gapMs = 0): Promise<string[]> {
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = `${run}:${who}:${i}`;
    await addNote(c.writer, ctx, text);
    texts.push(text);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  return texts;
}

/** Every write exactly once on the server, and each replica's notes of this run equal the server's. */
async function verify(base: string, run: string, clients: NodeClient[], written: string[]): Promise<void> {
  for (const c of clients) await until(() => c.outbox.size === 0, 'outbox to drain', 60_000);
  const token = await tokenFor(base);
  const onServer = await serverNotes(base, token, run);
  const dupes = [...onServer.values()].filter((n) => n > 1).length;
  const missing = written.filter((t) => !onServer.has(t)).length;
  const replicaCounts: number[] = [];
  const want = [...onServer.keys()].sort();
  const runTexts = async (c: NodeClient) => {
    const docs = await c.db.events.find({ selector: { customerId: ctx.customerId } }).exec();
    return docs.map((d) => String((d.body as { text?: string }).text)).filter((t) => t.startsWith(run)).sort();
  };
  for (const c of clients) {
    await until(async () => (await runTexts(c)).join('\n') === want.join('\n'), 'replica to equal the server', 60_000).catch(() => undefined);
    const texts = await runTexts(c);
    replicaCounts.push(texts.length);
    expect(texts).toEqual(want);
  }
  log({ run, written: written.length, onServer: onServer.size, duplicates: dupes, missing, replicas: replicaCounts });
  expect(missing).toBe(0);
  expect(dupes).toBe(0);
  expect(onServer.size).toBe(written.length);
}

describe('chaos', () => {
  it('kill -9 mid-push, dropped/delayed/black-holed link, client restart mid-outbox: nothing lost, nothing twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-chaos-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    let server = await startServer(['--data-dir', dir]);
    cleanup.push(() => kill9(server));
    const proxy = new FaultProxy(portOf(server.url));
    await proxy.start();
    cleanup.push(() => proxy.close());
    const opts = { serverUrl: proxy.url, collections: ['events'] as const };
    const a = await openNodeClient({ ...opts, name: 'chaos-a' });
    const b = await openNodeClient({ ...opts, name: 'chaos-b', email: 'jonas@demo.threadline' });
    cleanup.push(() => a.close(), () => b.close());
    await Promise.all([a.sync.awaitInSync(), b.sync.awaitInSync()]);

    // 1. kill -9 while both clients push.
    {
      const run = `kill9-${ulid()}`;
      const writing = Promise.all([writeNotes(a, run, 'a', 150, 2), writeNotes(b, run, 'b', 150, 2)]);
      await until(async () => (await serverNotes(server.url, await tokenFor(server.url), run)).size > 20, 'pushes to start', 30_000);
      await kill9(server);
      proxy.setMode({ kind: 'drop' });
      const written = (await writing).flat();
      server = await startServer(['--data-dir', dir]);
      const atCrash = (await serverNotes(server.url, await tokenFor(server.url), run)).size;
      log({ run, step: 'after kill -9 and restart', onServerBeforeResume: atCrash, written: written.length });
      proxy.setTarget(portOf(server.url));
      proxy.setMode({ kind: 'pass' });
      await verify(server.url, run, [a, b], written);
    }

    // 2. A flapping link: delayed, dropped, black-holed, while writes continue.
    {
      const run = `link-${ulid()}`;
      const writing = Promise.all([writeNotes(a, run, 'a', 120, 10), writeNotes(b, run, 'b', 120, 10)]);
      proxy.setMode({ kind: 'delay', ms: 150 });
      await new Promise((r) => setTimeout(r, 500));
      proxy.setMode({ kind: 'drop' });
      await new Promise((r) => setTimeout(r, 500));
      proxy.setMode({ kind: 'pass' });
      await new Promise((r) => setTimeout(r, 200));
      proxy.setMode({ kind: 'blackhole' });
      await new Promise((r) => setTimeout(r, 1500));
      proxy.resetAll();
      proxy.setMode({ kind: 'pass' });
      const written = (await writing).flat();
      log({ run, step: 'link faults done', resets: proxy.stats.resets, connections: proxy.stats.connections });
      await verify(server.url, run, [a, b], written);
    }

    // 3. Restart a client mid-outbox: writes made with the link cut, app closed, reopened, link back.
    {
      const run = `restart-${ulid()}`;
      proxy.setMode({ kind: 'drop' });
      const written = await writeNotes(a, run, 'a', 100);
      const pendingBefore = a.outbox.size;
      await a.close();
      const a2 = await openNodeClient({ ...opts, name: 'chaos-a', kv: a.kv });
      cleanup.push(() => a2.close());
      log({ run, step: 'client restarted', pendingBefore, pendingAfterRestart: a2.outbox.size });
      expect(a2.outbox.size).toBe(pendingBefore);
      expect(await a2.db.events.count({ selector: { customerId: ctx.customerId } }).exec()).toBeGreaterThanOrEqual(written.length);
      proxy.setMode({ kind: 'pass' });
      await verify(server.url, run, [a2, b], written);
    }
  }, 240_000);

  it('restart PostgreSQL mid-sync', async (t) => {
    const bin = '/usr/lib/postgresql/15/bin';
    if (!existsSync(`${bin}/pg_ctl`)) {
      t.skip('PostgreSQL binaries not installed (scripts/install-system-deps.sh); the PGlite restart is covered by the kill -9 run');
      return;
    }
    const pgdata = mkdtempSync(join(tmpdir(), 'tl-chaos-pg-'));
    const asPg = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    if (asPg.length) {
      if (spawnSync('id', ['postgres']).status !== 0) execFileSync('useradd', ['--system', 'postgres']);
      chownSync(pgdata, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), 0);
    }
    const pg = (args: string[]) => {
      const cmd = [...asPg, `${bin}/pg_ctl`, ...args];
      execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
    };
    const initCmd = [...asPg, `${bin}/initdb`, '-D', pgdata, '-U', 'threadline', '--auth=trust', '-E', 'UTF8'];
    execFileSync(initCmd[0]!, initCmd.slice(1), { stdio: 'ignore' });
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const pgOpts = `-p ${port} -k ${pgdata} -c listen_addresses=127.0.0.1 -c fsync=off`;
    pg(['-D', pgdata, '-w', '-l', join(pgdata, 'log'), '-o', pgOpts, 'start']);
    cleanup.push(() => {
      try { pg(['-D', pgdata, '-m', 'immediate', 'stop']); } catch { /* already stopped */ }
      rmSync(pgdata, { recursive: true, force: true });
    });
    const dbUrl = `postgres://threadline@127.0.0.1:${port}/postgres`;
    const server = await startServer(['--database-url', dbUrl]);
    cleanup.push(() => kill9(server));
    const proxy = new FaultProxy(portOf(server.url));
    await proxy.start();
    cleanup.push(() => proxy.close());
    const a = await openNodeClient({ serverUrl: proxy.url, collections: ['events'], name: 'chaos-pg-a' });
    cleanup.push(() => a.close());
    await a.sync.awaitInSync();

    const run = `pgrestart-${ulid()}`;
    const writing = writeNotes(a, run, 'a', 200, 5);
    await until(async () => (await serverNotes(server.url, await tokenFor(server.url), run)).size > 10, 'pushes to start', 30_000);
    pg(['-D', pgdata, '-w', '-m', 'immediate', 'restart', '-o', pgOpts]);
    const written = await writing;
    // The server rides out its database restarting: broken pooled connections are dropped and replaced.
    const serverDied = server.child.exitCode !== null || server.child.signalCode !== null;
    log({ run, step: 'postgres restarted', serverDied });
    expect(serverDied).toBe(false);
    await verify(server.url, run, [a], written);
  }, 180_000);
});
