import { indexedDB } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections } from '../../../shared/model/documents';
import { openReplica, type ReplicaDatabase } from '../replica/database';
import { Outbox } from '../replica/outbox';
import { nodeTestStorage } from '../replica/testing';
import type { Writer } from '../replica/writes';
import { ReplicaCallLog, ReplicaScreenPop } from './replica-adapters';
import type { CallLogEvent } from './types';

const base = { tenantId: 'demo', updatedAt: 1 };
let db: ReplicaDatabase;
let w: Writer;

beforeAll(async () => {
  db = await openReplica({ name: 'softphone-adapters-test', storage: nodeTestStorage(), multiInstance: false });
  const outbox = new Outbox('softphone-adapters-test', indexedDB);
  await outbox.open();
  w = { db, outbox, tenantId: 'demo' };
  await db.customers.insert({ ...base, id: 'c1', name: 'Ada Lovelace', company: 'Analytical Ltd', keyAccount: true, tier: 'platinum', identities: [{ kind: 'phone', value: '+447700900123' }], provisional: false });
  await db.identities.insert({ ...base, id: 'phone:+447700900123', kind: 'phone', value: '+447700900123', customerId: 'c1' });
  await db.threads.insert({ ...base, id: 't1', customerId: 'c1', status: 'open', openedAt: Date.now() - 60_000, lastActivityAt: Date.now() - 60_000, subject: 'Meter reading' });
  await db.events.insert({ ...base, id: 'e1', threadId: 't1', interactionId: 'i0', customerId: 'c1', kind: 'note', at: 4, body: { text: 'Asked for a callback' } });
});
afterAll(async () => {
  await db.close();
});

const remote = (user: string, e164?: string) => ({ user, e164, uri: `sip:${user}@x` });
function ev(type: CallLogEvent['type'], callId: string, pop: CallLogEvent['pop'], r = remote('07700900123', '+447700900123'), detail: Record<string, unknown> = {}): CallLogEvent {
  return { type, callId, sipCallId: `sip-${callId}`, direction: 'inbound', remote: r, pop, at: Date.now(), detail };
}

describe('ReplicaScreenPop', () => {
  it('pops the customer, open thread and recent history from local data', async () => {
    const pop = await new ReplicaScreenPop(db, 'GB').lookup(remote('07700900123', '+447700900123'));
    expect(pop).toMatchObject({ customerId: 'c1', customerName: 'Ada Lovelace', keyAccount: true, threadId: 't1', threadSubject: 'Meter reading' });
    expect(pop!.recent[0]).toMatchObject({ kind: 'note', text: 'Asked for a callback' });
  });

  it('returns null for unknown numbers and internal extensions', async () => {
    const s = new ReplicaScreenPop(db, 'GB');
    expect(await s.lookup(remote('+12025550143', '+12025550143'))).toBeNull();
    expect(await s.lookup(remote('1002'))).toBeNull();
  });
});

describe('ReplicaCallLog', () => {
  it('writes the call as an interaction in the customer\'s open thread with ordered, schema-valid events', async () => {
    const pop = await new ReplicaScreenPop(db, 'GB').lookup(remote('07700900123', '+447700900123'));
    const log = new ReplicaCallLog(w, 'agent-1');
    // Fired without awaiting, as the phone does: the sink must keep them in order.
    void log.record(ev('ring', 'k1', pop));
    void log.record(ev('answer', 'k1', pop));
    void log.record(ev('hold', 'k1', pop));
    void log.record(ev('transfer', 'k1', pop, undefined, { kind: 'blind', target: '1003' }));
    void log.record(ev('quality', 'k1', pop, undefined, { mos: 4.3 }));
    await log.record(ev('end', 'k1', pop, undefined, { reason: 'remote hang-up' }));

    const ix = await db.interactions.findOne({ selector: { externalRef: 'sip-k1' } }).exec();
    expect(ix?.toJSON()).toMatchObject({ threadId: 't1', customerId: 'c1', channel: 'call', direction: 'inbound', agentId: 'agent-1', state: 'wrapup' });
    expect(ix!.get('answeredAt')).toBeGreaterThan(0);
    const events = await db.events.find({ selector: { interactionId: ix!.id } }).exec();
    const bodies = events.map((e) => e.toJSON()).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(bodies.map((e) => `${e.kind}:${String(e.body.event)}`)).toEqual([
      'call_leg:ring', 'call_leg:answer', 'hold:hold', 'transfer:transfer', 'quality:quality', 'call_leg:end',
    ]);
    for (const e of bodies) expect(collections.events.safeParse(e).success).toBe(true);
    // Written locally first: marked not-yet-synced until the sync client pushes it.
    expect(w.outbox.isPending('interactions', ix!.id)).toBe(true);
  });

  it('turns an unknown caller into a provisional customer with a new thread; a missed call is marked missed', async () => {
    const log = new ReplicaCallLog(w, 'agent-1');
    const r = remote('+12025550143', '+12025550143');
    void log.record(ev('ring', 'k2', null, r));
    void log.record(ev('missed', 'k2', null, r, { reason: 'caller-cancelled' }));
    await log.record(ev('end', 'k2', null, r));
    const ident = await db.identities.findOne('phone:+12025550143').exec();
    expect(ident).not.toBeNull();
    const customer = await db.customers.findOne(ident!.get('customerId') as string).exec();
    expect(customer?.get('provisional')).toBe(true);
    const ix = await db.interactions.findOne({ selector: { externalRef: 'sip-k2' } }).exec();
    expect(ix?.get('state')).toBe('missed');
    const thread = await db.threads.findOne(ix!.get('threadId') as string).exec();
    expect(thread?.get('customerId')).toBe(customer!.id);
  });

  it('does not log agent-to-agent calls', async () => {
    const log = new ReplicaCallLog(w, 'agent-1');
    await log.record(ev('ring', 'k3', null, remote('1002')));
    await log.record(ev('end', 'k3', null, remote('1002')));
    expect(await db.interactions.findOne({ selector: { externalRef: 'sip-k3' } }).exec()).toBeNull();
  });
});
