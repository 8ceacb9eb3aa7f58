import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { newId } from '../../shared/ids';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { startServer, type RunningServer } from '../../server/server';
import { verifySignature } from '../../server/ingress/webhooks';
import { startWebHost } from '../../scripts/web-host';
import { signIn } from './fixtures';
import { bearer, loginAs, postWebhook, SECRET, sendMail, SUPPORT } from '../integration/ingress-setup';

/**
 * The agent's view of issue 6's story: Alice emailed (hostile HTML and all), texted from a number the
 * agent then linked, and called. In Chromium, the Customers view shows one thread with three
 * interactions and two hop markers; no script from the email ever runs; a reply by SMS goes out
 * through the outbound adapter and appears in the thread.
 */
let server: RunningServer;
let web: { url: string; close(): Promise<unknown> };
let sink: Server;
let dataDir: string;
const outbound: Array<Record<string, unknown>> = [];
let alice = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      // The provider bridge checks our signature exactly as we check theirs.
      try {
        verifySignature(SECRET, { timestamp: String(req.headers['x-threadline-timestamp']), signature: String(req.headers['x-threadline-signature']) }, body);
      } catch {
        res.writeHead(401).end();
        return;
      }
      outbound.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `SMS-OUT-${outbound.length}` }));
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkPort = (sink.address() as { port: number }).port;
  dataDir = mkdtempSync(join(tmpdir(), 'tl-timeline-e2e-'));
  const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn', '--smtp-port', '0', '--outbound-webhook-url', `http://127.0.0.1:${sinkPort}/send`], { OUTBOUND_WEBHOOK_SECRET: SECRET });
  server = await startServer(config, createLogger('warn'));
  await server.db.query(`insert into ingress_addresses (channel, address, tenant_id, secret) values ('email', $1, 'demo', null), ('sms', 'northwind-sms', 'demo', $2)`, [SUPPORT, SECRET]);
  web = await startWebHost({ port: 0, serverUrl: server.url });

  // The story, through the real endpoints: SMTP, a signed SMS webhook, the agent's link, the softphone's call log.
  const raw = readFileSync('test/fixtures/mail/hostile-html.eml', 'utf8').replace('Date: Tue, 24 Nov 2026 09:02:00 +0000', `Date: ${new Date(Date.now() - 3 * 3_600_000).toUTCString()}`);
  await sendMail(server.smtpPort!, raw, { from: 'alice.fenwick@example.org', to: [SUPPORT] });
  const sms = await postWebhook(server.url, 'sms', JSON.stringify({ id: 'SM-e2e', from: '07700 900456', to: '+447700900000', text: 'Hi, it’s Alice Fenwick — I emailed about my meter reading this morning. Any news?', receivedAt: Date.now() - 2 * 3_600_000 }), { key: 'SM-e2e' });
  expect(sms.status).toBe(201);
  const session = await loginAs(server.url, 'maya@demo.threadline');
  const [row] = await server.db.query<{ customer_id: string }>(`select data->>'customerId' as customer_id from docs where collection = 'identities' and id = 'email:alice.fenwick@example.org'`);
  alice = row!.customer_id;
  const link = await fetch(`${server.url}/customers/${alice}/identities`, { method: 'POST', headers: bearer(session), body: JSON.stringify({ kind: 'phone', value: '+44 7700 900456' }) });
  expect(link.status).toBe(201);
  const callAt = Date.now() - 40 * 60_000;
  const callId = newId();
  const call = await fetch(`${server.url}/ingress/calls`, { method: 'POST', headers: bearer(session), body: JSON.stringify({ interactionId: callId, direction: 'inbound', remote: 'tel:+447700900456', at: callAt, answeredAt: callAt + 12_000, endedAt: callAt + 312_000, state: 'done' }) });
  expect(call.status).toBe(201);
  const { threadId } = (await call.json()) as { threadId: string };
  // Maya wraps the call up from her workstation: a wrap-up event pushed through the sync API, as the replica does.
  const wrap = { id: newId(), tenantId: 'demo', updatedAt: Date.now(), _deleted: false, threadId, interactionId: callId, customerId: alice, kind: 'wrapup', at: callAt + 330_000, authorId: session.user.agentId, body: { reasons: ['Meter reading', 'Bill explanation'], outcome: 'follow-up' } };
  const push = await fetch(`${server.url}/sync/events/push`, { method: 'POST', headers: bearer(session), body: JSON.stringify({ rows: [{ newDocumentState: wrap, assumedMasterState: null }] }) });
  expect(push.status).toBe(200);
});

