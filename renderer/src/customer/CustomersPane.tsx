import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CustomerDoc, IdentityKind } from '../../../shared/model/documents';
import type { ReplicaDatabase } from '../replica/database';
import type { TokenStore } from '../session/token-store';
import { Composer, type ReplyChannel } from '../timeline/Composer';
import { buildTimeline, searchTimeline, type TimelineData } from '../timeline/model';
import { ChannelBadge, Timeline } from '../timeline/Timeline';
import { httpCustomerSource, replicaCustomerSource, type CustomerSource } from './sources';

function initials(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((p) => p[0]!.toUpperCase()).join('') || '?';
}

function LinkIdentity({ onLink }: { onLink(kind: IdentityKind, value: string): Promise<void> }) {
  const [kind, setKind] = useState<IdentityKind>('phone');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form aria-label="Link identity" className="flex items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        onLink(kind, value).then(() => setValue(''), (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }}>
      <select aria-label="Identity kind" value={kind} onChange={(e) => setKind(e.target.value as IdentityKind)} className="rounded-md border border-slate-300 px-2 py-1 text-xs">
        <option value="phone">Phone</option><option value="email">Email</option><option value="chat">Chat</option>
      </select>
      <input aria-label="Identity to link" value={value} onChange={(e) => setValue(e.target.value)} placeholder="+44 7700 900456" className="w-44 rounded-md border border-slate-300 px-2 py-1 text-xs" />
      <button type="submit" className="rounded-md bg-slate-800 px-2.5 py-1 text-xs font-semibold text-white">Link</button>
      {error && <span role="alert" className="text-xs text-rose-700">{error}</span>}
    </form>
  );
}

