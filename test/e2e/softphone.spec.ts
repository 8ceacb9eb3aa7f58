import AxeBuilder from '@axe-core/playwright';
import { expect, test as base } from '@playwright/test';
import { startWebHost } from '../../scripts/web-host';
import { dial, expectMediaFlowing, expectRegistered, openAgent, packetsIn, type Agent } from '../sip/agents';
import { startKamailio, type KamailioHandle } from '../sip/kamailio';

/**
 * Agents in separate Chromium profiles with fake media call each other through a real Kamailio
 * (registrar + WebSocket), started for this worker on free loopback ports.
 */
const test = base.extend<object, { sip: { kamailio: KamailioHandle; webUrl: string } }>({
  sip: [
    async ({}, use) => {
      const kamailio = await startKamailio();
      const web = await startWebHost({ port: 0, serverUrl: 'http://127.0.0.1:9', sipServers: [kamailio.wsUrl], root: process.env.WEB_ROOT });
      await use({ kamailio, webUrl: web.url });
      await web.close();
      await kamailio.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

const open: Agent[] = [];
test.afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});
async function agent(webUrl: string, name: string, extraQuery?: Record<string, string>) {
  const a = await openAgent(webUrl, { name, extraQuery });
  open.push(a);
  await expectRegistered(a);
  return a;
}

test('A calls B: ring with identity, answer, two-way media, hold, mute, DTMF, hang up', async ({ sip }, testInfo) => {
  const a = await agent(sip.webUrl, 'Alice Agent');
  const b = await agent(sip.webUrl, 'Bob Agent');

  await dial(a, b.ext);
  const ringing = b.call('ringing');
  await expect(ringing).toBeVisible({ timeout: 15_000 });
  await expect(ringing).toContainText('Alice Agent');
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
