import type { Channel } from '../../../shared/model/documents';

const META: Record<Channel, { label: string; glyph: string; cls: string }> = {
  call: { label: 'Call', glyph: '✆', cls: 'bg-emerald-100 text-emerald-800' },
  email: { label: 'Email', glyph: '✉', cls: 'bg-sky-100 text-sky-800' },
  sms: { label: 'SMS', glyph: '✎', cls: 'bg-violet-100 text-violet-800' },
  chat: { label: 'Chat', glyph: '☍', cls: 'bg-amber-100 text-amber-800' },
  webform: { label: 'Web form', glyph: '▤', cls: 'bg-slate-200 text-slate-800' },
};

export function ChannelIcon({ channel }: { channel: Channel }) {
  const m = META[channel];
  return (
    <span title={m.label} className={`inline-flex h-6 min-w-6 items-center justify-center rounded px-1 text-xs font-medium ${m.cls}`}>
      <span aria-hidden="true">{m.glyph}</span>
      <span className="sr-only">{m.label}</span>
    </span>
  );
}
