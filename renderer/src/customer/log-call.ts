import { ulid } from 'ulid';
import { AppError, ErrorCode } from '../../../shared/errors';
import { identityDocId, normalizePhone } from '../../../shared/identity';
import type { CustomerDoc, InteractionDoc, ThreadDoc } from '../../../shared/model/documents';
import { decideThread, DEFAULT_THREAD_WINDOW_DAYS, type HopFrom } from '../../../shared/thread-assembly';
import type { ReplicaDatabase } from '../replica/database';
import { editDoc, writeLocal, type Writer } from '../replica/writes';
import { customerFamily } from '../replica/customer-family';

/**
 * Logging a call without the server: the softphone resolves the caller and picks the thread from the
 * local replica with the same shared rule the server's ingress uses, then writes through the replica
 * (outbox, push when the link allows). With the same data, `planCall` and the server's
 * `POST /ingress/calls` reach the same thread and hop — the acceptance test checks exactly that.
 */
export interface CallLog {
  interactionId: string;
  remote: string;
  direction: 'inbound' | 'outbound';
  at: number;
  state: InteractionDoc['state'];
  answeredAt?: number | undefined;
  endedAt?: number | undefined;
  agentId?: string | undefined;
  callId?: string | undefined;
}

export interface CallPlan {
  phone: string;
  customer?: Omit<CustomerDoc, '_deleted'> | undefined;
  threadId?: string | undefined;
  thread?: Omit<ThreadDoc, '_deleted'> | undefined;
  hopFrom?: HopFrom | undefined;
}

async function settings(db: ReplicaDatabase): Promise<{ defaultRegion: string; threadWindowDays: number }> {
  const doc = await db.config.findOne({ selector: { kind: 'tenant_settings' } }).exec();
  const data = (doc?.data ?? {}) as { defaultRegion?: unknown; threadWindowDays?: unknown };
  return {
    defaultRegion: typeof data.defaultRegion === 'string' ? data.defaultRegion : 'US',
    threadWindowDays: typeof data.threadWindowDays === 'number' ? data.threadWindowDays : DEFAULT_THREAD_WINDOW_DAYS,
  };
}

export async function planCall(db: ReplicaDatabase, call: Pick<CallLog, 'interactionId' | 'remote' | 'at'>): Promise<CallPlan> {
  const s = await settings(db);
  const user = /^(?:sips?:|tel:)?([^@;]+)/i.exec(call.remote.trim())?.[1] ?? call.remote;
  const norm = normalizePhone(user, s.defaultRegion);
  if (!norm.ok) throw new AppError(ErrorCode.INGRESS_IDENTITY_INVALID, norm.message);
  const ident = await db.identities.findOne(identityDocId('phone', norm.value)).exec();
  const fam = ident ? await customerFamily(db, ident.customerId) : undefined;
  if (!fam) return { phone: norm.value };
  const { customer, ids } = fam;
  const threads = (await db.threads.find({ selector: { customerId: { $in: ids } } }).exec()).map((t) => t.toJSON() as Omit<ThreadDoc, '_deleted'>);
  const interactions = await db.interactions.find({ selector: { customerId: { $in: ids } } }).exec();
  const d = decideThread(
    { id: call.interactionId, channel: 'call', at: call.at },
    threads,
    interactions.map((i) => ({ id: i.id, threadId: i.threadId, channel: i.channel, at: i.offeredAt ?? i.answeredAt ?? i.updatedAt })),
    s,
  );
  const plainCustomer = customer.toJSON() as Omit<CustomerDoc, '_deleted'>;
  if (d.kind === 'new') return { phone: norm.value, customer: plainCustomer };
  return { phone: norm.value, customer: plainCustomer, threadId: d.threadId, thread: threads.find((t) => t.id === d.threadId), hopFrom: d.hopFrom };
}

/** Plans and writes the call into the replica; an unknown caller becomes a provisional customer. */
export async function logCallLocally(w: Writer, call: CallLog): Promise<{ customerId: string; threadId: string; hopFrom?: HopFrom | undefined }> {
  const now = (w.now ?? Date.now)();
  const plan = await planCall(w.db, call);
  const base = { tenantId: w.tenantId, updatedAt: now };
  let customerId = plan.customer?.id;
  if (!customerId) {
    customerId = ulid(now);
    await writeLocal(w, 'customers', { ...base, id: customerId, name: plan.phone, identities: [{ kind: 'phone', value: plan.phone }], provisional: true });
    await writeLocal(w, 'identities', { ...base, id: identityDocId('phone', plan.phone), kind: 'phone', value: plan.phone, customerId });
  }
  let threadId = plan.threadId;
  if (threadId && plan.thread) {
    await editDoc(w, 'threads', threadId, { lastActivityAt: Math.max(plan.thread.lastActivityAt, call.at), lastChannel: 'call', ...(plan.thread.status === 'resolved' ? { status: 'open' } : {}) });
  } else {
    threadId = ulid(now);
    await writeLocal(w, 'threads', { ...base, id: threadId, customerId, status: 'open', openedAt: call.at, lastActivityAt: call.at, lastChannel: 'call' });
  }
  await writeLocal(w, 'interactions', {
    ...base, id: call.interactionId, threadId, customerId, channel: 'call', direction: call.direction, state: call.state, offeredAt: call.at,
    ...(call.answeredAt ? { answeredAt: call.answeredAt } : {}), ...(call.endedAt ? { endedAt: call.endedAt } : {}),
    ...(call.agentId ? { agentId: call.agentId } : {}), ...(call.callId ? { externalRef: call.callId } : {}),
    ...(plan.hopFrom ? { hopFrom: plan.hopFrom } : {}),
  });
  return { customerId, threadId, hopFrom: plan.hopFrom };
}
