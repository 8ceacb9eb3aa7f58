import AxeBuilder from '@axe-core/playwright';
import { expect, signIn, test } from './fixtures';

test('the inbox puts waiting customers first and opens their whole thread from the keyboard', async ({ page, stack }, testInfo) => {
  await page.setViewportSize({ width: 1600, height: 950 });
  await signIn(page, stack.webUrl, 'maya@demo.threadline');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await expect(list.getByRole('option').first()).toBeVisible();
  await expect(page.getByTestId('inbox-summary')).toContainText(/\d+ waiting/);

  // Waiting conversations sort before finished ones.
  const firstText = await list.getByRole('option').first().innerText();
  expect(firstText).toMatch(/Waiting|SLA/);

  await list.focus();
  await page.keyboard.press('ArrowDown');
  const selected = list.locator('[aria-selected="true"]');
  await expect(selected).toHaveCount(1);
  const name = (await selected.locator('span.font-medium').first().innerText()).trim();
  await expect(page.getByTestId('customer-name')).toHaveText(name);
  await expect(page.getByRole('region', { name: `Customer ${name}` })).toBeVisible();

  const notices = page.getByRole('region', { name: 'Notices' });
  // Maya works Billing and Moving Home; the demo outage notice targets Outages & Faults only.
  await expect(notices).toHaveCount(0);

  const shot = testInfo.outputPath('inbox.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('inbox', { path: shot, contentType: 'image/png' });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ") + " " + n.failureSummary).join(" | ")}`)).toEqual([]);
});

test('an agent on the affected queue sees the outage broadcast', async ({ page, stack }) => {
  await signIn(page, stack.webUrl, 'jonas@demo.threadline');
  const notices = page.getByRole('region', { name: 'Notices' });
  await expect(notices).toContainText('Outage: Riverside district');
});

test('the queues board shows live waiting counts and today’s KPIs from the replica', async ({ page, stack }, testInfo) => {
  await page.setViewportSize({ width: 1600, height: 950 });
  await signIn(page, stack.webUrl, 'luis@demo.threadline');
  await page.keyboard.press('Alt+3');
  const queues = page.getByRole('list', { name: 'Queues' });
  await expect(queues.getByRole('listitem')).toHaveCount(4);
  await expect(queues).toContainText('Billing & Payments');
  const kpis = page.getByRole('definition');
  await expect(kpis.first()).toHaveText(/^\d+%$/);
  const shot = testInfo.outputPath('queues.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('queues', { path: shot, contentType: 'image/png' });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
});

test('wrap-up from the keyboard: reasons from the business list, saved locally and synced', async ({ page, stack }) => {
  await signIn(page, stack.webUrl, 'maya@demo.threadline');
  const list = page.getByRole('listbox', { name: 'Conversations' });
  await list.focus();
  await page.keyboard.press('ArrowDown');
  const wrapup = page.getByRole('form', { name: 'Wrap-up' });
  await expect(wrapup).toBeVisible();

  // Nothing chosen: a clear error, nothing written.
  await wrapup.getByRole('button', { name: /Save wrap-up/ }).click();
  await expect(wrapup.getByRole('alert')).toHaveText('choose at least one contact reason');

  await page.keyboard.press('Alt+w');
  await expect(wrapup.getByRole('checkbox', { name: 'Bill explanation' })).toBeFocused();
  await page.keyboard.press('Space');
  await wrapup.getByLabel('Outcome').selectOption('follow-up');
  await wrapup.getByLabel('Wrap-up note').fill('Explained the estimated reading; customer sends a photo of the meter.');
  await page.keyboard.press('Control+Enter');
  await expect(wrapup.getByRole('status')).toContainText('Bill explanation · Follow-up needed');
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });

  // The server has it, in the one wrap-up format.
  const login = await fetch(new URL('/auth/login', stack.server.url), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', email: 'luis@demo.threadline', password: 'threadline-demo' }),
  }).then((r) => r.json() as Promise<{ accessToken: string }>);
  let found: Record<string, unknown> | undefined;
  for (let seq = 0, more = true; more;) {
    const page_ = await fetch(new URL(`/sync/events/pull?seq=${seq}&limit=5000`, stack.server.url), { headers: { authorization: `Bearer ${login.accessToken}` } })
      .then((r) => r.json() as Promise<{ documents: Array<{ kind: string; body: Record<string, unknown> }>; checkpoint: { seq: number } }>);
    found ??= page_.documents.find((d) => d.kind === 'wrapup' && String(d.body.notes ?? '').startsWith('Explained the estimated reading'))?.body;
    more = page_.documents.length > 0 && page_.checkpoint.seq > seq;
    seq = page_.checkpoint.seq;
  }
  expect(found).toMatchObject({ reasons: ['Bill explanation'], outcome: 'follow-up', reasonListVersion: 1 });
  expect((found!.reasonIds as string[]).length).toBe(1);
});
