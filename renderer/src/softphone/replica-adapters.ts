import { ulid } from 'ulid';
import type { ReplicaDatabase } from '../replica/database';
import { screenPop } from '../replica/screen-pop';
import { logCallLocally } from '../customer/log-call';
import { addEvent, editDoc, type EventContext, type Writer } from '../replica/writes';
import type { EventKind } from '../../../shared/model/documents';
import type { CallEventType, CallLogEvent, CallLogSink, RemoteParty, ScreenPop, ScreenPopSource } from './types';

/** Which event kind each softphone event is stored as; a Record so a new call event cannot go unmapped. */
const EVENT_KIND: Record<CallEventType, EventKind> = {
  ring: 'call_leg', dial: 'call_leg', answer: 'call_leg', end: 'call_leg', missed: 'call_leg',
  hold: 'hold', unhold: 'hold', transfer: 'transfer', dtmf: 'dtmf', quality: 'quality', mute: 'state', unmute: 'state',
};

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
 * Events of one call are chained so the interaction exists before its first event.
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
    // Customer and thread are chosen by the same shared rule channel ingress uses (log-call.ts), so a
    // call logged offline lands where the server would have put it.
    const interactionId = ulid(this.now());
    const r = await logCallLocally(this.w, {
      interactionId, remote: e.remote.e164!, direction: e.direction, at: e.at, state: 'offered', agentId: this.agentId, callId: e.sipCallId.slice(0, 500),
    });
    return { threadId: r.threadId, interactionId, customerId: r.customerId, authorId: this.agentId };
  }

  private async write(ctx: EventContext, e: CallLogEvent): Promise<void> {
    const body = { event: e.type, remote: e.remote.e164, ...e.detail };
    await addEvent(this.w, ctx, EVENT_KIND[e.type], body);
    if (e.type === 'answer') await editDoc(this.w, 'interactions', ctx.interactionId, { state: 'active', answeredAt: e.at });
    if (e.type === 'missed') await editDoc(this.w, 'interactions', ctx.interactionId, { state: 'missed', endedAt: e.at });
    if (e.type === 'end') {
      const ix = await this.w.db.interactions.findOne(ctx.interactionId).exec();
      if (ix && ix.get('state') !== 'missed') await editDoc(this.w, 'interactions', ctx.interactionId, { state: ix.get('answeredAt') ? 'wrapup' : 'missed', endedAt: e.at });
    }
  }
}
