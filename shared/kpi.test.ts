import { describe, expect, it } from 'vitest';
import { csat, customerEffort, firstContactResolution, queueKpis } from './kpi';

const call = (over: Record<string, unknown>) => ({ channel: 'call' as const, state: 'done', ...over });

describe('queueKpis', () => {
  it('computes service level, handle time, after-contact work and speed of answer', () => {
    const now = 100_000;
    const k = queueKpis([
      call({ offeredAt: 0, answeredAt: 10_000, endedAt: 70_000, wrapupDoneAt: 100_000 }), // in SLA; AHT 90 s, ACW 30 s
      call({ offeredAt: 0, answeredAt: 40_000, endedAt: 100_000 }), // late; AHT 60 s, no wrap-up yet
      call({ state: 'abandoned', offeredAt: 0 }),
      call({ state: 'queued', offeredAt: 95_000 }),
      call({ state: 'queued', offeredAt: 80_000 }),
    ], () => 30, now);
    expect(k).toEqual({
      waiting: 2, longestWaitMs: 20_000, answered: 2, abandoned: 1,
      serviceLevel: 1 / 3, averageHandleMs: 75_000, averageAfterWorkMs: 30_000, averageSpeedOfAnswerMs: 25_000,
    });
  });
  it('is undefined rather than zero when there is nothing to measure', () => {
    const k = queueKpis([], () => 30, 0);
    expect(k.serviceLevel).toBeUndefined();
    expect(k.averageHandleMs).toBeUndefined();
    expect(k.longestWaitMs).toBe(0);
  });
});

describe('survey and resolution KPIs', () => {
  it('FCR counts only wrap-ups that judged it', () => {
    expect(firstContactResolution([{ firstContactResolution: true }, { firstContactResolution: false }, {}])).toBe(0.5);
    expect(firstContactResolution([{}])).toBeUndefined();
  });
  it('CSAT is top-two-box, effort is the mean', () => {
    expect(csat([5, 4, 3, 1])).toBe(0.5);
    expect(customerEffort([2, 4])).toBe(3);
    expect(csat([])).toBeUndefined();
  });
});
