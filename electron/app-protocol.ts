import { join, normalize, sep } from 'node:path';

/**
 * The renderer is served from its own scheme instead of file://. A standard, secure scheme gives the
 * app a real origin: Chromium refuses the origin-private file system (where the replica's SQLite
 * lives) to file:// pages, and a file:// page can fetch any file the user can read (Electron's
 * security checklist: "avoid file://, prefer a custom protocol").
 */
export const APP_SCHEME = 'threadline-app';
export const APP_HOST = 'bundle';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, which must run before the app is ready. */
export const appSchemePrivileges = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** The file inside `root` that an app URL names, or undefined for another host, a bad URL or a path leaving `root`. */
export function appFilePath(url: string, root: string): string | undefined {
  let rel: string;
  try {
    const u = new URL(url);
    if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
    rel = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'index.html';
  } catch {
    return undefined;
  }
  const base = normalize(root);
  const full = normalize(join(base, rel));
  return full.startsWith(base.endsWith(sep) ? base : base + sep) ? full : undefined;
}
