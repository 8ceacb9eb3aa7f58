import { describe, expect, it } from 'vitest';
import { GRANTED_PERMISSIONS, contentSecurityPolicy, isAppUrl, secureWindowOptions } from './window-options';

describe('secureWindowOptions', () => {
  it('isolates the renderer from Node and sandboxes it', () => {
    const prefs = secureWindowOptions('/app/preload.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('contentSecurityPolicy', () => {
  it('allows scripts only from the app and connections only to the named origins', () => {
    const csp = contentSecurityPolicy(['https://sync.example.com', 'wss://sync.example.com']);
    expect(csp).toContain("script-src 'self'");
    // JS eval and inline scripts stay forbidden; only WebAssembly compilation (the SQLite replica) is allowed.
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    expect(csp).toMatch(/script-src[^;]*'wasm-unsafe-eval'/);
    expect(csp).toContain("connect-src 'self' https://sync.example.com wss://sync.example.com");
    expect(csp).toContain("object-src 'none'");
  });
});

describe('isAppUrl', () => {
  it('accepts only the app origin', () => {
    expect(isAppUrl('threadline-app://bundle/index.html', 'threadline-app://bundle')).toBe(true);
    expect(isAppUrl('https://evil.example.com/', 'threadline-app://bundle')).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('not a url', 'threadline-app://bundle')).toBe(false);
  });
  it('grants no permission beyond microphone, HID, notifications and speaker selection', () => {
    expect([...GRANTED_PERMISSIONS].sort()).toEqual(['hid', 'media', 'notifications', 'speaker-selection']);
  });
});
