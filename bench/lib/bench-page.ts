import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../../playwright.config';

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

export interface BenchPage {
  url: string;
  /** A persistent profile on disk: Playwright's default contexts are incognito, whose storage lives in memory. */
  context: BrowserContext;
  chromiumVersion: string;
  close(): Promise<void>;
}

/**
 * Builds a benchmark page with Vite, serves it on a free loopback port (localhost is a secure
 * context, as getUserMedia and IndexedDB quotas need) and launches Debian Chromium for it with a
 * profile on disk, so IndexedDB and OPFS figures are those of an installed app, not of incognito.
 */
export async function openBenchPage(root: string, outDir: string): Promise<BenchPage> {
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true }, base: './', worker: { format: 'es' } });
  const http = createServer((req, res) => {
    const rel = (req.url ?? '/').split('?')[0]!;
    const path = join(outDir, rel === '/' ? 'index.html' : rel);
    if (!path.startsWith(outDir) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'tl-bench-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    url,
    context,
    chromiumVersion: context.browser()?.version() ?? 'unknown',
    async close() {
      await context.close();
      http.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
