import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from '../../shared/errors';
import { ChatProviders } from '../../shared/identity';
import type { Channel } from '../../shared/model/documents';
import type { Db } from '../db';
import { lockTenantWrites, withTenant } from '../tenant-tx';
import { ingestContact, type InboundContact, type IngestResult } from './service';

/**
 * Webhook ingress for SMS, chat and web forms. A request is authentic when
 *   X-Threadline-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * matches and X-Threadline-Timestamp (unix seconds) is within five minutes, so a captured request
 * cannot be replayed later. The signature is checked on the raw bytes before any parsing.
 */

export const SIGNATURE_TOLERANCE_S = 300;
export const WEBHOOK_BODY_LIMIT = 64 * 1024;

export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export function verifySignature(secret: string, headers: { timestamp?: string | undefined; signature?: string | undefined }, rawBody: string, nowS = Math.floor(Date.now() / 1000)): void {
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isInteger(ts)) throw new AppError(ErrorCode.INGRESS_SIGNATURE_INVALID, 'missing or malformed X-Threadline-Timestamp');
  if (Math.abs(nowS - ts) > SIGNATURE_TOLERANCE_S) throw new AppError(ErrorCode.INGRESS_SIGNATURE_INVALID, 'timestamp outside the allowed window (replayed or clock skew)');
  const expected = Buffer.from(signWebhook(secret, ts, rawBody));
  const given = Buffer.from(String(headers.signature ?? ''));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError(ErrorCode.INGRESS_SIGNATURE_INVALID, 'signature does not match');
  }
}

const text = (max: number) => z.string().max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL');
const When = z.union([z.number().int().min(0), z.iso.datetime()]).optional();

export const SmsWebhook = z.object({
  id: z.string().min(1).max(200).optional(),
  from: z.string().min(1).max(64),
  to: z.string().min(1).max(64),
  text: text(5000),
  receivedAt: When,
}).strict();

export const ChatWebhook = z.object({
  id: z.string().min(1).max(200).optional(),
  provider: z.enum(ChatProviders),
  handle: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200),
  displayName: z.string().max(200).optional(),
  text: text(10_000),
  receivedAt: When,
}).strict();

export const WebformWebhook = z.object({
  id: z.string().min(1).max(200).optional(),
  email: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
  phone: z.string().max(64).optional(),
  subject: z.string().max(500).optional(),
  message: text(20_000),
  receivedAt: When,
}).strict();

export type WebhookChannel = 'sms' | 'chat' | 'webform';

function whenMs(v: number | string | undefined, now: number): number {
  if (v === undefined) return now;
  const t = typeof v === 'number' ? v : Date.parse(v);
  // Provider clocks drift and queues delay: trust their time within a day, never from the future.
  return Number.isFinite(t) && Math.abs(now - t) < 86_400_000 ? Math.min(t, now) : now;
}

export function toContact(channel: WebhookChannel, tenantId: string, body: unknown, now: number): InboundContact {
  const schema = channel === 'sms' ? SmsWebhook : channel === 'chat' ? ChatWebhook : WebformWebhook;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError(ErrorCode.VALIDATION_FAILED, describeIssues(parsed.error.issues), parsed.error.issues.slice(0, 10));
  const c: Channel = channel;
  if (channel === 'sms') {
    const b = parsed.data as z.infer<typeof SmsWebhook>;
    return { tenantId, channel: c, identity: { kind: 'phone', value: b.from }, at: whenMs(b.receivedAt, now), externalRef: b.id, message: { from: 'customer', text: b.text, meta: { to: b.to, providerId: b.id ?? null } } };
  }
  if (channel === 'chat') {
    const b = parsed.data as z.infer<typeof ChatWebhook>;
    return { tenantId, channel: c, identity: { kind: 'chat', value: b.handle, provider: b.provider }, displayName: b.displayName, at: whenMs(b.receivedAt, now), externalRef: b.sessionId, message: { from: 'customer', text: b.text, meta: { sessionId: b.sessionId, provider: b.provider } } };
  }
  const b = parsed.data as z.infer<typeof WebformWebhook>;
  return {
    tenantId, channel: c, identity: { kind: 'email', value: b.email }, displayName: b.name, at: whenMs(b.receivedAt, now), subject: b.subject,
    message: { from: 'customer', text: b.message, subject: b.subject, meta: { phone: b.phone ?? null, name: b.name ?? null } },
  };
}

export interface WebhookOutcome {
  result: IngestResult;
  replayed: boolean;
}

/**
 * Ingests one verified webhook exactly once per idempotency key. The key check, the write and the
 * key record share one transaction under the tenant write lock, so a retry racing the original
 * either sees the stored answer or waits for it — never a second message.
 */
export async function ingestWebhook(db: Db, tenantId: string, channel: WebhookChannel, key: string, rawBody: string, now = Date.now()): Promise<WebhookOutcome> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new AppError(ErrorCode.MALFORMED_JSON, 'body is not valid JSON');
  }
  const contact = toContact(channel, tenantId, body, now);
  const requestHash = createHash('sha256').update(rawBody).digest('hex');
  return withTenant(db, tenantId, async (tx) => {
    await lockTenantWrites(tx, tenantId);
    const [seen] = await tx.query<{ request_hash: string; result: IngestResult }>(
      'select request_hash, result from ingress_idempotency where tenant_id = $1 and channel = $2 and key = $3', [tenantId, channel, key]);
    if (seen) {
      if (seen.request_hash !== requestHash) throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'this idempotency key was used for a different request');
      return { result: seen.result, replayed: true };
    }
    const result = await ingestContact(tx, contact, now);
    await tx.query('insert into ingress_idempotency (tenant_id, channel, key, request_hash, result) values ($1, $2, $3, $4, $5)',
      [tenantId, channel, key, requestHash, JSON.stringify(result)]);
    return { result, replayed: false };
  });
}
