import type { FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import type { Session } from '../../shared/auth-contract';
import { buildApp } from '../../server/app';
import type { Db } from '../../server/db';
import { startSmtpIngress, type EmailLimits, type SmtpIngress } from '../../server/ingress/email';
import { signWebhook } from '../../server/ingress/webhooks';
import { createLogger } from '../../server/logger';
import { DEMO_PASSWORD, seedDemoTenant } from '../../server/seed-demo';
import { createTestDb } from '../helpers/test-db';

export const SECRET = 'whsec_test_0123456789abcdef';
export const SUPPORT = 'support@northwind.example';
export const silent = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export interface IngressStack {
  db: Db;
  app: FastifyInstance;
  url: string;
  smtp: SmtpIngress;
  close(): Promise<void>;
}

/** A real server (HTTP on a free port, SMTP listener on a free port) over a fresh database with the demo tenant. */
export async function startIngressStack(opts: { limits?: EmailLimits; smtpRelayUrl?: string; outboundWebhookUrl?: string } = {}): Promise<IngressStack> {
  const db = await createTestDb();
  await seedDemoTenant(db, silent);
  await db.query(
    `insert into ingress_addresses (channel, address, tenant_id, secret) values
       ('email', $1, 'demo', null), ('sms', 'northwind-sms', 'demo', $2), ('chat', 'northwind-chat', 'demo', $2), ('webform', 'northwind-web', 'demo', $2)`,
    [SUPPORT, SECRET]);
  const app = await buildApp({
    db, log: silent, config: { corsOrigins: [] },
    ingress: { smtpRelayUrl: opts.smtpRelayUrl, outboundWebhookUrl: opts.outboundWebhookUrl, outboundWebhookSecret: SECRET },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const smtp = await startSmtpIngress({ db, log: silent, port: 0, host: '127.0.0.1', ...(opts.limits ? { limits: opts.limits } : {}) });
  return {
    db, app, url, smtp,
    async close() {
      await smtp.close();
      await app.close();
      await db.close();
    },
  };
}

export async function sendMail(port: number, raw: string | Buffer, envelope = { from: 'someone@example.org', to: [SUPPORT] }): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope, raw });
  } finally {
    t.close();
  }
}

export async function postWebhook(url: string, channel: 'sms' | 'chat' | 'webform', body: string, opts: { key?: string; secret?: string; ts?: number; endpoint?: string; signature?: string } = {}): Promise<Response> {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-threadline-timestamp': String(ts),
    'x-threadline-signature': opts.signature ?? signWebhook(opts.secret ?? SECRET, ts, body),
  };
  if (opts.key !== '') headers['idempotency-key'] = opts.key ?? `k-${Math.random().toString(36).slice(2)}`;
  return fetch(`${url}/ingress/webhooks/${channel}/${opts.endpoint ?? `northwind-${channel === 'webform' ? 'web' : channel}`}`, { method: 'POST', headers, body });
}

export async function loginAs(url: string, email = 'maya@demo.threadline'): Promise<Session> {
  const res = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: 'demo', email, password: DEMO_PASSWORD, deviceName: 'ingress-test' }) });
  if (!res.ok) throw new Error(`login failed ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

export function bearer(s: Session): Record<string, string> {
  return { authorization: `Bearer ${s.accessToken}`, 'content-type': 'application/json' };
}
