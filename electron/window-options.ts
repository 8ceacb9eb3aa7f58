import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The renderer shows customer data and untrusted message content, so it runs with no Node access,
 * in Chromium's sandbox, isolated from the preload. Kept as a pure function so a unit test can
 * pin every option without launching Electron.
 */
export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Threadline',
    backgroundColor: '#0f172a',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  };
}

/**
 * CSP for the app's own pages. Scripts only from the app bundle; connections only to the sync
 * server (HTTP + WebSocket) and the SIP servers; media from the microphone.
 */
export function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  const connect = ["'self'", ...connectOrigins].join(' ');
  return [
    "default-src 'self'",
    // The replica's storage worker compiles SQLite's WebAssembly; this allows that and no JS eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Navigation away from the app bundle is never allowed; links open in the OS browser via the bridge. */
export function isAppUrl(target: string, appOrigin: string): boolean {
  try {
    const u = new URL(target);
    // Not `u.origin`: outside Chromium (and in tests) a custom scheme's origin is "null".
    return `${u.protocol}//${u.host}` === appOrigin;
  } catch {
    return false;
  }
}

/** Only the microphone (softphone) and HID (headset) are ever granted, and only to the app itself. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'hid', 'notifications', 'speaker-selection']);
