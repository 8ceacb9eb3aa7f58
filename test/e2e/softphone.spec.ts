import AxeBuilder from '@axe-core/playwright';
import { expect, test as base } from '@playwright/test';
import { startWebHost } from '../../scripts/web-host';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type ServerChild } from '../../scripts/lib/spawn-server';
import { DEMO_AGENTS, dial, expectMediaFlowing, expectRegistered, openAgent, packetsIn, type Agent } from '../sip/agents';
import { freeTcpPort, startKamailio, type KamailioHandle } from '../sip/kamailio';
import { sippCall } from '../sipp/run-sipp';
import { api } from './fixtures';

/**
 * Agents in separate Chromium profiles with fake media call each other through a real Kamailio
 * (registrar + WebSocket), started for this worker on free loopback ports.
 */
const test = base.extend<object, { sip: { kamailio: KamailioHandle; webUrl: string; server: ServerChild } }>({
  sip: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tl-e2e-phone-'));
      const kamailio = await startKamailio();
      const server = await spawnServer(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], process.env, false);
      const web = await startWebHost({ port: 0, serverUrl: server.url, sipServers: [kamailio.wsUrl], root: process.env.WEB_ROOT });
      await use({ kamailio, webUrl: web.url, server });
      await web.close();
      await server.stop();
      await kamailio.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

const open: Agent[] = [];
test.afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});
async function agent(webUrl: string, who: keyof typeof DEMO_AGENTS) {
  const a = await openAgent(webUrl, DEMO_AGENTS[who]);
  open.push(a);
  await expectRegistered(a);
  return a;
}

test('A calls B: ring with identity, answer, two-way media, hold, mute, DTMF, hang up', async ({ sip }, testInfo) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await agent(sip.webUrl, 'jonas');

  await dial(a, b.ext);
  const ringing = b.call('ringing');
  await expect(ringing).toBeVisible({ timeout: 15_000 });
  await expect(ringing).toContainText('Maya Patel');
  await expect(ringing).toContainText(a.ext);
  await expect(a.call('dialing')).toBeVisible();
  await expect(b.page.getByTestId('topbar-call')).toContainText('Ringing');

  await ringing.getByTestId('answer').click();
  const aCall = a.call('active');
  const bCall = b.call('active');
  await expect(aCall).toBeVisible({ timeout: 15_000 });
  await expect(bCall).toBeVisible();
  // Media both ways: each side's inbound RTP counter keeps rising.
  await expectMediaFlowing(aCall);
  await expectMediaFlowing(bCall);
  expect(await packetsIn(aCall)).toBeGreaterThan(0);
  expect(await packetsIn(bCall)).toBeGreaterThan(0);
  await expect(aCall.getByTestId('quality')).toHaveAttribute('data-mos', /^[1-4](\.\d+)?$/);

  const shot = testInfo.outputPath('softphone-in-call.png');
  await b.page.screenshot({ path: shot });
  await testInfo.attach('softphone-in-call', { path: shot, contentType: 'image/png' });
  const axe = await new AxeBuilder({ page: b.page }).include('[data-testid="softphone"]').analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  // Hold: the holder sends sendonly, so the holder's own inbound stream stops.
  await aCall.getByTestId('hold').click();
  await expect(a.call()).toHaveAttribute('data-held', 'true', { timeout: 10_000 });
  await a.page.waitForTimeout(1500);
  const heldAt = await packetsIn(a.call());
  await a.page.waitForTimeout(2500);
  expect(await packetsIn(a.call())).toBeLessThanOrEqual(heldAt + 5);
  await a.call().getByTestId('hold').click();
  await expect(a.call()).toHaveAttribute('data-held', 'false', { timeout: 10_000 });
  await expectMediaFlowing(a.call());

  // Mute by keyboard shortcut, unmute by button.
  await a.page.keyboard.press('Control+Shift+M');
  await expect(a.call()).toHaveAttribute('data-muted', 'true');
  await a.call().getByTestId('mute').click();
  await expect(a.call()).toHaveAttribute('data-muted', 'false');

  // DTMF over SIP INFO is observable at the far end.
  await a.page.locator('summary', { hasText: 'Audio and phone settings' }).click();
  await a.page.getByLabel('Keypad tones').selectOption('info');
  await a.call().getByTestId('keypad').click();
  for (const t of ['4', '2', '#']) await a.page.getByRole('button', { name: `Send tone ${t}` }).click();
  await expect(b.call().getByTestId('dtmf-received')).toHaveText('42#', { timeout: 10_000 });
  // RFC 4733 (in-band) is only visible to the sender: the phone reports what it queued.
  await a.page.getByLabel('Keypad tones').selectOption('auto');
  await a.page.getByRole('button', { name: 'Send tone 7' }).click();
  await expect(a.call().getByTestId('dtmf-sent')).toHaveText('42#7');
  await b.page.waitForTimeout(500);
  await expect(b.call().getByTestId('dtmf-received')).toHaveText('42#');

  await b.page.keyboard.press('Control+Shift+E');
  await expect(a.call('ended')).toBeVisible({ timeout: 10_000 });
  await expect(b.call('ended')).toBeVisible();
});

