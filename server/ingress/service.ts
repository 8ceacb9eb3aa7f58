import { AppError, ErrorCode } from '../../shared/errors';
import { identityDocId, normalizeIdentity, type RawIdentity } from '../../shared/identity';
import { newId } from '../../shared/ids';
import type { Channel, CustomerDoc, EventDoc, IdentityDoc, InteractionDoc, ThreadDoc } from '../../shared/model/documents';
import { decideThread, type HopFrom } from '../../shared/thread-assembly';
import type { Queryable } from '../db';
import { putDocs } from '../doc-store';
import { lockTenantWrites } from '../tenant-tx';
import { customerFamily, customerHistory, getDoc, interactionAt, resolveCustomer, tenantSettings } from './store';

export interface InboundMessage {
  from: 'customer' | 'agent';
  text?: string | undefined;
  html?: string | undefined;
  subject?: string | undefined;
  /** Channel details worth keeping (Message-ID, SMS provider id, chat session). */
  meta?: Record<string, unknown>;
  attachments?: Array<{ id: string; filename?: string | undefined; contentType: string; size: number }>;
}

export interface InboundContact {
  tenantId: string;
  channel: Channel;
  identity: RawIdentity;
  displayName?: string | undefined;
  at: number;
  direction?: 'inbound' | 'outbound';
  /** Minted by the caller when it must be stable across retries (softphone, offline clients). */
  interactionId?: string | undefined;
  eventId?: string | undefined;
  /** Continue this interaction instead of opening one (an email reply to a known Message-ID). */
  continueInteractionId?: string | undefined;
  externalRef?: string | undefined;
  subject?: string | undefined;
  /** An agent's reply belongs to the thread they answered in, whatever the assembly rule would pick. */
  threadId?: string | undefined;
  agentId?: string | undefined;
  state?: InteractionDoc['state'];
  answeredAt?: number | undefined;
  endedAt?: number | undefined;
  message?: InboundMessage;
}

export interface IngestResult {
  customerId: string;
  threadId: string;
  interactionId: string;
  eventId?: string | undefined;
  customerCreated: boolean;
  threadCreated: boolean;
  interactionCreated: boolean;
  hopFrom?: HopFrom | undefined;
}

const TEXT_LIMIT = 200_000;

/**
 * PostgreSQL text and jsonb cannot hold NUL, and binary mail bodies are full of it: replace it
 * (and lone surrogates, which JSON cannot round-trip) rather than refuse the customer's message.
 */
export function storable<T>(v: T): T {
  if (typeof v === 'string') return v.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') as T;
  if (Array.isArray(v)) return v.map(storable) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), storable(x)])) as T;
  return v;
}

function messageEvent(c: InboundContact, ix: Pick<InteractionDoc, 'id' | 'threadId' | 'customerId'>, now: number): EventDoc | undefined {
  if (!c.message) return undefined;
  const m = c.message;
  const body: Record<string, unknown> = { from: m.from, channel: c.channel };
  if (m.text !== undefined) body.text = m.text.length > TEXT_LIMIT ? m.text.slice(0, TEXT_LIMIT) : m.text;
  if (m.text !== undefined && m.text.length > TEXT_LIMIT) body.truncated = true;
  // Stored as received; every display path sanitizes it (renderer/src/timeline/sanitize.ts).
  if (m.html !== undefined) body.html = m.html.slice(0, TEXT_LIMIT);
  if (m.subject) body.subject = m.subject;
  if (m.meta) body.meta = m.meta;
  if (m.attachments?.length) body.attachments = m.attachments;
  return {
    id: c.eventId ?? newId(now), tenantId: c.tenantId, updatedAt: now, _deleted: false,
    threadId: ix.threadId, interactionId: ix.id, customerId: ix.customerId, kind: 'message', at: c.at,
    ...(m.from === 'agent' && c.agentId ? { authorId: c.agentId } : {}), body,
  };
}

/**
 * One contact in: resolve who it is (or create a provisional customer), pick the thread with the
 * shared assembly rule, and write customer, identity, thread, interaction and message event in the
 * caller's tenant transaction. Takes the tenant write lock first, so two contacts from a new
 * identity arriving at once cannot create two customers.
 */
