import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from '../../shared/errors';
import { ChatProviders } from '../../shared/identity';
import { ULID_PATTERN } from '../../shared/ids';
import { IdentityKind, type AgentDoc, type CustomerDoc, type EventDoc, type InteractionDoc, type ThreadDoc } from '../../shared/model/documents';
import { authenticate } from '../auth/routes';
import type { AuthContext, TokenService } from '../auth/tokens';
import type { Db } from '../db';
import type { Logger } from '../logger';
import { withTenant } from '../tenant-tx';
import { linkIdentity, mergeCustomers, undoAction } from './actions';
import { tenantForAddress } from './email';
import { sendReply, type MessagingAdapter } from './outbound';
import { quarantine } from './quarantine';
import { ingestContact } from './service';
import { customerFamily, docsByField, resolveCustomer } from './store';
import { ingestWebhook, verifySignature, WEBHOOK_BODY_LIMIT, type WebhookChannel } from './webhooks';

export interface IngressRouteDeps {
  db: Db;
  log: Logger;
  tokens: TokenService;
  smtpRelayUrl?: string | undefined;
  messaging?: MessagingAdapter | undefined;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new AppError(ErrorCode.VALIDATION_FAILED, describeIssues(r.error.issues), r.error.issues.slice(0, 10));
  return r.data;
}

const IdParam = z.object({ id: z.string().min(1).max(64) });
const LinkBody = z.object({ kind: IdentityKind, value: z.string().min(1).max(512), provider: z.string().max(32).optional() }).strict();
const MergeBody = z.object({ sourceId: z.string().min(1).max(64) }).strict();
const ReplyBody = z.object({ channel: z.enum(['email', 'sms', 'chat']), text: z.string().min(1).max(20_000), clientId: z.string().regex(ULID_PATTERN).optional() }).strict();
const CallBody = z.object({
  /** Minted by the softphone when the call starts, so a log retried after an outage is the same interaction. */
  interactionId: z.string().regex(ULID_PATTERN),
  direction: z.enum(['inbound', 'outbound']),
  remote: z.string().min(1).max(320),
  at: z.number().int().min(0),
  answeredAt: z.number().int().min(0).optional(),
  endedAt: z.number().int().min(0).optional(),
  state: z.enum(['offered', 'active', 'wrapup', 'done', 'missed', 'abandoned']).default('active'),
  callId: z.string().max(500).optional(),
}).strict();
const SearchQuery = z.object({ q: z.string().max(200).default(''), limit: z.coerce.number().int().min(1).max(200).default(50) });

/** `sip:+447700900123@pbx;user=phone` and `tel:` URIs carry the number in their user part. */
export function remoteNumber(remote: string): string {
  const m = /^(?:sips?:|tel:)?([^@;]+)/i.exec(remote.trim());
  return m ? m[1]! : remote;
}

export interface Timeline {
  customer: CustomerDoc;
  /** Ids that resolve to this customer (itself and everyone merged into it). */
  customerIds: string[];
  threads: ThreadDoc[];
  interactions: InteractionDoc[];
  events: EventDoc[];
  agents: Record<string, string>;
}