test('tel:/sip: links dial: one handed over at launch (?dial=) and one clicked in the page', async ({ sip }) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await openAgent(sip.webUrl, { ...DEMO_AGENTS.jonas, extraQuery: { dial: `sip:${a.ext}` } });
  open.push(b);
  // The link arrived before the phone registered; it is dialled once registration completes.
  await expect(a.call('ringing')).toHaveAttribute('data-remote', b.ext, { timeout: 20_000 });
  await a.call('ringing').getByTestId('decline').click();
  await expect(b.call('ended')).toBeVisible({ timeout: 10_000 });

  await b.page.evaluate((ext) => {
    const link = document.createElement('a');
    link.href = `tel:${ext}`;
    link.textContent = 'Call Maya';
    document.querySelector('main')!.append(link);
  }, a.ext);
  await b.page.getByRole('link', { name: 'Call Maya' }).click();
  await expect(a.call('ringing')).toBeVisible({ timeout: 15_000 });
  await expect(b.call('dialing')).toBeVisible();
});

async function connect(a: Agent, b: Agent) {
  await dial(a, b.ext);
  await b.call('ringing').getByTestId('answer').click({ timeout: 15_000 });
  await expect(a.call('active')).toBeVisible({ timeout: 15_000 });
  await expect(b.call('active')).toBeVisible();
}

test('blind transfer: B sends caller A to C; A and C end up talking, B is free', async ({ sip }) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await agent(sip.webUrl, 'jonas');
  const c = await agent(sip.webUrl, 'aisha');
  await connect(a, b);

  await b.call('active').getByTestId('transfer-target').fill(c.ext);
  await b.call('active').getByTestId('blind-transfer').click();
  const cRing = c.call('ringing');
  await expect(cRing).toBeVisible({ timeout: 15_000 });
  await expect(cRing).toHaveAttribute('data-remote', a.ext);
  await expect(b.call('ended')).toBeVisible({ timeout: 10_000 });
  await cRing.getByTestId('answer').click();

  const aToC = a.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${c.ext}"]`);
  await expect(aToC).toBeVisible({ timeout: 15_000 });
  await expectMediaFlowing(aToC);
  await expectMediaFlowing(c.call('active'));
  await expect(b.call('active')).toHaveCount(0);
});

test('attended transfer: B consults C with A on hold, then joins A to C with Replaces', async ({ sip }) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await agent(sip.webUrl, 'jonas');
  const c = await agent(sip.webUrl, 'aisha');
  await connect(a, b);

  await b.call('active').getByTestId('transfer-target').fill(c.ext);
  await b.call('active').getByTestId('consult').click();
  await expect(b.page.locator('[data-testid="call-card"][data-held="true"]')).toHaveAttribute('data-remote', a.ext, { timeout: 10_000 });
  await c.call('ringing').getByTestId('answer').click({ timeout: 15_000 });
  const consult = b.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${c.ext}"]`);
  await expect(consult).toBeVisible({ timeout: 15_000 });
  await expectMediaFlowing(consult);

  await consult.getByTestId('complete-transfer').click();
  // A's phone follows the REFER; C's phone accepts the Replaces INVITE in place of the consultation.
  const aToC = a.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${c.ext}"]`);
  const cToA = c.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${a.ext}"]`);
  await expect(aToC).toBeVisible({ timeout: 15_000 });
  await expect(a.call('active')).toHaveCount(1);
  await expect(cToA).toBeVisible({ timeout: 15_000 });
  await expectMediaFlowing(aToC);
  await expectMediaFlowing(cToA);
  await expect(b.call('active')).toHaveCount(0, { timeout: 10_000 });
  await expect(c.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${b.ext}"]`)).toHaveCount(0, { timeout: 10_000 });
});

