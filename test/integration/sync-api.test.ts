import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../shared/auth-contract';
import { newId } from '../../shared/ids';
import type { CustomerDoc, EventDoc } from '../../shared/model/documents';
import type { PullResponse, PushResponse } from '../../shared/sync-protocol';
import type { Db } from '../../server/db';
import { seedDemoTenant } from '../../server/seed-demo';
import { createTestDb } from '../helpers/test-db';
import { appFor, auth, login, openStream, silent } from './sync-helpers';

let db: Db;
let app: FastifyInstance;
let maya: Session;
let admin: Session;

beforeAll(async () => {
  db = await createTestDb();
  await seedDemoTenant(db, silent);
  app = await appFor(db);
  maya = await login(app, 'maya@demo.threadline');
  admin = await login(app, 'admin@demo.threadline');
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const pull = async (s: Session | string, collection: string, seq = 0, limit = 500) => {
  const res = await app.inject({ method: 'GET', url: `/sync/${collection}/pull?seq=${seq}&limit=${limit}`, headers: auth(s) });
  return { status: res.statusCode, body: res.json<PullResponse & { error?: { code: string } }>() };
};
const push = async (s: Session | string, collection: string, rows: unknown[]) => {
  const res = await app.inject({ method: 'POST', url: `/sync/${collection}/push`, headers: auth(s), payload: { rows } });
  return { status: res.statusCode, body: res.json<PushResponse & { error?: { code: string } }>() };
};
const customer = (over: Partial<CustomerDoc> = {}): CustomerDoc => ({
  id: newId(), tenantId: 'demo', updatedAt: Date.now(), _deleted: false, name: 'Test Person', keyAccount: false,
  tier: 'standard', identities: [], provisional: false, ...over,
});
const countDocs = async (collection: string, id: string) =>
  (await db.query<{ n: number }>('select count(*)::int as n from docs where collection = $1 and id = $2', [collection, id]))[0]!.n;

describe('auth', () => {
  it('logs in with the demo password, refuses a wrong one with a stable code, and audits both', async () => {
    expect(maya.user).toMatchObject({ email: 'maya@demo.threadline', role: 'agent', tenantId: 'demo' });
    expect(maya.user.agentId).toBeTruthy();
    const bad = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: 'demo', email: 'maya@demo.threadline', password: 'nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('INVALID_CREDENTIALS');
    const noTenant = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant: 'acme', email: 'maya@demo.threadline', password: 'threadline-demo' } });
    expect(noTenant.json().error.code).toBe('INVALID_CREDENTIALS');
    const rows = await db.query<{ action: string }>(`select action from audit where tenant_id = 'demo' and action in ('login', 'login_failed')`);
    expect(rows.filter((r) => r.action === 'login').length).toBeGreaterThanOrEqual(2);
    expect(rows.some((r) => r.action === 'login_failed')).toBe(true);
  });

  it('rotates refresh tokens; replaying a used one revokes the whole session', async () => {
    const s = await login(app, 'jonas@demo.threadline');
    const r1 = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: s.refreshToken } });
    expect(r1.statusCode).toBe(200);
    const s2 = r1.json<Session>();
    expect(s2.refreshToken).not.toBe(s.refreshToken);
    expect(s2.sessionId).toBe(s.sessionId);
    expect((await pull(s2, 'customers', 0, 1)).status).toBe(200);
    const replay = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: s.refreshToken } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('REFRESH_REUSED');
    // The thief's and the owner's tokens are now both dead.
    const after = await pull(s2, 'customers', 0, 1);
    expect(after.status).toBe(401);
    expect(after.body.error?.code).toBe('SESSION_REVOKED');
    const r3 = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: s2.refreshToken } });
    expect(r3.json().error.code).toBe('SESSION_REVOKED');
  });

  it('lets an admin list and revoke device sessions, and no one else', async () => {
    const s = await login(app, 'aisha@demo.threadline');
    const asAgent = await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(maya) });
    expect(asAgent.statusCode).toBe(403);
    const list = await app.inject({ method: 'GET', url: '/auth/sessions', headers: auth(admin) });
    expect(list.statusCode).toBe(200);
    const sessions = list.json<{ sessions: Array<{ id: string; email: string }> }>().sessions;
    expect(sessions.find((x) => x.id === s.sessionId)?.email).toBe('aisha@demo.threadline');
    const del = await app.inject({ method: 'DELETE', url: `/auth/sessions/${s.sessionId}`, headers: auth(admin) });
    expect(del.statusCode).toBe(200);
    expect((await pull(s, 'customers', 0, 1)).body.error?.code).toBe('SESSION_REVOKED');
    const audited = await db.query(`select 1 from audit where action = 'session_revoked' and target = $1`, [s.sessionId]);
    expect(audited.length).toBe(1);
  });

  it('rejects forged, expired, malformed and missing tokens with distinct codes', async () => {
    const forged = await new SignJWT({ tid: 'demo', role: 'admin', sid: maya.sessionId })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(maya.user.id).setIssuer('threadline').setAudience('threadline-api')
      .setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(48)));
    expect((await pull(forged, 'customers')).body.error?.code).toBe('TOKEN_INVALID');
    const [secret] = await db.query<{ value: string }>(`select value from server_secrets where name = 'jwt_hs256'`);
    const expired = await new SignJWT({ tid: 'demo', role: 'agent', sid: maya.sessionId })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(maya.user.id).setIssuer('threadline').setAudience('threadline-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600).setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret!.value));
    expect((await pull(expired, 'customers')).body.error?.code).toBe('TOKEN_EXPIRED');
    const none = await app.inject({ method: 'GET', url: '/sync/customers/pull' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const junk = await app.inject({ method: 'POST', url: '/auth/refresh', payload: { refreshToken: 'rt1.ZGVtbw.' + 'A'.repeat(43) } });
    expect(junk.json().error.code).toBe('TOKEN_INVALID');
  });
});

