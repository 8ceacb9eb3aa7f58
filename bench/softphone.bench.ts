/**
 * `npm run bench -- softphone`: the renderer's softphone engine in headless Chromium, registered to a
 * real Kamailio started here, with a replica of SOFTPHONE_BENCH_CUSTOMERS (100000) customers,
 * identities and threads in real IndexedDB.
 * - screen_pop_ms_p95: sipp rings the phone from SOFTPHONE_BENCH_CALLS (50) random customer numbers
 *   (national format); INVITE received by the phone → customer written to the DOM and painted.
 * - register_after_restart_s: Kamailio is SIGKILLed, left down for 2 s, restarted; time from restart
 *   until the phone is registered again (worst of 3 rounds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startKamailio } from '../test/sip/kamailio';
import { sippCall } from '../test/sipp/run-sipp';
import { openBenchPage } from './lib/bench-page';
import type { BenchResult } from './run';
import type { PhoneBenchConfig } from './softphone-page/main';

const N = Number(process.env.SOFTPHONE_BENCH_CUSTOMERS ?? 100_000);
const CALLS = Number(process.env.SOFTPHONE_BENCH_CALLS ?? 50);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function waitState(page: Page, state: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if ((await page.evaluate(() => (window as unknown as { registrationState(): string }).registrationState())) === state) return (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`phone not ${state} within ${timeoutMs} ms`);
}

export default async function softphoneBench(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-softphone-bench-'));
  const pageDir = join(dir, 'page');
  const kamailio = await startKamailio();
  const bp = await openBenchPage(join(import.meta.dirname, 'softphone-page'), pageDir);
  const { context, url: pageUrl } = bp;
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'startBench' in window);
    const cfg: PhoneBenchConfig = { customers: N, wsUrl: kamailio.wsUrl, user: '1500' };
    const { fillS, storage } = await page.evaluate((c) => (window as unknown as { startBench(c: PhoneBenchConfig): Promise<{ fillS: number; storage: string }> }).startBench(c), cfg);
    console.error(`[softphone bench] replica filled with ${N} customers in ${fillS.toFixed(1)} s`);
    await waitState(page, 'registered', 20_000);

    const callers = Array.from({ length: CALLS }, () => `0770${String(Math.floor(Math.random() * N)).padStart(7, '0')}`);
    const sipp = await sippCall({ proxyPort: kamailio.udpPort, extension: cfg.user, caller: callers[0]!, callers, callerName: 'Bench', scenario: 'uac-ring-cancel', timeoutSec: 300 });
    if (sipp.code !== 0) throw new Error(`sipp failed (${sipp.code}):\n${sipp.output.slice(-3000)}`);
    await page.waitForTimeout(500);
    const r = await page.evaluate(() => (window as unknown as { benchResults(): { shown: number[]; popOnly: number[]; misses: number } }).benchResults());
    if (r.shown.length !== CALLS) throw new Error(`expected ${CALLS} screen pops, got ${r.shown.length} (${r.misses} misses)`);

    const restarts: number[] = [];
    for (let round = 0; round < 3; round++) {
      await kamailio.kill();
      await waitState(page, 'reconnecting', 15_000).catch(() => waitState(page, 'failed', 15_000));
      await new Promise((res) => setTimeout(res, 2000));
      await kamailio.start();
      restarts.push(await waitState(page, 'registered', 60_000));
    }

    return {
      name: 'softphone',
      metrics: {
        screen_pop_ms_p50: round(pct(r.shown, 50), 2),
        screen_pop_ms_p95: round(pct(r.shown, 95), 2),
        screen_pop_ms_max: round(Math.max(...r.shown), 2),
        screen_pop_lookup_ms_p95: round(pct(r.popOnly, 95), 2),
        screen_pop_calls: r.shown.length,
        register_after_restart_s: round(Math.max(...restarts), 2),
        register_after_restart_s_p50: round(pct(restarts, 50), 2),
        replica_fill_s: round(fillS),
      },
      targets: { screen_pop_ms_p95: '< 100', register_after_restart_s: '< 5' },
      environment: {
        chromium: bp.chromiumVersion,
        // RxDB's name for it: 'remote' is the SQLite worker, 'dexie' the IndexedDB fallback.
        storage,
        profile: 'persistent (on disk)',
        customers: N,
        replica: `${N} customers + ${N} identities + ${N} threads`,
        calls: CALLS,
        restart_outage_s: 2,
        restart_rounds: restarts.map((x) => round(x, 2)),
        caller: 'sipp (sip-tester) over UDP through Kamailio, ring then CANCEL',
      },
    };
  } finally {
    await bp.close();
    await kamailio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
