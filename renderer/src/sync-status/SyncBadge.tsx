import { useSyncExternalStore } from 'react';
import type { Outbox } from '../replica/outbox';
import type { SyncClient, SyncStatus } from '../replica/sync-client';

const styles: Record<SyncStatus['state'], string> = {
  synced: 'bg-emerald-100 text-emerald-900 ring-emerald-300',
  syncing: 'bg-sky-100 text-sky-900 ring-sky-300',
  offline: 'bg-amber-100 text-amber-900 ring-amber-300',
  error: 'bg-rose-100 text-rose-900 ring-rose-300',
};

const hhmm = (t: number) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function syncLabel(s: SyncStatus): string {
  const pending = s.pending > 0 ? ` · ${s.pending} pending` : '';
  switch (s.state) {
    case 'synced': return 'Synced';
    case 'syncing': return s.pending > 0 ? `Syncing ${s.pending}` : 'Syncing';
    case 'offline': return `Offline since ${hhmm(s.since)}${pending}`;
    case 'error': return `Sync error: ${s.code}${pending}`;
  }
}

export function useSyncStatus(sync: SyncClient): SyncStatus {
  return useSyncExternalStore((fn) => sync.subscribe(fn), () => sync.status);
}

/** RxDB storage names → what support staff read in the badge's tooltip. */
const storageLabels: Record<string, string> = { remote: 'SQLite on this machine', dexie: 'IndexedDB on this machine' };

/** The top bar's sync state: synced / syncing N / offline since T / error with reason, plus the pending outbox count. */
export function SyncBadge({ sync, storage }: { sync: SyncClient; storage?: string }) {
  const s = useSyncStatus(sync);
  const state =
    s.state === 'error' ? s.reason
    : s.state === 'offline' ? `${s.reason}. Work continues on this machine; ${s.pending} change(s) will sync when the link returns.`
    : s.lastSyncedAt ? `Last synced ${new Date(s.lastSyncedAt).toLocaleString()}` : undefined;
  const replica = storage ? `Replica: ${storageLabels[storage] ?? storage}` : undefined;
  const title = [state, replica].filter(Boolean).join('\n') || undefined;
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="sync-status"
      data-state={s.state}
      data-pending={s.pending}
      data-storage={storage}
      title={title}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ${styles[s.state]}`}
    >
      <span aria-hidden="true" className="h-2 w-2 rounded-full bg-current" />
      {syncLabel(s)}
    </span>
  );
}

/** Marks one document whose latest local change has not reached the server yet. */
export function PendingMarker({ outbox, collection, id }: { outbox: Outbox; collection: string; id: string }) {
  const pending = useSyncExternalStore((fn) => outbox.subscribe(fn), () => outbox.isPending(collection, id));
  if (!pending) return null;
  return (
    <span data-testid="not-synced" title="Saved on this machine; not yet on the server" className="ml-1 rounded bg-amber-100 px-1 text-[10px] font-medium text-amber-900">
      not yet synced
    </span>
  );
}
