import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, postWebhook, sendMail, startIngressStack, SUPPORT, type IngressStack } from './ingress-setup';

/** Hostile input at every ingress border: clean, coded refusals; nothing half-written; nothing lost. */
let stack: IngressStack;
beforeAll(async () => {
  stack = await startIngressStack({ limits: { maxMessageBytes: 256 * 1024, maxAttachmentBytes: 32 * 1024, maxAttachments: 5 } });
});
afterAll(async () => {
  await stack?.close();
});

const count = async (collection: string) =>
  (await stack.db.query<{ n: number }>(`select count(*)::int as n from docs where tenant_id = 'demo' and collection = $1`, [collection]))[0]!.n;
const quarantined = async (code: string) =>
  (await stack.db.query<{ n: number }>('select count(*)::int as n from ingress_quarantine where code = $1', [code]))[0]!.n;

function smtpCode(err: unknown): number | undefined {
  return (err as { responseCode?: number }).responseCode;
}

describe('SMTP ingress under hostile mail', () => {
  it('refuses a message without a sender with 554 and keeps its bytes in quarantine', async () => {
    const before = await count('interactions');
    const err = await sendMail(stack.smtp.port, readFileSync('test/fixtures/mail/no-from.eml')).catch((e: unknown) => e);
    expect(smtpCode(err)).toBe(554);
    expect(String((err as Error).message)).toContain('INGRESS_MALFORMED_MESSAGE');
    expect(await count('interactions')).toBe(before);
    expect(await quarantined('INGRESS_MALFORMED_MESSAGE')).toBeGreaterThanOrEqual(1);
  });

  it('refuses unknown recipients at RCPT and oversized mail during DATA', async () => {
    const rcpt = await sendMail(stack.smtp.port, 'From: a@example.org\r\nSubject: x\r\n\r\nhi\r\n', { from: 'a@example.org', to: ['nobody@elsewhere.example'] }).catch((e: unknown) => e);
    expect(smtpCode(rcpt)).toBe(550);
    const big = `From: big@example.org\r\nTo: ${SUPPORT}\r\nSubject: huge\r\n\r\n${'A'.repeat(300 * 1024)}\r\n`;
    const before = await count('events');
    const tooBig = await sendMail(stack.smtp.port, big, { from: 'big@example.org', to: [SUPPORT] }).catch((e: unknown) => e);
    expect(smtpCode(tooBig)).toBe(552);
    expect(await count('events')).toBe(before);
  });

  it('refuses an attachment over the limit with 552; keeps a permitted one byte-exact', async () => {
    const mime = (name: string, bytes: Buffer) => [
      'From: "Carl" <carl@example.org>', `To: ${SUPPORT}`, 'Subject: meter photo', `Message-ID: <att-${name}@example.org>`, 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="zz"', '', '--zz', 'Content-Type: text/plain', '', 'photo attached', '--zz',
      `Content-Type: image/jpeg; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
      bytes.toString('base64').replace(/.{76}/g, '$&\r\n'), '--zz--', '',
    ].join('\r\n');
    const err = await sendMail(stack.smtp.port, mime('big.jpg', randomBytes(40 * 1024)), { from: 'carl@example.org', to: [SUPPORT] }).catch((e: unknown) => e);
    expect(smtpCode(err)).toBe(552);
    const small = randomBytes(10 * 1024);
    await sendMail(stack.smtp.port, mime('small.jpg', small), { from: 'carl@example.org', to: [SUPPORT] });
    const [row] = await stack.db.query<{ content: Uint8Array; size: number; filename: string }>(`select content, size, filename from ingress_attachments where filename = 'small.jpg'`);
    expect(Buffer.from(row!.content).equals(small)).toBe(true);
    expect(row!.size).toBe(small.length);
    // It comes back byte-exact, only ever as a download.
    const [att] = await stack.db.query<{ id: string }>(`select id from ingress_attachments where filename = 'small.jpg'`);
    const res = await fetch(`${stack.url}/attachments/${att!.id}`, { headers: bearer(await loginAs(stack.url)) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="small\.jpg"/);
    expect(Buffer.from(await res.arrayBuffer()).equals(small)).toBe(true);
    expect((await fetch(`${stack.url}/attachments/${att!.id}`)).status).toBe(401);
  });

  it('takes broken MIME without crashing, keeping what can be read', async () => {
    await sendMail(stack.smtp.port, readFileSync('test/fixtures/mail/broken-multipart.eml'), { from: 'bob@example.net', to: [SUPPORT] });
    const [ev] = await stack.db.query<{ body: { subject: string; attachments?: unknown[] } }>(
      `select data->'body' as body from docs where tenant_id = 'demo' and collection = 'events' and data->'body'->>'subject' = 'broken mime'`);
    expect(ev).toBeDefined();
    // The path-traversal filename is stored as an inert label only; nothing is written to disk.
    const atts = await stack.db.query<{ filename: string }>(`select filename from ingress_attachments where filename like '%passwd%'`);
    expect(atts.length).toBeLessThanOrEqual(1);
  });

  it('threads a reply into the same interaction and ignores a redelivered Message-ID', async () => {
    const first = 'From: dana@example.org\r\nTo: support@northwind.example\r\nSubject: Direct debit\r\nMessage-ID: <dd-1@example.org>\r\n\r\nPlease set up a direct debit.\r\n';
    await sendMail(stack.smtp.port, first, { from: 'dana@example.org', to: [SUPPORT] });
    const interactionsBefore = await count('interactions');
    await sendMail(stack.smtp.port, first, { from: 'dana@example.org', to: [SUPPORT] });
    const reply = 'From: dana@example.org\r\nTo: support@northwind.example\r\nSubject: Re: Direct debit\r\nMessage-ID: <dd-2@example.org>\r\nIn-Reply-To: <dd-1@example.org>\r\nReferences: <dd-1@example.org>\r\n\r\nSort code is 12-34-56.\r\n';
    await sendMail(stack.smtp.port, reply, { from: 'dana@example.org', to: [SUPPORT] });
    expect(await count('interactions')).toBe(interactionsBefore);
    const rows = await stack.db.query<{ interaction_id: string }>(`select interaction_id from email_messages where message_id in ('<dd-1@example.org>', '<dd-2@example.org>')`);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.interaction_id).toBe(rows[1]!.interaction_id);
    const evs = await stack.db.query(`select 1 from docs where collection = 'events' and data->>'interactionId' = $1`, [rows[0]!.interaction_id]);
    expect(evs).toHaveLength(2);
  });

  it('property: arbitrary bytes as a message body never crash the listener', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 4096 }), fc.constantFrom('text/plain', 'text/html', 'multipart/mixed; boundary="q"', 'application/octet-stream'), async (bytes, ctype) => {
      const head = Buffer.from(`From: fuzz@example.org\r\nTo: ${SUPPORT}\r\nSubject: fuzz\r\nContent-Type: ${ctype}\r\n\r\n`);
      const err = await sendMail(stack.smtp.port, Buffer.concat([head, Buffer.from(bytes), Buffer.from('\r\n')]), { from: 'fuzz@example.org', to: [SUPPORT] }).catch((e: unknown) => e);
      if (err) expect([552, 554]).toContain(smtpCode(err));
    }), { numRuns: 25 });
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('webhook ingress under hostile requests', () => {
  const good = (n: number) => JSON.stringify({ id: `W-${n}`, from: '+44 7700 900777', to: '+447700900000', text: `message ${n}` });

  it('rejects forged, replayed and unsigned requests with 401 and writes nothing', async () => {
    const before = await count('events');
    const forged = await postWebhook(stack.url, 'sms', good(1), { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'INGRESS_SIGNATURE_INVALID' } });
    const stale = await postWebhook(stack.url, 'sms', good(1), { ts: Math.floor(Date.now() / 1000) - 3600 });
    expect(stale.status).toBe(401);
    const tampered = await postWebhook(stack.url, 'sms', good(1), { signature: 'v1=' + '0'.repeat(64) });
    expect(tampered.status).toBe(401);
    expect(await count('events')).toBe(before);
  });

  it('answers bad bodies with coded 4xx and quarantines authentic ones it could not take', async () => {
    const cases: Array<[string, number, string]> = [
      ['{not json', 400, 'MALFORMED_JSON'],
      [JSON.stringify({ from: 'not a number', to: 'x', text: 'hi' }), 422, 'INGRESS_IDENTITY_INVALID'],
      [JSON.stringify({ from: '+447700900777', to: 'x', text: 'hi', extra: '<script>' }), 400, 'VALIDATION_FAILED'],
      [JSON.stringify({ from: '+447700900777', to: 'x', text: 'a\u0000b' }), 400, 'VALIDATION_FAILED'],
      [JSON.stringify([1, 2, 3]), 400, 'VALIDATION_FAILED'],
      ['', 400, 'MALFORMED_JSON'],
    ];
    for (const [body, status, code] of cases) {
      const res = await postWebhook(stack.url, 'sms', body);
      expect([res.status, ((await res.json()) as { error: { code: string } }).error.code], body).toEqual([status, code]);
    }
    expect(await quarantined('INGRESS_IDENTITY_INVALID')).toBeGreaterThanOrEqual(1);
    const huge = await postWebhook(stack.url, 'chat', JSON.stringify({ provider: 'web', handle: 'visitor_123456', sessionId: 's', text: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    const unknown = await postWebhook(stack.url, 'sms', good(2), { endpoint: 'no-such-endpoint' });
    expect(unknown.status).toBe(404);
    const noKey = await postWebhook(stack.url, 'sms', good(2), { key: '' });
    expect(noKey.status).toBe(400);
  });

  it('a retried webhook never creates a second message, even when retries race', async () => {
    const before = await count('events');
    const body = good(3);
    const results = await Promise.all(Array.from({ length: 6 }, () => postWebhook(stack.url, 'sms', body, { key: 'race-1' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await count('events')).toBe(before + 1);
    const reused = await postWebhook(stack.url, 'sms', good(4), { key: 'race-1' });
    expect(reused.status).toBe(409);
    expect(await count('events')).toBe(before + 1);
  });

  it('property: random JSON bodies get 201 or a coded 4xx, never a 500, and only 201 writes', async () => {
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null), fc.constant('+447700900888'), fc.constant('<img src=x onerror=alert(1)>'));
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('id', 'from', 'to', 'text', 'receivedAt', 'x'), value), async (obj) => {
      const before = await count('events');
      const res = await postWebhook(stack.url, 'sms', JSON.stringify(obj));
      const after = await count('events');
      if (res.status === 201) expect(after).toBe(before + 1);
      else {
        expect([400, 422]).toContain(res.status);
        expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
        expect(after).toBe(before);
      }
    }), { numRuns: 40 });
  });

  it('stores chat and web-form contacts with their own identities', async () => {
    const chat = await postWebhook(stack.url, 'chat', JSON.stringify({ provider: 'web', handle: 'Vis_01HXYZabc', sessionId: 'sess-1', displayName: 'Erin', text: 'Hello?' }));
    expect(chat.status).toBe(201);
    const form = await postWebhook(stack.url, 'webform', JSON.stringify({ email: 'Erin@Example.org', name: 'Erin Doyle', subject: 'Moving out', message: 'Leaving on Friday' }));
    expect(form.status).toBe(201);
    const ids = await stack.db.query<{ id: string }>(`select id from docs where collection = 'identities' and id in ('chat:web:Vis_01HXYZabc', 'email:erin@example.org')`);
    expect(ids).toHaveLength(2);
  });
});
