import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb } from '../test/helpers/test-db';
import { buildApp, isAllowedOrigin } from './app';
import type { Db } from './db';
import { createLogger } from './logger';
import { DEMO_TENANT, seedDemoTenant } from './seed-demo';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe('server skeleton', () => {
  it('answers /healthz from the database', async () => {
    const app = await buildApp({ db, log: createLogger('silent'), config: { corsOrigins: [] } });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: db.kind });
    const missing = await app.inject({ method: 'GET', url: '/nope?token=secret' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /nope' } });
    await app.close();
  });

  it('seeds the demo tenant once, with agents, queues and customers', async () => {
    expect(await seedDemoTenant(db, createLogger('silent'))).toBe(true);
    expect(await seedDemoTenant(db, createLogger('silent'))).toBe(false);
    const counts = await db.query<{ collection: string; n: number }>(
      'select collection, count(*)::int as n from docs where tenant_id = $1 group by collection', [DEMO_TENANT.id]);
    const by = Object.fromEntries(counts.map((r) => [r.collection, r.n]));
    expect(by.customers).toBeGreaterThanOrEqual(20);
    expect(by.agents).toBeGreaterThanOrEqual(4);
    const queues = await db.query(`select 1 from docs where tenant_id = $1 and collection = 'config' and data->>'kind' = 'queue'`, [DEMO_TENANT.id]);
    expect(queues.length).toBeGreaterThanOrEqual(3);
  });

  it('allows browser calls only from loopback or listed origins', () => {
    expect(isAllowedOrigin('http://127.0.0.1:5174', [])).toBe(true);
    expect(isAllowedOrigin('https://evil.example.com', [])).toBe(false);
    expect(isAllowedOrigin('https://app.acme.example', ['https://app.acme.example'])).toBe(true);
  });
});
