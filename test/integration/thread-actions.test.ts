import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Timeline } from '../../server/ingress/routes';
import { bearer, loginAs, postWebhook, sendMail, startIngressStack, SUPPORT, type IngressStack } from './ingress-setup';

/** Agent actions on customers (link, merge, undo) and replies that thread in the customer's mail client. */
let stack: IngressStack;
let relay: SMTPServer;
const relayed: ParsedMail[] = [];
let auth: Record<string, string>;

beforeAll(async () => {
  // A real SMTP server standing in for the tenant's outbound relay.
  relay = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => { relayed.push(m); cb(); }, cb);
    },
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  const port = (relay.server.address() as { port: number }).port;
  stack = await startIngressStack({ smtpRelayUrl: `smtp://127.0.0.1:${port}` });
  auth = bearer(await loginAs(stack.url));
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((r) => relay?.close(() => r()));
});

const timeline = async (id: string) => (await (await fetch(`${stack.url}/customers/${id}/timeline`, { headers: auth })).json()) as Timeline;
const sms = async (from: string, text: string) => (await (await postWebhook(stack.url, 'sms', JSON.stringify({ from, to: '+447700900000', text }))).json()) as { customerId: string; threadId: string; interactionId: string };

describe('merge and undo', () => {
  it('merges two customers reversibly; the merged id keeps resolving; undo restores every document', async () => {
    const a = await sms('+447700900101', 'first number');
    const b = await sms('+447700900102', 'second number');
    const beforeB = await timeline(b.customerId);
    const merged = await fetch(`${stack.url}/customers/${a.customerId}/merge`, { method: 'POST', headers: auth, body: JSON.stringify({ sourceId: b.customerId }) });
    expect(merged.status).toBe(201);
    const { actionId } = (await merged.json()) as { actionId: string };
    const tl = await timeline(b.customerId);
    expect(tl.customer.id).toBe(a.customerId);
    expect(tl.customerIds.sort()).toEqual([a.customerId, b.customerId].sort());
    expect(tl.threads.filter((t) => !t._deleted)).toHaveLength(1);
    expect(tl.interactions.map((i) => i.hopFrom?.channel ?? null)).toEqual([null, null]); // same channel: no hop
    // A new contact on the merged-away number lands with the survivor.
    const c = await sms('+447700900102', 'third');
    expect(c.customerId).toBe(a.customerId);
    // Undo is refused once later work touched the same documents…
    const refused = await fetch(`${stack.url}/customer-actions/${actionId}/undo`, { method: 'POST', headers: auth, body: '{}' });
    expect(refused.status).toBe(409);

    // …and restores exactly the prior state when nothing did.
    const d = await sms('+447700900103', 'fourth');
    const e = await sms('+447700900104', 'fifth');
    const m2 = (await (await fetch(`${stack.url}/customers/${d.customerId}/merge`, { method: 'POST', headers: auth, body: JSON.stringify({ sourceId: e.customerId }) })).json()) as { actionId: string };
    const undo = await fetch(`${stack.url}/customer-actions/${m2.actionId}/undo`, { method: 'POST', headers: auth, body: '{}' });
    expect(undo.status).toBe(200);
    const restored = await timeline(e.customerId);
    expect(restored.customer.id).toBe(e.customerId);
    expect(restored.customer.mergedInto).toBeUndefined();
    expect(restored.interactions.map((i) => i.threadId)).toEqual([e.threadId]);
    expect((await fetch(`${stack.url}/customer-actions/${m2.actionId}/undo`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(409);
    expect(beforeB.customer.id).toBe(b.customerId);
    const audit = await stack.db.query<{ actor_id: string; action: string; undone_at: string | null }>('select actor_id, action, undone_at from customer_actions order by created_at');
    expect(audit.map((r) => [r.action, Boolean(r.actor_id), Boolean(r.undone_at)])).toEqual([['merge', true, false], ['merge', true, true]]);
  });

  it('refuses bad link requests with coded errors', async () => {
    const a = await sms('+447700900201', 'hello');
    const bad = await fetch(`${stack.url}/customers/${a.customerId}/identities`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'phone', value: 'call me maybe' }) });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: { code: 'INGRESS_IDENTITY_INVALID' } });
    const dup = await fetch(`${stack.url}/customers/${a.customerId}/identities`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'phone', value: '07700 900201' }) });
    expect(dup.status).toBe(409);
    const anon = await fetch(`${stack.url}/customers/${a.customerId}/identities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'email', value: 'x@example.org' }) });
    expect(anon.status).toBe(401);
    const missing = await fetch(`${stack.url}/customers/NOPE/merge`, { method: 'POST', headers: auth, body: JSON.stringify({ sourceId: a.customerId }) });
    expect(missing.status).toBe(404);
  });
});

describe('outbound email', () => {
  it('replies through the relay with threading headers, and the customer’s answer threads back', async () => {
    await sendMail(stack.smtp.port, 'From: "Gwen" <gwen@example.org>\r\nTo: support@northwind.example\r\nSubject: Tariff change\r\nMessage-ID: <gwen-1@example.org>\r\n\r\nCan I move to the fixed tariff?\r\n', { from: 'gwen@example.org', to: [SUPPORT] });
    const [ix] = await stack.db.query<{ thread_id: string; interaction_id: string }>(`select thread_id, interaction_id from email_messages where message_id = '<gwen-1@example.org>'`);
    const res = await fetch(`${stack.url}/threads/${ix!.thread_id}/replies`, { method: 'POST', headers: auth, body: JSON.stringify({ channel: 'email', text: 'Yes — switched from the 1st.' }) });
    expect(res.status).toBe(201);
    const sent = relayed.at(-1)!;
    expect(sent.to && 'value' in sent.to ? sent.to.value[0]!.address : undefined).toBe('gwen@example.org');
    expect(sent.from?.value[0]?.address).toBe(SUPPORT);
    expect(sent.subject).toBe('Re: Tariff change');
    expect(sent.inReplyTo).toBe('<gwen-1@example.org>');
    expect(sent.references).toContain('<gwen-1@example.org>');
    // Gwen answers our reply: it continues the same interaction.
    await sendMail(stack.smtp.port, `From: gwen@example.org\r\nTo: support@northwind.example\r\nSubject: Re: Tariff change\r\nMessage-ID: <gwen-2@example.org>\r\nIn-Reply-To: ${sent.messageId}\r\nReferences: <gwen-1@example.org> ${sent.messageId}\r\n\r\nThanks!\r\n`, { from: 'gwen@example.org', to: [SUPPORT] });
    const [back] = await stack.db.query<{ interaction_id: string }>(`select interaction_id from email_messages where message_id = '<gwen-2@example.org>'`);
    expect(back!.interaction_id).toBe(ix!.interaction_id);
    const msgs = await stack.db.query<{ from: string }>(`select data->'body'->>'from' as from from docs where collection = 'events' and data->>'interactionId' = $1 order by (data->>'at')::bigint, id`, [ix!.interaction_id]);
    expect(msgs.map((m) => m.from)).toEqual(['customer', 'agent', 'customer']);
  });

  it('answers a customer with two addresses at the one they wrote from', async () => {
    await sendMail(stack.smtp.port, 'From: hal@work.example\r\nTo: support@northwind.example\r\nSubject: Work account\r\nMessage-ID: <hal-w@work.example>\r\n\r\nabout the office meter\r\n', { from: 'hal@work.example', to: [SUPPORT] });
    const [first] = await stack.db.query<{ customer_id: string }>(`select data->>'customerId' as customer_id from docs where collection = 'identities' and id = 'email:hal@work.example'`);
    await sendMail(stack.smtp.port, 'From: hal@home.example\r\nTo: support@northwind.example\r\nSubject: Home\r\nMessage-ID: <hal-h@home.example>\r\n\r\nabout the house\r\n', { from: 'hal@home.example', to: [SUPPORT] });
    const link = await fetch(`${stack.url}/customers/${first!.customer_id}/identities`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'email', value: 'hal@home.example' }) });
    expect(link.status).toBe(201);
    // The home mail was re-threaded into the work thread by the link; reply in that thread.
    const [home] = await stack.db.query<{ thread_id: string }>(
      `select d.data->>'threadId' as thread_id from email_messages m join docs d on d.collection = 'interactions' and d.id = m.interaction_id where m.message_id = '<hal-h@home.example>'`);
    const res = await fetch(`${stack.url}/threads/${home!.thread_id}/replies`, { method: 'POST', headers: auth, body: JSON.stringify({ channel: 'email', text: 'Sorted.' }) });
    expect(res.status).toBe(201);
    const sent = relayed.at(-1)!;
    expect(sent.to && 'value' in sent.to ? sent.to.value[0]!.address : undefined).toBe('hal@home.example');
    // Both of Hal's messages are now one thread, so the reply references both.
    expect(sent.references).toEqual(expect.arrayContaining(['<hal-w@work.example>', '<hal-h@home.example>']));
  });

  it('reports a clear error when no relay or adapter is configured for a channel', async () => {
    const s = await sms('+447700900301', 'text me back');
    const res = await fetch(`${stack.url}/threads/${s.threadId}/replies`, { method: 'POST', headers: auth, body: JSON.stringify({ channel: 'sms', text: 'ok' }) });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'OUTBOUND_FAILED' } });
  });
});
