import { useEffect, useState } from 'react';
import type { AppInfo, PolicyState, ThreadlineBridge } from '../../shared/bridge';
import { AppShell, NAV } from './shell/AppShell';
import { useServerStatus } from './shell/use-server-status';
import { SessionGate } from './session/SessionGate';
import { CustomersPane } from './customer/CustomersPane';
import { ScreenPopPanel } from './sync-status/ScreenPopPanel';
import { SyncBadge } from './sync-status/SyncBadge';
import { InboxView } from './workspace/InboxView';
import { QueueBoard } from './workspace/QueueBoard';
import { WrapupPanel } from './workspace/WrapupPanel';
import { PhoneStatus, SoftphonePanel } from './softphone/SoftphonePanel';
import { WithPhone } from './softphone/WithPhone';

export function App({ bridge }: { bridge: ThreadlineBridge }) {
  const [info, setInfo] = useState<AppInfo>();
  const [policy, setPolicy] = useState<PolicyState>();
  const [active, setActive] = useState('inbox');
  const [inboxThread, setInboxThread] = useState<string>();
  const status = useServerStatus(info?.serverUrl);

  useEffect(() => {
    void bridge.getAppInfo().then(setInfo);
    void bridge.getPolicy().then(setPolicy);
  }, [bridge]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const n = NAV[Number(e.key) - 1];
      if (n) {
        e.preventDefault();
        setActive(n.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const current = NAV.find((n) => n.id === active)!;
  if (!info) return <main className="p-6 text-sm text-slate-600" aria-busy="true">Starting…</main>;
  return (
    <SessionGate serverUrl={info.serverUrl} maxOfflineDays={policy?.policy.maxOfflineDays} bridge={bridge}>
      {(ws, logout) => (
    <WithPhone ws={ws} bridge={bridge} info={info}>{(phone) => (
    <AppShell
      badge={<SyncBadge sync={ws.sync} storage={ws.db.storage.name} />}
      info={info}
      status={status}
      active={active}
      onNavigate={setActive}
      topRight={phone && <PhoneStatus phone={phone} />}
      main={
        <section aria-labelledby="pane-title">
          <h1 id="pane-title" className="text-xl font-semibold">{current.label}</h1>
          {active === 'settings' && <p className="mt-2 text-sm text-slate-600">
            {status.state === 'connected'
              ? `Connected to ${info?.serverUrl} (server ${status.version}, ${status.database}).`
              : status.state === 'offline'
                ? `Cannot reach ${info?.serverUrl}: ${status.reason}. Work continues on this machine.`
                : 'Connecting to the server…'}
          </p>}
          {active === 'inbox' && <div className="mt-4"><InboxView db={ws.db} tokens={ws.tokens} agentId={ws.session.user.agentId} online={status.state === 'connected'} selected={inboxThread} onSelect={setInboxThread} /></div>}
          {active === 'queues' && <div className="mt-4"><QueueBoard db={ws.db} /></div>}
          {active === 'customers' && <div className="mt-4"><ScreenPopPanel ws={ws} /></div>}
          {active === 'customers' && <div className="mt-6"><CustomersPane tokens={ws.tokens} replica={ws.db} online={status.state === 'connected'} /></div>}
        </section>
      }
      side={
        <div>
          {phone && <div className="mb-4 border-b border-slate-200 pb-4"><SoftphonePanel phone={phone} /></div>}
          {active === 'inbox' && (inboxThread
            ? <WrapupPanel key={inboxThread} writer={ws.writer} threadId={inboxThread} agentId={ws.session.user.agentId} />
            : <p className="text-sm text-slate-600">Choose a conversation to wrap it up here (Alt+W).</p>)}
          {policy && policy.source !== 'none' && (
            <p className="mt-4 text-xs text-slate-500">Some settings are managed by your IT department ({policy.lockedKeys.join(', ')}).</p>
          )}
          <p className="mt-6 text-xs text-slate-500">
            Signed in as {ws.session.user.displayName} ({ws.session.user.email}).{' '}
            <button type="button" className="underline" onClick={() => void logout()}>Sign out</button>
          </p>
        </div>
      }
    />
    )}</WithPhone>
      )}
    </SessionGate>
  );
}
