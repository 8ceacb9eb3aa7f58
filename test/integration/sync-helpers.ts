import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import type { Session } from '../../shared/auth-contract';
import type { StreamServerMessage } from '../../shared/sync-protocol';
import { buildApp } from '../../server/app';
import type { Db } from '../../server/db';
import { createLogger } from '../../server/logger';
import { DEMO_PASSWORD } from '../../server/seed-demo';

export const silent = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export async function appFor(db: Db, extra: { accessTtlSeconds?: number } = {}): Promise<FastifyInstance> {
  return buildApp({ db, log: silent, config: { corsOrigins: [], ...extra } });
}

export async function login(app: FastifyInstance, email: string, tenant = 'demo', password = DEMO_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/auth/login', payload: { tenant, email, password, deviceName: 'test' } });
  if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.statusCode} ${res.body}`);
  return res.json<Session>();
}

export function auth(s: Session | string): Record<string, string> {
  return { authorization: `Bearer ${typeof s === 'string' ? s : s.accessToken}` };
}

/** A WebSocket stream client collecting every server message. */
export async function openStream(baseUrl: string, token: string): Promise<{ ws: WebSocket; messages: StreamServerMessage[]; waitFor(pred: (m: StreamServerMessage) => boolean, ms?: number): Promise<StreamServerMessage>; close(): void }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/sync/stream`);
  const messages: StreamServerMessage[] = [];
  const waiters: Array<{ pred: (m: StreamServerMessage) => boolean; resolve: (m: StreamServerMessage) => void }> = [];
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as StreamServerMessage;
    messages.push(m);
    for (const w of [...waiters]) if (w.pred(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
  });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  ws.send(JSON.stringify({ type: 'AUTH', token }));
  const waitFor = (pred: (m: StreamServerMessage) => boolean, ms = 10_000) => {
    const seen = messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<StreamServerMessage>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching stream message within ${ms} ms; got ${JSON.stringify(messages)}`)), ms);
      waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  };
  await waitFor((m) => m.type === 'READY' || m.type === 'ERROR');
  return { ws, messages, waitFor, close: () => ws.close() };
}
