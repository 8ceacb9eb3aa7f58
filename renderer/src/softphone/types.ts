import type { CallQuality } from './stats';

/**
 * The softphone's outward contracts. The engine (softphone.ts) knows nothing about the replica or
 * React: screen pops come in through `ScreenPopSource`, call history goes out through `CallLogSink`,
 * and the UI reads immutable `PhoneSnapshot`s.
 */

export type RegistrationState = 'stopped' | 'connecting' | 'registered' | 'reconnecting' | 'failed';

export interface RegistrationStatus {
  state: RegistrationState;
  /** The WebSocket server in use or being tried. */
  server?: string;
  /** Consecutive failed attempts since the last success. */
  attempt: number;
  /** When the next attempt runs (epoch ms), while reconnecting. */
  retryAt?: number;
  error?: string;
  since: number;
}

export interface ScreenPop {
  customerId: string;
  customerName: string;
  company?: string;
  keyAccount?: boolean;
  tier?: string;
  threadId?: string;
  threadSubject?: string;
  /** Short lines of recent history for the ringing card. */
  recent: Array<{ at: number; kind: string; text: string }>;
}

/** Who is calling, as far as the phone can tell before any lookup. */
export interface RemoteParty {
  /** SIP user part (extension, number or name). */
  user: string;
  displayName?: string;
  /** The number in E.164 when the user part is a phone number. */
  e164?: string;
  uri: string;
}

export interface ScreenPopSource {
  /** Must answer from local data only: it runs while the phone rings, possibly offline. */
  lookup(remote: RemoteParty): Promise<ScreenPop | null>;
}

export type CallEventType =
  | 'ring' | 'dial' | 'answer' | 'hold' | 'unhold' | 'mute' | 'unmute' | 'dtmf' | 'transfer' | 'end' | 'missed' | 'quality';

export interface CallLogEvent {
  type: CallEventType;
  /** The softphone's own id for the call (stable across the call's life). */
  callId: string;
  sipCallId: string;
  direction: 'inbound' | 'outbound';
  remote: RemoteParty;
  pop: ScreenPop | null;
  at: number;
  detail: Record<string, unknown>;
}

export interface CallLogSink {
  /** Writes locally first; sync happens later and elsewhere. Failures are logged, never thrown into calls. */
  record(event: CallLogEvent): Promise<void>;
}

export type CallState = 'ringing' | 'dialing' | 'active' | 'ended';

export interface CallView {
  id: string;
  sipCallId: string;
  direction: 'inbound' | 'outbound';
  state: CallState;
  remote: RemoteParty;
  /** undefined while the lookup runs, null when nobody matched. */
  pop: ScreenPop | null | undefined;
  /** INVITE received → screen pop data ready, in ms. */
  popMs?: number;
  /** performance.now() when the INVITE reached the phone, so a view can time its own render. */
  invitedAtPerf?: number;
  held: boolean;
  muted: boolean;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: string;
  dtmfSent: string;
  dtmfReceived: string;
  quality?: CallQuality;
  /** A consultation call made from another call for an attended transfer. */
  consultFor?: string;
  transfer?: { kind: 'blind' | 'attended'; target: string; state: 'pending' | 'done' | 'failed'; reason?: string };
  /** Set on the call that replaced another (attended transfer arriving here). */
  replaced?: string;
}

export interface MissedCall {
  id: string;
  remote: RemoteParty;
  pop: ScreenPop | null | undefined;
  at: number;
  reason: 'caller-cancelled' | 'declined' | 'busy' | 'no-answer';
}

export interface AudioDevices {
  microphoneId?: string;
  speakerId?: string;
  ringerId?: string;
}

export type DtmfMode = 'auto' | 'info';

export interface PhoneSnapshot {
  registration: RegistrationStatus;
  calls: CallView[];
  missed: MissedCall[];
  doNotDisturb: boolean;
  devices: AudioDevices;
  dtmfMode: DtmfMode;
  identity: { user: string; domain: string; displayName?: string } | null;
}
