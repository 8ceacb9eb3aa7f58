import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { useHeadset } from '../headset/use-headset';
import { DTMF_TONES } from './dial-target';
import type { Softphone } from './softphone';
import type { CallView, PhoneSnapshot, RegistrationStatus } from './types';
import { useNow } from '../shell/use-now';

export function usePhone(phone: Softphone): PhoneSnapshot {
  return useSyncExternalStore(phone.subscribe, phone.snapshot);
}

const REG_LABEL: Record<RegistrationStatus['state'], string> = {
  stopped: 'Phone off',
  connecting: 'Connecting…',
  registered: 'Ready',
  reconnecting: 'Reconnecting',
  failed: 'Phone offline',
};
const REG_TONE: Record<RegistrationStatus['state'], string> = {
  stopped: 'bg-slate-400',
  connecting: 'bg-amber-400',
  registered: 'bg-emerald-500',
  reconnecting: 'bg-amber-400',
  failed: 'bg-rose-500',
};

function duration(fromMs: number, now: number) {
  const s = Math.max(0, Math.floor((now - fromMs) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function partyName(c: Pick<CallView, 'remote' | 'pop'>) {
  return c.pop?.customerName ?? c.remote.displayName ?? c.remote.e164 ?? c.remote.user;
}

/** Compact status for the top bar: registration, and the live call if there is one. */
export function PhoneStatus({ phone }: { phone: Softphone }) {
  const s = usePhone(phone);
  const now = useNow(1000);
  const live = s.calls.find((c) => c.state === 'active' && !c.held) ?? s.calls.find((c) => c.state !== 'ended');
  const r = s.registration;
  return (
    <div className="flex items-center gap-3 text-xs" data-testid="phone-status">
      {live && (
        <span className="rounded-full bg-slate-800 px-3 py-1 font-medium text-slate-100" data-testid="topbar-call">
          {live.state === 'ringing' ? 'Ringing · ' : live.state === 'dialing' ? 'Calling · ' : live.held ? 'On hold · ' : 'On call · '}
          {partyName(live)}
          {live.state === 'active' && live.answeredAt ? ` · ${duration(live.answeredAt, now)}` : ''}
        </span>
      )}
      <span className="flex items-center gap-1.5 text-slate-300" title={r.error ?? r.server}>
        <span aria-hidden="true" className={`h-2 w-2 rounded-full ${REG_TONE[r.state]}`} />
        Phone: {REG_LABEL[r.state]}
      </span>
    </div>
  );
}

function RegistrationBar({ s }: { s: PhoneSnapshot }) {
  const r = s.registration;
  const now = useNow(500);
  const retry = r.retryAt ? Math.max(0, Math.ceil((r.retryAt - now) / 1000)) : undefined;
  return (
    <div className="flex items-center gap-2 text-xs" role="status" aria-live="polite" data-testid="sip-registration" data-state={r.state} data-server={r.server}>
      <span aria-hidden="true" className={`h-2.5 w-2.5 rounded-full ${REG_TONE[r.state]}`} />
      <span className="font-medium text-slate-800">{REG_LABEL[r.state]}</span>
      {s.identity && <span className="text-slate-600">ext {s.identity.user}</span>}
      {(r.state === 'reconnecting' || r.state === 'failed') && (
        <span className="text-slate-600">
          {retry !== undefined ? `retry in ${retry}s` : 'retrying'}
          {r.attempt > 0 ? ` (attempt ${r.attempt + 1})` : ''}
        </span>
      )}
      {s.doNotDisturb && <span className="rounded bg-rose-100 px-1.5 py-0.5 font-medium text-rose-800">Do not disturb</span>}
    </div>
  );
}

function ScreenPopCard({ call }: { call: CallView }) {
  if (call.pop === undefined) return <p className="text-xs text-slate-600">Looking up caller…</p>;
  if (call.pop === null && !call.remote.e164) return <p className="text-xs text-slate-600" data-testid="screen-pop-internal">Internal call · extension {call.remote.user}</p>;
  if (call.pop === null) return <p className="text-xs text-slate-600" data-testid="screen-pop-unknown">New caller: no customer record for this number yet.</p>;
  const p = call.pop;
  return (
    <div className="rounded-md border border-slate-200 bg-white p-2 text-xs text-slate-700" data-testid="screen-pop" data-customer-id={p.customerId}>
      <div className="flex items-center gap-2">
        <span className="font-semibold text-slate-900">{p.customerName}</span>
        {p.keyAccount && <span className="rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-900">Key account</span>}
        {p.tier && p.tier !== 'standard' && <span className="rounded bg-slate-100 px-1.5 py-0.5 text-[10px] uppercase text-slate-700">{p.tier}</span>}
      </div>
      {p.company && <div>{p.company}</div>}
      {p.threadSubject && <div className="mt-1 text-slate-600">Open thread: {p.threadSubject}</div>}
      {p.recent.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-slate-600">
          {p.recent.slice(0, 3).map((r, i) => (
            <li key={i} className="truncate">{new Date(r.at).toLocaleDateString()} · {r.kind}: {r.text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Btn(props: { label: string; onClick(): void; tone?: 'green' | 'red' | 'neutral' | 'active'; shortcut?: string; pressed?: boolean; disabled?: boolean; testId?: string }) {
  const tone = {
    green: 'bg-emerald-700 text-white hover:bg-emerald-800',
    red: 'bg-rose-700 text-white hover:bg-rose-800',
    neutral: 'bg-slate-100 text-slate-800 hover:bg-slate-200',
    active: 'bg-sky-700 text-white hover:bg-sky-800',
  }[props.pressed ? 'active' : (props.tone ?? 'neutral')];
  return (
    <button
      type="button"
      onClick={props.onClick}
      disabled={props.disabled}
      aria-pressed={props.pressed}
      aria-keyshortcuts={props.shortcut}
      title={props.shortcut ? `${props.label} (${props.shortcut})` : props.label}
      data-testid={props.testId}
      className={`rounded-md px-3 py-2 text-sm font-medium disabled:opacity-50 ${tone}`}
    >
      {props.label}
    </button>
  );
}

function CallCard({ call, phone, onError }: { call: CallView; phone: Softphone; onError(msg: string): void }) {
  const now = useNow(1000);
  const [transferTo, setTransferTo] = useState('');
  const [keypad, setKeypad] = useState(false);
  const run = (p: Promise<unknown> | unknown) => Promise.resolve(p).catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
  const q = call.quality;
  const label = call.state === 'ringing' ? 'Incoming call' : call.state === 'dialing' ? 'Calling…' : call.state === 'ended' ? `Call ended (${call.endReason ?? 'ended'})` : call.held ? 'On hold' : 'Connected';
  return (
    <article
      aria-label={`Call with ${partyName(call)}`}
      data-testid="call-card"
      data-state={call.state}
      data-held={call.held}
      data-muted={call.muted}
      data-remote={call.remote.user}
      className={`rounded-lg border p-3 ${call.state === 'ringing' ? 'border-emerald-400 bg-emerald-50' : call.held ? 'border-amber-300 bg-amber-50' : 'border-slate-200 bg-slate-50'}`}
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="text-[11px] font-semibold uppercase tracking-wide text-slate-600">
            {call.consultFor ? 'Consultation · ' : ''}{call.direction === 'inbound' ? 'Inbound' : 'Outbound'} · {label}
          </p>
          <p className="truncate text-base font-semibold text-slate-900">{partyName(call)}</p>
          <p className="text-xs text-slate-600">{call.remote.e164 ?? call.remote.user}{call.remote.displayName && call.pop ? ` · ${call.remote.displayName}` : ''}</p>
        </div>
        {call.state === 'active' && call.answeredAt && <span className="font-mono text-sm text-slate-700" aria-label="Call duration">{duration(call.answeredAt, now)}</span>}
      </div>

      {call.direction === 'inbound' && <div className="mt-2"><ScreenPopCard call={call} /></div>}

      {call.state === 'ringing' && (
        <div className="mt-3 flex gap-2">
          <Btn label="Answer" tone="green" shortcut="Control+Shift+A" testId="answer" onClick={() => run(phone.answer(call.id))} />
          <Btn label="Decline" tone="red" testId="decline" onClick={() => run(phone.decline(call.id))} />
          <Btn label="Busy" testId="busy" onClick={() => run(phone.decline(call.id, 'busy'))} />
        </div>
      )}
      {call.state === 'dialing' && (
        <div className="mt-3"><Btn label="Cancel" tone="red" testId="hangup" onClick={() => phone.hangup(call.id)} /></div>
      )}
      {call.state === 'active' && (
        <>
          <div className="mt-3 grid grid-cols-3 gap-2">
            <Btn label={call.muted ? 'Unmute' : 'Mute'} pressed={call.muted} shortcut="Control+Shift+M" testId="mute" onClick={() => run(phone.mute(call.id, !call.muted))} />
            <Btn label={call.held ? 'Resume' : 'Hold'} pressed={call.held} shortcut="Control+Shift+H" testId="hold" onClick={() => run(phone.hold(call.id, !call.held))} />
            <Btn label="Keypad" pressed={keypad} testId="keypad" onClick={() => setKeypad(!keypad)} />
          </div>
          {keypad && (
            <div className="mt-2 grid grid-cols-3 gap-1" role="group" aria-label="Send tones">
              {DTMF_TONES.map((t) => (
                <button key={t} type="button" className="rounded bg-white py-1.5 font-mono text-sm text-slate-800 shadow-sm ring-1 ring-slate-200 hover:bg-slate-50" aria-label={`Send tone ${t}`} onClick={() => run(phone.dtmf(call.id, t))}>{t}</button>
              ))}
            </div>
          )}
          <div className="mt-2 flex flex-wrap gap-x-3 text-[11px] text-slate-600">
            {call.dtmfSent && <span>Sent: <span className="font-mono" data-testid="dtmf-sent">{call.dtmfSent}</span></span>}
            {call.dtmfReceived && <span>Received tones: <span className="font-mono" data-testid="dtmf-received">{call.dtmfReceived}</span></span>}
          </div>
          <form
            className="mt-2 flex gap-1"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void run(phone.blindTransfer(call.id, transferTo));
            }}
          >
            <label className="sr-only" htmlFor={`xfer-${call.id}`}>Transfer to</label>
            <input id={`xfer-${call.id}`} value={transferTo} onChange={(e) => setTransferTo(e.target.value)} placeholder="Transfer to…" className="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm" data-testid="transfer-target" />
            <button type="submit" className="rounded-md bg-slate-100 px-2 text-xs font-medium text-slate-800 hover:bg-slate-200" data-testid="blind-transfer">Transfer</button>
            <button type="button" className="rounded-md bg-slate-100 px-2 text-xs font-medium text-slate-800 hover:bg-slate-200" data-testid="consult" onClick={() => run(phone.consult(call.id, transferTo))}>Consult</button>
          </form>
          {call.consultFor && (
            <div className="mt-2"><Btn label="Complete transfer" tone="green" testId="complete-transfer" onClick={() => run(phone.completeAttendedTransfer(call.id))} /></div>
          )}
          {call.transfer && <p className="mt-1 text-xs text-slate-700" data-testid="transfer-state">Transfer to {call.transfer.target}: {call.transfer.state}{call.transfer.reason ? ` (${call.transfer.reason})` : ''}</p>}
          <div className="mt-3 flex items-center justify-between gap-2">
            {q ? (
              <dl className="grid grid-cols-4 gap-x-2 text-[11px] text-slate-600" aria-label="Call quality" data-testid="quality" data-packets-in={q.packetsReceived} data-packets-out={q.packetsSent} data-mos={q.estimate.mos}>
                <dt>MOS</dt><dt>Jitter</dt><dt>Loss</dt><dt>RTT</dt>
                <dd className="font-mono text-slate-800">{q.estimate.mos.toFixed(1)}</dd>
                <dd className="font-mono text-slate-800">{q.jitterMs} ms</dd>
                <dd className="font-mono text-slate-800">{(q.lossFraction * 100).toFixed(1)}%</dd>
                <dd className="font-mono text-slate-800">{q.rttMs === null ? '–' : `${q.rttMs} ms`}</dd>
              </dl>
            ) : <span className="text-[11px] text-slate-600">Measuring quality…</span>}
            <Btn label="Hang up" tone="red" shortcut="Control+Shift+E" testId="hangup" onClick={() => phone.hangup(call.id)} />
          </div>
        </>
      )}
    </article>
  );
}

function DeviceSettings({ phone, s }: { phone: Softphone; s: PhoneSnapshot }) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  useEffect(() => {
    const load = () => void navigator.mediaDevices?.enumerateDevices().then(setDevices).catch(() => setDevices([]));
    load();
    navigator.mediaDevices?.addEventListener('devicechange', load);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', load);
  }, []);
  const inputs = devices.filter((d) => d.kind === 'audioinput');
  const outputs = devices.filter((d) => d.kind === 'audiooutput');
  const select = (id: string, label: string, list: MediaDeviceInfo[], value: string | undefined, onChange: (v: string) => void) => (
    <label className="flex flex-col gap-0.5 text-xs text-slate-700" htmlFor={id}>
      {label}
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value)} className="rounded border border-slate-300 bg-white px-1 py-1 text-xs">
        <option value="">System default</option>
        {list.map((d, i) => <option key={d.deviceId || i} value={d.deviceId}>{d.label || `${label} ${i + 1}`}</option>)}
      </select>
    </label>
  );
  return (
    <details className="text-xs">
      <summary className="cursor-pointer font-medium text-slate-700">Audio and phone settings</summary>
      <div className="mt-2 grid gap-2">
        {select('dev-mic', 'Microphone', inputs, s.devices.microphoneId, (v) => void phone.setDevices({ microphoneId: v || undefined }))}
        {select('dev-spk', 'Call audio', outputs, s.devices.speakerId, (v) => void phone.setDevices({ speakerId: v || undefined }))}
        {select('dev-ring', 'Ringer', outputs, s.devices.ringerId, (v) => void phone.setDevices({ ringerId: v || undefined }))}
        <label className="flex flex-col gap-0.5 text-slate-700" htmlFor="dtmf-mode">
          Keypad tones
          <select id="dtmf-mode" value={s.dtmfMode} onChange={(e) => phone.setDtmfMode(e.target.value === 'info' ? 'info' : 'auto')} className="rounded border border-slate-300 bg-white px-1 py-1">
            <option value="auto">In the audio stream (RFC 4733), SIP INFO fallback</option>
            <option value="info">SIP INFO</option>
          </select>
        </label>
        <HeadsetSetting phone={phone} />
        <label className="flex items-center gap-2 text-slate-700">
          <input type="checkbox" checked={s.doNotDisturb} onChange={(e) => phone.setDoNotDisturb(e.target.checked)} data-testid="dnd" />
          Do not disturb (callers hear busy)
        </label>
      </div>
    </details>
  );
}

function HeadsetSetting({ phone }: { phone: Softphone }) {
  const h = useHeadset(phone);
  if (!h.supported) return <p className="text-slate-600">Headset buttons need WebHID (desktop app or Chromium).</p>;
  return (
    <div className="flex items-center justify-between gap-2 text-slate-700" data-testid="headset">
      <span>Headset: {h.status.connected ? h.status.name : h.status.error ? `not connected (${h.status.error})` : 'none'}</span>
      {!h.status.connected && <button type="button" className="rounded bg-slate-100 px-2 py-1 font-medium text-slate-800 hover:bg-slate-200" onClick={h.pick}>Connect headset</button>}
    </div>
  );
}

/** The agent's phone: registration, calls with screen pop, dial pad, missed calls, devices. */
export function SoftphonePanel({ phone }: { phone: Softphone }) {
  const s = usePhone(phone);
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string>();
  const calls = s.calls;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.ctrlKey || !e.shiftKey) return;
      const key = e.key.toLowerCase();
      const ringing = calls.find((c) => c.state === 'ringing' && c.direction === 'inbound');
      const live = calls.find((c) => c.state === 'active' && !c.held) ?? calls.find((c) => c.state === 'active');
      const act = (f: () => unknown) => {
        e.preventDefault();
        void Promise.resolve().then(f).catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
      };
      if (key === 'a' && ringing) act(() => phone.answer(ringing.id));
      else if (key === 'e' && (live ?? ringing)) act(() => phone.hangup((live ?? ringing)!.id));
      else if (key === 'm' && live) act(() => phone.mute(live.id, !live.muted));
      else if (key === 'h' && live) act(() => phone.hold(live.id, !live.held));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [calls, phone]);

  const dial = (target: string) => {
    setError(undefined);
    phone.dial(target).then(() => setNumber('')).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <section aria-labelledby="phone-title" className="flex flex-col gap-3" data-testid="softphone">
      <div className="flex items-center justify-between">
        <h2 id="phone-title" className="text-sm font-semibold text-slate-800">Phone</h2>
        <RegistrationBar s={s} />
      </div>
      {error && <p role="alert" className="rounded bg-rose-50 px-2 py-1 text-xs text-rose-800">{error}</p>}
      {calls.length > 0 && (
        <div className="flex flex-col gap-2" aria-label="Calls" role="region">
          {calls.map((c) => <CallCard key={c.id} call={c} phone={phone} onError={setError} />)}
        </div>
      )}
      <form
        className="flex flex-col gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          dial(number);
        }}
      >
        <label htmlFor="dial-input" className="sr-only">Number, extension or SIP address</label>
        <div className="flex gap-2">
          <input id="dial-input" value={number} onChange={(e) => setNumber(e.target.value)} inputMode="tel" autoComplete="off" placeholder="Number or extension" className="min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1.5 font-mono text-sm" data-testid="dial-input" />
          <button type="submit" className="rounded-md bg-emerald-700 px-3 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-50" disabled={s.registration.state !== 'registered'} data-testid="dial">Call</button>
        </div>
        <div className="grid grid-cols-3 gap-1" role="group" aria-label="Dial pad">
          {DTMF_TONES.map((t) => (
            <button key={t} type="button" aria-label={`Dial ${t}`} onClick={() => setNumber((n) => n + t)} className="rounded-md bg-slate-50 py-1.5 font-mono text-sm text-slate-800 ring-1 ring-slate-200 hover:bg-slate-100">{t}</button>
          ))}
        </div>
      </form>
      {s.missed.length > 0 && (
        <div>
          <h3 className="text-xs font-semibold text-slate-700">Missed calls</h3>
          <ul className="mt-1 space-y-1" data-testid="missed-calls">
            {s.missed.slice(0, 5).map((m) => (
              <li key={m.id} className="flex items-center justify-between text-xs text-slate-700">
                <span>{m.pop?.customerName ?? m.remote.displayName ?? m.remote.e164 ?? m.remote.user} · {new Date(m.at).toLocaleTimeString()}</span>
                <button type="button" className="rounded px-1.5 py-0.5 text-sky-800 underline" onClick={() => dial(m.remote.e164 ?? m.remote.user)}>Call back</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <DeviceSettings phone={phone} s={s} />
    </section>
  );
}
