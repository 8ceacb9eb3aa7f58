import type { Channel } from './model/documents';

/**
 * Contact-center KPI formulas, one definition for the agent desktop, supervisor views and reports.
 * Inputs are plain interaction timestamps (ms), so the same numbers come out on server and client.
 */
export interface KpiInteraction {
  channel: Channel;
  queueId?: string | undefined;
  state: string;
  offeredAt?: number | undefined;
  answeredAt?: number | undefined;
  endedAt?: number | undefined;
  wrapupDoneAt?: number | undefined;
}

export interface QueueKpis {
  waiting: number;
  longestWaitMs: number;
  answered: number;
  abandoned: number;
  /** Share of offered contacts answered within the SLA (abandoned ones count against it), 0–1, or undefined with no contacts. */
  serviceLevel: number | undefined;
  /** Mean of talk/work time plus after-contact work, ms. */
  averageHandleMs: number | undefined;
  /** Mean after-contact work (end → wrap-up done), ms: counted, not hidden inside "available". */
  averageAfterWorkMs: number | undefined;
  averageSpeedOfAnswerMs: number | undefined;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export function queueKpis(list: readonly KpiInteraction[], slaSecondsFor: (channel: Channel) => number | undefined, now: number): QueueKpis {
  const waitingList = list.filter((i) => (i.state === 'queued' || i.state === 'offered') && i.offeredAt !== undefined);
  const answered = list.filter((i) => i.answeredAt !== undefined && i.offeredAt !== undefined);
  const abandoned = list.filter((i) => i.state === 'abandoned' || i.state === 'missed');
  let withinSla = 0;
  for (const i of answered) {
    const sla = slaSecondsFor(i.channel);
    if (sla === undefined || i.answeredAt! - i.offeredAt! <= sla * 1000) withinSla++;
  }
  const handled = answered.filter((i) => i.endedAt !== undefined);
  return {
    waiting: waitingList.length,
    longestWaitMs: Math.max(0, ...waitingList.map((i) => now - i.offeredAt!)),
    answered: answered.length,
    abandoned: abandoned.length,
    serviceLevel: answered.length + abandoned.length ? withinSla / (answered.length + abandoned.length) : undefined,
    averageHandleMs: mean(handled.map((i) => (i.wrapupDoneAt ?? i.endedAt!) - i.answeredAt!)),
    averageAfterWorkMs: mean(handled.filter((i) => i.wrapupDoneAt !== undefined).map((i) => i.wrapupDoneAt! - i.endedAt!)),
    averageSpeedOfAnswerMs: mean(answered.map((i) => i.answeredAt! - i.offeredAt!)),
  };
}

/** First-contact resolution: share of wrap-ups that resolved the matter on the first contact. */
export function firstContactResolution(wrapups: readonly { firstContactResolution?: unknown }[]): number | undefined {
  const judged = wrapups.filter((w) => typeof w.firstContactResolution === 'boolean');
  return judged.length ? judged.filter((w) => w.firstContactResolution === true).length / judged.length : undefined;
}

/** CSAT as the share of 4–5 answers on a 1–5 scale (the industry's "top-two-box"). */
export function csat(scores: readonly number[]): number | undefined {
  return scores.length ? scores.filter((s) => s >= 4).length / scores.length : undefined;
}

/** Customer effort score: mean of 1–7 answers (lower is better). */
export function customerEffort(scores: readonly number[]): number | undefined {
  return mean([...scores]);
}