describe('pull and push', () => {
  it('pulls by checkpoint in seq order without gaps or repeats', async () => {
    const all: string[] = [];
    let seq = 0;
    for (;;) {
      const r = await pull(admin, 'customers', seq, 7);
      expect(r.status).toBe(200);
      if (!r.body.documents.length) break;
      expect(r.body.checkpoint.seq).toBeGreaterThan(seq);
      seq = r.body.checkpoint.seq;
      all.push(...r.body.documents.map((d) => String(d.id)));
    }
    const n = (await db.query<{ n: number }>(`select count(*)::int as n from docs where collection = 'customers'`))[0]!.n;
    expect(all.length).toBe(n);
    expect(new Set(all).size).toBe(n);
  });

  it('writes a new document, returns conflicts for stale assumptions and never overwrites', async () => {
    const c = customer();
    expect((await push(maya, 'customers', [{ newDocumentState: c, assumedMasterState: null }])).body).toEqual({ conflicts: [] });
    const edited = { ...c, name: 'Edited by Maya', updatedAt: c.updatedAt + 1 };
    expect((await push(maya, 'customers', [{ newDocumentState: edited, assumedMasterState: c }])).body.conflicts).toEqual([]);
    // Jonas still believes the original is current.
    const jonas = await login(app, 'jonas@demo.threadline');
    const stale = { ...c, name: 'Edited by Jonas', updatedAt: c.updatedAt + 2 };
    const r = await push(jonas, 'customers', [{ newDocumentState: stale, assumedMasterState: c }]);
    expect(r.body.conflicts).toHaveLength(1);
    expect(r.body.conflicts[0]).toMatchObject({ id: c.id, name: 'Edited by Maya' });
    const [stored] = await db.query<{ name: string }>(`select data->>'name' as name from docs where id = $1`, [c.id]);
    expect(stored!.name).toBe('Edited by Maya');
    // A create for an id that exists is a conflict too.
    const dup = await push(jonas, 'customers', [{ newDocumentState: { ...c, name: 'dup' }, assumedMasterState: null }]);
    expect(dup.body.conflicts[0]).toMatchObject({ name: 'Edited by Maya' });
  });

  it('keeps append-only events exactly once: identical re-push is a no-op, an edit is refused', async () => {
    const ev: EventDoc = {
      id: newId(), tenantId: 'demo', updatedAt: Date.now(), _deleted: false, threadId: 't1', interactionId: 'i1', customerId: 'c1',
      kind: 'note', at: Date.now(), body: { text: 'called back' },
    };
    expect((await push(maya, 'events', [{ newDocumentState: ev }])).body.conflicts).toEqual([]);
    const [first] = await db.query<{ seq: number }>('select seq from docs where id = $1', [ev.id]);
    expect((await push(maya, 'events', [{ newDocumentState: ev }, { newDocumentState: ev }])).body.conflicts).toEqual([]);
    const [again] = await db.query<{ seq: number }>('select seq from docs where id = $1', [ev.id]);
    expect(again!.seq).toBe(first!.seq);
    const edit = await push(maya, 'events', [{ newDocumentState: { ...ev, body: { text: 'changed' } }, assumedMasterState: ev }]);
    expect(edit.body.conflicts).toHaveLength(1);
    expect(await countDocs('events', ev.id)).toBe(1);
  });

  it('audits deletes and merges', async () => {
    const c = customer();
    await push(admin, 'customers', [{ newDocumentState: c }]);
    const merged = { ...c, mergedInto: 'OTHER', updatedAt: c.updatedAt + 1 };
    await push(admin, 'customers', [{ newDocumentState: merged, assumedMasterState: c }]);
    const gone = { ...merged, _deleted: true, updatedAt: c.updatedAt + 2 };
    await push(admin, 'customers', [{ newDocumentState: gone, assumedMasterState: merged }]);
    const rows = await db.query<{ action: string }>('select action from audit where target = $1 order by id', [`customers/${c.id}`]);
    expect(rows.map((r) => r.action)).toEqual(['merge', 'delete']);
  });

  it('enforces scope and roles on the server', async () => {
    const other = await db.query<{ id: string }>(`select id from docs where collection = 'agents' and id <> $1 limit 1`, [maya.user.agentId]);
    const offer = {
      id: newId(), tenantId: 'demo', updatedAt: Date.now(), _deleted: false, interactionId: 'i', agentId: other[0]!.id,
      queueId: 'q', leaseUntil: Date.now() + 30_000, status: 'pending', reason: 'skill',
    };
    expect((await push(admin, 'offers', [{ newDocumentState: offer }])).status).toBe(200);
    const mine = { ...offer, id: newId(), agentId: maya.user.agentId };
    expect((await push(admin, 'offers', [{ newDocumentState: mine }])).status).toBe(200);
    const seen = (await pull(maya, 'offers')).body.documents.map((d) => d.id);
    expect(seen).toContain(mine.id);
    expect(seen).not.toContain(offer.id);
    expect((await pull(admin, 'offers')).body.documents.map((d) => d.id)).toContain(offer.id);
    // Agents may not edit reference data or someone else's offer.
    const cfg = { id: newId(), tenantId: 'demo', updatedAt: Date.now(), _deleted: false, kind: 'reason', name: 'x', version: 1, active: true, data: {} };
    const denied = await push(maya, 'config', [{ newDocumentState: cfg }]);
    expect(denied.status).toBe(403);
    expect(await countDocs('config', cfg.id)).toBe(0);
    const steal = await push(maya, 'offers', [{ newDocumentState: { ...offer, agentId: maya.user.agentId }, assumedMasterState: offer }]);
    expect(steal.status).toBe(403);
    // Agents see recent threads only: an old thread outside their queues is not replicated to them.
    const old = Date.now() - 400 * 86_400_000;
    const thread = { id: newId(), tenantId: 'demo', updatedAt: old, _deleted: false, customerId: 'c', status: 'resolved', openedAt: old, lastActivityAt: old };
    await push(admin, 'threads', [{ newDocumentState: thread }]);
    expect((await pull(maya, 'threads')).body.documents.map((d) => d.id)).not.toContain(thread.id);
    expect((await pull(admin, 'threads')).body.documents.map((d) => d.id)).toContain(thread.id);
  });
});

