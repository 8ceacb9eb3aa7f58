import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateQuality, rToMos } from './call-quality';

describe('estimateQuality (E-model)', () => {
  it('rates a clean LAN call near the top of the scale', () => {
    const q = estimateQuality({ rttMs: 2, jitterMs: 1, lossFraction: 0 });
    expect(q.rFactor).toBeGreaterThan(92);
    expect(q.mos).toBeGreaterThan(4.3);
    expect(q.rating).toBe('excellent');
  });

  it('matches hand-computed G.107 figures for a lossy, delayed call', () => {
    // delay = 150 + 40 + 10 = 200 ms → Id = 4.8 + 0.11*22.7 = 7.297; Ppl 5 → IeEff = 95*5/(5+25.1) = 15.78
    const q = estimateQuality({ rttMs: 300, jitterMs: 20, lossFraction: 0.05, codec: 'pcmu' });
    expect(q.rFactor).toBeCloseTo(93.2 - 7.297 - 15.781, 0);
    expect(q.mos).toBeCloseTo(rToMos(93.2 - 7.297 - 15.781), 2);
    expect(q.rating).toBe('fair');
  });

  it('rates total loss as bad', () => {
    const q = estimateQuality({ rttMs: 20, jitterMs: 5, lossFraction: 1 });
    expect(q.mos).toBeLessThan(2);
    expect(q.rating).toBe('bad');
  });

  it('rejects impossible input instead of inventing a score', () => {
    expect(() => estimateQuality({ rttMs: -1, jitterMs: 0, lossFraction: 0 })).toThrow();
    expect(() => estimateQuality({ rttMs: 0, jitterMs: 0, lossFraction: 2 })).toThrow();
  });

  it('never improves when the network gets worse', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2000, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }),
        (rtt, jitter, loss, extraRtt, extraLoss) => {
          const a = estimateQuality({ rttMs: rtt, jitterMs: jitter, lossFraction: loss });
          const b = estimateQuality({ rttMs: rtt + extraRtt, jitterMs: jitter, lossFraction: Math.min(1, loss + extraLoss) });
          expect(b.mos).toBeLessThanOrEqual(a.mos + 1e-9);
          expect(a.mos).toBeGreaterThanOrEqual(1);
          expect(a.mos).toBeLessThanOrEqual(4.5);
        },
      ),
    );
  });
});
