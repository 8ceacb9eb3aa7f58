import { useMemo, useState } from 'react';
import type { ReplicaDatabase } from '../replica/database';
import type { TokenStore } from '../session/token-store';
import { CustomerView } from '../customer/CustomersPane';
import { replicaCustomerSource } from '../customer/sources';
import { BroadcastBanner, activeBroadcasts } from './BroadcastBanner';
import { InboxList } from './InboxList';
import { buildInboxRows } from './inbox-model';
import { useNow } from '../shell/use-now';
import { useReplicaQuery } from './use-replica-query';

const RECENT_MS = 7 * 86_400_000;

/** The agent's working view: notices, the conversations that need them, and the chosen customer's whole thread. */
export interface InboxViewProps {
  db: ReplicaDatabase;
  tokens: TokenStore;
  agentId?: string | undefined;
  online: boolean;
  /** Selection is the caller's, so the side pane can wrap up the same conversation. */
  selected: string | undefined;
  onSelect(threadId: string): void;
}

export function InboxView({ db, tokens, agentId, online, selected, onSelect }: InboxViewProps) {
  const now = useNow();
  const [since] = useState(() => Date.now() - RECENT_MS);
  const threads = useReplicaQuery(() => db.threads.find({ selector: { lastActivityAt: { $gte: since } } }), [db, since]);
  const interactions = useReplicaQuery(() => db.interactions.find(), [db]);
  const customers = useReplicaQuery(() => db.customers.find(), [db]);
  const queues = useReplicaQuery(() => db.config.find({ selector: { kind: 'queue' } }), [db]);
  const broadcasts = useReplicaQuery(() => db.broadcasts.find(), [db]);
  const agents = useReplicaQuery(() => (agentId ? db.agents.find({ selector: { id: agentId } }) : undefined), [db, agentId]);
  const myQueues = useMemo(() => agents[0]?.queueIds ?? [], [agents]);

  const rows = useMemo(
    () => buildInboxRows({ threads, interactions, customers, queues, now }),
    // The clock only moves wait timers; re-sorting once a minute is enough for the order.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [threads, interactions, customers, queues, Math.floor(now / 60_000)],
  );
  const notices = useMemo(() => activeBroadcasts(broadcasts, now, myQueues), [broadcasts, now, myQueues]);
  const selectedRow = rows.find((r) => r.threadId === selected);
  const source = useMemo(() => replicaCustomerSource(db, tokens), [db, tokens]);
  const waiting = rows.filter((r) => r.waitingSince !== undefined).length;
  const breached = rows.filter((r) => r.breached).length;

  return (
    <div className="flex h-[calc(100vh-7rem)] min-h-[36rem] flex-col">
      <BroadcastBanner broadcasts={notices} />
      <div className="grid min-h-0 flex-1 grid-cols-[26rem_1fr] gap-4">
        <div className="flex min-h-0 flex-col">
          <p className="mb-2 text-sm text-slate-600" data-testid="inbox-summary">
            <span className="font-semibold text-slate-900">{waiting}</span> waiting
            {breached > 0 && <> · <span className="font-semibold text-rose-700">{breached} past SLA</span></>}
            {' · '}{rows.length} conversations this week
          </p>
          <div className="min-h-0 flex-1">
            <InboxList rows={rows} now={now} selectedThreadId={selected} onSelect={(r) => onSelect(r.threadId)} />
          </div>
        </div>
        <div className="min-h-0 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          {selectedRow
            ? <CustomerView key={selectedRow.customerId} source={source} customerId={selectedRow.customerId} online={online} />
            : <p className="p-6 text-sm text-slate-500">Choose a conversation (↑/↓ in the list) to see the customer’s whole story.</p>}
        </div>
      </div>
    </div>
  );
}
