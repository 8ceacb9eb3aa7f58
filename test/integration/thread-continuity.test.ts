import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/ids';
import { buildTimeline } from '../../renderer/src/timeline/model';
import { replicaTimeline } from '../../renderer/src/timeline/replica-source';
import { openNodeClient, until } from '../chaos/client';
import type { Timeline } from '../../server/ingress/routes';
import { bearer, loginAs, postWebhook, sendMail, startIngressStack, type IngressStack } from './ingress-setup';

/**
 * The acceptance story of issue 6: a customer emails, texts from a number we do not know yet (the
 * agent links it), then calls. One customer, one thread, three interactions, two hop markers — on the
 * server and in a client replica.
 */
let stack: IngressStack;
beforeAll(async () => {
  stack = await startIngressStack();
});
afterAll(async () => {
  await stack?.close();
});

async function timeline(customerId: string, token: Record<string, string>): Promise<Timeline> {
  const res = await fetch(`${stack.url}/customers/${customerId}/timeline`, { headers: token });
  expect(res.status).toBe(200);
  return (await res.json()) as Timeline;
}

describe('one continuous thread across email, SMS and a call', () => {
  it('assembles email → SMS (linked by the agent) → call into one thread with two hops', async () => {
    const session = await loginAs(stack.url);
    const auth = bearer(session);

    // 1. A real email over SMTP.
    await sendMail(stack.smtp.port, readFileSync('test/fixtures/mail/hostile-html.eml'), { from: 'alice.fenwick@example.org', to: ['support@northwind.example'] });
    const [emailIdentity] = await stack.db.query<{ customer_id: string }>(
      `select data->>'customerId' as customer_id from docs where tenant_id = 'demo' and collection = 'identities' and id = 'email:alice.fenwick@example.org'`);
    expect(emailIdentity).toBeDefined();
    const alice = emailIdentity!.customer_id;
    const afterEmail = await timeline(alice, auth);
    expect(afterEmail.customer).toMatchObject({ provisional: true, name: 'Alice Fenwick' });
    expect(afterEmail.interactions).toHaveLength(1);
    expect(afterEmail.events[0]!.body).toMatchObject({ subject: 'Meter reading dispute', from: 'customer' });

    // 2. An SMS from a number nobody knows yet: a provisional customer of its own. Retried once by the provider.
    const sms = JSON.stringify({ id: 'SM-1', from: '07700 900456', to: '+447700900000', text: 'Sent you an email about my meter. Any news? - Alice' });
    const first = await postWebhook(stack.url, 'sms', sms, { key: 'SM-1' });
    expect(first.status).toBe(201);
    const smsResult = (await first.json()) as { customerId: string; interactionId: string; customerCreated: boolean };
    expect(smsResult.customerCreated).toBe(true);
    expect(smsResult.customerId).not.toBe(alice);
    const retry = await postWebhook(stack.url, 'sms', sms, { key: 'SM-1' });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ replayed: true, interactionId: smsResult.interactionId });

    // 3. The agent links the number to Alice: the provisional customer folds into her, the SMS joins her thread.
    const link = await fetch(`${stack.url}/customers/${alice}/identities`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'phone', value: '+44 7700 900456' }) });
    expect(link.status).toBe(201);
    const linked = (await link.json()) as { actionId: string; mergedCustomerId: string; movedInteractions: string[] };
    expect(linked.mergedCustomerId).toBe(smsResult.customerId);
    expect(linked.movedInteractions).toEqual([smsResult.interactionId]);

    // 4. Alice calls from that number; the softphone logs the call (and retries the log after a blip).
    const callId = newId();
    const call = { interactionId: callId, direction: 'inbound', remote: 'sip:07700900456@pbx.northwind.example', at: Date.now(), state: 'active', callId: 'a84b4c76e66710@pbx' };
    const logged = await fetch(`${stack.url}/ingress/calls`, { method: 'POST', headers: auth, body: JSON.stringify(call) });
    expect(logged.status).toBe(201);
    const again = await fetch(`${stack.url}/ingress/calls`, { method: 'POST', headers: auth, body: JSON.stringify({ ...call, state: 'done', endedAt: Date.now() }) });
    expect(again.status).toBe(200);

    // On the server: one customer, one live thread, three interactions, two hops (email → SMS → call).
    const tl = await timeline(alice, auth);
    const live = tl.threads.filter((t) => !t._deleted);
    expect(live).toHaveLength(1);
    expect(tl.interactions.map((i) => i.threadId)).toEqual([live[0]!.id, live[0]!.id, live[0]!.id]);
    const byTime = [...tl.interactions].sort((a, b) => (a.offeredAt ?? 0) - (b.offeredAt ?? 0));
    expect(byTime.map((i) => i.channel)).toEqual(['email', 'sms', 'call']);
    expect(byTime.map((i) => i.hopFrom?.channel ?? null)).toEqual([null, 'email', 'sms']);
    expect(byTime[2]!.hopFrom!.interactionId).toBe(byTime[1]!.id);
    expect(byTime[2]).toMatchObject({ state: 'done', agentId: session.user.agentId });
    expect(tl.customer.identities).toEqual(expect.arrayContaining([{ kind: 'email', value: 'alice.fenwick@example.org' }, { kind: 'phone', value: '+447700900456' }]));

    // The provisional customer's id keeps resolving to Alice.
    expect((await timeline(smsResult.customerId, auth)).customer.id).toBe(alice);

    // In a client replica (the renderer's RxDB database and sync client, in Node): the same story.
    const client = await openNodeClient({ serverUrl: stack.url });
    try {
      await until(async () => {
        const r = await replicaTimeline(client.db, smsResult.customerId);
        return !!r && r.interactions.length === 3 && r.events.length >= 2;
      }, 'the replica to hold the thread', 30_000);
      const rt = (await replicaTimeline(client.db, smsResult.customerId))!;
      expect(rt.customer.id).toBe(alice);
      const items = buildTimeline(rt);
      expect(items.filter((i) => i.type === 'thread')).toHaveLength(1);
      expect(items.filter((i) => i.type === 'interaction').map((i) => i.type === 'interaction' && i.interaction.channel)).toEqual(['email', 'sms', 'call']);
      expect(items.flatMap((i) => (i.type === 'interaction' && i.hop ? [i.hop.channel] : []))).toEqual(['email', 'sms']);
      // Replica and server agree document for document.
      expect(rt.interactions.map((i) => [i.id, i.threadId, i.hopFrom?.interactionId ?? null]).sort())
        .toEqual(tl.interactions.map((i) => [i.id, i.threadId, i.hopFrom?.interactionId ?? null]).sort());
    } finally {
      await client.close();
    }
  });
});
