import { useEffect, useState } from 'react';
import type { AppInfo, ThreadlineBridge } from '../../../shared/bridge';
import { Softphone } from './softphone';
import type { CallLogSink, ScreenPopSource } from './types';

export interface PhoneIdentity {
  user: string;
  domain: string;
  displayName?: string;
}

/**
 * Where the agent registers. The agent's own `agents` doc (extension, sipUri) is the source once the
 * session knows who is signed in; on the web host `?sipUser=&sipDomain=` stands in, the same way
 * `?server=` does for the sync server, so browser tests can run several agents side by side.
 */
export function phoneIdentityFrom(agent: { extension?: string; sipUri?: string; displayName?: string } | undefined, search: string): PhoneIdentity | undefined {
  const q = new URLSearchParams(search);
  const user = q.get('sipUser');
  if (user && /^[A-Za-z0-9._+-]{1,64}$/.test(user)) {
    return { user, domain: q.get('sipDomain') ?? 'threadline.test', displayName: q.get('sipName') ?? undefined };
  }
  if (!agent) return undefined;
  const m = agent.sipUri ? /^sips?:([^@;]+)@([^;>]+)/i.exec(agent.sipUri) : null;
  if (m) return { user: m[1]!, domain: m[2]!, displayName: agent.displayName };
  if (agent.extension) return { user: agent.extension, domain: 'threadline.test', displayName: agent.displayName };
  return undefined;
}

/** Creates, starts and stops the phone for the current identity, and hooks OS events (dial links, resume). */
export function useSoftphone(opts: {
  bridge: ThreadlineBridge;
  info: AppInfo | undefined;
  identity: PhoneIdentity | undefined;
  region: string;
  screenPop?: ScreenPopSource;
  callLog?: CallLogSink;
}): Softphone | undefined {
  const [phone, setPhone] = useState<Softphone>();
  const { bridge, info, identity, region, screenPop, callLog } = opts;
  const servers = info?.sipServers?.join(' ') ?? '';
  const key = identity ? `${identity.user}@${identity.domain}` : '';

  useEffect(() => {
    if (!servers || !identity) return;
    const p = new Softphone({ servers: servers.split(' '), user: identity.user, domain: identity.domain, displayName: identity.displayName, region, screenPop, callLog });
    p.start();
    setPhone(p);
    const offResume = bridge.on('resume', () => p.reconnectNow());
    const offDial = bridge.on('dial', ({ kind, target }) => dialWhenReady(p, `${kind}:${target}`));
    // Any tel:/sip: link inside the app (a customer record, an email, an article) dials here.
    const onClick = (e: MouseEvent) => {
      const a = e.target instanceof Element ? e.target.closest('a[href^="tel:"], a[href^="sip:"], a[href^="sips:"]') : null;
      if (!a) return;
      e.preventDefault();
      dialWhenReady(p, a.getAttribute('href') ?? '');
    };
    document.addEventListener('click', onClick);
    const online = () => p.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      offResume();
      offDial();
      document.removeEventListener('click', onClick);
      window.removeEventListener('online', online);
      void p.stop();
      setPhone(undefined);
    };
    // identity is keyed by value so a re-render with an equal identity does not re-register.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bridge, servers, key, region, screenPop, callLog]);

  return phone;
}

/** A link can arrive before the phone has registered (app launched by a tel: link): dial once it has. */
function dialWhenReady(p: Softphone, target: string, timeoutMs = 30_000): void {
  const go = () => void p.dial(target).catch((err: unknown) => console.warn('[softphone] dial link refused', err));
  if (p.snapshot().registration.state === 'registered') return go();
  const timer = setTimeout(() => off(), timeoutMs);
  const off = p.subscribe((s) => {
    if (s.registration.state !== 'registered') return;
    clearTimeout(timer);
    off();
    go();
  });
}