test.afterAll(async () => {
  await web?.close();
  await server?.close();
  await new Promise((r) => sink?.close(r));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('customer timeline: one thread, three channels, two hops, sanitized email, reply by SMS', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signIn(page, web.url, 'maya@demo.threadline');
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: /Customers/ }).click();
  await page.getByLabel('Find a customer').fill('Alice');
  await page.getByRole('list', { name: 'Customers' }).getByRole('button', { name: /Alice Fenwick/ }).click({ timeout: 60_000 });

  const timeline = page.getByTestId('timeline');
  await expect(page.getByTestId('customer-name')).toHaveText('Alice Fenwick');
  await expect(timeline.getByTestId('thread')).toHaveCount(1, { timeout: 30_000 });
  await expect(timeline.getByTestId('interaction')).toHaveCount(3);
  await expect(timeline.getByTestId('interaction').evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')))).resolves.toEqual(['email', 'sms', 'call']);
  const hops = timeline.getByTestId('hop-marker');
  await expect(hops).toHaveCount(2);
  await expect(hops.nth(0)).toContainText(/continued from email \d\d:\d\d/);
  await expect(hops.nth(1)).toContainText(/continued from SMS \d\d:\d\d/);
  await expect(timeline.getByTestId('wrapup')).toContainText('Meter reading');
  await expect(timeline).toContainText('Handled by');

  // The hostile email rendered as text and markup only: no script ran, no remote image, no frame.
  const emailBody = timeline.getByTestId('email-html');
  await expect(emailBody).toContainText('4,120 kWh');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
  await expect(emailBody.locator('script, iframe, svg, style, [onload], [onerror]')).toHaveCount(0);
  await expect(emailBody.locator('img[src^="http"]')).toHaveCount(0);

  // Search within the customer's history.
  await page.getByLabel('Search this customer’s history').fill('31877');
  await expect(page.getByTestId('search-count')).toHaveText('1 of 1');
  await page.getByLabel('Search this customer’s history').fill('');

  // Reply on the customer's channel (SMS, where she last wrote from), through the outbound adapter.
  const reply = page.getByRole('form', { name: 'Reply' });
  await expect(reply.getByRole('radio', { name: 'SMS' })).toHaveAttribute('aria-checked', 'true');
  await reply.getByRole('textbox').fill('Thanks Alice — I have corrected the reading to 31877 and a revised bill is on its way.');
  await expect(page.getByTestId('draft-status')).toHaveText('Draft saved on this device');
  await reply.getByRole('button', { name: 'Send' }).click();
  await expect(timeline.getByTestId('message').filter({ hasText: 'revised bill is on its way' })).toBeVisible({ timeout: 30_000 });
  // Sent after the call: a new outbound SMS contact at the end of the thread, hopping from the call.
  await expect(timeline.getByTestId('interaction')).toHaveCount(4);
  await expect(hops.nth(2)).toContainText(/continued from call \d\d:\d\d/);
  expect(outbound).toHaveLength(1);
  expect(outbound[0]).toMatchObject({ channel: 'sms', to: '+447700900456' });

  await page.getByTestId('timeline').evaluate((el) => el.scrollTo(0, 0));
  await page.getByRole('region', { name: 'Customer Alice Fenwick' }).evaluate((el) => el.scrollIntoView({ block: 'end' }));
  const shot = testInfo.outputPath('timeline.png');
  await page.screenshot({ path: shot, fullPage: false });
  await testInfo.attach('timeline', { path: shot, contentType: 'image/png' });

  const axe = await new AxeBuilder({ page }).include('[aria-label="Customer Alice Fenwick"]').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => `${n.target.join(" ")} ${n.any.map((a) => a.message).join(";")}`).join(" | ")}`)).toEqual([]);
});

test('a long history stays virtualized, search reaches old messages, and a draft survives a reload', async ({ page }) => {
  test.setTimeout(180_000);
  for (let i = 0; i < 400; i++) {
    const res = await postWebhook(server.url, 'sms', JSON.stringify({ from: '+447700900321', to: '+447700900000', text: i === 3 ? 'My meter serial is MTR-00042-X' : `Update ${i} on the outage` }), { key: `long-${i}` });
    expect(res.status).toBe(201);
  }
  await page.setViewportSize({ width: 1440, height: 1000 });
  await signIn(page, web.url, 'maya@demo.threadline');
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: /Customers/ }).click();
  await page.getByLabel('Find a customer').fill('900321');
  await page.getByRole('list', { name: 'Customers' }).getByRole('button').first().click({ timeout: 60_000 });
  await expect(page.getByText('400 contacts')).toBeVisible({ timeout: 60_000 });
  const rendered = await page.getByTestId('timeline').getByTestId('message').count();
  expect(rendered).toBeGreaterThan(0);
  expect(rendered).toBeLessThan(60);
  await page.getByLabel('Search this customer’s history').fill('MTR-00042');
  await expect(page.getByTestId('search-count')).toHaveText('1 of 1');
  await expect(page.getByTestId('timeline').getByText('My meter serial is MTR-00042-X')).toBeVisible();

  const box = page.getByRole('form', { name: 'Reply' }).getByRole('textbox');
  await box.fill('Half-written answer about the outage');
  await page.reload();
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('button', { name: /Customers/ }).click({ timeout: 60_000 });
  await page.getByLabel('Find a customer').fill('900321');
  await page.getByRole('list', { name: 'Customers' }).getByRole('button').first().click({ timeout: 60_000 });
  await expect(page.getByRole('form', { name: 'Reply' }).getByRole('textbox')).toHaveValue('Half-written answer about the outage', { timeout: 30_000 });
});
