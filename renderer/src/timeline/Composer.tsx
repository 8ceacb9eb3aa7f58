import { useEffect, useState } from 'react';
import type { CustomerDoc } from '../../../shared/model/documents';
import { CHANNEL_LABEL, channelWord } from './model';
import { clearDraft, loadDraft, MAX_DRAFT, saveDraft, type DraftStore } from './drafts';

export type ReplyChannel = 'email' | 'sms' | 'chat';

/** Channels the agent can answer on: those the customer has an identity for. */
export function replyChannels(customer: Pick<CustomerDoc, 'identities'>): ReplyChannel[] {
  const kinds = new Set(customer.identities.map((i) => i.kind));
  const out: ReplyChannel[] = [];
  if (kinds.has('email')) out.push('email');
  if (kinds.has('phone')) out.push('sms');
  if (kinds.has('chat')) out.push('chat');
  return out;
}

export interface ComposerProps {
  threadId: string;
  customer: Pick<CustomerDoc, 'identities' | 'name'>;
  /** The channel the customer last used; the composer starts there. */
  preferred?: ReplyChannel | undefined;
  store: DraftStore;
  online: boolean;
  send(channel: ReplyChannel, text: string): Promise<void>;
}

export function Composer({ threadId, customer, preferred, store, online, send }: ComposerProps) {
  const channels = replyChannels(customer);
  const [channel, setChannel] = useState<ReplyChannel | undefined>(preferred && channels.includes(preferred) ? preferred : channels[0]);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(true);
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (channel) setText(loadDraft(store, threadId, channel));
    setError(undefined);
  }, [store, threadId, channel]);

  if (!channel) return <p className="border-t border-slate-200 bg-white p-4 text-sm text-slate-500">{customer.name} has no email, phone or chat identity to reply to.</p>;

  const onChange = (v: string) => {
    setText(v);
    setSaved(saveDraft(store, threadId, channel, v));
  };
  const onSend = async () => {
    if (!text.trim() || !online) return;
    setSending(true);
    setError(undefined);
    try {
      await send(channel, text);
      clearDraft(store, threadId, channel);
      setText('');
    } catch (err) {
      setError(`${err instanceof Error ? err.message : String(err)} — your draft is kept.`);
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      aria-label="Reply"
      className="border-t border-slate-200 bg-white px-5 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        void onSend();
      }}
    >
      <div className="mb-2 flex items-center gap-1" role="radiogroup" aria-label="Reply channel">
        {channels.map((c) => (
          <button key={c} type="button" role="radio" aria-checked={c === channel} onClick={() => setChannel(c)}
            className={`rounded-full px-3 py-1 text-xs font-semibold ${c === channel ? 'bg-slate-900 text-white' : 'bg-slate-100 text-slate-700 hover:bg-slate-200'}`}>
            {CHANNEL_LABEL[c]}
          </button>
        ))}
        <span className="ml-auto text-xs text-slate-500" data-testid="draft-status">
          {!saved ? 'Draft could not be saved on this device' : text ? 'Draft saved on this device' : ''}
        </span>
      </div>
      <div className="flex items-end gap-2">
        <label className="sr-only" htmlFor={`reply-${threadId}`}>Reply by {CHANNEL_LABEL[channel]}</label>
        <textarea id={`reply-${threadId}`} value={text} maxLength={MAX_DRAFT} rows={2} onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void onSend();
            }
          }}
          placeholder={`Reply to ${customer.name} by ${channelWord(channel)}…`}
          className="min-h-[3rem] flex-1 resize-y rounded-lg border border-slate-300 px-3 py-2 text-sm focus:border-sky-500 focus:outline-none" />
        <button type="submit" disabled={!online || sending || !text.trim()} aria-keyshortcuts="Control+Enter"
          className="rounded-lg bg-sky-700 px-4 py-2 text-sm font-semibold text-white disabled:cursor-not-allowed disabled:bg-slate-300">
          {sending ? 'Sending…' : 'Send'}
        </button>
      </div>
      {!online && <p className="mt-1 text-xs text-amber-700">Offline: your draft is kept on this machine and can be sent when the connection returns.</p>}
      {error && <p role="alert" className="mt-1 text-xs text-rose-700">{error}</p>}
    </form>
  );
}
