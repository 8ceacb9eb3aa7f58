/**
 * Registration failover: which server to try next and how long to wait. Pure, so the schedule can be
 * tested without a network. Exponential backoff with full jitter keeps a floor of agents from
 * hammering a proxy that just restarted all at the same instant.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/** Delay before attempt `attempt` (0 = first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 20));
  // Half fixed, half jitter: never zero (no tight loop), never more than the cap.
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Server to use for attempt `attempt` after a failure on `failedIndex`: the next server in the list
 * first, wrapping around, so a dead primary costs one attempt, not a full backoff cycle.
 */
export function nextServerIndex(failedIndex: number, serverCount: number): number {
  if (serverCount <= 0) throw new Error('no SIP servers configured');
  return (failedIndex + 1) % serverCount;
}