test('call waiting: a second call rings during a call; answering holds the first; decline lands in missed calls', async ({ sip }) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await agent(sip.webUrl, 'jonas');
  const c = await agent(sip.webUrl, 'aisha');
  await connect(a, b);

  await dial(c, b.ext);
  const waiting = b.call('ringing');
  await expect(waiting).toBeVisible({ timeout: 15_000 });
  await expect(waiting).toHaveAttribute('data-remote', c.ext);
  await expect(b.call('active')).toHaveCount(1);
  await waiting.getByTestId('answer').click();
  await expect(b.page.locator(`[data-testid="call-card"][data-remote="${a.ext}"]`)).toHaveAttribute('data-held', 'true', { timeout: 10_000 });
  const withC = b.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${c.ext}"]`);
  await expect(withC).toHaveAttribute('data-held', 'false');
  await expectMediaFlowing(withC);
  await withC.getByTestId('hangup').click();
  await expect(c.call('ended')).toBeVisible({ timeout: 10_000 });

  // Back to A; then C tries again and is declined: a missed call with call-back.
  const withA = b.page.locator(`[data-testid="call-card"][data-state="active"][data-remote="${a.ext}"]`);
  await withA.getByTestId('hold').click();
  await expect(withA).toHaveAttribute('data-held', 'false', { timeout: 10_000 });
  await expectMediaFlowing(withA);
  await dial(c, b.ext);
  await b.call('ringing').getByTestId('decline').click({ timeout: 15_000 });
  await expect(b.page.getByTestId('missed-calls')).toContainText('Aisha Okafor');
  await expect(c.call('ended').first()).toBeVisible({ timeout: 10_000 });

  // Do not disturb: callers get busy and the phone does not ring.
  await b.page.locator('summary', { hasText: 'Audio and phone settings' }).click();
  await b.page.getByTestId('dnd').check();
  await dial(c, b.ext);
  await expect(c.page.locator('[data-testid="call-card"][data-state="ended"]', { hasText: '486' })).toBeVisible({ timeout: 10_000 });
  await expect(b.call('ringing')).toHaveCount(0);
});

test('registration fails over from a dead SIP server to the next in the list', async ({ sip }) => {
  const dead = `ws://127.0.0.1:${await freeTcpPort()}`;
  const web = await startWebHost({ port: 0, serverUrl: sip.server.url, sipServers: [dead, sip.kamailio.wsUrl], root: process.env.WEB_ROOT });
  try {
    const a = await agent(web.url, 'maya');
    await expect(a.registration()).toHaveAttribute('data-server', sip.kamailio.wsUrl);
    const b = await agent(sip.webUrl, 'jonas');
    await connect(b, a);
    await expectMediaFlowing(a.call('active'));
  } finally {
    await Promise.all(open.splice(0).map((x) => x.close()));
    await web.close();
  }
});

test('Kamailio killed and restarted: the phone shows it and re-registers, and calls work again', async ({ sip }) => {
  const a = await agent(sip.webUrl, 'maya');
  const b = await agent(sip.webUrl, 'jonas');
  await sip.kamailio.kill();
  await expect(b.registration()).toHaveAttribute('data-state', /reconnecting|failed/, { timeout: 15_000 });
  await expect(b.page.getByTestId('phone-status')).toContainText(/Reconnecting|offline/);
  await sip.kamailio.start();
  const restarted = Date.now();
  await expectRegistered(a, 40_000);
  await expectRegistered(b, 40_000);
  console.log(`re-registered ${((Date.now() - restarted) / 1000).toFixed(1)} s after restart`);
  // The registrar lost its in-memory table in the crash: a call proves both contacts are back.
  await connect(a, b);
  await expectMediaFlowing(a.call('active'));
});


