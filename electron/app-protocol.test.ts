import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN, appFilePath } from './app-protocol';
import { isAppUrl } from './window-options';

const root = join('/opt', 'threadline', 'renderer');

describe('the app protocol', () => {
  it('maps app URLs to files of the renderer bundle', () => {
    expect(appFilePath(APP_ENTRY_URL, root)).toBe(join(root, 'index.html'));
    expect(appFilePath(`${APP_ORIGIN}/`, root)).toBe(join(root, 'index.html'));
    expect(appFilePath(`${APP_ORIGIN}/assets/sqlite3-abc.wasm?x=1`, root)).toBe(join(root, 'assets', 'sqlite3-abc.wasm'));
    expect(appFilePath(`${APP_ORIGIN}/assets/a%20b.js`, root)).toBe(join(root, 'assets', 'a b.js'));
  });

  it('refuses other hosts, other schemes, malformed URLs and paths that leave the bundle', () => {
    expect(appFilePath('threadline-app://elsewhere/index.html', root)).toBeUndefined();
    expect(appFilePath('file:///etc/passwd', root)).toBeUndefined();
    // The URL parser resolves dot segments itself, so these stay inside the bundle.
    expect(appFilePath(`${APP_ORIGIN}/%2e%2e/%2e%2e/secrets.json`, root)).toBe(join(root, 'secrets.json'));
    expect(appFilePath(`${APP_ORIGIN}/..%2f..%2fsecrets.json`, root)).toBeUndefined();
    expect(appFilePath(`${APP_ORIGIN}/%E0%A4%A`, root)).toBeUndefined();
  });

  it('is the app origin for navigation and permission checks', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html#/inbox`, APP_ORIGIN)).toBe(true);
    expect(isAppUrl('file:///opt/threadline/index.html', APP_ORIGIN)).toBe(false);
  });
});
