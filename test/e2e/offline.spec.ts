import type { Page } from '@playwright/test';
import { api, expect, signIn, test } from './fixtures';

async function openCustomer(page: Page, phone: string): Promise<void> {
  await page.keyboard.press('Alt+2');
  await page.getByLabel('Phone number or email').fill(phone);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByTestId('customer-card')).toBeVisible();
}

test('offline note and wrap-up survive a reload and reach the other agent exactly once', async ({ browser, stack }) => {
  const server = stack.server.url;
  const { accessToken } = await api<{ accessToken: string }>(server, '/auth/login', {
    method: 'POST', body: JSON.stringify({ tenant: 'demo', email: 'luis@demo.threadline', password: 'threadline-demo' }),
  });
  // A customer that has a thread, found the way an agent would: by phone.
  const threads = await api<{ documents: Array<{ customerId: string }> }>(server, '/sync/threads/pull?limit=1', { token: accessToken });
  const customerId = threads.documents[0]!.customerId;
  const ids = await api<{ documents: Array<{ kind: string; value: string; customerId: string }> }>(server, '/sync/identities/pull?limit=5000', { token: accessToken });
  const phone = ids.documents.find((d) => d.customerId === customerId && d.kind === 'phone')!.value;

  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();
  await signIn(pageA, stack.webUrl, 'maya@demo.threadline');
  // The replica is SQLite on OPFS in a worker ("remote" to RxDB), not the IndexedDB fallback.
  await expect(pageA.getByTestId('sync-status')).toHaveAttribute('data-storage', 'remote');
  await openCustomer(pageA, phone);

  // Cut agent A off from the server only; the server and the web host keep running.
  const serverOrigin = new URL(server).origin;
  await pageA.route(`${serverOrigin}/**`, (route) => route.abort('internetdisconnected'));
  await pageA.routeWebSocket((url) => url.origin === serverOrigin.replace(/^http/, 'ws'), (ws) => ws.close());
  const noteText = `Offline note ${Date.now()}`;
  await pageA.getByLabel('Note').fill(noteText);
  await pageA.getByRole('button', { name: 'Add note' }).click();
  await pageA.getByLabel('Outcome').selectOption('follow-up');
  await pageA.getByRole('button', { name: 'Wrap up' }).click();
  const badge = pageA.getByTestId('sync-status');
  await expect(badge).toHaveAttribute('data-state', 'offline', { timeout: 30_000 });
  await expect(badge).toHaveAttribute('data-pending', '2');
  await expect(badge).toContainText('Offline since');
  await expect(pageA.getByTestId('thread-item').filter({ hasText: noteText }).getByTestId('not-synced')).toBeVisible();

  await pageA.reload();
  // The reloaded page's storage worker takes over the SQLite files the old one held.
  await expect(badge).toHaveAttribute('data-storage', 'remote', { timeout: 30_000 });
  await expect(badge).toHaveAttribute('data-state', 'offline', { timeout: 30_000 });
  await expect(badge).toHaveAttribute('data-pending', '2');
  await openCustomer(pageA, phone);
  await expect(pageA.getByTestId('thread-item').filter({ hasText: noteText })).toHaveCount(1);
  await expect(pageA.getByTestId('thread-item').filter({ hasText: 'Wrap-up: follow-up (general)' }).getByTestId('not-synced')).toBeVisible();

  await signIn(pageB, stack.webUrl, 'jonas@demo.threadline');
  await openCustomer(pageB, phone);
  await expect(pageB.getByTestId('thread-item').filter({ hasText: noteText })).toHaveCount(0);

  // Back online: the outbox drains and the other agent's replica receives both items.
  await pageA.unrouteAll();
  await pageA.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(badge).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
  await expect(pageA.getByTestId('not-synced')).toHaveCount(0);
  await expect(pageB.getByTestId('thread-item').filter({ hasText: noteText })).toHaveCount(1, { timeout: 30_000 });
  await expect(pageB.getByTestId('thread-item').filter({ hasText: 'Wrap-up: follow-up (general)' })).toHaveCount(1);

  const events = await api<{ documents: Array<{ kind: string; body: { text?: string; outcome?: string; reasons?: string[] }; customerId: string }> }>(
    server, '/sync/events/pull?limit=5000', { token: accessToken });
  const mine = events.documents.filter((e) => e.customerId === customerId);
  expect(mine.filter((e) => e.kind === 'note' && e.body.text === noteText)).toHaveLength(1);
  expect(mine.filter((e) => e.kind === 'wrapup' && e.body.outcome === 'follow-up' && e.body.reasons?.[0] === 'general')).toHaveLength(1);
  await a.close();
  await b.close();
});
