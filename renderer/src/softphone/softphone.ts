import {
  Invitation, Inviter, Registerer, RegistererState, SessionState, SIPExtension, UserAgent, Web,
  type Info, type Referral, type Session, type Notification as SipNotification,
} from 'sip.js';
import { callerE164, isDtmfTone, parseDialTarget } from './dial-target';
import { backoffDelay, DEFAULT_BACKOFF, nextServerIndex, type BackoffOptions } from './reconnect';
import { Ringer, routeTo } from './audio-output';
import { summarizeStats } from './stats';
import type {
  AudioDevices, CallLogEvent, CallLogSink, CallView, DtmfMode, MissedCall, PhoneSnapshot, RegistrationStatus,
  RemoteParty, ScreenPopSource,
} from './types';

export interface SoftphoneOptions {
  /** WebSocket servers in failover order (wss: in production; ws: on loopback). */
  servers: string[];
  user: string;
  domain: string;
  displayName?: string;
  /** Tenant region for reading national numbers, e.g. 'GB'. */
  region: string;
  screenPop?: ScreenPopSource;
  callLog?: CallLogSink;
  iceServers?: RTCIceServer[];
  backoff?: BackoffOptions;
  /** How often live quality is sampled during a call. */
  statsIntervalMs?: number;
  registerExpiresSec?: number;
}

/** Errors surfaced to the UI carry stable codes; the message is for people. */
export class SoftphoneError extends Error {
  constructor(readonly code: 'DIAL_EMPTY' | 'DIAL_INVALID' | 'NOT_REGISTERED' | 'NO_SUCH_CALL' | 'BAD_STATE' | 'DTMF_INVALID', message: string) {
    super(message);
    this.name = 'SoftphoneError';
  }
}

interface CallRecord {
  view: CallView;
  session: Session;
  audio: HTMLAudioElement;
  statsTimer?: ReturnType<typeof setInterval>;
  /** Transfer bookkeeping so the original leg ends only when the transfer took. */
  onTransferNotify?: (status: number) => void;
}

type Listener = (s: PhoneSnapshot) => void;

