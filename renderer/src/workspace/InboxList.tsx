import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type KeyboardEvent } from 'react';
import { ChannelBadge } from '../timeline/Timeline';
import { formatWait, type InboxRow } from './inbox-model';

export interface InboxListProps {
  rows: readonly InboxRow[];
  selectedThreadId?: string;
  now: number;
  onSelect(row: InboxRow): void;
}

const ROW_HEIGHT = 64;

/** Virtualized: an agent's inbox can hold thousands of threads; only the visible rows render. */
export function InboxList({ rows, selectedThreadId, now, onSelect }: InboxListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const selectedIndex = rows.findIndex((r) => r.threadId === selectedThreadId);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1
      : Math.min(rows.length - 1, Math.max(0, selectedIndex + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = rows[next];
    if (row) {
      onSelect(row);
      virtualizer.scrollToIndex(next);
    }
  };

  if (!rows.length) return <p className="p-4 text-sm text-slate-500">Nothing waiting. New contacts appear here.</p>;
  return (
    <div
      ref={scrollRef}
      role="listbox"
      aria-label="Conversations"
      aria-activedescendant={selectedThreadId ? `inbox-${selectedThreadId}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
      className="h-full overflow-auto rounded-lg border border-slate-200 bg-white"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const r = rows[v.index]!;
          const selected = r.threadId === selectedThreadId;
          return (
            <div
              key={r.threadId}
              id={`inbox-${r.threadId}`}
              role="option"
              aria-selected={selected}
              onClick={() => onSelect(r)}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: v.size, transform: `translateY(${v.start}px)` }}
              className={`flex cursor-pointer items-center gap-3 border-b border-slate-100 px-4 ${selected ? 'bg-sky-50 ring-1 ring-inset ring-sky-300' : 'hover:bg-slate-50'}`}
            >
              <div className="flex w-24 shrink-0 flex-col items-start gap-0.5">
                {r.channel && <ChannelBadge channel={r.channel} />}
                {r.channels.length > 1 && <span className="text-[10px] text-slate-600">{r.channels.join(' → ')}</span>}
              </div>
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-2">
                  <span className="truncate font-medium text-slate-900">{r.customerName}</span>
                  {r.keyAccount && <span title="Key account" className="shrink-0 rounded bg-amber-200 px-1 text-[10px] font-bold text-amber-950"><span aria-hidden="true">★ </span>KEY</span>}
                </div>
                <div className="truncate text-sm text-slate-600">{[r.company, r.subject, r.queueName].filter(Boolean).join(' · ')}</div>
              </div>
              <div className="w-32 shrink-0 text-right text-xs">
                {r.waitingSince !== undefined ? (
                  <span className={`rounded px-1.5 py-0.5 font-semibold ${r.breached ? 'bg-rose-600 text-white' : 'bg-amber-100 text-amber-900'}`}>
                    {r.breached ? 'SLA ' : 'Waiting '}{formatWait(now - r.waitingSince)}
                  </span>
                ) : (
                  <span className="text-slate-500">{r.status === 'resolved' ? 'Resolved' : 'Open'} · {new Date(r.lastActivityAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
