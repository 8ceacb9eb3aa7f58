import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AppInfo, ThreadlineBridge } from '../../../shared/bridge';
import type { WorkspaceSession } from '../session/workspace-session';
import { ReplicaCallLog, ReplicaScreenPop } from './replica-adapters';
import type { Softphone } from './softphone';
import { phoneIdentityFrom, useSoftphone } from './use-softphone';

interface AgentPhoneFields {
  extension?: string;
  sipUri?: string;
  displayName?: string;
}

/**
 * The signed-in agent's phone: identity from their `agents` doc, screen pop and call log on the
 * local replica. Renders its children with the phone so the top bar and the side pane share it.
 */
export function WithPhone({ ws, bridge, info, children }: { ws: WorkspaceSession; bridge: ThreadlineBridge; info: AppInfo; children(phone: Softphone | undefined): ReactNode }) {
  const agentId = ws.session.user.agentId;
  const [agent, setAgent] = useState<AgentPhoneFields>();
  const [region, setRegion] = useState('GB');

  useEffect(() => {
    const subs = [
      ws.db.config.findOne('tenant-settings').$.subscribe((doc) => {
        const r = (doc?.get('data') as { defaultRegion?: unknown } | undefined)?.defaultRegion;
        if (typeof r === 'string' && /^[A-Z]{2}$/.test(r)) setRegion(r);
      }),
    ];
    if (agentId) {
      subs.push(ws.db.agents.findOne(agentId).$.subscribe((doc) => {
        setAgent(doc ? { extension: doc.get('extension') as string | undefined, sipUri: doc.get('sipUri') as string | undefined, displayName: doc.get('displayName') as string } : undefined);
      }));
    }
    return () => subs.forEach((s) => s.unsubscribe());
  }, [ws.db, agentId]);

  const identity = phoneIdentityFrom(agent ?? { displayName: ws.session.user.displayName }, window.location.search);
  const screenPop = useMemo(() => new ReplicaScreenPop(ws.db, region), [ws.db, region]);
  const callLog = useMemo(() => new ReplicaCallLog(ws.writer, agentId), [ws.writer, agentId]);
  const phone = useSoftphone({ bridge, info, identity, region, screenPop, callLog });
  return <>{children(phone)}</>;
}
