import { AppInfo, PolicyState, bridgeEvents, type BridgeEventName, type ThreadlineBridge } from '../../../shared/bridge';

/**
 * Stand-in for the Electron preload when the renderer runs as a plain web page (the web host).
 * It implements the same contract; the server URL comes from the host's `/host-config.json`
 * (or `?server=` for tests), and OS features degrade to their browser equivalents.
 */
export async function createWebBridge(location: Location = window.location): Promise<ThreadlineBridge> {
  const fromQuery = new URLSearchParams(location.search).get('server');
  let serverUrl = fromQuery ?? undefined;
  let sipServers: unknown = [];
  try {
    const res = await fetch('./host-config.json', { cache: 'no-store' });
    if (res.ok) {
      const cfg = (await res.json()) as { serverUrl?: string; sipServers?: unknown };
      serverUrl ??= cfg.serverUrl;
      sipServers = cfg.sipServers ?? [];
    }
  } catch {
    // No host config: fall back to the embedded server's default address below.
  }
  const info = AppInfo.parse({
    name: 'Threadline',
    version: import.meta.env.VITE_APP_VERSION ?? '0.0.0',
    platform: navigator.platform || 'web',
    host: 'web',
    serverUrl: serverUrl ?? 'http://127.0.0.1:4010',
    sipServers,
  });
  // Browsers have no OS link hand-off; `?dial=tel:…` stands in for it so the dial path is testable.
  const events = new EventTarget();
  const dial = new URLSearchParams(location.search).get('dial');
  window.addEventListener('online', () => events.dispatchEvent(new CustomEvent('resume', { detail: { reason: 'network', at: Date.now() } })));
  const on = (event: BridgeEventName, listener: (payload: never) => void) => {
    const handler = (e: Event) => {
      const parsed = bridgeEvents[event].safeParse((e as CustomEvent).detail);
      if (parsed.success) listener(parsed.data as never);
    };
    events.addEventListener(event, handler);
    if (event === 'dial' && dial) {
      const m = /^(tel|sip):(.+)$/i.exec(dial);
      if (m) queueMicrotask(() => events.dispatchEvent(new CustomEvent('dial', { detail: { kind: m[1]!.toLowerCase(), target: m[2] } })));
    }
    return () => events.removeEventListener(event, handler);
  };
  return {
    on: on as ThreadlineBridge['on'],
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
