import { indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectionName } from '../../shared/model/documents';
import { openReplica, type ReplicaDatabase } from '../../renderer/src/replica/database';
import type { MigrationStrategy } from '../../renderer/src/replica/migrations';
import { Outbox } from '../../renderer/src/replica/outbox';
import { trackRepull } from '../../renderer/src/replica/repull';
import { SyncClient } from '../../renderer/src/replica/sync-client';
import { nodeTestStorage } from '../../renderer/src/replica/testing';
import { bumpSchemaForTest } from '../../renderer/src/replica/testing-migrations';
import { memoryStore, TokenStore } from '../../renderer/src/session/token-store';
import { openWorkspace } from '../../renderer/src/session/workspace-session';
import { nodeSocket, until } from '../chaos/client';
import { startDemoServerForFile } from '../helpers/demo-server';

/**
 * A schema migration that drops documents, then sync: without the re-pull hook the dropped documents
 * stay missing (RxDB resumes from its checkpoint), with it the server's copies come back.
 */
const demo = startDemoServerForFile('replica-migration');

type Plain = Record<string, unknown>;
async function snapshot(db: ReplicaDatabase): Promise<Map<string, Plain>> {
  const docs = await db.customers.find().exec();
  return new Map(docs.map((d) => {
    const { _meta, _rev, _attachments, ...rest } = d.toJSON(true) as Plain;
    return [d.id, rest];
  }));
}

async function signIn(email: string) {
  const pulls: string[] = [];
  // Every pull URL, to see where a session's pulls started.
  const fetchImpl: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes('/pull?')) pulls.push(url);
    return fetch(input, init);
  };
  const tokens = new TokenStore(demo.server.url, memoryStore(), fetchImpl, undefined, 4000);
  await tokens.login({ tenant: 'demo', email, password: 'threadline-demo' });
  return { tokens, pulls };
}

const firstPullSeq = (pulls: string[], from: number, col: CollectionName) =>
  Number(new URL(pulls.slice(from).find((u) => u.includes(`/sync/${col}/pull?`))!).searchParams.get('seq'));

/** Only the re-pull bookkeeping, without the rest of a session: is this collection still to be re-pulled? */
async function stillPending(db: ReplicaDatabase, col: CollectionName) {
  return (await trackRepull(db)).pending(col);
}

let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  undo = undefined;
});

/** Converts `convert`, drops each of `drop`, keeps the rest: what a real strategy for an incompatible change does. */
const strategy = (convert: string, drop: ReadonlySet<string>): MigrationStrategy => (old) => {
  if (drop.has(String(old.id))) return null;
  if (old.id === convert) return { ...old, name: `${String(old.name)} (migrated)` };
  return old;
};

