import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids';
import type { PullResponse } from '../../shared/sync-protocol';
import { openPostgres, type Db } from '../../server/db';
import { seedDemoTenant } from '../../server/seed-demo';
import { createTestDb } from '../helpers/test-db';
import { appFor, auth, login, openStream, silent } from './sync-helpers';

/**
 * Two server nodes on one database, clients on each: a write through node A reaches a stream client
 * on node B through LISTEN/NOTIFY, and B serves the document. On PostgreSQL (`npm run test:pg`) each
 * node has its own connection pool and LISTEN connection — two real nodes. On PGlite there is one
 * embedded database per process, so both nodes share that handle: the same code path (NOTIFY on commit
 * fanned out by each node's hub), but not separate database connections.
 */
let shared: Db & { url?: string };
let dbB: Db;
const nodes: FastifyInstance[] = [];
const urls: string[] = [];

beforeAll(async () => {
  shared = await createTestDb();
  await seedDemoTenant(shared, silent);
  dbB = shared.url ? await openPostgres(shared.url) : shared;
  for (const db of [shared, dbB]) {
    const app = await appFor(db);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    urls.push(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
    nodes.push(app);
  }
});
afterAll(async () => {
  for (const n of nodes) await n.close();
  if (dbB && dbB !== shared) await dbB.close();
  await shared?.close();
});

describe(`multi-node (${process.env.TEST_DATABASE_URL ? 'PostgreSQL, separate pools' : 'PGlite, shared handle'})`, () => {
  it('a push on node A reaches stream clients on node B and A, and B serves it', async () => {
    const [a, b] = nodes as [FastifyInstance, FastifyInstance];
    // Both nodes agree on the signing key (stored in the database), so a token from A works on B.
    const maya = await login(a, 'maya@demo.threadline');
    const jonas = await login(b, 'jonas@demo.threadline');
    const onB = await openStream(urls[1]!, maya.accessToken);
    const onA = await openStream(urls[0]!, jonas.accessToken);
    expect(onB.messages[0]).toEqual({ type: 'READY' });

    const doc = { id: newId(), tenantId: 'demo', updatedAt: Date.now(), name: 'Cross-node', identities: [] };
    const res = await fetch(`${urls[0]}/sync/customers/push`, {
      method: 'POST', headers: { ...auth(jonas), 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [{ newDocumentState: doc, assumedMasterState: null }] }),
    });
    expect(res.status).toBe(200);
    const [row] = await shared.query<{ seq: number }>('select seq from docs where id = $1', [doc.id]);
    const change = { type: 'CHANGE', collection: 'customers', seq: row!.seq } as const;
    expect(await onB.waitFor((m) => m.type === 'CHANGE' && m.seq === row!.seq)).toEqual(change);
    expect(await onA.waitFor((m) => m.type === 'CHANGE' && m.seq === row!.seq)).toEqual(change);

    const pulled = await fetch(`${urls[1]}/sync/customers/pull?seq=${row!.seq - 1}`, { headers: auth(maya) });
    const body = (await pulled.json()) as PullResponse;
    expect(body.documents.map((d) => d.id)).toEqual([doc.id]);
    onA.close();
    onB.close();
  });
});
