import { describe, expect, it } from 'vitest';
import { summarizeStats } from './stats';

// Shaped like Chromium's RTCStatsReport entries for an Opus call.
const report = [
  { id: 'COT01', type: 'codec', mimeType: 'audio/opus' },
  { id: 'IT01', type: 'inbound-rtp', kind: 'audio', codecId: 'COT01', packetsReceived: 950, packetsLost: 50, jitter: 0.012 },
  { id: 'OT01', type: 'outbound-rtp', kind: 'audio', codecId: 'COT01', packetsSent: 1000 },
  { id: 'RI01', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.08 },
  { id: 'CP01', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.5 },
  { id: 'V01', type: 'inbound-rtp', kind: 'video', packetsReceived: 1 },
];

describe('summarizeStats', () => {
  it('extracts packets, loss, jitter, RTT and codec and scores them', () => {
    const q = summarizeStats(report, 1);
    expect(q).toMatchObject({ packetsReceived: 950, packetsSent: 1000, packetsLost: 50, jitterMs: 12, rttMs: 80, codec: 'opus', at: 1 });
    expect(q!.lossFraction).toBeCloseTo(0.05);
    expect(q!.estimate.mos).toBeGreaterThan(1);
    expect(q!.estimate.mos).toBeLessThan(4);
  });

  it('falls back to the candidate pair RTT before RTCP has reported', () => {
    const q = summarizeStats(report.filter((s) => s.type !== 'remote-inbound-rtp'));
    expect(q!.rttMs).toBe(500);
  });

  it('returns null when there is no audio stream yet', () => {
    expect(summarizeStats([{ id: 'x', type: 'transport' }])).toBeNull();
  });

  it('scores a loss-free call better than a lossy one', () => {
    const clean = summarizeStats(report.map((s) => (s.type === 'inbound-rtp' ? { ...s, packetsLost: 0 } : s)));
    expect(clean!.estimate.mos).toBeGreaterThan(summarizeStats(report)!.estimate.mos);
  });
});
