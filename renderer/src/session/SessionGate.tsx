import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ThreadlineBridge } from '../../../shared/bridge';
import type { SocketLike } from '../replica/sync-client';
import { LoginScreen } from './LoginScreen';
import { TokenStore } from './token-store';
import { isLocked, openWorkspace, type WorkspaceSession } from './workspace-session';

const WorkspaceContext = createContext<WorkspaceSession | null>(null);

/** The signed-in workspace (replica, outbox, sync client); null outside the gate. */
export function useWorkspace(): WorkspaceSession | null {
  return useContext(WorkspaceContext);
}

const browserSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

type Phase = { kind: 'login'; notice?: string } | { kind: 'opening' } | { kind: 'locked'; ws: WorkspaceSession } | { kind: 'ready'; ws: WorkspaceSession };

export interface SessionGateProps {
  serverUrl: string;
  maxOfflineDays?: number;
  /** Its `resume` event (sleep, unlock, network back) makes the replica resync at once instead of after a backoff. */
  bridge?: Pick<ThreadlineBridge, 'on'>;
  children(ws: WorkspaceSession, logout: () => Promise<void>): ReactNode;
}

/**
 * Nothing of the workspace renders before sign-in. Each tenant+user gets its own replica database,
 * so a second agent on the same machine never sees the first one's data; logout and a server-side
 * revocation delete the replica.
 */
export function SessionGate({ serverUrl, maxOfflineDays, bridge, children }: SessionGateProps) {
  const tokens = useMemo(() => new TokenStore(serverUrl, window.localStorage), [serverUrl]);
  const session = useSyncExternalStore((fn) => tokens.subscribe(fn), () => tokens.session);
  const [phase, setPhase] = useState<Phase>(() => (tokens.session ? { kind: 'opening' } : { kind: 'login' }));

  useEffect(() => {
    if (!session) return;
    let cancelled = false;
    let ws: WorkspaceSession | undefined;
    let unsub: (() => void) | undefined;
    let offResume: (() => void) | undefined;
    setPhase({ kind: 'opening' });
    const onRevoked = () => setPhase({ kind: 'login', notice: 'This device was signed out by the server. Local data was removed.' });
    void openWorkspace({ tokens, kv: window.localStorage, socketFactory: browserSocket, onRevoked }).then((opened) => {
      ws = opened;
      if (cancelled) return void opened.close();
      offResume = bridge?.on('resume', () => opened.sync.resync());
      if (isLocked(window.localStorage, opened.name, maxOfflineDays)) {
        setPhase({ kind: 'locked', ws: opened });
        unsub = opened.sync.subscribe(() => {
          if (opened.sync.status.state === 'synced') {
            unsub?.();
            setPhase({ kind: 'ready', ws: opened });
          }
        });
      } else {
        setPhase({ kind: 'ready', ws: opened });
      }
    }, (err: unknown) => {
      if (!cancelled) setPhase({ kind: 'login', notice: `Could not open local data: ${err instanceof Error ? err.message : String(err)}` });
    });
    return () => {
      cancelled = true;
      unsub?.();
      offResume?.();
      tokens.onRevoked = undefined;
      void ws?.close();
    };
  }, [session, tokens, maxOfflineDays, bridge]);

  const logout = useCallback(async () => {
    const ws = phase.kind === 'ready' || phase.kind === 'locked' ? phase.ws : undefined;
    setPhase({ kind: 'opening' });
    await tokens.logout();
    await ws?.purge();
    setPhase({ kind: 'login' });
  }, [phase, tokens]);

  if (!session || phase.kind === 'login') {
    return (
      <LoginScreen
        serverUrl={serverUrl}
        notice={phase.kind === 'login' ? phase.notice : undefined}
        onLogin={async (req) => {
          await tokens.login({ ...req, deviceName: navigator.userAgent.slice(0, 200) });
        }}
      />
    );
  }
  if (phase.kind === 'opening') {
    return <main className="flex min-h-screen items-center justify-center text-sm text-slate-600" aria-busy="true">Opening local data…</main>;
  }
  if (phase.kind === 'locked') {
    return (
      <main className="flex min-h-screen items-center justify-center bg-slate-100 p-6">
        <section role="alert" className="max-w-md rounded-xl bg-white p-6 text-sm shadow-sm ring-1 ring-slate-200" data-testid="replica-locked">
          <h1 className="text-lg font-semibold">Local data is locked</h1>
          <p className="mt-2 text-slate-600">
            This workstation has not synced with the server for more than {maxOfflineDays} days, so customer data stays hidden
            until it syncs again. Connect to the network; the workspace opens by itself once it is up to date.
          </p>
          <button type="button" className="mt-4 rounded-md px-3 py-1.5 ring-1 ring-slate-300" onClick={() => void logout()}>Sign out and remove local data</button>
        </section>
      </main>
    );
  }
  return <WorkspaceContext.Provider value={phase.ws}>{children(phase.ws, logout)}</WorkspaceContext.Provider>;
}
