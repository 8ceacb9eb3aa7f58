import nodemailer from 'nodemailer';
import { AppError, ErrorCode } from '../../shared/errors';
import { newId } from '../../shared/ids';
import type { CustomerDoc, InteractionDoc, ThreadDoc } from '../../shared/model/documents';
import type { Db } from '../db';
import { withTenant } from '../tenant-tx';
import { ingestContact, type IngestResult } from './service';
import { getDoc, resolveCustomer } from './store';
import { signWebhook } from './webhooks';

/**
 * Agent replies on the customer's channel. Email goes through a configured SMTP relay with
 * Message-ID / In-Reply-To / References so the customer's mail client threads it and their answer
 * comes back into the same interaction. SMS and chat go through a pluggable adapter: by default an
 * HTTP webhook to the tenant's provider bridge, signed like inbound webhooks.
 */

export interface OutboundMessage {
  tenantId: string;
  channel: 'sms' | 'chat';
  to: string;
  text: string;
  threadId: string;
  interactionId: string;
}

export interface MessagingAdapter {
  send(msg: OutboundMessage): Promise<{ providerId?: string | undefined }>;
}

export function webhookAdapter(url: string, secret: string, fetchImpl: typeof fetch = fetch): MessagingAdapter {
  return {
    async send(msg) {
      const body = JSON.stringify(msg);
      const ts = Math.floor(Date.now() / 1000);
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-threadline-timestamp': String(ts), 'x-threadline-signature': signWebhook(secret, ts, body), 'idempotency-key': msg.interactionId },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new AppError(ErrorCode.OUTBOUND_FAILED, `messaging provider unreachable: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!res.ok) throw new AppError(ErrorCode.OUTBOUND_FAILED, `messaging provider answered ${res.status}`);
      const out = (await res.json().catch(() => ({}))) as { id?: unknown };
      return { providerId: typeof out.id === 'string' ? out.id : undefined };
    },
  };
}

export interface OutboundDeps {
  db: Db;
  /** smtp://host:port (nodemailer URL). Unset: email replies are refused with a clear error. */
  smtpRelayUrl?: string | undefined;
  messaging?: MessagingAdapter | undefined;
}

export interface ReplyRequest {
  tenantId: string;
  threadId: string;
  channel: 'email' | 'sms' | 'chat';
  text: string;
  agentId?: string | undefined;
  /** Client-minted, so a retried send after a dropped response is recognised. */
  clientId?: string | undefined;
}

function identityFor(customer: CustomerDoc, kind: 'email' | 'phone' | 'chat'): string | undefined {
  return customer.identities.find((i) => i.kind === kind)?.value;
}

