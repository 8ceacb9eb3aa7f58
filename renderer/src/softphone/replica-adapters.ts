import { ulid } from 'ulid';
import { identityDocId } from '../../../shared/identity';
import type { ReplicaDatabase } from '../replica/database';
import { screenPop } from '../replica/screen-pop';
import { addEvent, editDoc, writeLocal, type EventContext, type Writer } from '../replica/writes';
import type { CallLogEvent, CallLogSink, RemoteParty, ScreenPop, ScreenPopSource } from './types';

/** Screen pop straight from the local replica: no network, so it works with the sync server down. */
export class ReplicaScreenPop implements ScreenPopSource {
  constructor(private db: ReplicaDatabase, private region: string) {}

  async lookup(remote: RemoteParty): Promise<ScreenPop | null> {
    if (!remote.e164) return null;
    const r = await screenPop(this.db, { value: remote.e164, kind: 'phone', defaultCountry: this.region, limit: 5 });
    if (!r.customer) return null;
    const open = r.threads.find((t) => t.status !== 'resolved') ?? r.threads[0];
    return {
      customerId: r.customer.id,
      customerName: r.customer.name,
      company: r.customer.company,
      keyAccount: r.customer.keyAccount,
      tier: r.customer.tier,
      threadId: open?.id,
      threadSubject: open?.subject,
      recent: r.items.map((e) => ({ at: e.at, kind: e.kind, text: summarize(e.body) })),
    };
  }
}

function summarize(body: Record<string, unknown>): string {
  const t = body.text ?? body.subject ?? body.outcome ?? body.reason;
  return typeof t === 'string' ? t.slice(0, 120) : Object.keys(body).slice(0, 3).join(', ');
}

interface Leg {
  ctx: EventContext;
  chain: Promise<void>;
}

/**
 * Every external call becomes an interaction in the customer's thread, with its events, written to
 * the replica first (the outbox marks it "not yet synced") and pushed by the sync client later.
 * Calls between agents' extensions have no customer and are not logged. An unknown caller becomes a
 * provisional customer, the same way channel ingress treats an unknown sender.
 */
export class ReplicaCallLog implements CallLogSink {
  private legs = new Map<string, Leg>();

  constructor(private w: Writer, private agentId: string | undefined, private now: () => number = Date.now) {}

  record(e: CallLogEvent): Promise<void> {
    if (!e.remote.e164) return Promise.resolve();
    let leg = this.legs.get(e.callId);
    if (!leg) {
      if (e.type !== 'ring' && e.type !== 'dial') return Promise.resolve();
      const pending: Leg = { ctx: { threadId: '', interactionId: '', customerId: '' }, chain: Promise.resolve() };
      pending.chain = this.open(e).then((ctx) => {
        pending.ctx = ctx;
      });
      this.legs.set(e.callId, pending);
      leg = pending;
    }
    const current = leg;
    // One call's writes stay in order: the interaction exists before its first event.
    current.chain = current.chain.then(() => this.write(current.ctx, e));
    if (e.type === 'end') {
      const done = current.chain;
      void done.finally(() => this.legs.delete(e.callId));
      return done;
    }
    return current.chain;
  }

  private async open(e: CallLogEvent): Promise<EventContext> {
    const at = this.now();
    const t = this.w.tenantId;
    const phone = e.remote.e164!;
    let customerId = e.pop?.customerId;
    let threadId = e.pop?.threadId;
    if (!customerId) {
      customerId = ulid(at);
      await writeLocal(this.w, 'customers', {
        id: customerId, tenantId: t, updatedAt: at, name: e.remote.displayName ?? phone,
        identities: [{ kind: 'phone', value: phone }], provisional: true,
      });
      await writeLocal(this.w, 'identities', { id: identityDocId('phone', phone), tenantId: t, updatedAt: at, kind: 'phone', value: phone, customerId });
    }
    if (threadId) {
      await editDoc(this.w, 'threads', threadId, { lastActivityAt: at, lastChannel: 'call', status: 'open' }).catch(() => undefined);
    } else {
      threadId = ulid(at);
      await writeLocal(this.w, 'threads', {
        id: threadId, tenantId: t, updatedAt: at, customerId, status: 'open', openedAt: at, lastActivityAt: at, lastChannel: 'call',
        subject: `Call ${e.direction === 'inbound' ? 'from' : 'to'} ${phone}`,
      });
    }
    const interactionId = ulid(at);
    await writeLocal(this.w, 'interactions', {
      id: interactionId, tenantId: t, updatedAt: at, threadId, customerId, channel: 'call', direction: e.direction,
      agentId: this.agentId, state: 'offered', offeredAt: e.at, externalRef: e.sipCallId.slice(0, 500),
    });
    return { threadId, interactionId, customerId, authorId: this.agentId };
  }

  private async write(ctx: EventContext, e: CallLogEvent): Promise<void> {
    const body = { event: e.type, remote: e.remote.e164, ...e.detail };
    switch (e.type) {
      case 'ring':
      case 'dial':
      case 'answer':
      case 'end':
      case 'missed':
        await addEvent(this.w, ctx, 'call_leg', body);
        break;
      case 'hold':
      case 'unhold':
        await addEvent(this.w, ctx, 'hold', body);
        break;
      case 'transfer':
        await addEvent(this.w, ctx, 'transfer', body);
        break;
      case 'dtmf':
        await addEvent(this.w, ctx, 'dtmf', body);
        break;
      case 'quality':
        await addEvent(this.w, ctx, 'quality', body);
        break;
      case 'mute':
      case 'unmute':
        await addEvent(this.w, ctx, 'state', body);
        break;
    }
    if (e.type === 'answer') await editDoc(this.w, 'interactions', ctx.interactionId, { state: 'active', answeredAt: e.at });
    if (e.type === 'missed') await editDoc(this.w, 'interactions', ctx.interactionId, { state: 'missed', endedAt: e.at });
    if (e.type === 'end') {
      const ix = await this.w.db.interactions.findOne(ctx.interactionId).exec();
      if (ix && ix.get('state') !== 'missed') await editDoc(this.w, 'interactions', ctx.interactionId, { state: ix.get('answeredAt') ? 'wrapup' : 'missed', endedAt: e.at });
    }
  }
}
