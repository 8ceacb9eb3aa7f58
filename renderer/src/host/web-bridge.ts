import { AppInfo, PolicyState, type ThreadlineBridge } from '../../../shared/bridge';

/**
 * Stand-in for the Electron preload when the renderer runs as a plain web page (the web host).
 * It implements the same contract; the server URL comes from the host's `/host-config.json`
 * (or `?server=` for tests), and OS features degrade to their browser equivalents.
 */
export async function createWebBridge(location: Location = window.location): Promise<ThreadlineBridge> {
  const fromQuery = new URLSearchParams(location.search).get('server');
  let serverUrl = fromQuery ?? undefined;
  if (!serverUrl) {
    try {
      const res = await fetch('./host-config.json', { cache: 'no-store' });
      if (res.ok) serverUrl = ((await res.json()) as { serverUrl?: string }).serverUrl;
    } catch {
      // No host config: fall back to the embedded server's default address below.
    }
  }
  const info = AppInfo.parse({
    name: 'Threadline',
    version: import.meta.env.VITE_APP_VERSION ?? '0.0.0',
    platform: navigator.platform || 'web',
    host: 'web',
    serverUrl: serverUrl ?? 'http://127.0.0.1:4010',
  });
  return {
    getAppInfo: async () => info,
    getPolicy: async () => PolicyState.parse({ policy: {}, source: 'none', lockedKeys: [] }),
    openExternal: async (url) => {
      window.open(url, '_blank', 'noopener,noreferrer');
      return { opened: true };
    },
    notify: async ({ title, body }) => {
      if (!('Notification' in window) || Notification.permission !== 'granted') return { shown: false };
      new Notification(title, { body });
      return { shown: true };
    },
  };
}
