import { useEffect, useState, type FormEvent } from 'react';
import type { ReplicaDocTypes } from '../replica/database';
import { screenPop, type ScreenPopResult } from '../replica/screen-pop';
import { addNote, addWrapup, type EventContext } from '../replica/writes';
import type { WorkspaceSession } from '../session/workspace-session';
import { PendingMarker } from './SyncBadge';

type Ev = ReplicaDocTypes['events'];

function describe(e: Ev): string {
  const b = e.body as Record<string, unknown>;
  if (e.kind === 'note') return String(b.text ?? '');
  if (e.kind === 'wrapup') return `Wrap-up: ${String(b.outcome ?? '')}${Array.isArray(b.reasons) ? ` (${b.reasons.join(', ')})` : ''}`;
  if (e.kind === 'message') return String(b.text ?? b.subject ?? 'message');
  return e.kind.replace('_', ' ');
}

/**
 * Customer lookup by phone or email from the replica alone, the customer's latest items (live), and
 * note / wrap-up entry that works offline. Each item not yet on the server carries a marker.
 */
export function ScreenPopPanel({ ws }: { ws: WorkspaceSession }) {
  const [query, setQuery] = useState('');
  const [pop, setPop] = useState<ScreenPopResult>();
  const [items, setItems] = useState<Ev[]>([]);
  const [note, setNote] = useState('');
  const [outcome, setOutcome] = useState('resolved');
  const [error, setError] = useState<string>();
  const customerId = pop?.customer?.id;

  useEffect(() => {
    if (!customerId) return;
    const sub = ws.db.events
      .find({ selector: { customerId }, sort: [{ customerId: 'desc' }, { at: 'desc' }], limit: 20 })
      .$.subscribe((docs) => setItems(docs.map((d) => d.toJSON() as Ev)));
    return () => sub.unsubscribe();
  }, [ws, customerId]);

  const lookup = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const r = await screenPop(ws.db, { value: query, defaultCountry: 'GB' });
    setPop(r);
    if (!r.customer) setError(`No customer with ${query} on this machine.`);
  };

  const context = async (): Promise<EventContext | undefined> => {
    const c = pop?.customer;
    if (!c) return undefined;
    const thread = pop.threads[0];
    if (!thread) {
      setError('This customer has no thread to add to.');
      return undefined;
    }
    const interaction = await ws.db.interactions
      .findOne({ selector: { threadId: thread.id }, sort: [{ threadId: 'desc' }, { updatedAt: 'desc' }] })
      .exec();
    return { threadId: thread.id, interactionId: interaction?.id ?? thread.id, customerId: c.id, authorId: ws.session.user.agentId ?? ws.session.user.id };
  };

  const saveNote = async (e: FormEvent) => {
    e.preventDefault();
    const ctx = await context();
    if (!ctx || !note.trim()) return;
    await addNote(ws.writer, ctx, note.trim());
    setNote('');
  };

  const wrapUp = async () => {
    const ctx = await context();
    if (!ctx) return;
    await addWrapup(ws.writer, ctx, { reasons: ['general'], outcome });
  };

  return (
    <section aria-labelledby="lookup-title" className="max-w-2xl">
      <h2 id="lookup-title" className="text-sm font-semibold text-slate-700">Find customer</h2>
      <form onSubmit={lookup} className="mt-2 flex gap-2">
        <label className="sr-only" htmlFor="lookup-input">Phone number or email</label>
        <input id="lookup-input" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Phone number or email"
          className="flex-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
        <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm text-white">Look up</button>
      </form>
      {error && <p role="alert" className="mt-2 text-sm text-rose-700">{error}</p>}
      {pop?.customer && (
        <div className="mt-4 rounded-lg bg-white p-4 ring-1 ring-slate-200" data-testid="customer-card">
          <h3 className="font-semibold">{pop.customer.name}{pop.customer.keyAccount ? ' · key account' : ''}</h3>
          <p className="text-xs text-slate-500">{pop.customer.company ?? ''} {pop.threads[0] ? `· thread ${pop.threads[0].status}` : ''}</p>
          <form onSubmit={saveNote} className="mt-3 flex gap-2">
            <label className="sr-only" htmlFor="note-input">Note</label>
            <input id="note-input" value={note} onChange={(e) => setNote(e.target.value)} placeholder="Add a note"
              className="flex-1 rounded-md border border-slate-300 px-3 py-1.5 text-sm" />
            <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm text-white">Add note</button>
          </form>
          <div className="mt-2 flex items-center gap-2 text-sm">
            <label htmlFor="outcome">Outcome</label>
            <select id="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1">
              <option value="resolved">Resolved</option>
              <option value="follow-up">Follow-up needed</option>
            </select>
            <button type="button" onClick={() => void wrapUp()} className="rounded-md px-3 py-1 ring-1 ring-slate-300">Wrap up</button>
          </div>
          <ol className="mt-3 space-y-1 text-sm" aria-label="Latest items">
            {items.map((e) => (
              <li key={e.id} data-testid="thread-item" data-kind={e.kind} className="flex items-baseline gap-2">
                <time className="text-xs text-slate-500" dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time>
                <span>{describe(e)}</span>
                <PendingMarker outbox={ws.outbox} collection="events" id={e.id} />
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