export async function ingestContact(tx: Queryable, raw: InboundContact, now: number = Date.now()): Promise<IngestResult> {
  const c = storable(raw);
  await lockTenantWrites(tx, c.tenantId);
  const t = c.tenantId;
  const base = { tenantId: t, updatedAt: now, _deleted: false };

  if (c.continueInteractionId) {
    const ix = await getDoc<InteractionDoc>(tx, t, 'interactions', c.continueInteractionId);
    if (ix) {
      const ev = messageEvent(c, ix, now);
      if (ev) await putDocs(tx, 'events', [ev]);
      const thread = await getDoc<ThreadDoc>(tx, t, 'threads', ix.threadId);
      if (thread) {
        await putDocs(tx, 'threads', [{ ...thread, updatedAt: now, lastActivityAt: Math.max(thread.lastActivityAt, c.at), lastChannel: c.channel, status: c.direction === 'outbound' ? thread.status : 'open' }]);
      }
      return { customerId: ix.customerId, threadId: ix.threadId, interactionId: ix.id, eventId: ev?.id, customerCreated: false, threadCreated: false, interactionCreated: false };
    }
  }

  if (c.interactionId) {
    const existing = await getDoc<InteractionDoc>(tx, t, 'interactions', c.interactionId);
    if (existing) {
      // A retried call log: update its lifecycle fields, never a second interaction.
      const merged: InteractionDoc = {
        ...existing, updatedAt: now,
        ...(c.state ? { state: c.state } : {}), ...(c.answeredAt ? { answeredAt: c.answeredAt } : {}),
        ...(c.endedAt ? { endedAt: c.endedAt } : {}), ...(c.agentId ? { agentId: c.agentId } : {}),
      };
      await putDocs(tx, 'interactions', [merged]);
      return { customerId: existing.customerId, threadId: existing.threadId, interactionId: existing.id, customerCreated: false, threadCreated: false, interactionCreated: false, hopFrom: existing.hopFrom };
    }
  }

  const settings = await tenantSettings(tx, t);
  const norm = normalizeIdentity(c.identity, settings.defaultRegion);
  if (!norm.ok) throw new AppError(ErrorCode.INGRESS_IDENTITY_INVALID, norm.message, { identityCode: norm.code });
  const identityId = identityDocId(norm.kind, norm.value);

  let customer: CustomerDoc | undefined;
  const identity = await getDoc<IdentityDoc>(tx, t, 'identities', identityId);
  if (identity) customer = await resolveCustomer(tx, t, identity.customerId);
  let customerCreated = false;
  if (!customer) {
    customer = {
      ...base, id: newId(now), name: (c.displayName?.trim() || norm.value).slice(0, 200), keyAccount: false, tier: 'standard',
      identities: [{ kind: norm.kind, value: norm.value }], provisional: true,
    };
    await putDocs(tx, 'customers', [customer]);
    await putDocs(tx, 'identities', [{ ...base, id: identityId, kind: norm.kind, value: norm.value, customerId: customer.id } satisfies IdentityDoc]);
    customerCreated = true;
  }

  const family = customerCreated ? [customer.id] : await customerFamily(tx, t, customer.id);
  const history = customerCreated ? { threads: [], interactions: [] } : await customerHistory(tx, t, family);
  const interactionId = c.interactionId ?? newId(now);
  const pinned = c.threadId ? history.threads.filter((th) => th.id === c.threadId) : [];
  const decision = decideThread(
    { id: interactionId, channel: c.channel, at: c.at },
    pinned.length ? pinned.map((th) => ({ ...th, status: 'open' as const })) : history.threads,
    history.interactions.map((ix) => ({ id: ix.id, threadId: ix.threadId, channel: ix.channel, at: interactionAt(ix) })),
    settings,
  );

  let thread: ThreadDoc;
  let threadCreated = false;
  if (decision.kind === 'new') {
    thread = {
      ...base, id: newId(now), customerId: customer.id, status: 'open', openedAt: c.at, lastActivityAt: c.at, lastChannel: c.channel,
      ...(c.subject ? { subject: c.subject.slice(0, 500) } : {}),
    };
    threadCreated = true;
  } else {
    const found = history.threads.find((th) => th.id === decision.threadId)!;
    thread = {
      ...found, updatedAt: now, lastActivityAt: Math.max(found.lastActivityAt, c.at), lastChannel: c.channel,
      status: found.status === 'resolved' ? 'open' : found.status,
      ...(found.subject || !c.subject ? {} : { subject: c.subject.slice(0, 500) }),
    };
  }
  await putDocs(tx, 'threads', [thread]);

  const hopFrom = decision.kind === 'join' ? decision.hopFrom : undefined;
  const ix: InteractionDoc = {
    ...base, id: interactionId, threadId: thread.id, customerId: customer.id, channel: c.channel,
    direction: c.direction ?? 'inbound', state: c.state ?? 'queued', offeredAt: c.at,
    ...(c.answeredAt ? { answeredAt: c.answeredAt } : {}), ...(c.endedAt ? { endedAt: c.endedAt } : {}),
    ...(c.agentId ? { agentId: c.agentId } : {}), ...(hopFrom ? { hopFrom } : {}),
    ...(c.externalRef ? { externalRef: c.externalRef.slice(0, 500) } : {}), ...(c.subject ? { subject: c.subject.slice(0, 500) } : {}),
  };
  await putDocs(tx, 'interactions', [ix]);
  const ev = messageEvent(c, ix, now);
  if (ev) await putDocs(tx, 'events', [ev]);
  return { customerId: customer.id, threadId: thread.id, interactionId, eventId: ev?.id, customerCreated, threadCreated, interactionCreated: true, hopFrom };
}
