import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids';
import type { Timeline } from '../../server/ingress/routes';
import { logCallLocally, planCall } from '../../renderer/src/customer/log-call';
import { openNodeClient, until } from '../chaos/client';
import { bearer, loginAs, postWebhook, startIngressStack, type IngressStack } from './ingress-setup';

/** Same data, same answer: the replica's thread decision for a call equals the server's. */
let stack: IngressStack;
beforeAll(async () => {
  stack = await startIngressStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('thread assembly on client and server', () => {
  it('plans a call in the replica exactly as the server ingests it', async () => {
    const sms = (await (await postWebhook(stack.url, 'sms', JSON.stringify({ from: '+447700900555', to: '+447700900000', text: 'power is out again' }))).json()) as { threadId: string; interactionId: string; customerId: string };
    const client = await openNodeClient({ serverUrl: stack.url });
    try {
      await until(async () => !!(await client.db.interactions.findOne(sms.interactionId).exec()), 'the SMS to reach the replica');
      const call = { interactionId: newId(), remote: 'sip:07700900555@pbx', at: Date.now() };
      const plan = await planCall(client.db, call);
      expect(plan).toMatchObject({ phone: '+447700900555', threadId: sms.threadId, hopFrom: { channel: 'sms', interactionId: sms.interactionId } });
      const auth = bearer(await loginAs(stack.url));
      const res = await fetch(`${stack.url}/ingress/calls`, { method: 'POST', headers: auth, body: JSON.stringify({ ...call, direction: 'inbound', state: 'active' }) });
      const server = (await res.json()) as { threadId: string; customerId: string; hopFrom: unknown };
      expect({ threadId: server.threadId, customerId: server.customerId, hopFrom: server.hopFrom }).toEqual({ threadId: plan.threadId, customerId: plan.customer!.id, hopFrom: plan.hopFrom });
    } finally {
      await client.close();
    }
  });

  it('logs a call from an unknown number offline-first; a later SMS from it joins that thread on the server', async () => {
    const client = await openNodeClient({ serverUrl: stack.url });
    try {
      await client.sync.awaitInSync();
      const call = { interactionId: newId(), remote: 'tel:+447700900666', direction: 'inbound' as const, at: Date.now() - 60_000, state: 'done' as const, endedAt: Date.now() - 30_000 };
      const local = await logCallLocally(client.writer, call);
      // The writes reach the server through ordinary replication.
      await until(async () => (await stack.db.query(`select 1 from docs where collection = 'interactions' and id = $1`, [call.interactionId])).length === 1, 'the call to be pushed');
      const sms = (await (await postWebhook(stack.url, 'sms', JSON.stringify({ from: '07700 900666', to: '+447700900000', text: 'sorry, we got cut off' }))).json()) as { customerId: string; threadId: string; hopFrom: { channel: string; interactionId: string } };
      expect(sms.customerId).toBe(local.customerId);
      expect(sms.threadId).toBe(local.threadId);
      expect(sms.hopFrom).toMatchObject({ channel: 'call', interactionId: call.interactionId });
      const auth = bearer(await loginAs(stack.url));
      const tl = (await (await fetch(`${stack.url}/customers/${local.customerId}/timeline`, { headers: auth })).json()) as Timeline;
      expect(tl.interactions.map((i) => i.channel).sort()).toEqual(['call', 'sms']);
      expect(tl.customer.provisional).toBe(true);
    } finally {
      await client.close();
    }
  });
});
