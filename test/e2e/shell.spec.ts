import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';

test('web host renders the shell and shows it is connected to the server', async ({ page, stack }, testInfo) => {
  await page.goto(stack.webUrl);
  // The workspace sits behind sign-in; the badge then reports the replica's sync state.
  await page.getByLabel('Email').fill('maya@demo.threadline');
  await page.getByLabel('Password').fill('threadline-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('banner')).toContainText('Threadline');
  await expect(page.getByRole('navigation', { name: 'Workspace' })).toBeVisible();
  await expect(page.getByRole('main')).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Customer details' })).toBeVisible();
  const status = page.getByTestId('sync-status');
  await expect(status).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
  await expect(status).toHaveText(/Synced/);

  // Keyboard first: Alt+2 switches to Customers.
  await page.keyboard.press('Alt+2');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Customers');

  const shot = testInfo.outputPath('shell.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('shell', { path: shot, contentType: 'image/png' });

  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('web host shows offline when the server is unreachable', async ({ page, stack }) => {
  const url = new URL(stack.webUrl);
  url.searchParams.set('server', 'http://127.0.0.1:9');
  await page.goto(url.toString());
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'offline', { timeout: 20_000 });
});
