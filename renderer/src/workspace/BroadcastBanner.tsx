import type { BroadcastDoc } from '../../../shared/model/documents';

type Broadcast = Omit<BroadcastDoc, '_deleted'>;

const tone = {
  info: 'border-sky-300 bg-sky-50 text-sky-950',
  warning: 'border-amber-400 bg-amber-50 text-amber-950',
  critical: 'border-rose-500 bg-rose-50 text-rose-950',
} as const;

/** Proactive notices (an outage, a known billing error) shown to every agent on the affected queues. */
export function activeBroadcasts(all: readonly Broadcast[], now: number, queueIds: readonly string[]): Broadcast[] {
  const mine = new Set(queueIds);
  return all
    .filter((b) => b.startsAt <= now && (b.endsAt === undefined || b.endsAt > now))
    .filter((b) => !b.queueIds?.length || b.queueIds.some((q) => mine.has(q)))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.startsAt - a.startsAt);
}
const severityRank = (s: Broadcast['severity']) => (s === 'critical' ? 2 : s === 'warning' ? 1 : 0);

export function BroadcastBanner({ broadcasts }: { broadcasts: readonly Broadcast[] }) {
  if (!broadcasts.length) return null;
  return (
    <section aria-label="Notices" className="mb-4 space-y-2">
      {broadcasts.map((b) => (
        <div key={b.id} role={b.severity === 'critical' ? 'alert' : 'status'} className={`rounded-lg border-l-4 px-4 py-2 text-sm ${tone[b.severity]}`}>
          <p className="font-semibold">{b.title}</p>
          <p className="mt-0.5">{b.body}</p>
        </div>
      ))}
    </section>
  );
}