export async function sendReply(deps: OutboundDeps, req: ReplyRequest, now = Date.now()): Promise<IngestResult & { messageId?: string | undefined }> {
  const ctx = await withTenant(deps.db, req.tenantId, async (tx) => {
    const thread = await getDoc<ThreadDoc>(tx, req.tenantId, 'threads', req.threadId);
    if (!thread) throw new AppError(ErrorCode.NOT_FOUND, `no thread ${req.threadId}`);
    const customer = await resolveCustomer(tx, req.tenantId, thread.customerId);
    if (!customer) throw new AppError(ErrorCode.NOT_FOUND, `thread ${req.threadId} has no customer`);
    // The reply continues the thread's latest interaction only if that is on the same channel;
    // after a hop (the customer called since) it is a new outbound contact that records the hop.
    const [latest] = await tx.query<{ data: InteractionDoc }>(
      `select data from docs where tenant_id = $1 and collection = 'interactions' and data->>'threadId' = $2 and not deleted
       order by (data->>'offeredAt')::bigint desc nulls last, id desc limit 1`, [req.tenantId, req.threadId]);
    const last = latest?.data.channel === req.channel ? latest : undefined;
    const refs = req.channel === 'email'
      // Through the interactions, not email_messages.thread_id: a merge may have re-threaded them since.
      ? await tx.query<{ message_id: string }>(
        `select m.message_id from email_messages m
           join docs d on d.tenant_id = m.tenant_id and d.collection = 'interactions' and d.id = m.interaction_id
          where m.tenant_id = $1 and d.data->>'threadId' = $2 and not d.deleted
          order by m.created_at desc limit 20`, [req.tenantId, req.threadId])
      : [];
    // A customer with several addresses gets the answer at the one they wrote from in this thread.
    const [usedAddress] = req.channel === 'email'
      ? await tx.query<{ address: string }>(
        // Events keep the thread they were written in (append-only); their interaction says where they are now.
        `select e.data->'body'->'meta'->>'from' as address from docs e
           join docs i on i.tenant_id = e.tenant_id and i.collection = 'interactions' and i.id = e.data->>'interactionId'
          where e.tenant_id = $1 and e.collection = 'events' and i.data->>'threadId' = $2 and not i.deleted
            and e.data->'body'->>'channel' = 'email' and e.data->'body'->>'from' = 'customer' and e.data->'body'->'meta'->>'from' is not null
          order by (e.data->>'at')::bigint desc, e.id desc limit 1`, [req.tenantId, req.threadId])
      : [];
    return { thread, customer, last: last?.data, refs: refs.map((r) => r.message_id), usedAddress: usedAddress?.address };
  });
  // The tenant's own inbound address is the reply's From, so the customer's answer comes back to us.
  const [fromRow] = req.channel === 'email'
    ? await deps.db.query<{ address: string }>(`select address from ingress_addresses where tenant_id = $1 and channel = 'email' order by created_at, address limit 1`, [req.tenantId])
    : [];

  const kind = req.channel === 'email' ? 'email' : req.channel === 'sms' ? 'phone' : 'chat';
  const to = (ctx.usedAddress && ctx.customer.identities.some((i) => i.kind === 'email' && i.value === ctx.usedAddress) ? ctx.usedAddress : undefined) ?? identityFor(ctx.customer, kind);
  if (!to) throw new AppError(ErrorCode.VALIDATION_FAILED, `the customer has no ${kind} identity to reply to`);
  const interactionId = req.clientId ?? newId(now);
  let messageId: string | undefined;
  let meta: Record<string, unknown> = {};
  if (req.channel === 'email') {
    if (!deps.smtpRelayUrl) throw new AppError(ErrorCode.OUTBOUND_FAILED, 'no SMTP relay configured (SMTP_RELAY_URL)');
    const from = fromRow?.address ?? `support@${req.tenantId}.threadline.invalid`;
    messageId = `<${newId(now)}@${from.split('@')[1] ?? 'threadline.invalid'}>`;
    const subject = ctx.thread.subject ? (/^re:/i.test(ctx.thread.subject) ? ctx.thread.subject : `Re: ${ctx.thread.subject}`) : 'Your enquiry';
    const transport = nodemailer.createTransport(deps.smtpRelayUrl);
    try {
      await transport.sendMail({
        from, to, subject, text: req.text, messageId,
        ...(ctx.refs[0] ? { inReplyTo: ctx.refs[0], references: [...ctx.refs].reverse() } : {}),
      });
    } catch (err) {
      throw new AppError(ErrorCode.OUTBOUND_FAILED, `SMTP relay refused the reply: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      transport.close();
    }
    meta = { messageId, inReplyTo: ctx.refs[0] ?? null };
  } else {
    if (!deps.messaging) throw new AppError(ErrorCode.OUTBOUND_FAILED, `no ${req.channel} adapter configured (OUTBOUND_WEBHOOK_URL)`);
    const sent = await deps.messaging.send({ tenantId: req.tenantId, channel: req.channel, to, text: req.text, threadId: req.threadId, interactionId: ctx.last?.id ?? interactionId });
    meta = { providerId: sent.providerId ?? null };
  }

  return withTenant(deps.db, req.tenantId, async (tx) => {
    const result = await ingestContact(tx, {
      tenantId: req.tenantId, channel: req.channel,
      identity: kind === 'chat' ? { kind, provider: to.slice(0, to.indexOf(':')), value: to.slice(to.indexOf(':') + 1) } : { kind, value: to },
      at: now, direction: 'outbound', state: 'done', agentId: req.agentId,
            continueInteractionId: ctx.last?.id,
      interactionId: ctx.last ? undefined : interactionId, threadId: req.threadId,
      message: { from: 'agent', text: req.text, meta },
    }, now);
    if (messageId) {
      await tx.query(`insert into email_messages (tenant_id, message_id, interaction_id, thread_id, direction) values ($1, $2, $3, $4, 'outbound') on conflict do nothing`,
        [req.tenantId, messageId, result.interactionId, result.threadId]);
    }
    return { ...result, messageId };
  });
}
