import type { ServerStatus } from './use-server-status';

const styles = {
  connecting: 'bg-amber-100 text-amber-900 ring-amber-300',
  connected: 'bg-emerald-100 text-emerald-900 ring-emerald-300',
  offline: 'bg-rose-100 text-rose-900 ring-rose-300',
} as const;

function label(s: ServerStatus): string {
  if (s.state === 'connected') return 'Connected';
  if (s.state === 'connecting') return 'Connecting…';
  return `Offline since ${new Date(s.since).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

export function ConnectionBadge({ status }: { status: ServerStatus }) {
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="connection-status"
      data-state={status.state}
      title={status.state === 'offline' ? status.reason : status.state === 'connected' ? `Server ${status.version} · ${status.database}` : undefined}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${styles[status.state]}`}
    >
      <span aria-hidden="true" className="h-2 w-2 rounded-full bg-current" />
      {label(status)}
    </span>
  );
}