describe('hostile input', () => {
  it('answers bad requests with stable codes and writes nothing', async () => {
    const big = await app.inject({
      method: 'POST', url: '/sync/customers/push', headers: { ...auth(maya), 'content-type': 'application/json' },
      payload: JSON.stringify({ rows: [{ newDocumentState: customer({ notes: 'x'.repeat(2 * 1024 * 1024) }) }] }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const malformed = await app.inject({ method: 'POST', url: '/sync/customers/push', headers: { ...auth(maya), 'content-type': 'application/json' }, payload: '{"rows": [' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('MALFORMED_JSON');
    const wrongType = await push(maya, 'customers', [{ newDocumentState: { ...customer(), updatedAt: 'yesterday' } }]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error?.code).toBe('VALIDATION_FAILED');
    const nul = await push(maya, 'customers', [{ newDocumentState: customer({ name: 'a\u0000b' }) }]);
    expect(nul.body.error?.code).toBe('VALIDATION_FAILED');
    const notRows = await app.inject({ method: 'POST', url: '/sync/customers/push', headers: auth(maya), payload: { rows: 'all' } });
    expect(notRows.json().error.code).toBe('VALIDATION_FAILED');
    const unknown = await pull(maya, 'secrets');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('UNKNOWN_COLLECTION');
    const badQuery = await app.inject({ method: 'GET', url: '/sync/customers/pull?seq=-4&limit=abc', headers: auth(maya) });
    expect(badQuery.json().error.code).toBe('VALIDATION_FAILED');
    const textBody = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(textBody.statusCode).toBeLessThan(500);
    expect(textBody.json().error.code).toBeTruthy();

    // One bad row (another tenant's document) fails the whole push: the good row is not written.
    const good = customer();
    const foreign = customer({ tenantId: 'acme' });
    const mixed = await push(maya, 'customers', [{ newDocumentState: good }, { newDocumentState: foreign }]);
    expect(mixed.status).toBe(403);
    expect(await countDocs('customers', good.id)).toBe(0);
    expect(await countDocs('customers', foreign.id)).toBe(0);
  });
});

describe('stream', () => {
  it('authenticates in the first message, says READY and RESYNC, then announces changes', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const bad = await openStream(base, 'not-a-token');
    expect(bad.messages[0]).toMatchObject({ type: 'ERROR', code: 'TOKEN_INVALID' });
    bad.close();
    const s = await openStream(base, maya.accessToken);
    await s.waitFor((m) => m.type === 'RESYNC');
    expect(s.messages.map((m) => m.type).slice(0, 2)).toEqual(['READY', 'RESYNC']);
    const c = customer();
    await push(admin, 'customers', [{ newDocumentState: c }]);
    const [row] = await db.query<{ seq: number }>('select seq from docs where id = $1', [c.id]);
    const change = await s.waitFor((m) => m.type === 'CHANGE' && m.seq === row!.seq);
    expect(change).toEqual({ type: 'CHANGE', collection: 'customers', seq: row!.seq });
    s.ws.send(JSON.stringify({ type: 'PING' }));
    await s.waitFor((m) => m.type === 'PONG');
    s.close();

    // Revoking a device session ends its open stream at once, on every node (via the notice).
    const device = await login(app, 'maya@demo.threadline');
    const victim = await openStream(base, device.accessToken);
    const closed = new Promise<number>((r) => victim.ws.once('close', (code) => r(code)));
    await app.inject({ method: 'DELETE', url: `/auth/sessions/${device.sessionId}`, headers: auth(admin) });
    expect(await victim.waitFor((m) => m.type === 'ERROR')).toMatchObject({ code: 'SESSION_REVOKED' });
    expect(await closed).toBe(1008);
  });

  it('ends a stream when its access token expires unless the client re-authenticates', async () => {
    const shortApp = await appFor(db, { accessTtlSeconds: 1 });
    try {
      await shortApp.listen({ port: 0, host: '127.0.0.1' });
      const addr = shortApp.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const s = await login(shortApp, 'jonas@demo.threadline');
      const stream = await openStream(base, s.accessToken);
      expect(stream.messages[0]).toEqual({ type: 'READY' });
      expect(await stream.waitFor((m) => m.type === 'ERROR', 5_000)).toMatchObject({ code: 'TOKEN_EXPIRED' });
    } finally {
      await shortApp.close();
    }
  });
});