describe('replica migration and re-pull against the real server', () => {
  it('a document dropped by a migration comes back only with the re-pull, over several pull batches', async () => {
    const { tokens, pulls } = await signIn('maya@demo.threadline');
    const name = 'mig-repull-direct';
    const cols = ['customers'] as const;
    const session = async (withRepull: boolean) => {
      const db = await openReplica({ name, storage: nodeTestStorage(), multiInstance: false, collections: cols });
      const outbox = new Outbox(name, indexedDB);
      await outbox.open();
      const sync = new SyncClient({
        db, outbox, tokens, socketFactory: nodeSocket, collections: cols,
        // Small batches, so the re-pull has to continue from its own checkpoints to catch up.
        pullBatchSize: 5,
        repull: withRepull ? await trackRepull(db) : undefined,
        minBackoffMs: 100, maxBackoffMs: 1000, heartbeatMs: 1000,
      });
      await sync.start();
      const close = async () => {
        await sync.stop();
        outbox.close();
        await db.close();
      };
      return { db, sync, close };
    };

    // Version 0: a full first sync.
    const s0 = await session(true);
    let server: Map<string, Plain>;
    try {
      await s0.sync.awaitInSync();
      server = await snapshot(s0.db);
      expect(await stillPending(s0.db, 'customers')).toBe(false);
    } finally {
      await s0.close();
    }
    const ids = [...server.keys()].sort();
    expect(ids.length).toBeGreaterThan(10);
    const drop = new Set([ids[0]!, ids[ids.length - 1]!]);
    const convert = ids[1]!;

    // Version 1 drops two documents and converts one.
    undo = bumpSchemaForTest('customers', { 1: strategy(convert, drop) });

    // Without the hook the sync resumes from RxDB's checkpoint, and the dropped documents stay gone.
    const mark1 = pulls.length;
    const s1 = await session(false);
    try {
      expect(s1.db.customers.schema.version).toBe(1);
      await s1.sync.awaitInSync();
      const after = await snapshot(s1.db);
      for (const id of drop) expect(after.has(id)).toBe(false);
      expect(after.get(convert)?.name).toBe(`${String(server.get(convert)?.name)} (migrated)`);
      expect(after.size).toBe(server.size - drop.size);
      expect(firstPullSeq(pulls, mark1, 'customers')).toBeGreaterThan(0);
    } finally {
      await s1.close();
    }

    // With the hook the first pull starts at seq 0 and brings the server's copies back.
    const mark2 = pulls.length;
    const s2 = await session(true);
    try {
      await s2.sync.awaitInSync();
      expect(firstPullSeq(pulls, mark2, 'customers')).toBe(0);
      expect(pulls.slice(mark2).length).toBeGreaterThan(server.size / 5);
      const after = await snapshot(s2.db);
      expect([...after.keys()].sort()).toEqual(ids);
      for (const id of drop) expect(after.get(id)).toEqual(server.get(id));
      // The converted copy was not edited locally, so the server's current version replaces it.
      expect(after.get(convert)).toEqual(server.get(convert));
      await until(async () => !(await stillPending(s2.db, 'customers')), 're-pull recorded as done');
    } finally {
      await s2.close();
    }

    // Done is remembered: the next session resumes from the checkpoint again.
    const mark3 = pulls.length;
    const s3 = await session(true);
    try {
      await s3.sync.awaitInSync();
      expect(firstPullSeq(pulls, mark3, 'customers')).toBeGreaterThan(0);
      expect((await snapshot(s3.db)).size).toBe(server.size);
    } finally {
      await s3.close();
    }
  });

  it('openWorkspace re-pulls a migrated collection and leaves the others alone', async () => {
    const { tokens, pulls } = await signIn('jonas@demo.threadline');
    const kv = memoryStore();
    const open = () => openWorkspace({ tokens, kv, socketFactory: nodeSocket, storage: nodeTestStorage(), idb: indexedDB });

    const ws0 = await open();
    let server: Map<string, Plain>;
    try {
      await ws0.sync.awaitInSync();
      server = await snapshot(ws0.db);
    } finally {
      await ws0.close();
    }
    const ids = [...server.keys()].sort();
    const dropped = ids[Math.floor(ids.length / 2)]!;
    undo = bumpSchemaForTest('customers', { 1: strategy(ids[0]!, new Set([dropped])) });

    const mark = pulls.length;
    const ws1 = await open();
    try {
      expect(ws1.db.customers.schema.version).toBe(1);
      await ws1.sync.awaitInSync();
      const after = await snapshot(ws1.db);
      expect(after.get(dropped)).toEqual(server.get(dropped));
      expect([...after.keys()].sort()).toEqual(ids);
      expect(firstPullSeq(pulls, mark, 'customers')).toBe(0);
      // Collections whose schema did not change resume from their checkpoints.
      expect(firstPullSeq(pulls, mark, 'threads')).toBeGreaterThan(0);
      await until(async () => !(await stillPending(ws1.db, 'customers')), 're-pull recorded as done');
    } finally {
      await ws1.close();
    }
  });
});
