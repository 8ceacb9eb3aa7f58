import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '../../scripts/lib/electron-binary';
import { spawnServer } from '../../scripts/lib/spawn-server';

const binary = findElectronBinary();

test.describe('desktop app (Electron)', () => {
  // Electron's binary cannot be downloaded on every machine; this is the only test that skips, and says why.
  test.skip(!binary.ok, `Electron binary unavailable: ${binary.ok ? '' : binary.reason}`);

  test('opens a hardened window with the bridge and reaches the server', async () => {
    const server = await spawnServer(['--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'tl-el-')), '--log-level', 'warn'], process.env, false);
    const app = await electron.launch({
      executablePath: binary.ok ? binary.path : undefined,
      args: ['.'],
      env: { ...process.env, THREADLINE_SERVER_URL: server.url },
    });
    try {
      const win = await app.firstWindow();
      await expect(win.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows()[0]!;
        const p = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
        return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration };
      });
      expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false });
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      const info = await win.evaluate(() => window.threadline!.getAppInfo());
      expect(info.host).toBe('electron');
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