function CustomerHeader({ data, onLink, undo }: { data: TimelineData; onLink(kind: IdentityKind, value: string): Promise<void>; undo?: (() => void) | undefined }) {
  const c = data.customer;
  const open = data.threads.filter((t) => !t._deleted && t.status !== 'resolved').length;
  return (
    <header className="flex flex-wrap items-start gap-4 border-b border-slate-200 bg-white px-5 py-4">
      <div aria-hidden="true" className="flex h-12 w-12 items-center justify-center rounded-full bg-gradient-to-br from-sky-500 to-indigo-600 text-lg font-semibold text-white">{initials(c.name)}</div>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-xl font-semibold text-slate-900" data-testid="customer-name">{c.name}</h2>
          {c.provisional && <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-800" title="Created from an unknown contact; link or merge to confirm">Provisional</span>}
          {c.keyAccount && <span className="rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-semibold text-indigo-800">Key account</span>}
          {c.tier !== 'standard' && <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold capitalize text-slate-700">{c.tier}</span>}
          {c.company && <span className="text-sm text-slate-500">{c.company}</span>}
        </div>
        <ul aria-label="Identities" className="mt-1.5 flex flex-wrap gap-1.5">
          {c.identities.map((i) => (
            <li key={`${i.kind}:${i.value}`} className="rounded-md bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700">
              <span className="mr-1 font-sans font-semibold text-slate-600">{i.kind}</span>{i.value}
            </li>
          ))}
        </ul>
      </div>
      <div className="flex flex-col items-end gap-2">
        <p className="text-xs text-slate-500">{open} open thread{open === 1 ? '' : 's'} · {data.interactions.length} contacts</p>
        <LinkIdentity onLink={onLink} />
        {undo && <button type="button" onClick={undo} className="text-xs font-semibold text-sky-700 underline">Undo last link</button>}
      </div>
    </header>
  );
}

export function CustomerView({ source, customerId, online }: { source: CustomerSource; customerId: string; online: boolean }) {
  const [data, setData] = useState<TimelineData>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  const [hitIndex, setHitIndex] = useState(0);
  const [lastAction, setLastAction] = useState<string>();

  const reload = useCallback(() => {
    source.timeline(customerId).then((d) => { setData(d); setError(undefined); }, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [source, customerId]);
  useEffect(() => {
    reload();
    // A replica source says when sync brought changes; without one, poll.
    if (source.subscribe) {
      let pending: ReturnType<typeof setTimeout> | undefined;
      const off = source.subscribe(() => {
        clearTimeout(pending);
        pending = setTimeout(reload, 100);
      });
      return () => { clearTimeout(pending); off(); };
    }
    const t = setInterval(reload, 15_000);
    return () => clearInterval(t);
  }, [reload, source]);

  const items = useMemo(() => (data ? buildTimeline(data) : []), [data]);
  const hits = useMemo(() => searchTimeline(items, query), [items, query]);
  const hitKeys = useMemo(() => new Set(hits.map((h) => h.key)), [hits]);
  const live = data?.threads.filter((t) => !t._deleted).sort((a, b) => b.lastActivityAt - a.lastActivityAt)[0];
  // Answer where the customer last wrote from; a call cannot be replied to in writing.
  const lastInbound = live && data?.interactions
    .filter((i) => i.threadId === live.id && i.direction === 'inbound' && i.channel !== 'call' && i.channel !== 'webform')
    .sort((a, b) => (b.offeredAt ?? 0) - (a.offeredAt ?? 0))[0];
  const preferred: ReplyChannel | undefined = lastInbound?.channel === 'email' || lastInbound?.channel === 'sms' || lastInbound?.channel === 'chat' ? lastInbound.channel : undefined;

  const download = useCallback((id: string, filename: string) => {
    source.attachment(id).then((blob) => {
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [source]);

  if (error && !data) return <p role="alert" className="p-6 text-sm text-rose-700">Could not load this customer: {error}</p>;
  if (!data) return <p className="p-6 text-sm text-slate-500">Loading customer…</p>;
  return (
    <section aria-label={`Customer ${data.customer.name}`} className="flex h-full min-h-0 flex-col bg-slate-50">
      <CustomerHeader data={data}
        onLink={async (kind, value) => { const r = await source.link(data.customer.id, kind, value); setLastAction(r.actionId); reload(); }}
        undo={lastAction ? () => { void source.undo(lastAction).then(() => { setLastAction(undefined); reload(); }); } : undefined} />
      <div className="flex items-center gap-2 border-b border-slate-200 bg-white px-5 py-2">
        <label htmlFor="history-search" className="sr-only">Search this customer’s history</label>
        <input id="history-search" type="search" value={query} placeholder="Search this customer’s history…"
          onChange={(e) => { setQuery(e.target.value); setHitIndex(0); }}
          onKeyDown={(e) => { if (e.key === 'Enter' && hits.length) setHitIndex((hitIndex + 1) % hits.length); }}
          className="w-80 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
        {query && <span className="text-xs text-slate-500" data-testid="search-count">{hits.length ? `${hitIndex + 1} of ${hits.length}` : 'No matches'}</span>}
        <span className="ml-auto flex items-center gap-1">{[...new Set(data.interactions.map((i) => i.channel))].map((c) => <ChannelBadge key={c} channel={c} />)}</span>
      </div>
      <div className="min-h-0 flex-1"><Timeline items={items} highlightKeys={hitKeys} focusIndex={hits[hitIndex]?.index} onDownload={download} /></div>
      {live && <Composer threadId={live.id} customer={data.customer} preferred={preferred} store={window.localStorage} online={online}
        send={async (channel, text) => { await source.reply(live.id, channel, text); reload(); }} />}
    </section>
  );
}

function CustomerList({ source, selected, onSelect }: { source: CustomerSource; selected?: string | undefined; onSelect(id: string): void }) {
  const [q, setQ] = useState('');
  const [list, setList] = useState<CustomerDoc[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let t: ReturnType<typeof setTimeout> | undefined;
    const run = (delay: number) => {
      clearTimeout(t);
      t = setTimeout(() => {
        source.search(q).then((r) => { setList(r); setError(undefined); }, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      }, delay);
    };
    run(150);
    // The replica fills in while sync runs: search again when customers arrive or change.
    const off = source.subscribe?.(() => run(300));
    return () => { clearTimeout(t); off?.(); };
  }, [source, q]);
  return (
    <div className="flex h-full min-h-0 flex-col border-r border-slate-200 bg-white">
      <div className="p-3">
        <label htmlFor="customer-search" className="sr-only">Find a customer</label>
        <input id="customer-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name, phone or email…" className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
      </div>
      {error && <p role="alert" className="px-3 text-xs text-rose-700">{error}</p>}
      <ul aria-label="Customers" className="min-h-0 flex-1 overflow-auto">
        {list.map((c) => (
          <li key={c.id}>
            <button type="button" onClick={() => onSelect(c.id)} aria-current={c.id === selected ? 'true' : undefined}
              className={`flex w-full items-center gap-2 px-3 py-2 text-left text-sm ${c.id === selected ? 'bg-sky-50' : 'hover:bg-slate-50'}`}>
              <span aria-hidden="true" className="flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-700">{initials(c.name)}</span>
              <span className="min-w-0">
                <span className="block truncate font-medium text-slate-900">{c.name}{c.provisional ? ' ·' : ''}{c.provisional && <span className="ml-1 text-xs text-amber-700">provisional</span>}</span>
                <span className="block truncate text-xs text-slate-500">{c.identities[0]?.value ?? ''}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The Customers workspace: find a customer, read their whole thread, answer on their channel. */
export function CustomersPane({ tokens, replica, online }: { tokens: TokenStore; replica?: ReplicaDatabase | undefined; online: boolean }) {
  const source = useMemo(() => (replica ? replicaCustomerSource(replica, tokens) : httpCustomerSource(tokens)), [replica, tokens]);
  const [selected, setSelected] = useState<string | undefined>(() => new URLSearchParams(window.location.search).get('customer') ?? undefined);
  return (
    <div className="grid h-[calc(100vh-4.5rem)] min-h-[36rem] grid-cols-[16rem_1fr] overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <CustomerList source={source} selected={selected} onSelect={setSelected} />
      {selected ? <CustomerView key={selected} source={source} customerId={selected} online={online} /> : <p className="p-6 text-sm text-slate-500">Choose a customer to see their whole story.</p>}
    </div>
  );
}
