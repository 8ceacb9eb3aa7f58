import { z } from 'zod';

/**
 * Call quality estimate from network figures, after ITU-T G.107 (E-model) in the simplified form
 * commonly used for VoIP monitoring. It is an estimate: it ignores echo and loudness, which a
 * browser cannot measure, and maps to the listening-quality MOS scale (1 … 4.5).
 */

export const QualityInput = z.object({
  /** Round-trip time in ms (RTCP or ICE candidate-pair). */
  rttMs: z.number().min(0).max(60_000),
  /** Interarrival jitter in ms. */
  jitterMs: z.number().min(0).max(60_000),
  /** Packets lost as a fraction 0 … 1. */
  lossFraction: z.number().min(0).max(1),
  codec: z.enum(['opus', 'pcmu', 'pcma', 'g722', 'other']).default('opus'),
});
export type QualityInput = z.input<typeof QualityInput>;

export interface QualityEstimate {
  rFactor: number;
  mos: number;
  rating: 'excellent' | 'good' | 'fair' | 'poor' | 'bad';
}

/**
 * Equipment impairment Ie and packet-loss robustness Bpl per codec (G.113 Appendix I values with
 * packet-loss concealment). Opus has no G.113 entry at these rates; G.722's values are a fair,
 * slightly pessimistic stand-in, so the estimate never flatters a wideband call.
 */
const CODEC: Record<z.infer<typeof QualityInput>['codec'], { ie: number; bpl: number }> = {
  opus: { ie: 0, bpl: 19 },
  g722: { ie: 0, bpl: 19 },
  pcmu: { ie: 0, bpl: 25.1 },
  pcma: { ie: 0, bpl: 25.1 },
  other: { ie: 10, bpl: 10 },
};

/** Default basic signal-to-noise ratio R0 of G.107 with all other defaults. */
const R0 = 93.2;
/** Fixed delay added by packetization and the jitter buffer beyond the measured jitter. */
const CODEC_DELAY_MS = 10;

export function estimateQuality(raw: QualityInput): QualityEstimate {
  const q = QualityInput.parse(raw);
  // One-way mouth-to-ear delay: half the RTT plus a jitter buffer sized at twice the jitter.
  const delay = q.rttMs / 2 + 2 * q.jitterMs + CODEC_DELAY_MS;
  const id = delay < 177.3 ? 0.024 * delay : 0.024 * delay + 0.11 * (delay - 177.3);
  const { ie, bpl } = CODEC[q.codec];
  const ppl = q.lossFraction * 100;
  const ieEff = ie + (95 - ie) * (ppl / (ppl + bpl));
  const r = Math.max(0, Math.min(100, R0 - id - ieEff));
  return { rFactor: round(r, 1), mos: round(rToMos(r), 2), rating: rating(r) };
}

/** G.107 Annex B mapping from R to MOS-CQE. */
export function rToMos(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

function rating(r: number): QualityEstimate['rating'] {
  if (r >= 90) return 'excellent';
  if (r >= 80) return 'good';
  if (r >= 70) return 'fair';
  if (r >= 60) return 'poor';
  return 'bad';
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