export const ingressRoutes: FastifyPluginAsync<IngressRouteDeps> = async (app, deps) => {
  const { db } = deps;
  const auth = (req: FastifyRequest): Promise<AuthContext> => authenticate({ db, tokens: deps.tokens }, req);

  // Webhooks: raw body kept as a string, verified before it is parsed.
  await app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
    hooks.post('/ingress/webhooks/:channel/:endpoint', async (req, reply) => {
      const { channel, endpoint } = parse(z.object({ channel: z.enum(['sms', 'chat', 'webform']), endpoint: z.string().min(1).max(200) }), req.params);
      const raw = typeof req.body === 'string' ? req.body : '';
      const target = await tenantForAddress(db, channel, endpoint);
      if (!target || !target.secret) throw new AppError(ErrorCode.INGRESS_UNKNOWN_ADDRESS, `no ${channel} endpoint ${endpoint}`);
      const h = req.headers;
      verifySignature(target.secret, { timestamp: h['x-threadline-timestamp'] as string | undefined, signature: h['x-threadline-signature'] as string | undefined }, raw);
      const key = String(h['idempotency-key'] ?? '');
      if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new AppError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key header is required (1–200 printable characters)');
      try {
        const out = await ingestWebhook(db, target.tenantId, channel as WebhookChannel, key, raw);
        return reply.status(out.replayed ? 200 : 201).send({ ...out.result, replayed: out.replayed });
      } catch (err) {
        // An authentic request we could not take is kept: the provider may not retry a 4xx.
        if (err instanceof AppError && err.code !== ErrorCode.IDEMPOTENCY_KEY_REUSED) {
          await quarantine(db, { tenantId: target.tenantId, channel, code: err.code, reason: err.message, raw }).catch((qerr: unknown) => deps.log.error({ err: qerr }, 'quarantine failed'));
        }
        throw err;
      }
    });
  });

  app.post('/ingress/calls', async (req, reply) => {
    const ctx = await auth(req);
    const body = parse(CallBody, req.body);
    const result = await withTenant(db, ctx.tenantId, (tx) => ingestContact(tx, {
      tenantId: ctx.tenantId, channel: 'call', identity: { kind: 'phone', value: remoteNumber(body.remote) }, at: body.at,
      direction: body.direction, interactionId: body.interactionId, externalRef: body.callId, agentId: ctx.agentId,
      state: body.state, answeredAt: body.answeredAt, endedAt: body.endedAt,
    }));
    return reply.status(result.interactionCreated ? 201 : 200).send(result);
  });

  app.get('/customers', async (req) => {
    const ctx = await auth(req);
    const { q, limit } = parse(SearchQuery, req.query);
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return withTenant(db, ctx.tenantId, async (tx) => {
      const rows = await tx.query<{ data: CustomerDoc }>(
        `select data from docs where tenant_id = $1 and collection = 'customers' and not deleted and data->>'mergedInto' is null
           and (lower(data->>'name') like $2 or lower(data->>'identities') like $2 or lower(coalesce(data->>'company', '')) like $2)
         order by updated_at desc limit $3`, [ctx.tenantId, like, limit]);
      return { customers: rows.map((r) => r.data) };
    });
  });

  app.get('/customers/:id/timeline', async (req): Promise<Timeline> => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    return withTenant(db, ctx.tenantId, async (tx) => {
      const customer = await resolveCustomer(tx, ctx.tenantId, id);
      if (!customer) throw new AppError(ErrorCode.NOT_FOUND, `no customer ${id}`);
      const customerIds = await customerFamily(tx, ctx.tenantId, customer.id);
      const threads = await docsByField<ThreadDoc>(tx, ctx.tenantId, 'threads', 'customerId', customerIds);
      const interactions = await docsByField<InteractionDoc>(tx, ctx.tenantId, 'interactions', 'customerId', customerIds);
      // Events stay where they were written (append-only); they follow their interaction.
      const events = await docsByField<EventDoc>(tx, ctx.tenantId, 'events', 'interactionId', interactions.map((i) => i.id));
      const agentRows = await tx.query<{ data: AgentDoc }>(`select data from docs where tenant_id = $1 and collection = 'agents' and not deleted`, [ctx.tenantId]);
      const agents = Object.fromEntries(agentRows.map((r) => [r.data.id, r.data.displayName]));
      return { customer, customerIds, threads, interactions, events, agents };
    });
  });

  app.post('/customers/:id/identities', async (req, reply) => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    const body = parse(LinkBody, req.body);
    if (body.kind === 'chat' && body.provider && !(ChatProviders as readonly string[]).includes(body.provider.toLowerCase())) {
      throw new AppError(ErrorCode.INGRESS_IDENTITY_INVALID, `unknown chat provider ${body.provider}`);
    }
    const result = await withTenant(db, ctx.tenantId, (tx) => linkIdentity(tx, ctx.tenantId, ctx.userId, id, body));
    return reply.status(201).send(result);
  });

  app.post('/customers/:id/merge', async (req, reply) => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    const { sourceId } = parse(MergeBody, req.body);
    const result = await withTenant(db, ctx.tenantId, (tx) => mergeCustomers(tx, ctx.tenantId, ctx.userId, id, sourceId));
    return reply.status(201).send(result);
  });

  app.post('/customer-actions/:id/undo', async (req) => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    return withTenant(db, ctx.tenantId, (tx) => undoAction(tx, ctx.tenantId, ctx.userId, id));
  });

  // Attachments leave only as downloads: a customer's HTML or SVG "attachment" must never render in our origin.
  app.get('/attachments/:id', async (req, reply) => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    const row = await withTenant(db, ctx.tenantId, async (tx) => (await tx.query<{ filename: string | null; content_type: string; content: Uint8Array; sha256: string }>(
      'select filename, content_type, content, sha256 from ingress_attachments where tenant_id = $1 and id = $2', [ctx.tenantId, id]))[0]);
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `no attachment ${id}`);
    const name = (row.filename ?? 'attachment').replace(/[^\w.\- ]+/g, '_').slice(0, 120) || 'attachment';
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(row.filename ?? name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-original-content-type', row.content_type.replace(/[^\w./+-]/g, ''))
      .header('etag', `"${row.sha256}"`)
      .send(Buffer.from(row.content));
  });

  app.post('/threads/:id/replies', async (req, reply) => {
    const ctx = await auth(req);
    const { id } = parse(IdParam, req.params);
    const body = parse(ReplyBody, req.body);
    const result = await sendReply({ db, smtpRelayUrl: deps.smtpRelayUrl, messaging: deps.messaging }, {
      tenantId: ctx.tenantId, threadId: id, channel: body.channel, text: body.text, agentId: ctx.agentId, clientId: body.clientId,
    });
    return reply.status(201).send(result);
  });
};
