import { estimateQuality, type QualityEstimate, type QualityInput } from '../../../shared/call-quality';

/** Live and end-of-call quality figures taken from a peer connection's getStats(). */
export interface CallQuality {
  packetsReceived: number;
  packetsSent: number;
  packetsLost: number;
  lossFraction: number;
  jitterMs: number;
  rttMs: number | null;
  codec: string;
  estimate: QualityEstimate;
  at: number;
}

type StatDict = Record<string, unknown> & { type?: string; id?: string };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Reduces a getStats() report to the figures an agent and a supervisor care about. Works on plain
 * stat dictionaries so it runs the same on Chromium's RTCStatsReport and on recorded reports.
 */
export function summarizeStats(report: Iterable<StatDict>, at = Date.now()): CallQuality | null {
  let inbound: StatDict | undefined;
  let outbound: StatDict | undefined;
  let remoteInbound: StatDict | undefined;
  let pairRtt: number | undefined;
  const codecs = new Map<string, string>();
  for (const s of report) {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound = s;
    else if (s.type === 'outbound-rtp' && s.kind === 'audio') outbound = s;
    else if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') remoteInbound = s;
    else if (s.type === 'codec' && typeof s.id === 'string' && typeof s.mimeType === 'string') codecs.set(s.id, s.mimeType);
    else if (s.type === 'candidate-pair' && (s.nominated === true || s.selected === true) && s.state === 'succeeded') pairRtt = num(s.currentRoundTripTime);
  }
  if (!inbound && !outbound) return null;
  const packetsReceived = num(inbound?.packetsReceived) ?? 0;
  const packetsLost = Math.max(0, num(inbound?.packetsLost) ?? 0);
  const lossFraction = packetsReceived + packetsLost > 0 ? packetsLost / (packetsReceived + packetsLost) : 0;
  const jitterMs = (num(inbound?.jitter) ?? 0) * 1000;
  const rttSec = num(remoteInbound?.roundTripTime) ?? pairRtt;
  const rttMs = rttSec === undefined ? null : rttSec * 1000;
  const codecId = typeof inbound?.codecId === 'string' ? inbound.codecId : typeof outbound?.codecId === 'string' ? outbound.codecId : undefined;
  const mime = (codecId && codecs.get(codecId)) || 'audio/unknown';
  const codec = mime.replace(/^audio\//i, '').toLowerCase();
  const known: QualityInput['codec'][] = ['opus', 'pcmu', 'pcma', 'g722'];
  const estimate = estimateQuality({
    rttMs: rttMs ?? 0,
    jitterMs,
    lossFraction,
    codec: (known as string[]).includes(codec) ? (codec as QualityInput['codec']) : 'other',
  });
  return {
    packetsReceived,
    packetsSent: num(outbound?.packetsSent) ?? 0,
    packetsLost,
    lossFraction,
    jitterMs: Math.round(jitterMs * 10) / 10,
    rttMs: rttMs === null ? null : Math.round(rttMs * 10) / 10,
    codec,
    estimate,
    at,
  };
}
