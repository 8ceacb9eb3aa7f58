import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';

/** One agent = one isolated Chromium profile with fake microphone, running the web host page. */
export interface Agent {
  ext: string;
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
  registration(): Locator;
  calls(): Locator;
  call(state?: string): Locator;
}

let extSeq = 0;
/** Extensions unique per test so a stale contact from an earlier test can never take a call. */
export function nextExtension(): string {
  extSeq += 1;
  return String(2000 + ((process.pid * 7 + extSeq) % 7000));
}

/** Demo tenant agents (server/seed-demo.ts): each registers with the extension of its agents doc. */
export const DEMO_AGENTS = {
  maya: { email: 'maya@demo.threadline', name: 'Maya Patel', ext: '1001' },
  jonas: { email: 'jonas@demo.threadline', name: 'Jonas Berg', ext: '1002' },
  aisha: { email: 'aisha@demo.threadline', name: 'Aisha Okafor', ext: '1003' },
  luis: { email: 'luis@demo.threadline', name: 'Luis Romero', ext: '1004' },
} as const;

export async function openAgent(webUrl: string, opts: { ext?: string; name: string; email?: string; extraQuery?: Record<string, string> }): Promise<Agent> {
  const ext = opts.ext ?? nextExtension();
  const dir = mkdtempSync(join(tmpdir(), 'tl-agent-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    permissions: ['microphone'],
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`[${opts.name}] pageerror`, e.message));
  page.on('console', (m) => {
    if (process.env.SOFTPHONE_DEBUG || (m.type() === 'error' && !/Failed to load resource|WebSocket/.test(m.text()))) console.error(`[${opts.name}] ${m.type()}: ${m.text()}`);
  });
  const url = new URL(webUrl);
  if (!opts.email) {
    url.searchParams.set('sipUser', ext);
    url.searchParams.set('sipName', opts.name);
  }
  for (const [k, v] of Object.entries(opts.extraQuery ?? {})) url.searchParams.set(k, v);
  await page.goto(url.toString());
  if (opts.email) {
    await page.getByLabel('Email').fill(opts.email);
    await page.getByLabel('Password').fill('threadline-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
  }
  const agent: Agent = {
    ext,
    page,
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
    registration: () => page.getByTestId('sip-registration'),
    calls: () => page.getByTestId('call-card'),
    call: (state?: string) => (state ? page.locator(`[data-testid="call-card"][data-state="${state}"]`) : page.getByTestId('call-card')),
  };
  return agent;
}

export async function expectRegistered(a: Agent, timeout = 15_000) {
  await expect(a.registration()).toHaveAttribute('data-state', 'registered', { timeout });
}

export async function dial(a: Agent, target: string) {
  await a.page.getByTestId('dial-input').fill(target);
  await a.page.getByTestId('dial').click();
}

/** Packets received on the call's inbound audio stream, as the phone's live quality panel shows it. */
export async function packetsIn(card: Locator): Promise<number> {
  const v = await card.getByTestId('quality').getAttribute('data-packets-in', { timeout: 15_000 });
  return Number(v ?? 0);
}

export async function expectMediaFlowing(card: Locator) {
  const first = await packetsIn(card);
  await expect.poll(() => packetsIn(card), { timeout: 15_000 }).toBeGreaterThan(first);
}
