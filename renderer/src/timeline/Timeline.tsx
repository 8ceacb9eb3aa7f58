import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { Channel, EventDoc } from '../../../shared/model/documents';
import { CHANNEL_LABEL, channelWord, eventText, formatClock, wrapupReasons, type TimelineItem } from './model';
import { sanitizeEmailHtml } from './sanitize';

const BADGE: Record<Channel, { glyph: string; cls: string; rail: string }> = {
  call: { glyph: '✆', cls: 'bg-emerald-100 text-emerald-800 ring-emerald-200', rail: 'bg-emerald-400' },
  email: { glyph: '✉', cls: 'bg-sky-100 text-sky-800 ring-sky-200', rail: 'bg-sky-400' },
  sms: { glyph: '✎', cls: 'bg-violet-100 text-violet-800 ring-violet-200', rail: 'bg-violet-400' },
  chat: { glyph: '☍', cls: 'bg-amber-100 text-amber-800 ring-amber-200', rail: 'bg-amber-400' },
  webform: { glyph: '▤', cls: 'bg-slate-200 text-slate-800 ring-slate-300', rail: 'bg-slate-400' },
};

export function ChannelBadge({ channel }: { channel: Channel }) {
  const b = BADGE[channel];
  return (
    <span data-testid="channel-badge" data-channel={channel} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ${b.cls}`}>
      <span aria-hidden="true">{b.glyph}</span>
      {CHANNEL_LABEL[channel]}
    </span>
  );
}

const STATE_LABEL: Record<string, string> = {
  queued: 'Waiting', offered: 'Offered', active: 'In progress', wrapup: 'Wrap-up', done: 'Done', missed: 'Missed', abandoned: 'Abandoned',
};

function duration(from?: number, to?: number): string | undefined {
  if (!from || !to || to < from) return undefined;
  const s = Math.round((to - from) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60}s` : `${s}s`;
}

function EmailHtml({ html }: { html: string }) {
  // Sanitized on every render path: stored HTML is exactly what the sender wrote.
  const clean = useMemo(() => sanitizeEmailHtml(html), [html]);
  return <div data-testid="email-html" className="email-body max-w-none text-sm leading-relaxed text-slate-800 [&_a]:text-sky-700 [&_a]:underline [&_[data-blocked-image]]:rounded [&_[data-blocked-image]]:bg-slate-100 [&_[data-blocked-image]]:px-1.5 [&_[data-blocked-image]]:py-0.5 [&_[data-blocked-image]]:text-xs [&_[data-blocked-image]]:text-slate-600 [&_p]:my-1" dangerouslySetInnerHTML={{ __html: clean }} />;
}

function EventRow({ item, highlight, onDownload }: { item: Extract<TimelineItem, { type: 'event' }>; highlight: boolean; onDownload?: DownloadFn | undefined }) {
  const e: EventDoc = item.event;
  const ring = highlight ? 'ring-2 ring-amber-400' : '';
  if (e.kind === 'wrapup') {
    const reasons = wrapupReasons(e);
    const outcome = typeof e.body.outcome === 'string' ? e.body.outcome : undefined;
    return (
      <div className={`ml-10 flex flex-wrap items-center gap-2 rounded-md border border-dashed border-slate-300 bg-slate-50 px-3 py-1.5 text-xs text-slate-600 ${ring}`} data-testid="wrapup">
        <span className="font-semibold text-slate-700">Wrap-up</span>
        {reasons.map((r) => <span key={r} className="rounded bg-white px-1.5 py-0.5 ring-1 ring-slate-200">{r}</span>)}
        {outcome && <span>· {outcome}</span>}
        {item.author && <span className="ml-auto">by {item.author}</span>}
      </div>
    );
  }
  if (e.kind === 'note') {
    return (
      <div className={`ml-10 rounded-md bg-yellow-50 px-3 py-2 text-sm text-yellow-950 ring-1 ring-yellow-200 ${ring}`}>
        <span className="mr-2 text-xs font-semibold uppercase tracking-wide text-yellow-700">Note</span>
        {eventText(e)}
        {item.author && <span className="ml-2 text-xs text-yellow-700">— {item.author}</span>}
      </div>
    );
  }
  if (e.kind !== 'message') {
    return <div className={`ml-10 text-xs text-slate-500 ${ring}`}>{e.kind.replace('_', ' ')} · {formatClock(e.at)}</div>;
  }
  const fromAgent = e.body.from === 'agent';
  const subject = typeof e.body.subject === 'string' ? e.body.subject : undefined;
  const html = typeof e.body.html === 'string' ? e.body.html : undefined;
  const text = typeof e.body.text === 'string' ? e.body.text : '';
  const attachments = Array.isArray(e.body.attachments) ? (e.body.attachments as Array<{ id?: string; filename?: string; size?: number }>) : [];
  return (
    <div className={`flex ${fromAgent ? 'justify-end' : 'justify-start'} pl-10`}>
      <article
        data-testid="message"
        className={`max-w-[46rem] rounded-2xl px-4 py-2.5 shadow-sm ${fromAgent ? 'rounded-br-sm bg-sky-700 text-white' : 'rounded-bl-sm bg-white text-slate-900 ring-1 ring-slate-200'} ${ring}`}
      >
        <header className={`mb-1 flex items-center gap-2 text-xs ${fromAgent ? 'text-sky-50' : 'text-slate-500'}`}>
          <span className="font-medium">{fromAgent ? (item.author ?? 'Agent') : 'Customer'}</span>
          <span>{formatClock(e.at)}</span>
        </header>
        {subject && <p className={`mb-1 text-sm font-semibold ${fromAgent ? 'text-white' : 'text-slate-900'}`}>{subject}</p>}
        {html && !fromAgent ? <EmailHtml html={html} /> : <p className="whitespace-pre-wrap text-sm leading-relaxed">{text}</p>}
        {attachments.length > 0 && (
          <ul className="mt-2 flex flex-wrap gap-2">
            {attachments.map((a, i) => (
              <li key={a.id ?? i}>
                <button type="button" disabled={!a.id || !onDownload} onClick={() => a.id && onDownload?.(a.id, a.filename ?? 'attachment')}
                  className="rounded-md bg-slate-100 px-2 py-1 text-xs text-slate-700 hover:bg-slate-200 disabled:cursor-default" title="Download">
                  📎 {a.filename ?? 'attachment'}{a.size ? ` · ${Math.ceil(a.size / 1024)} KB` : ''}
                </button>
              </li>
            ))}
          </ul>
        )}
      </article>
    </div>
  );
}

function InteractionRow({ item, highlight }: { item: Extract<TimelineItem, { type: 'interaction' }>; highlight: boolean }) {
  const ix = item.interaction;
  const talk = duration(ix.answeredAt, ix.endedAt);
  return (
    <div className="pt-3">
      {item.hop && (
        <div data-testid="hop-marker" className="mb-2 ml-10 inline-flex items-center gap-1.5 rounded-full bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-indigo-200">
          <span aria-hidden="true">↪</span>{item.hop.label}
        </div>
      )}
      <div data-testid="interaction" data-channel={ix.channel} className={`flex items-center gap-3 ${highlight ? 'rounded ring-2 ring-amber-400' : ''}`}>
        <span aria-hidden="true" className={`h-8 w-1.5 rounded-full ${BADGE[ix.channel].rail}`} />
        <ChannelBadge channel={ix.channel} />
        <span className="text-sm font-medium text-slate-800">{ix.direction === 'inbound' ? 'Inbound' : 'Outbound'} {channelWord(ix.channel)}</span>
        <time className="text-sm text-slate-500" dateTime={new Date(item.at).toISOString()}>{new Date(item.at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} {formatClock(item.at)}</time>
        {talk && <span className="text-xs text-slate-500">· {talk}</span>}
        <span className="ml-auto flex items-center gap-2 text-xs">
          {item.handler && <span className="text-slate-600">Handled by <span className="font-semibold text-slate-800">{item.handler}</span></span>}
          <span className={`rounded px-1.5 py-0.5 font-medium ${ix.state === 'done' ? 'bg-slate-100 text-slate-600' : ix.state === 'missed' || ix.state === 'abandoned' ? 'bg-rose-100 text-rose-700' : 'bg-amber-100 text-amber-800'}`}>{STATE_LABEL[ix.state] ?? ix.state}</span>
        </span>
      </div>
    </div>
  );
}

function ThreadRow({ item }: { item: Extract<TimelineItem, { type: 'thread' }> }) {
  const t = item.thread;
  const status = t.status === 'resolved' ? 'bg-emerald-100 text-emerald-800' : t.status === 'pending' ? 'bg-amber-100 text-amber-800' : 'bg-sky-100 text-sky-800';
  return (
    <div data-testid="thread" className="mt-4 flex items-center gap-3 border-b border-slate-200 pb-2 first:mt-0">
      <h2 className="text-base font-semibold text-slate-900">{t.subject ?? 'Conversation'}</h2>
      <span className={`rounded-full px-2 py-0.5 text-xs font-semibold capitalize ${status}`}>{t.status}</span>
      <span className="text-xs text-slate-500">{item.interactionCount} interaction{item.interactionCount === 1 ? '' : 's'} · {item.channels.map((c) => CHANNEL_LABEL[c]).join(' → ')}</span>
      <span className="ml-auto text-xs text-slate-500">since {new Date(t.openedAt).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} {formatClock(t.openedAt)}</span>
    </div>
  );
}

export type DownloadFn = (attachmentId: string, filename: string) => void;

export interface TimelineProps {
  onDownload?: DownloadFn | undefined;
  items: readonly TimelineItem[];
  highlightKeys?: ReadonlySet<string>;
  /** Scrolls this item into view (a search hit). */
  focusIndex?: number | undefined;
}

/** Virtualized: a long-standing customer can have years of contacts; only what is on screen renders. */
export function Timeline({ items, highlightKeys, focusIndex, onDownload }: TimelineProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.type === 'event' ? 96 : 52),
    getItemKey: (i) => items[i]!.key,
    overscan: 6,
  });
  useEffect(() => {
    if (focusIndex !== undefined && focusIndex >= 0) virtualizer.scrollToIndex(focusIndex, { align: 'center' });
  }, [focusIndex, virtualizer]);

  if (!items.length) return <p className="p-6 text-sm text-slate-500">No contacts yet.</p>;
  return (
    <div ref={scrollRef} tabIndex={0} data-testid="timeline" role="feed" aria-label="Customer timeline" className="h-full overflow-auto px-5 py-4">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index]!;
          const hl = highlightKeys?.has(item.key) ?? false;
          return (
            <div key={v.key} data-index={v.index} ref={virtualizer.measureElement} role="article" aria-posinset={v.index + 1} aria-setsize={items.length} className="absolute left-0 top-0 w-full pb-2" style={{ transform: `translateY(${v.start}px)` }}>
              {item.type === 'thread' && <ThreadRow item={item} />}
              {item.type === 'interaction' && <InteractionRow item={item} highlight={hl} />}
              {item.type === 'event' && <EventRow item={item} highlight={hl} onDownload={onDownload} />}
            </div>
          );
        })}
      </div>
    </div>
  );
}
