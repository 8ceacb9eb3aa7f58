import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { WrapupBody, WrapupOutcome, reasonList } from '../../../shared/wrapup';
import { addEvent, editDoc, type Writer } from '../replica/writes';
import { formatWait } from './inbox-model';
import { useNow } from '../shell/use-now';
import { useReplicaQuery } from './use-replica-query';

const OUTCOME_LABEL: Record<WrapupOutcome, string> = {
  resolved: 'Resolved', 'follow-up': 'Follow-up needed', escalated: 'Escalated', callback: 'Call back', 'no-action': 'No action',
};

/**
 * After-contact work for the selected conversation: contact reasons from the business's list, the
 * outcome, whether the first contact resolved it, and a note. Saved locally at once (works offline);
 * the interaction is closed with the time the work took.
 */
export function WrapupPanel({ writer, threadId, agentId }: { writer: Writer; threadId: string; agentId?: string | undefined }) {
  const { db } = writer;
  const now = useNow();
  const config = useReplicaQuery(() => db.config.find({ selector: { kind: 'reason' } }), [db]);
  const interactions = useReplicaQuery(() => db.interactions.find({ selector: { threadId } }), [db, threadId]);
  const wrapups = useReplicaQuery(() => db.events.find({ selector: { threadId, kind: 'wrapup' } }), [db, threadId]);
  const { options, version } = useMemo(() => reasonList(config), [config]);
  const current = useMemo(() => [...interactions].sort((a, b) => (b.offeredAt ?? 0) - (a.offeredAt ?? 0))[0], [interactions]);
  const alreadyWrapped = current ? wrapups.some((w) => w.interactionId === current.id) : false;

  const [chosen, setChosen] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<WrapupOutcome>('resolved');
  const [fcr, setFcr] = useState(true);
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setChosen([]); setNotes(''); setOutcome('resolved'); setError(undefined); setSaved(undefined);
    setFcr(interactions.length <= 1);
  }, [threadId, interactions.length]);

  useEffect(() => {
    // Alt+W jumps to the wrap-up from anywhere, so the mouse is never needed to close a contact.
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && e.key.toLowerCase() === 'w') {
        e.preventDefault();
        first.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!current) return null;
  const endedAt = current.endedAt ?? current.answeredAt;
  const acwMs = endedAt !== undefined && !alreadyWrapped ? now - endedAt : undefined;

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    const byId = new Map(options.map((o) => [o.id, o.name]));
    const parsed = WrapupBody.safeParse({
      reasonIds: chosen, reasons: chosen.map((id) => byId.get(id) ?? id), reasonListVersion: version,
      outcome, firstContactResolution: fcr, ...(notes.trim() ? { notes: notes.trim() } : {}),
      ...(acwMs !== undefined ? { afterContactWorkMs: Math.max(0, acwMs) } : {}),
    });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'incomplete wrap-up');
      return;
    }
    try {
      await addEvent(writer, { threadId, interactionId: current.id, customerId: current.customerId, ...(agentId ? { authorId: agentId } : {}) }, 'wrapup', parsed.data);
      if (current.state === 'active' || current.state === 'wrapup') {
        await editDoc(writer, 'interactions', current.id, { state: 'done', wrapupDoneAt: Date.now() });
      }
      setSaved(`Saved: ${parsed.data.reasons.join(', ')} · ${OUTCOME_LABEL[outcome]}`);
      setChosen([]); setNotes('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form aria-labelledby="wrapup-title" onSubmit={submit} onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(); }} className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h2 id="wrapup-title" className="text-sm font-semibold text-slate-800">Wrap-up</h2>
        {acwMs !== undefined && current.state !== 'queued' && <span className="text-xs text-slate-600" title="After-contact work since the contact ended">ACW {formatWait(acwMs)}</span>}
      </div>
      {alreadyWrapped && <p className="text-xs text-emerald-800">This contact is wrapped up. Another wrap-up adds to it.</p>}
      <fieldset>
        <legend className="text-xs font-medium text-slate-700">Contact reasons <span className="text-slate-600">(list v{version})</span></legend>
        <div className="mt-1 flex flex-wrap gap-1.5">
          {options.map((o, i) => {
            const on = chosen.includes(o.id);
            return (
              <label key={o.id} className={`cursor-pointer rounded-full px-2.5 py-1 text-xs ring-1 focus-within:ring-2 focus-within:ring-sky-500 ${on ? 'bg-sky-700 text-white ring-sky-700' : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50'}`}>
                <input ref={i === 0 ? first : undefined} type="checkbox" className="sr-only" checked={on} aria-keyshortcuts={i === 0 ? 'Alt+W' : undefined}
                  onChange={() => setChosen((c) => (on ? c.filter((x) => x !== o.id) : [...c, o.id]))} />
                {o.name}
              </label>
            );
          })}
        </div>
      </fieldset>
      <div className="grid grid-cols-2 gap-2">
        <label className="text-xs font-medium text-slate-700">Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.target.value as WrapupOutcome)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm">
            {WrapupOutcome.options.map((o) => <option key={o} value={o}>{OUTCOME_LABEL[o]}</option>)}
          </select>
        </label>
        <label className="flex items-end gap-2 pb-1 text-xs font-medium text-slate-700">
          <input type="checkbox" checked={fcr} onChange={(e) => setFcr(e.target.checked)} /> Resolved on first contact
        </label>
      </div>
      <label className="block text-xs font-medium text-slate-700">Wrap-up note
        <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm" />
      </label>
      {error && <p role="alert" className="text-xs text-rose-700">{error}</p>}
      {saved && <p role="status" className="text-xs text-emerald-800">{saved}</p>}
      <button type="submit" aria-keyshortcuts="Control+Enter" className="w-full rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-800">Save wrap-up <span className="font-normal">(Ctrl+Enter)</span></button>
    </form>
  );
}
