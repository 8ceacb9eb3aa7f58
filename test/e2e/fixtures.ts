import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect as baseExpect, type Page } from '@playwright/test';
import { spawnServer, type ServerChild } from '../../scripts/lib/spawn-server';
import { startWebHost } from '../../scripts/web-host';

export interface Stack {
  server: ServerChild;
  webUrl: string;
  dataDir: string;
}

/** One real server (embedded PGlite, demo tenant) and web host per worker, on free loopback ports. */
export const test = base.extend<object, { stack: Stack }>({
  stack: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tl-e2e-'));
      const server = await spawnServer(['--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], process.env, false);
      const web = await startWebHost({ port: 0, serverUrl: server.url });
      await use({ server, webUrl: web.url, dataDir });
      await web.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});
export { expect } from '@playwright/test';

/** Signs a demo agent in through the real login screen and waits for the first sync to finish. */
export async function signIn(page: Page, webUrl: string, email: string): Promise<void> {
  await page.goto(webUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('threadline-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await baseExpect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
}

/** JSON call to the server's API, as a test client would make it. */
export async function api<T>(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const res = await fetch(new URL(path, base), {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