let seq = 0;
const localId = () => `call-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/**
 * The agent's phone: one SIP.js UserAgent registered to the first reachable server of a list, with
 * backoff and failover when the link or the server goes away, and the call features of a desk phone.
 */
export class Softphone {
  private opts: Required<Pick<SoftphoneOptions, 'backoff' | 'statsIntervalMs' | 'registerExpiresSec'>> & SoftphoneOptions;
  private ua: UserAgent | undefined;
  private uaServer: string | undefined;
  private registerer: Registerer | undefined;
  private serverIndex = 0;
  private stopped = true;
  private loopRunning = false;
  private wake: (() => void) | undefined;
  private calls = new Map<string, CallRecord>();
  private ringer = new Ringer();
  private listeners = new Set<Listener>();
  private snap: PhoneSnapshot;

  constructor(options: SoftphoneOptions) {
    if (options.servers.length === 0) throw new SoftphoneError('NOT_REGISTERED', 'No SIP servers are configured.');
    this.opts = { backoff: DEFAULT_BACKOFF, statsIntervalMs: 1000, registerExpiresSec: 300, ...options };
    this.snap = {
      registration: { state: 'stopped', attempt: 0, since: Date.now() },
      calls: [],
      missed: [],
      doNotDisturb: false,
      devices: {},
      dtmfMode: 'auto',
      identity: { user: options.user, domain: options.domain, displayName: options.displayName },
    };
  }

  // ---- observable state -------------------------------------------------------------------------

  snapshot = (): PhoneSnapshot => this.snap;

  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private publish(patch: Partial<PhoneSnapshot>) {
    const calls = [...this.calls.values()].map((c) => c.view);
    this.snap = { ...this.snap, calls, ...patch };
    const ringing = calls.some((c) => c.state === 'ringing' && c.direction === 'inbound');
    if (ringing && !this.ringer.ringing) this.ringer.start();
    if (!ringing && this.ringer.ringing) this.ringer.stop();
    for (const l of this.listeners) l(this.snap);
  }

  private setRegistration(r: Partial<RegistrationStatus> & { state: RegistrationStatus['state'] }) {
    const prev = this.snap.registration;
    const since = prev.state === r.state ? prev.since : Date.now();
    this.publish({ registration: { attempt: prev.attempt, server: prev.server, ...r, since } });
  }

  private updateCall(id: string, patch: Partial<CallView>) {
    const rec = this.calls.get(id);
    if (!rec) return;
    rec.view = { ...rec.view, ...patch };
    this.publish({});
  }

  // ---- registration -----------------------------------------------------------------------------

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    for (const rec of this.calls.values()) this.terminate(rec);
    try {
      await this.registerer?.unregister();
    } catch {
      // Unregistering is a courtesy; the registration expires on the server anyway.
    }
    await this.ua?.stop().catch(() => undefined);
    this.ua = undefined;
    this.ringer.stop();
    this.setRegistration({ state: 'stopped', attempt: 0, retryAt: undefined, error: undefined });
  }

  /** Network came back, machine resumed, or the user asked: retry now instead of waiting out the backoff. */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.snap.registration.state === 'registered' && this.ua?.isConnected()) {
      // The socket may be half-dead after sleep: a refresh REGISTER proves it or trips the reconnect.
      void this.registerer?.register().catch(() => undefined);
      return;
    }
    this.wake?.();
    if (!this.loopRunning) void this.connectLoop();
  }

  private makeUserAgent(server: string): UserAgent {
    const uri = UserAgent.makeURI(`sip:${this.opts.user}@${this.opts.domain}`);
    if (!uri) throw new SoftphoneError('DIAL_INVALID', `Invalid SIP identity ${this.opts.user}@${this.opts.domain}`);
    return new UserAgent({
      uri,
      displayName: this.opts.displayName,
      transportOptions: { server, connectionTimeout: 5, keepAliveInterval: 20 },
      // The engine runs its own backoff and failover across servers.
      reconnectionAttempts: 0,
      sipExtensionReplaces: SIPExtension.Supported,
      logLevel: 'error',
      sessionDescriptionHandlerFactory: Web.defaultSessionDescriptionHandlerFactory(),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: this.opts.iceServers ?? [] },
        iceGatheringTimeout: 1000,
      },
      delegate: {
        onInvite: (inv) => void this.onInvite(inv),
        onDisconnect: (err) => {
          if (this.stopped) return;
          this.setRegistration({ state: 'reconnecting', error: err?.message ?? 'connection to the SIP server closed' });
          if (!this.loopRunning) void this.connectLoop();
        },
      },
    });
  }

  private async connectLoop(): Promise<void> {
    if (this.loopRunning) return;
    this.loopRunning = true;
    try {
      let attempt = this.snap.registration.state === 'registered' ? 0 : this.snap.registration.attempt;
      while (!this.stopped) {
        const server = this.opts.servers[this.serverIndex]!;
        this.setRegistration({ state: attempt === 0 ? 'connecting' : 'reconnecting', server, attempt, retryAt: undefined });
        try {
          await this.connectAndRegister(server);
          this.setRegistration({ state: 'registered', server, attempt: 0, retryAt: undefined, error: undefined });
          return;
        } catch (err) {
          if (this.stopped) return;
          console.warn('[softphone] registration attempt failed', server, err instanceof Error ? err.message : err);
          attempt += 1;
          // Switch servers only when no call depends on this user agent's dialogs.
          if (this.calls.size === 0) this.serverIndex = nextServerIndex(this.serverIndex, this.opts.servers.length);
          const delay = backoffDelay(attempt - 1, this.opts.backoff);
          this.setRegistration({
            state: attempt >= 6 ? 'failed' : 'reconnecting',
            attempt,
            retryAt: Date.now() + delay,
            error: err instanceof Error ? err.message : String(err),
          });
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, delay);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = undefined;
        }
      }
    } finally {
      this.loopRunning = false;
    }
  }

  private async connectAndRegister(server: string): Promise<void> {
    if (!this.ua || (this.uaServer !== server && this.calls.size === 0)) {
      const old = this.ua;
      this.ua = undefined;
      this.registerer = undefined;
      await old?.stop().catch(() => undefined);
      this.ua = this.makeUserAgent(server);
      this.uaServer = server;
      await this.ua.start();
    } else if (!this.ua.isConnected()) {
      await this.ua.reconnect();
    }
    if (!this.registerer || this.registerer.state === RegistererState.Terminated) {
      this.registerer = new Registerer(this.ua, { expires: this.opts.registerExpiresSec });
      this.registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Unregistered && !this.stopped && this.snap.registration.state === 'registered') {
          // The registrar dropped us (expiry refused, server restarted and lost state): go again.
          this.setRegistration({ state: 'reconnecting', error: 'registration lost' });
          if (!this.loopRunning) void this.connectLoop();
        }
      });
    }
    const registerer = this.registerer;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('REGISTER timed out')), 8000);
      registerer
        .register({
          requestDelegate: {
            onAccept: () => {
              clearTimeout(timer);
              resolve();
            },
            onReject: (res) => {
              clearTimeout(timer);
              reject(new Error(`REGISTER rejected: ${res.message.statusCode} ${res.message.reasonPhrase}`));
            },
          },
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          // A REGISTER left pending by the dead socket blocks the next one: start with a fresh registerer.
          this.registerer = undefined;
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  }

  // ---- settings ---------------------------------------------------------------------------------

  async setDevices(devices: AudioDevices): Promise<void> {
    const next = { ...this.snap.devices, ...devices };
    await this.ringer.setDevice(next.ringerId);
    for (const rec of this.calls.values()) await routeTo(rec.audio, next.speakerId);
    this.publish({ devices: next });
  }

  setDoNotDisturb(on: boolean): void {
    this.publish({ doNotDisturb: on });
  }

  setDtmfMode(mode: DtmfMode): void {
    this.publish({ dtmfMode: mode });
  }

  // ---- calls ------------------------------------------------------------------------------------

  private mediaOptions() {
    const mic = this.snap.devices.microphoneId;
    return { constraints: { audio: mic ? { deviceId: { exact: mic } } : true, video: false } };
  }

  private remoteOf(session: Session): RemoteParty {
    const id = session.remoteIdentity;
    const user = id.uri.user ?? id.uri.host;
    return { user, displayName: id.displayName || undefined, e164: callerE164(user, this.opts.region), uri: id.uri.toString() };
  }

  private addCall(session: Session, direction: 'inbound' | 'outbound', extra: Partial<CallView> = {}): CallRecord {
    const id = localId();
    const audio = new Audio();
    audio.autoplay = true;
    void routeTo(audio, this.snap.devices.speakerId);
    const rec: CallRecord = {
      session,
      audio,
      view: {
        id,
        sipCallId: session instanceof Invitation ? session.request.callId : (session as Inviter).request.callId,
        direction,
        state: direction === 'inbound' ? 'ringing' : 'dialing',
        remote: this.remoteOf(session),
        pop: undefined,
        held: false,
        muted: false,
        startedAt: Date.now(),
        dtmfSent: '',
        dtmfReceived: '',
        ...extra,
      },
    };
    this.calls.set(id, rec);
    session.delegate = {
      onInfo: (info) => this.onInfo(id, info),
      onRefer: (referral) => void this.onRefer(id, referral),
      onNotify: (n) => this.onNotify(id, n),
    };
    session.stateChange.addListener((s) => this.onSessionState(id, s));
    this.publish({});
    return rec;
  }

  private log(rec: CallRecord, type: CallLogEvent['type'], detail: Record<string, unknown> = {}) {
    const sink = this.opts.callLog;
    if (!sink) return;
    const v = rec.view;
    void sink
      .record({ type, callId: v.id, sipCallId: v.sipCallId, direction: v.direction, remote: v.remote, pop: v.pop ?? null, at: Date.now(), detail })
      .catch((err: unknown) => console.error('[softphone] call log write failed', type, err));
  }

  private async onInvite(inv: Invitation): Promise<void> {
    const receivedAt = performance.now();
    const replacesHeader = inv.request.getHeader('Replaces');
    const replaced = replacesHeader ? this.findBySipCallId(replacesHeader.split(';')[0]!.trim()) : undefined;
    const busy = [...this.calls.values()].filter((c) => c.view.state !== 'ended');
    if (!replaced && (this.snap.doNotDisturb || busy.length >= 4)) {
      await inv.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    const rec = this.addCall(inv, 'inbound', replaced ? { replaced: replaced.view.id, pop: replaced.view.pop } : { invitedAtPerf: receivedAt });
    if (replaced) {
      // Attended transfer arriving here: this call takes over the consultation leg it replaces.
      await this.answer(rec.view.id);
      this.log(rec, 'transfer', { replaces: replaced.view.sipCallId, role: 'target' });
      this.hangup(replaced.view.id);
      return;
    }
    const source = this.opts.screenPop;
    try {
      const pop = source ? await source.lookup(rec.view.remote) : null;
      this.updateCall(rec.view.id, { pop, popMs: Math.round((performance.now() - receivedAt) * 10) / 10 });
    } catch (err) {
      console.error('[softphone] screen pop failed', err);
      this.updateCall(rec.view.id, { pop: null });
    }
    // Logged after the lookup so the call lands in the customer's own thread, not a provisional one.
    this.log(rec, 'ring', {});
  }

  private findBySipCallId(callId: string): CallRecord | undefined {
    for (const rec of this.calls.values()) if (rec.view.sipCallId === callId && rec.view.state !== 'ended') return rec;
    return undefined;
  }

  private get(id: string): CallRecord {
    const rec = this.calls.get(id);
    if (!rec || rec.view.state === 'ended') throw new SoftphoneError('NO_SUCH_CALL', 'That call has ended.');
    return rec;
  }

  /** Places a call; returns the new call's id. */
  async dial(raw: string, opts: { consultFor?: string } = {}): Promise<string> {
    const target = parseDialTarget(raw, { region: this.opts.region, domain: this.opts.domain });
    if (!target.ok) throw new SoftphoneError(target.code, target.message);
    if (!this.ua || this.snap.registration.state !== 'registered') throw new SoftphoneError('NOT_REGISTERED', 'The phone is not registered yet.');
    const uri = UserAgent.makeURI(target.uri);
    if (!uri) throw new SoftphoneError('DIAL_INVALID', `Cannot dial ${target.display}`);
    // Call waiting the other way round: an outgoing call puts the current one on hold first.
    for (const other of this.calls.values()) {
      if (other.view.state === 'active' && !other.view.held) await this.hold(other.view.id, true);
    }
    const inviter = new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: this.mediaOptions() });
    const rec = this.addCall(inviter, 'outbound', { consultFor: opts.consultFor });
    this.updateCall(rec.view.id, { remote: { ...rec.view.remote, e164: target.e164 ?? rec.view.remote.e164 } });
    this.log(rec, 'dial', { target: target.display, kind: target.kind });
    inviter
      .invite({
        requestDelegate: {
          onReject: (res) => this.updateCall(rec.view.id, { endReason: `${res.message.statusCode} ${res.message.reasonPhrase}` }),
        },
      })
      .catch((err: unknown) => {
        this.updateCall(rec.view.id, { endReason: err instanceof Error ? err.message : String(err) });
        this.terminate(rec);
      });
    return rec.view.id;
  }

  async answer(id: string): Promise<void> {
    const rec = this.get(id);
    if (!(rec.session instanceof Invitation) || rec.view.state !== 'ringing') throw new SoftphoneError('BAD_STATE', 'Only a ringing call can be answered.');
    for (const other of this.calls.values()) {
      if (other !== rec && other.view.state === 'active' && !other.view.held) await this.hold(other.view.id, true);
    }
    await rec.session.accept({ sessionDescriptionHandlerOptions: this.mediaOptions() });
  }

  /** Decline sends 603; busy sends 486 so the caller's side may try elsewhere. */
  async decline(id: string, how: 'decline' | 'busy' = 'decline'): Promise<void> {
    const rec = this.get(id);
    if (!(rec.session instanceof Invitation) || rec.view.state !== 'ringing') throw new SoftphoneError('BAD_STATE', 'Only a ringing call can be declined.');
    this.updateCall(id, { endReason: how === 'busy' ? 'busy' : 'declined' });
    await rec.session.reject({ statusCode: how === 'busy' ? 486 : 603 });
  }

  hangup(id: string): void {
    const rec = this.calls.get(id);
    if (!rec || rec.view.state === 'ended') return;
    const s = rec.session;
    if (rec.view.state === 'active') void s.bye().catch(() => this.terminate(rec));
    else if (s instanceof Inviter) void s.cancel().catch(() => this.terminate(rec));
    else if (s instanceof Invitation) void s.reject({ statusCode: 603 }).catch(() => this.terminate(rec));
    if (!rec.view.endReason) this.updateCall(id, { endReason: 'local hang-up' });
  }

  async hold(id: string, on: boolean): Promise<void> {
    const rec = this.get(id);
    if (rec.view.state !== 'active') throw new SoftphoneError('BAD_STATE', 'Only a connected call can be held.');
    if (rec.view.held === on) return;
    const s = rec.session;
    s.sessionDescriptionHandlerOptionsReInvite = { hold: on } as typeof s.sessionDescriptionHandlerOptionsReInvite;
    await new Promise<void>((resolve, reject) => {
      s.invite({
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (res) => reject(new SoftphoneError('BAD_STATE', `Hold refused: ${res.message.statusCode}`)),
        },
      }).catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
    this.sdh(rec)?.enableSenderTracks(!on && !rec.view.muted);
    this.updateCall(id, { held: on });
    this.log(rec, on ? 'hold' : 'unhold');
  }

  mute(id: string, on: boolean): void {
    const rec = this.get(id);
    this.sdh(rec)?.enableSenderTracks(!on && !rec.view.held);
    this.updateCall(id, { muted: on });
    this.log(rec, on ? 'mute' : 'unmute');
  }

  /** RFC 4733 when negotiated, SIP INFO otherwise (or always, if the PBX wants INFO). */
  async dtmf(id: string, tone: string): Promise<'rfc4733' | 'info'> {
    if (!isDtmfTone(tone)) throw new SoftphoneError('DTMF_INVALID', `Not a DTMF tone: ${tone}`);
    const rec = this.get(id);
    if (rec.view.state !== 'active') throw new SoftphoneError('BAD_STATE', 'Tones can only be sent on a connected call.');
    let method: 'rfc4733' | 'info' = 'info';
    if (this.snap.dtmfMode === 'auto' && this.sdh(rec)?.sendDtmf(tone, { duration: 120, interToneGap: 70 })) method = 'rfc4733';
    if (method === 'info') {
      await rec.session.info({
        requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${tone}\r\nDuration=120` } },
      });
    }
    this.updateCall(id, { dtmfSent: (rec.view.dtmfSent + tone).slice(-64) });
    this.log(rec, 'dtmf', { tone, method });
    return method;
  }

  async blindTransfer(id: string, raw: string): Promise<void> {
    const rec = this.get(id);
    const target = parseDialTarget(raw, { region: this.opts.region, domain: this.opts.domain });
    if (!target.ok) throw new SoftphoneError(target.code, target.message);
    const uri = UserAgent.makeURI(target.uri);
    if (!uri) throw new SoftphoneError('DIAL_INVALID', `Cannot transfer to ${target.display}`);
    this.updateCall(id, { transfer: { kind: 'blind', target: target.display, state: 'pending' } });
    await new Promise<void>((resolve, reject) => {
      rec.session
        .refer(uri, {
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (res) => reject(new SoftphoneError('BAD_STATE', `Transfer refused: ${res.message.statusCode} ${res.message.reasonPhrase}`)),
          },
          // Blind transfer: the transferee carries on alone; progress reports are only acknowledged.
          onNotify: (n) => void n.accept(),
        })
        .catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    }).catch((err: unknown) => {
      this.updateCall(id, { transfer: { kind: 'blind', target: target.display, state: 'failed', reason: (err as Error).message } });
      throw err;
    });
    this.updateCall(id, { transfer: { kind: 'blind', target: target.display, state: 'done' } });
    this.log(rec, 'transfer', { kind: 'blind', target: target.display });
    this.hangup(id);
  }

  /** First half of an attended transfer: hold the customer and call the colleague. */
  async consult(id: string, raw: string): Promise<string> {
    this.get(id);
    return this.dial(raw, { consultFor: id });
  }

  /** Second half: REFER the customer to the colleague with Replaces, then drop out once it took. */
  async completeAttendedTransfer(consultId: string): Promise<void> {
    const consult = this.get(consultId);
    const originalId = consult.view.consultFor;
    if (!originalId) throw new SoftphoneError('BAD_STATE', 'This call is not a consultation.');
    const original = this.get(originalId);
    if (consult.view.state !== 'active') throw new SoftphoneError('BAD_STATE', 'The colleague has not answered yet.');
    const target = consult.view.remote.user;
    this.updateCall(originalId, { transfer: { kind: 'attended', target, state: 'pending' } });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SoftphoneError('BAD_STATE', 'Transfer timed out')), 15_000);
      original.onTransferNotify = (status) => {
        if (status < 200) return;
        clearTimeout(timer);
        if (status < 300) resolve();
        else reject(new SoftphoneError('BAD_STATE', `Transfer failed: ${status}`));
      };
      original.session
        .refer(consult.session, {
          requestDelegate: { onReject: (res) => reject(new SoftphoneError('BAD_STATE', `Transfer refused: ${res.message.statusCode}`)) },
          onNotify: (n) => this.onNotify(originalId, n),
        })
        .catch((err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    }).catch((err: unknown) => {
      this.updateCall(originalId, { transfer: { kind: 'attended', target, state: 'failed', reason: (err as Error).message } });
      throw err;
    });
    this.updateCall(originalId, { transfer: { kind: 'attended', target, state: 'done' } });
    this.log(original, 'transfer', { kind: 'attended', target });
    this.hangup(originalId);
    // The target's phone ends the consultation leg when the Replaces INVITE arrives; make sure.
    setTimeout(() => this.hangup(consultId), 2000);
  }

  // ---- SIP events -------------------------------------------------------------------------------

  private onInfo(id: string, info: Info) {
    const rec = this.calls.get(id);
    void info.accept();
    if (!rec) return;
    const body = info.request.body ?? '';
    const type = info.request.getHeader('Content-Type') ?? '';
    const m = /^Signal\s*=\s*([0-9*#A-D])/im.exec(body) ?? (/dtmf$/i.test(type) ? /^([0-9*#A-D])/m.exec(body) : null);
    if (m) {
      this.updateCall(id, { dtmfReceived: (rec.view.dtmfReceived + m[1]!).slice(-64) });
      this.log(rec, 'dtmf', { tone: m[1], method: 'info', received: true });
    }
  }

  private async onRefer(id: string, referral: Referral): Promise<void> {
    const rec = this.calls.get(id);
    if (!rec) {
      await referral.reject().catch(() => undefined);
      return;
    }
    await referral.accept();
    // We are the transferee: follow the REFER with a new call, which reports progress back by NOTIFY.
    const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: this.mediaOptions() });
    const next = this.addCall(inviter, 'outbound', { pop: rec.view.pop });
    // An attended transfer's Refer-To names the target's device (its contact), not its AOR; SIP.js
    // puts the target's identity in the display name ("Name" or "user@domain"): show that instead of
    // a random contact token.
    const referName = referral.referTo.displayName;
    const aor = referName ? /^([A-Za-z0-9._+-]{1,64})@([A-Za-z0-9.-]{1,253})$/.exec(referName) : null;
    if (aor) this.updateCall(next.view.id, { remote: { user: aor[1]!, e164: callerE164(aor[1], this.opts.region), uri: `sip:${referName}` } });
    else if (referName) this.updateCall(next.view.id, { remote: { ...next.view.remote, displayName: referName } });
    this.log(rec, 'transfer', { kind: referral.replaces ? 'attended' : 'blind', role: 'transferee', to: next.view.remote.user });
    await inviter.invite().catch((err: unknown) => {
      this.updateCall(next.view.id, { endReason: err instanceof Error ? err.message : String(err) });
    });
  }

  private onNotify(id: string, n: SipNotification) {
    void n.accept();
    const rec = this.calls.get(id);
    const m = /^SIP\/2\.0\s+(\d{3})/.exec(n.request.body ?? '');
    if (rec && m) rec.onTransferNotify?.(Number(m[1]));
  }

  private sdh(rec: CallRecord): Web.SessionDescriptionHandler | undefined {
    const h = rec.session.sessionDescriptionHandler;
    return h instanceof Web.SessionDescriptionHandler ? h : undefined;
  }

  private onSessionState(id: string, state: SessionState) {
    const rec = this.calls.get(id);
    if (!rec) return;
    if (state === SessionState.Established) {
      const sdh = this.sdh(rec);
      if (sdh) {
        rec.audio.srcObject = sdh.remoteMediaStream;
        void rec.audio.play().catch(() => undefined);
        const pc = sdh.peerConnection;
        const sender = pc?.getSenders().find((s) => s.track?.kind === 'audio');
        if (sender?.dtmf) {
          // What the DTMF sender actually played out: the only RFC 4733 evidence a browser offers.
          sender.dtmf.ontonechange = (e) => {
            if (e.tone) console.debug('[softphone] rfc4733 tone', e.tone);
          };
        }
        rec.statsTimer = setInterval(() => void this.sampleStats(id), this.opts.statsIntervalMs);
      }
      this.updateCall(id, { state: 'active', answeredAt: Date.now() });
      this.log(rec, 'answer');
    } else if (state === SessionState.Terminated) {
      this.terminate(rec);
    }
  }

  private async sampleStats(id: string) {
    const rec = this.calls.get(id);
    const pc = rec && this.sdh(rec)?.peerConnection;
    if (!rec || !pc) return;
    try {
      const report = await pc.getStats();
      const q = summarizeStats(report.values() as Iterable<Record<string, unknown>>);
      if (q && rec.view.state !== 'ended') this.updateCall(id, { quality: q });
    } catch {
      // The connection closed between ticks; the last sample stands as the summary.
    }
  }

  private terminate(rec: CallRecord) {
    if (rec.view.state === 'ended') return;
    if (rec.statsTimer) clearInterval(rec.statsTimer);
    rec.audio.srcObject = null;
    const wasRinging = rec.view.state === 'ringing' && rec.view.direction === 'inbound';
    const now = Date.now();
    let missed: MissedCall[] = this.snap.missed;
    if (wasRinging) {
      const reason: MissedCall['reason'] = rec.view.endReason === 'busy' ? 'busy' : rec.view.endReason === 'declined' ? 'declined' : 'caller-cancelled';
      missed = [{ id: rec.view.id, remote: rec.view.remote, pop: rec.view.pop, at: now, reason }, ...missed].slice(0, 50);
      this.log(rec, 'missed', { reason });
    }
    if (rec.view.quality) {
      const q = rec.view.quality;
      this.log(rec, 'quality', {
        mos: q.estimate.mos, rFactor: q.estimate.rFactor, jitterMs: q.jitterMs, rttMs: q.rttMs, lossFraction: q.lossFraction,
        packetsReceived: q.packetsReceived, packetsSent: q.packetsSent, codec: q.codec,
      });
    }
    this.log(rec, 'end', { reason: rec.view.endReason ?? 'remote hang-up', durationMs: rec.view.answeredAt ? now - rec.view.answeredAt : 0 });
    rec.view = { ...rec.view, state: 'ended', endedAt: now, endReason: rec.view.endReason ?? (wasRinging ? 'caller hung up' : 'remote hang-up') };
    this.publish({ missed });
    // Keep ended calls briefly so the agent sees how it ended, then drop them from the strip.
    setTimeout(() => {
      this.calls.delete(rec.view.id);
      this.publish({});
    }, 4000);
  }
}