test('sipp calls the agent through Kamailio with the sync server unreachable: screen pop, call logged, synced later', async ({ sip }) => {
  const server = sip.server.url;
  const { accessToken } = await api<{ accessToken: string }>(server, '/auth/login', {
    method: 'POST', body: JSON.stringify({ tenant: 'demo', email: 'luis@demo.threadline', password: 'threadline-demo' }),
  });
  const customers = await api<{ documents: Array<{ id: string; name: string; identities: Array<{ kind: string; value: string }> }> }>(server, '/sync/customers/pull?limit=1000', { token: accessToken });
  const customer = customers.documents.find((c) => c.identities.some((i) => i.kind === 'phone'))!;
  const phone = customer.identities.find((i) => i.kind === 'phone')!.value;

  const b = await agent(sip.webUrl, 'jonas');
  // The sync server goes away for this agent only; Kamailio (another origin) stays reachable.
  const origin = new URL(server).origin;
  await b.page.route(`${origin}/**`, (route) => route.abort('internetdisconnected'));
  await b.page.routeWebSocket((url) => url.origin === origin.replace(/^http/, 'ws'), (ws) => ws.close());

  // A non-SIP.js caller: sipp over UDP, from the customer's number in national format.
  const national = phone.replace(/^\+44/, '0');
  const call = sippCall({ proxyPort: sip.kamailio.udpPort, extension: b.ext, caller: national, callerName: 'Caller' });
  const ringing = b.call('ringing');
  await expect(ringing).toBeVisible({ timeout: 20_000 });
  const pop = ringing.getByTestId('screen-pop');
  await expect(pop).toHaveAttribute('data-customer-id', customer.id);
  await expect(pop).toContainText(customer.name);
  await ringing.getByTestId('answer').click();
  await expect(b.call('active')).toBeVisible({ timeout: 15_000 });
  const result = await call;
  expect(result.code, result.output.slice(-3000)).toBe(0);
  await expect(b.call('ended')).toBeVisible({ timeout: 10_000 });

  // Logged locally while the server is unreachable: waiting in the outbox.
  await expect(b.page.getByTestId('sync-status')).toHaveAttribute('data-state', 'offline', { timeout: 30_000 });
  await expect(b.page.getByTestId('sync-status')).not.toHaveAttribute('data-pending', '0', { timeout: 10_000 });
  b.page.on('response', (r) => {
    if (r.url().includes('/push') && r.status() !== 200) void r.text().then((t) => console.error('push failed', r.status(), t));
  });
  await b.page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(b.page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
  await expect(b.page.getByTestId('sync-status')).toHaveAttribute('data-pending', '0', { timeout: 30_000 });

  const interactions = await api<{ documents: Array<{ id: string; customerId: string; channel: string; direction: string; state: string }> }>(server, '/sync/interactions/pull?limit=5000', { token: accessToken });
  const ix = interactions.documents.find((d) => d.customerId === customer.id && d.channel === 'call' && d.direction === 'inbound' && d.state === 'wrapup');
  expect(ix, `call interaction synced to the server: ${JSON.stringify(interactions.documents.filter((d) => 'externalRef' in d))}`).toBeDefined();
  const events: Array<{ interactionId: string; kind: string; body: { event?: string } }> = [];
  for (let seq = 0; ;) {
    const page = await api<{ documents: typeof events; checkpoint: { seq: number } }>(server, `/sync/events/pull?seq=${seq}&limit=5000`, { token: accessToken });
    events.push(...page.documents);
    if (page.documents.length < 5000) break;
    seq = page.checkpoint.seq;
  }
  const mine = events.filter((e) => e.interactionId === ix!.id).map((e) => `${e.kind}:${e.body.event}`);
  expect(mine).toEqual(expect.arrayContaining(['call_leg:ring', 'call_leg:answer', 'call_leg:end']));
});
