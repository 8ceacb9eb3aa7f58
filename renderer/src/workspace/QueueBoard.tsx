import { useMemo } from 'react';
import { csat, customerEffort, firstContactResolution, queueKpis, type QueueKpis } from '../../../shared/kpi';
import type { ReplicaDatabase } from '../replica/database';
import { formatWait, slaFor } from './inbox-model';
import { useNow } from '../shell/use-now';
import { useReplicaQuery } from './use-replica-query';

const pct = (x: number | undefined) => (x === undefined ? '—' : `${Math.round(x * 100)}%`);
const dur = (ms: number | undefined) => (ms === undefined ? '—' : formatWait(ms));

function Stat({ label, value, tone }: { label: string; value: string; tone?: 'bad' | 'good' | undefined }) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${tone === 'bad' ? 'text-rose-700' : tone === 'good' ? 'text-emerald-700' : 'text-slate-900'}`}>{value}</dd>
    </div>
  );
}

/** Today's queues at a glance: who is waiting, how long, and whether the service level holds. */
export function QueueBoard({ db }: { db: ReplicaDatabase }) {
  const now = useNow(5000);
  const startOfDay = useMemo(() => new Date(new Date(now).toDateString()).getTime(), [now]);
  const queues = useReplicaQuery(() => db.config.find({ selector: { kind: 'queue', active: true } }), [db]);
  const interactions = useReplicaQuery(() => db.interactions.find({ selector: { updatedAt: { $gte: startOfDay } } }), [db, startOfDay]);
  const agents = useReplicaQuery(() => db.agents.find(), [db]);
  const wrapups = useReplicaQuery(() => db.events.find({ selector: { kind: 'wrapup', at: { $gte: startOfDay } } }), [db, startOfDay]);
  const surveys = useReplicaQuery(() => db.surveys.find({ selector: { updatedAt: { $gte: startOfDay } } }), [db, startOfDay]);

  const rows = useMemo(() => queues.map((q) => {
    const list = interactions.filter((i) => i.queueId === q.id);
    const k: QueueKpis = queueKpis(list, (ch) => slaFor(q, ch), now);
    const staffed = agents.filter((a) => a.queueIds.includes(q.id));
    const available = staffed.filter((a) => a.state === 'available').length;
    const target = typeof q.data.serviceLevelTarget === 'number' ? q.data.serviceLevelTarget : 0.8;
    return { q, k, staffed: staffed.length, available, target };
  }).sort((a, b) => b.k.longestWaitMs - a.k.longestWaitMs), [queues, interactions, agents, now]);

  const fcr = firstContactResolution(wrapups.map((w) => w.body));
  const sat = csat(surveys.flatMap((s) => (s.csat === undefined ? [] : [s.csat])));
  const effort = customerEffort(surveys.flatMap((s) => (s.effort === undefined ? [] : [s.effort])));

  return (
    <div className="space-y-4">
      <dl aria-label="Today across my queues" className="grid grid-cols-4 gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <Stat label="First-contact resolution" value={pct(fcr)} />
        <Stat label="CSAT (4–5 of 5)" value={pct(sat)} />
        <Stat label="Customer effort (1–7, lower is better)" value={effort === undefined ? '—' : effort.toFixed(1)} />
        <Stat label="Waiting now" value={String(rows.reduce((n, r) => n + r.k.waiting, 0))} />
      </dl>
      <ul aria-label="Queues" className="grid grid-cols-2 gap-4">
        {rows.map(({ q, k, staffed, available, target }) => (
          <li key={q.id} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
            <div className="flex items-baseline justify-between">
              <h2 className="font-semibold text-slate-900">{q.name}</h2>
              <span className="text-xs text-slate-600">{available} of {staffed} agents available</span>
            </div>
            <dl className="mt-3 grid grid-cols-3 gap-3">
              <Stat label="Waiting" value={String(k.waiting)} tone={k.waiting > available ? 'bad' : undefined} />
              <Stat label="Longest wait" value={k.waiting ? formatWait(k.longestWaitMs) : '—'} />
              <Stat label={`Service level (target ${Math.round(target * 100)}%)`} value={pct(k.serviceLevel)} tone={k.serviceLevel === undefined ? undefined : k.serviceLevel >= target ? 'good' : 'bad'} />
              <Stat label="Avg handle time" value={dur(k.averageHandleMs)} />
              <Stat label="Avg after-contact work" value={dur(k.averageAfterWorkMs)} />
              <Stat label="Answered · abandoned" value={`${k.answered} · ${k.abandoned}`} />
            </dl>
          </li>
        ))}
      </ul>
    </div>
  );
}
